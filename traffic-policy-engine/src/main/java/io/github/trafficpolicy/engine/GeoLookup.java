package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The result of locating an address: the location and the prefix length of the network it holds for (the GeoIP
 * database network or the CIDR table row; for an unknown address, the prefix of the gap it fell in, or the full
 * address length when the locator cannot tell). The prefix counts bits of the address as given: 0–32 for an
 * {@link java.net.Inet4Address}, 0–128 for an {@link java.net.Inet6Address} (an IPv4-mapped IPv6 address included).
 */
public record GeoLookup(ClientLocation location, int prefixLength) {
  public GeoLookup {
    checkNotNull(location, "location");
    checkArgument(prefixLength >= 0 && prefixLength <= 128, "prefix length must be in [0, 128] but was %s",
        prefixLength);
  }
}
