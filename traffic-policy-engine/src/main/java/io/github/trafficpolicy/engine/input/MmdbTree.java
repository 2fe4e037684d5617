package io.github.trafficpolicy.engine.input;

import com.maxmind.db.Metadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The binary search tree of a MaxMind DB file (MaxMind DB format 2.0, §"Search Tree Section"), memory-mapped and
 * walked without decoding anything: it finds the record an address falls in and the prefix length of its network,
 * exactly as {@code com.maxmind.db.Reader} does (the same start node for IPv4 addresses in an IPv6 tree, the same
 * bit count). Thread-safe (absolute reads of a read-only buffer only).
 */
final class MmdbTree {
  private final ByteBuffer tree;
  private final long nodeCount;
  private final int recordSize;
  private final int nodeBytes;
  private final long ipv4Start;
  /**
   * Where a walk stands after the first bits of an address, by those bits, fewer bits when a record is reached
   * earlier: the top of the tree is where every lookup starts, and each level is a dependent read that, for clients
   * spread over the whole address space, misses the CPU's caches. IPv4 from {@link #ipv4Start}: {@value #V4_BITS}
   * bits, packed {@code node << 5 | bits walked} in an int (4 MB) when every node and record number fits in 26 bits
   * (GeoLite2 City: under 2^26), else {@link #v4Jump}. Measured on random IPv4 clients with GeoLite2 City, a lookup
   * takes about a third less time than with 16 bits.
   */
  private final int @Nullable [] v4Wide;
  /**
   * IPv4 when {@link #v4Wide} cannot be used, and IPv6 from the root: {@value #JUMP_BITS} bits, packed
   * {@code node << 8 | bits walked} (512 KB each).
   */
  private final long @Nullable [] v4Jump;
  private final long @Nullable [] v6Jump;
  private static final int JUMP_BITS = 16;
  private static final int V4_BITS = 20;

  /**
   * A tree read through {@code tree}; with {@code top} (another mapping of the same tree, read only here and then
   * dropped, so that the pages of the tree's top levels do not stay resident in {@code tree}) the jump tables are
   * built, without it there are none (a tree only {@linkplain #forEachNetwork walked}).
   */
  private MmdbTree(ByteBuffer tree, @Nullable ByteBuffer top, long nodeCount, int recordSize, boolean ipv6,
                   boolean wideV4) {
    this.tree = tree;
    this.nodeCount = nodeCount;
    this.recordSize = recordSize;
    this.nodeBytes = recordSize / 4;
    ByteBuffer start = top == null ? tree : top;
    long node = 0;
    if (ipv6) {
      for (int i = 0; i < 96 && node < nodeCount; i++) {
        node = read(start, node, 0);
      }
    }
    this.ipv4Start = node;
    if (top == null) {
      this.v4Wide = null;
      this.v4Jump = null;
      this.v6Jump = null;
      return;
    }
    if (wideV4) {
      int[] wide = new int[1 << V4_BITS];
      fill(top, ipv4Start, 0, 0, V4_BITS, (from, count, reached, bits) ->
          Arrays.fill(wide, from, from + count, (int) (reached << 5 | bits)));
      this.v4Wide = wide;
      this.v4Jump = null;
    } else {
      this.v4Wide = null;
      this.v4Jump = jumpTable(top, ipv4Start);
    }
    this.v6Jump = ipv6 ? jumpTable(top, 0) : null;
  }

  private long[] jumpTable(ByteBuffer top, long start) {
    long[] table = new long[1 << JUMP_BITS];
    fill(top, start, 0, 0, JUMP_BITS, (from, count, reached, bits) ->
        Arrays.fill(table, from, from + count, reached << 8 | bits));
    return table;
  }

  /** Receives a run of a jump table's slots that a walk of the top levels leads to one node or record. */
  @FunctionalInterface
  private interface JumpFill {
    void slots(int from, int count, long reached, int bits);
  }

  /**
   * Walks the top {@code jumpBits} levels below {@code node} (reached by {@code prefix}, {@code depth} bits) and
   * gives each node at that depth, and each record reached earlier, the slots of the prefixes that lead to it.
   */
  private void fill(ByteBuffer top, long node, int depth, int prefix, int jumpBits, JumpFill to) {
    if (depth == jumpBits || node >= nodeCount) {
      to.slots(prefix << (jumpBits - depth), 1 << (jumpBits - depth), node, depth);
      return;
    }
    fill(top, read(top, node, 0), depth + 1, prefix << 1, jumpBits, to);
    fill(top, read(top, node, 1), depth + 1, prefix << 1 | 1, jumpBits, to);
  }

  /**
   * Maps the search tree described by {@code metadata} of the database open in {@code channel} ({@code path} names
   * it in messages). The mapping stays valid after the channel is closed.
   */
  static MmdbTree map(FileChannel channel, Path path, Metadata metadata) throws IOException {
    return map(channel, path, metadata, true, 1L << 26);
  }

  /**
   * Maps the search tree for {@link #forEachNetwork} only: no jump tables are built, so lookups walk from the root.
   */
  static MmdbTree mapForWalk(FileChannel channel, Path path, Metadata metadata) throws IOException {
    return map(channel, path, metadata, false, 0);
  }

