package io.github.trafficpolicy.engine.input;

import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import java.util.Arrays;
import java.util.Optional;

/**
 * The distinct locations of a database, one instance each, numbered in the order they were first seen, and found by
 * the fields of a record without making a location first: reading GeoLite2 City's 540,000 records makes only its
 * 150,000 locations. {@link #intern} is synchronized (a locator calls it while preloading and, after that, only when
 * a lookup misses its table); {@link #location} is not, and sees every location whose index it was given through a
 * happens-before edge (the locator's table publishes indexes with release stores).
 */
final class LocationInterner {
  /** Index 0 is {@link ClientLocation#UNKNOWN}, which is not counted. */
  private volatile ClientLocation[] locations = new ClientLocation[512];
  /** Open addressing by the parts of a location: its index, plus one (0 is an empty slot); doubled when half full. */
  private int[] slots = new int[1024];
  private int size;

  LocationInterner() {
    ClientLocation[] ls = locations;
    ls[0] = ClientLocation.UNKNOWN;
    locations = ls;
  }

  /** The number of distinct locations kept, {@link ClientLocation#UNKNOWN} aside. */
  synchronized int size() {
    return size;
  }

  /** The location of an index {@link #intern} returned. */
  ClientLocation location(int index) {
    return locations[index];
  }

  /**
   * The index of the location of {@code f}, checked and made as {@link MaxMindGeoLocator#location} makes it (its
   * parts, then {@link MaxMindGeoLocator#ofParts}): that of an equal location seen before, or of a new one. 0
   * ({@link ClientLocation#UNKNOWN}) when nothing is known.
   */
  synchronized int intern(MmdbData.Fields f) {
    Optional<String> ct = MaxMindGeoLocator.continentPart(f.continent);
    Optional<String> cc = MaxMindGeoLocator.countryPart(f.country);
    Optional<String> sd = MaxMindGeoLocator.subdivisionPart(cc, f.subdivision);
    boolean at = MaxMindGeoLocator.hasCoordinates(f.latitude, f.longitude);
    if (ct.isEmpty() && cc.isEmpty() && !at) {
      return 0;
    }
    double latitude = at ? f.latitude : 0;
    double longitude = at ? f.longitude : 0;
    ClientLocation[] ls = locations;
    int mask = slots.length - 1;
    for (int i = hash(ct, cc, sd, at, latitude, longitude) & mask; ; i = (i + 1) & mask) {
      int held = slots[i];
      if (held == 0) {
        size++;
        if (size == ls.length) {
          ls = Arrays.copyOf(ls, ls.length * 2);
        }
        ls[size] = MaxMindGeoLocator.ofParts(ct, cc, sd, at, latitude, longitude); // not UNKNOWN: returned above
        locations = ls;
        slots[i] = size + 1;
        if (size * 2 > slots.length) {
          grow(ls);
        }
        return size;
      }
      ClientLocation known = ls[held - 1];
      // The parts are the shared instances of part(): equals() answers at its identity check.
      if (known.continent().equals(ct) && known.country().equals(cc) && known.subdivision().equals(sd)
          && known.coordinates().isPresent() == at
          && (!at || same(known.coordinates().get(), latitude, longitude))) {
        return held - 1;
      }
    }
  }

  private static boolean same(Coordinates c, double latitude, double longitude) {
    return Double.doubleToLongBits(c.latitude()) == Double.doubleToLongBits(latitude)
        && Double.doubleToLongBits(c.longitude()) == Double.doubleToLongBits(longitude);
  }

  private static int hash(Optional<String> ct, Optional<String> cc, Optional<String> sd, boolean at,
                          double latitude, double longitude) {
    int h = (ct.hashCode() * 31 + cc.hashCode()) * 31 + sd.hashCode();
    if (at) {
      h = (h * 31 + Long.hashCode(Double.doubleToLongBits(latitude))) * 31
          + Long.hashCode(Double.doubleToLongBits(longitude));
    }
    h *= 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private void grow(ClientLocation[] ls) {
    slots = new int[slots.length * 2];
    int mask = slots.length - 1;
    for (int index = 1; index <= size; index++) {
      ClientLocation l = ls[index];
      Coordinates c = l.coordinates().orElse(null);
      int i = hash(l.continent(), l.country(), l.subdivision(), c != null,
          c == null ? 0 : c.latitude(), c == null ? 0 : c.longitude()) & mask;
      while (slots[i] != 0) {
        i = (i + 1) & mask;
      }
      slots[i] = index + 1;
    }
  }
}
