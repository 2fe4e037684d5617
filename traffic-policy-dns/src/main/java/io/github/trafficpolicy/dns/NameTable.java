package io.github.trafficpolicy.dns;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An immutable map from DNS names to values, looked up by a query's lower-case wire name without making a key
 * object: open addressing (linear probing, at most half full) over the names' bytes and {@link WireQuery#hash}.
 * For the policy records of a catalog, which every query looks up.
 */
final class NameTable<V> {
  private final byte[][] names;
  private final Object[] values;
  private final int mask;

  /** A table of {@code entries}, keyed by lower-case uncompressed wire names (a name given twice: the last wins). */
  NameTable(List<Map.Entry<byte[], V>> entries) {
    int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 2 - 1)) << 1;
    names = new byte[capacity][];
    values = new Object[capacity];
    mask = capacity - 1;
    for (Map.Entry<byte[], V> e : entries) {
      byte[] name = e.getKey();
      int i = WireQuery.hash(name, name.length) & mask;
      while (names[i] != null && !Arrays.equals(names[i], name)) {
        i = (i + 1) & mask;
      }
      names[i] = name;
      values[i] = e.getValue();
    }
  }

  /** The value for the query's name, or null. */
  @SuppressWarnings("unchecked")
  @Nullable V get(WireQuery q) {
    int i = q.qnameHash & mask;
    while (true) {
      byte[] name = names[i];
      if (name == null) {
        return null;
      }
      if (name.length == q.qnameLength && Arrays.equals(name, 0, name.length, q.qnameLower, 0, q.qnameLength)) {
        return (V) values[i];
      }
      i = (i + 1) & mask;
    }
  }
}