  /**
   * {@link #map(FileChannel, Path, Metadata)} with jump tables or without, and the IPv4 jump table of
   * {@value #V4_BITS} bits only when every record is below {@code wideBelow} (tests force the other one with 0).
   */
  static MmdbTree map(FileChannel channel, Path path, Metadata metadata, boolean jumps, long wideBelow)
      throws IOException {
    int recordSize = metadata.recordSize();
    if (recordSize != 24 && recordSize != 28 && recordSize != 32) {
      throw new IOException(path + ": unsupported record size " + recordSize);
    }
    long size = metadata.nodeCount() * (recordSize / 4);
    long fileSize = channel.size();
    if (size > Integer.MAX_VALUE || size > fileSize) {
      throw new IOException(path + ": search tree of " + size + " bytes does not fit the file or a buffer");
    }
    // A record points into the data section, which lies in the file after the tree: no record exceeds this.
    long maxRecord = metadata.nodeCount() + fileSize;
    return new MmdbTree(channel.map(FileChannel.MapMode.READ_ONLY, 0, size),
        jumps ? channel.map(FileChannel.MapMode.READ_ONLY, 0, size) : null, metadata.nodeCount(), recordSize,
        metadata.ipVersion() == 6, maxRecord < wideBelow);
  }

  /**
   * Walks the tree for an address ({@code 4} or {@code 16} bytes) and returns the record reached and the number of
   * bits walked, packed as {@code record << 8 | bits} (see {@link #record} and {@link #prefixLength}).
   */
  long find(byte[] address) {
    return find(address, 0, address.length);
  }

  /** {@link #find(byte[])} for the address in {@code address[offset, offset + length)} (4 or 16 bytes). */
  long find(byte[] address, int offset, int length) {
    int bits = length * 8;
    long node;
    int i;
    int[] wide = v4Wide;
    long[] jump = bits == 32 ? v4Jump : v6Jump;
    if (bits == 32 && wide != null) {
      int top = (address[offset] & 0xff) << 24 | (address[offset + 1] & 0xff) << 16
          | (address[offset + 2] & 0xff) << 8 | (address[offset + 3] & 0xff);
      int state = wide[top >>> (32 - V4_BITS)];
      node = (long) (state >>> 5);
      i = state & 31;
    } else if (jump != null) {
      long state = jump[(address[offset] & 0xff) << 8 | (address[offset + 1] & 0xff)];
      node = state >>> 8;
      i = (int) (state & 0xff);
    } else {
      node = bits == 32 ? ipv4Start : 0;
      i = 0;
    }
    for (; i < bits && node < nodeCount; i++) {
      int bit = (address[offset + (i >> 3)] >> (7 - (i & 7))) & 1;
      node = read(node, bit);
    }
    return node << 8 | i;
  }

  /** The number of nodes of the tree. */
  long nodeCount() {
    return nodeCount;
  }

  /** Receives the networks of the tree that hold data ({@link #forEachNetwork}). */
  @FunctionalInterface
  interface RecordVisitor {
    /** {@code address} (4 or 16 bytes, reused between calls) with its prefix length and its data record. */
    void network(byte[] address, int prefixLength, long record) throws IOException;
  }

  /**
   * Every network that holds data, each exactly once, in address order: the IPv4 networks (from the IPv4 subtree,
   * as 4-byte addresses), then the IPv6 networks of an IPv6 tree. The IPv4 subtree ({@code ::/96}) and its aliases
   * elsewhere in an IPv6 tree ({@code ::ffff:0:0/96}, {@code 2002::/16} …, which point at the same node) are not
   * visited as IPv6 networks, so no address is counted twice.
   */
  void forEachNetwork(RecordVisitor visitor) throws IOException {
    if (ipv4Start >= nodeCount) {
      if (!isEmpty(ipv4Start)) {
        visitor.network(new byte[4], 0, ipv4Start);
      }
    } else {
      walk(ipv4Start, 0, new byte[4], visitor, false);
    }
    if (ipv4Start != 0) {
      walk(0, 0, new byte[16], visitor, true);
    }
  }

  private void walk(long node, int depth, byte[] address, RecordVisitor visitor, boolean skipIpv4) throws IOException {
    if (node >= nodeCount) {
      if (!isEmpty(node)) {
        visitor.network(address, depth, node);
      }
      return;
    }
    if (skipIpv4 && node == ipv4Start) {
      return;
    }
    if (depth == address.length * 8) {
      return; // a malformed tree deeper than the address: nothing to report
    }
    walk(read(node, 0), depth + 1, address, visitor, skipIpv4);
    address[depth >> 3] |= (byte) (0x80 >>> (depth & 7));
    walk(read(node, 1), depth + 1, address, visitor, skipIpv4);
    address[depth >> 3] &= (byte) ~(0x80 >>> (depth & 7));
  }

  static long record(long found) {
    return found >>> 8;
  }

  static int prefixLength(long found) {
    return (int) (found & 0xFF);
  }

  /** Whether a record found holds no data (the address is not in the database). */
  boolean isEmpty(long record) {
    return record <= nodeCount;
  }

  private long read(long node, int side) {
    return read(tree, node, side);
  }

  private long read(ByteBuffer buffer, long node, int side) {
    int base = (int) (node * nodeBytes);
    switch (recordSize) {
      case 24: {
        int at = base + side * 3;
        return (buffer.get(at) & 0xFFL) << 16 | (buffer.get(at + 1) & 0xFF) << 8 | (buffer.get(at + 2) & 0xFF);
      }
      case 28: {
        int middle = buffer.get(base + 3) & 0xFF;
        int at = base + side * 4;
        long high = side == 0 ? (middle & 0xF0L) << 20 : (middle & 0x0FL) << 24;
        return high | (buffer.get(at) & 0xFFL) << 16 | (buffer.get(at + 1) & 0xFF) << 8 | (buffer.get(at + 2) & 0xFF);
      }
      default: {
        return buffer.getInt(base + side * 4) & 0xFFFFFFFFL;
      }
    }
  }
}
