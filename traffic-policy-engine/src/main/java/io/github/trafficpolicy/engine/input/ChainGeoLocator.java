package io.github.trafficpolicy.engine.input;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.GeoLookup;
import io.github.trafficpolicy.engine.internal.AddressLocator;
import io.github.trafficpolicy.engine.internal.Addresses;
import java.net.InetAddress;

/**
 * Asks locators in order; the first that knows the address ({@link ClientLocation#isKnown()}) gives the location.
 * The prefix is the longest of those reported by every locator asked, since the answer holds only where all of
 * them answer as they did: where the earlier ones still do not know the address and the deciding one still says
 * the same.
 */
final class ChainGeoLocator implements GeoLocator, AddressLocator {
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
  public ClientLocation locate(byte[] address, int[] prefix) {
    int longest = 0;
    for (int i = 0; i < locators.size(); i++) {
      GeoLocator locator = locators.get(i);
      ClientLocation location;
      if (locator instanceof AddressLocator raw) {
        location = raw.locate(address, prefix);
      } else {
        GeoLookup lookup = locator.locate(Addresses.inetAddress(address));
        location = lookup.location();
        prefix[0] = lookup.prefixLength();
      }
      longest = Math.max(longest, prefix[0]);
      if (location.isKnown()) {
        prefix[0] = longest;
        return location;
      }
    }
    prefix[0] = longest;
    return ClientLocation.UNKNOWN;
  }

  @Override
  public String toString() {
    return "GeoLocators.chain" + locators;
  }
}
