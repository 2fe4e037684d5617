package io.github.trafficpolicy.engine;

import java.net.InetAddress;

/**
 * Finds where an address is. Implementations: a MaxMind GeoIP2/GeoLite2 City or Country database, a CIDR table,
 * and a chain of locators (the first that knows the address wins). Implementations are thread-safe.
 */
@FunctionalInterface
public interface GeoLocator {

  /** The location of {@code address} and the prefix length it holds for; never throws for an unknown address. */
  GeoLookup locate(InetAddress address);
}
