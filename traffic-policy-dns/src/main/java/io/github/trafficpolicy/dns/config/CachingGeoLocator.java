package io.github.trafficpolicy.dns.config;

import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.GeoLookup;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the lookups of a locator whose data does not change while the server runs (a GeoIP database file, a
 * CIDR table): the same address always gets the same lookup, so caching by address is exact. Resolvers send the
 * same client subnets again and again, and a GeoIP database lookup costs far more than a hash lookup. Bounded:
 * the cache is emptied when it reaches {@code capacity} entries. Thread-safe.
 */
final class CachingGeoLocator implements GeoLocator {
  private final GeoLocator delegate;
  private final int capacity;
  private final Map<InetAddress, GeoLookup> cache = new ConcurrentHashMap<>();

  CachingGeoLocator(GeoLocator delegate, int capacity) {
    this.delegate = delegate;
    this.capacity = capacity;
  }

  @Override
  public GeoLookup locate(InetAddress address) {
    GeoLookup hit = cache.get(address);
    if (hit != null) {
      return hit;
    }
    GeoLookup lookup = delegate.locate(address);
    if (cache.size() >= capacity) {
      cache.clear();
    }
    cache.put(address, lookup);
    return lookup;
  }

  @Override
  public String toString() {
    return "CachingGeoLocator{" + delegate + ", " + cache.size() + "/" + capacity + "}";
  }
}
