package io.github.trafficpolicy.engine;

import com.google.common.collect.ImmutableList;
import java.net.InetAddress;

/**
 * Asks locators in order; the first that knows the address ({@link ClientLocation#isKnown()}) gives the location.
 * The prefix is the longest of those reported by every locator asked, since the answer holds only where all of
 * them answer as they did: where the earlier ones still do not know the address and the deciding one still says
 * the same.
 */
final class ChainGeoLocator implements GeoLocator {
  private final ImmutableList<GeoLocator> locators;

  ChainGeoLocator(ImmutableList<GeoLocator> locators) {
    this.locators = locators;
  }

  @Override
  public GeoLookup locate(InetAddress address) {
    int prefix = 0;
    for (GeoLocator locator : locators) {
      GeoLookup lookup = locator.locate(address);
      prefix = Math.max(prefix, lookup.prefixLength());
      if (lookup.location().isKnown()) {
        return prefix == lookup.prefixLength() ? lookup : new GeoLookup(lookup.location(), prefix);
      }
    }
    return new GeoLookup(ClientLocation.UNKNOWN, prefix);
  }

  @Override
  public String toString() {
    return "GeoLocators.chain" + locators;
  }
}
