package io.github.trafficpolicy.engine.input;

import com.maxmind.db.Metadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
   * The walk's state after the first {@value #JUMP_BITS} bits of an address ({@code node << 8 | bits walked},
   * fewer bits when a record is reached earlier), by those bits: IPv4 from {@link #ipv4Start}, IPv6 from the root
   * (null for an IPv4 tree). The top of the tree is where every lookup starts, so a lookup saves sixteen dependent
   * reads (512 KB per family).
   */
  private final long[] v4Jump;
  private final long @Nullable [] v6Jump;
  private static final int JUMP_BITS = 16;

  private MmdbTree(ByteBuffer tree, long nodeCount, int recordSize, boolean ipv6) {
    this.tree = tree;
    this.nodeCount = nodeCount;
    this.recordSize = recordSize;
    this.nodeBytes = recordSize / 4;
    long node = 0;
    if (ipv6) {
      for (int i = 0; i < 96 && node < nodeCount; i++) {
        node = read(node, 0);
      }
    }
    this.ipv4Start = node;
    this.v4Jump = jumpTable(ipv4Start);
    this.v6Jump = ipv6 ? jumpTable(0) : null;
  }

  private long[] jumpTable(long start) {
    long[] table = new long[1 << JUMP_BITS];
    for (int prefix = 0; prefix < table.length; prefix++) {
      long node = start;
      int i = 0;
      for (; i < JUMP_BITS && node < nodeCount; i++) {
        node = read(node, (prefix >>> (JUMP_BITS - 1 - i)) & 1);
      }
      table[prefix] = node << 8 | i;
    }
    return table;
  }

  /** Maps the search tree of the database at {@code path} described by {@code metadata}. */
  static MmdbTree map(Path path, Metadata metadata) throws IOException {
    int recordSize = metadata.recordSize();
    if (recordSize != 24 && recordSize != 28 && recordSize != 32) {
      throw new IOException(path + ": unsupported record size " + recordSize);
    }
    long size = metadata.nodeCount() * (recordSize / 4);
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      if (size > Integer.MAX_VALUE || size > channel.size()) {
        throw new IOException(path + ": search tree of " + size + " bytes does not fit the file or a buffer");
      }
      return new MmdbTree(channel.map(FileChannel.MapMode.READ_ONLY, 0, size), metadata.nodeCount(), recordSize,
          metadata.ipVersion() == 6);
    }
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
    long[] jump = bits == 32 ? v4Jump : v6Jump;
    long node;
    int i;
    if (jump != null) {
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
    int base = (int) (node * nodeBytes);
    switch (recordSize) {
      case 24: {
        int at = base + side * 3;
        return (tree.get(at) & 0xFFL) << 16 | (tree.get(at + 1) & 0xFF) << 8 | (tree.get(at + 2) & 0xFF);
      }
      case 28: {
        int middle = tree.get(base + 3) & 0xFF;
        int at = base + side * 4;
        long high = side == 0 ? (middle & 0xF0L) << 20 : (middle & 0x0FL) << 24;
        return high | (tree.get(at) & 0xFFL) << 16 | (tree.get(at + 1) & 0xFF) << 8 | (tree.get(at + 2) & 0xFF);
      }
      default: {
        return tree.getInt(base + side * 4) & 0xFFFFFFFFL;
      }
    }
  }
}
