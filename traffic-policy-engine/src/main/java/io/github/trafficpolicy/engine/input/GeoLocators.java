package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.GeoLookup;
import java.util.List;

/**
 * Ways to combine and stub {@link GeoLocator}s. The locators themselves: {@link MaxMindGeoLocator} (GeoIP2 and
 * GeoLite2 City and Country databases) and {@link CidrGeoLocator} (a table of networks).
 */
public final class GeoLocators {
  private static final GeoLocator NOWHERE = new GeoLocator() {
    @Override
    public GeoLookup locate(java.net.InetAddress address) {
      return new GeoLookup(ClientLocation.UNKNOWN, 0);
    }

    @Override
    public String toString() {
      return "GeoLocators.nowhere()";
    }
  };

  private GeoLocators() {}

  /**
   * A locator that asks {@code locators} in order: the first that knows the address wins (typically a CIDR table
   * of overrides, then a GeoIP database). The prefix length reported is the longest reported by any locator
   * asked, so the answer is never claimed for a wider network than every one of them vouches for. When none knows
   * the address the result is {@link ClientLocation#UNKNOWN}.
   */
  public static GeoLocator chain(GeoLocator... locators) {
    return chain(List.of(locators));
  }

  /** As {@link #chain(GeoLocator...)}. */
  public static GeoLocator chain(List<? extends GeoLocator> locators) {
    ImmutableList<GeoLocator> list = ImmutableList.copyOf(locators);
    checkArgument(!list.isEmpty(), "a chain needs at least one locator");
    return list.size() == 1 ? list.get(0) : new ChainGeoLocator(list);
  }

  /** A locator that knows no address: every lookup is {@link ClientLocation#UNKNOWN} for prefix length 0. */
  public static GeoLocator nowhere() {
    return NOWHERE;
  }
}
