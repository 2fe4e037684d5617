package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.engine.internal.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An immutable binary trie of IPv4 and IPv6 networks for longest-prefix match. A lookup walks at most 32 or 128
 * nodes, allocates nothing but the address bytes, and reports, besides the most specific network containing the
 * address, the prefix length over which that answer is the same for every address: the matched network's own
 * prefix, or longer when more specific networks lie inside it (the answer then holds only for the largest block
 * around the address that contains none of them). That is the prefix an EDNS Client Subnet scope may use. IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) are looked up among the IPv4 networks, their prefix
 * reported in IPv6 terms (96 + the IPv4 prefix).
 *
 * @param <V> the value stored per network
 */
final class PrefixTrie<V> {
  private static final int NONE = -1;

  private final Family v4;
  private final Family v6;
  private final ImmutableList<V> values;

  private PrefixTrie(Family v4, Family v6, ImmutableList<V> values) {
    this.v4 = v4;
    this.v6 = v6;
    this.values = values;
  }

  static <V> Builder<V> builder() {
    return new Builder<>();
  }

  /** The number of networks. */
  int size() {
    return values.size();
  }

  /**
   * Looks up an address given as 4 or 16 bytes (16 bytes are IPv6; an IPv4-mapped one is looked up as its IPv4
   * address, as an {@link java.net.Inet6Address} is). The result packs the value index ({@link #index}, negative
   * when no network contains the address) and the prefix length over which the result holds ({@link #prefix}), so
   * the lookup allocates no result object.
   */
  long find(byte[] address) {
    if (address.length == 4) {
      return v4.find(address, 0);
    }
    if (Addresses.isMappedIpv4(address)) {
      long r = v4.find(address, 12);
      return pack(index(r), 96 + prefix(r));
    }
    return v6.find(address, 0);
  }

  long find(InetAddress address) {
    if (address instanceof Inet4Address) {
      return v4.find(address.getAddress());
    }
    Optional<Inet4Address> mapped = Addresses.mappedIpv4(address);
    if (mapped.isPresent()) {
      long r = v4.find(mapped.get().getAddress());
      return pack(index(r), 96 + prefix(r));
    }
    return v6.find(address.getAddress());
  }

  /** The value at an index returned by {@link #index}. */
  V value(int index) {
    return values.get(index);
  }

  /** The value index of a {@link #find} result; negative when no network contains the address. */
  static int index(long result) {
    return (int) (result >> 8);
  }

  /** The prefix length of a {@link #find} result. */
  static int prefix(long result) {
    return (int) (result & 0xff);
  }

  private static long pack(int index, int prefix) {
    return ((long) index << 8) | prefix;
  }

  /** One address family's trie: node 0 is the root; child index 0 means "no child" (the root is nobody's child). */
  private static final class Family {
    private final int bits;
    private final int[] zero;
    private final int[] one;
    private final int[] value;

    Family(int bits, int[] zero, int[] one, int[] value) {
      this.bits = bits;
      this.zero = zero;
      this.one = one;
      this.value = value;
    }

    long find(byte[] address) {
      return find(address, 0);
    }

    /** {@link #find(byte[])} for the address starting at {@code offset}. */
    long find(byte[] address, int offset) {
      int node = 0;
      int best = NONE;
      int depth = 0;
      while (true) {
        if (value[node] != NONE) {
          best = value[node];
        }
        if (depth == bits) {
          return pack(best, depth);
        }
        int bit = (address[offset + (depth >> 3)] >>> (7 - (depth & 7))) & 1;
        int next = bit == 0 ? zero[node] : one[node];
        if (next == 0) {
          // Nothing more specific below this node on the address's side: the answer holds for the whole half
          // (depth + 1), or for the whole node (depth) when it has no children at all.
          boolean leaf = zero[node] == 0 && one[node] == 0;
          return pack(best, leaf ? depth : depth + 1);
        }
        node = next;
        depth++;
      }
    }
  }

  /** Collects networks; {@link #put} refuses a network given twice. */
  static final class Builder<V> {
    private final MutableFamily v4 = new MutableFamily(32);
    private final MutableFamily v6 = new MutableFamily(128);
    private final List<V> values = new ArrayList<>();

    private Builder() {}

    /** Adds {@code network → value}; false (and nothing added) when the network is already present. */
    boolean put(Cidr network, V value) {
      MutableFamily f = network.address() instanceof Inet4Address ? v4 : v6;
      boolean added = f.put(network.address().getAddress(), network.prefixLength(), values.size());
      if (added) {
        values.add(value);
      }
      return added;
    }

    PrefixTrie<V> build() {
      return new PrefixTrie<>(v4.freeze(), v6.freeze(), ImmutableList.copyOf(values));
    }
  }

  private static final class MutableFamily {
    private final int bits;
    private int[] zero = new int[16];
    private int[] one = new int[16];
    private int[] value = filled(16);
    private int size = 1;

    MutableFamily(int bits) {
      this.bits = bits;
    }

    boolean put(byte[] address, int prefix, int valueIndex) {
      checkArgument(prefix <= bits, "prefix %s longer than %s", prefix, bits);
      int node = 0;
      for (int depth = 0; depth < prefix; depth++) {
        int bit = (address[depth >> 3] >>> (7 - (depth & 7))) & 1;
        int[] side = bit == 0 ? zero : one;
        if (side[node] == 0) {
          int child = newNode();
          (bit == 0 ? zero : one)[node] = child;
        }
        node = (bit == 0 ? zero : one)[node];
      }
      if (value[node] != NONE) {
        return false;
      }
      value[node] = valueIndex;
      return true;
    }

    private int newNode() {
      if (size == zero.length) {
        int n = size * 2;
        zero = Arrays.copyOf(zero, n);
        one = Arrays.copyOf(one, n);
        int[] v = filled(n);
        System.arraycopy(value, 0, v, 0, size);
        value = v;
      }
      return size++;
    }

    Family freeze() {
      return new Family(bits, Arrays.copyOf(zero, size), Arrays.copyOf(one, size), Arrays.copyOf(value, size));
    }

    private static int[] filled(int n) {
      int[] a = new int[n];
      Arrays.fill(a, NONE);
      return a;
    }
  }
}
