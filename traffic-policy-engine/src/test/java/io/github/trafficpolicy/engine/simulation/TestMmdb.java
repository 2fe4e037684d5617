package io.github.trafficpolicy.engine.simulation;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.net.InetAddresses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small MaxMind DB files (format 2.0, 24-bit records, database type {@code GeoLite2-City}) for tests: an
 * IPv6 tree with the IPv4 networks at {@code ::/96} and, like MaxMind's own files, {@code ::ffff:0:0/96} aliased to
 * that subtree. Networks must not overlap.
 */
final class TestMmdb {
  private final Node root = new Node();
  private final Node ipv4Root;
  private final ByteArrayOutputStream data = new ByteArrayOutputStream();

  private static final class Node {
    final Object[] child = new Object[2];
  }

  TestMmdb() {
    Node n = root;
    for (int d = 0; d < 96; d++) {
      Node next = new Node();
      n.child[0] = next;
      n = next;
    }
    ipv4Root = n;
    // ::ffff:0:0/96 → the IPv4 subtree (80 zero bits, 16 one bits).
    Node a = root;
    for (int d = 0; d < 95; d++) {
      int bit = d < 80 ? 0 : 1;
      if (a.child[bit] == null) {
        a.child[bit] = new Node();
      }
      a = (Node) a.child[bit];
    }
    a.child[1] = ipv4Root;
  }

  /** Adds a network ({@code 192.0.2.0/24}, {@code 2001:db8::/32}) with a City record; null parts are left out. */
  TestMmdb add(String network, String continent, String country, String subdivision, Double latitude,
      Double longitude) {
    Map<String, Object> record = new LinkedHashMap<>();
    if (continent != null) {
      record.put("continent", Map.of("code", continent));
    }
    if (country != null) {
      record.put("country", Map.of("iso_code", country));
    }
    if (subdivision != null) {
      record.put("subdivisions", List.of(Map.of("iso_code", subdivision)));
    }
    if (latitude != null) {
      Map<String, Object> at = new LinkedHashMap<>();
      at.put("latitude", latitude);
      at.put("longitude", longitude);
      record.put("location", at);
    }
    int offset = data.size();
    encode(data, record);
    String[] parts = network.split("/");
    InetAddress address = InetAddresses.forString(parts[0]);
    int prefix = Integer.parseInt(parts[1]);
    byte[] bytes = address.getAddress();
    Node n = root;
    int bits = prefix;
    int start = 0;
    if (address instanceof Inet4Address) {
      n = ipv4Root;
    }
    checkArgument(bits > 0, "prefix must be at least 1");
    for (int d = start; d < bits - 1; d++) {
      int bit = (bytes[d >> 3] >>> (7 - (d & 7))) & 1;
      if (n.child[bit] == null) {
        n.child[bit] = new Node();
      }
      checkArgument(n.child[bit] instanceof Node, "%s overlaps another network", network);
      n = (Node) n.child[bit];
    }
    int last = (bytes[(bits - 1) >> 3] >>> (7 - ((bits - 1) & 7))) & 1;
    checkArgument(n.child[last] == null, "%s overlaps another network", network);
    n.child[last] = offset;
    return this;
  }

  /** Writes the database to {@code file}. */
  Path write(Path file) throws IOException {
    Map<Node, Integer> numbers = new IdentityHashMap<>();
    List<Node> order = new ArrayList<>();
    number(root, numbers, order);
    int nodeCount = order.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Node n : order) {
      for (Object c : n.child) {
        long v = c == null ? nodeCount : c instanceof Node node ? numbers.get(node) : nodeCount + 16L + (Integer) c;
        checkArgument(v < 1 << 24, "database too large for 24-bit records");
        out.write((int) (v >>> 16));
        out.write((int) (v >>> 8));
        out.write((int) v);
      }
    }
    out.write(new byte[16]);
    data.writeTo(out);
    out.write(new byte[] {(byte) 0xAB, (byte) 0xCD, (byte) 0xEF});
    out.write("MaxMind.com".getBytes(StandardCharsets.US_ASCII));
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("binary_format_major_version", new Uint(5, 2));
    metadata.put("binary_format_minor_version", new Uint(5, 0));
    metadata.put("build_epoch", new Uint(9, 1_700_000_000L));
    metadata.put("database_type", "GeoLite2-City");
    metadata.put("description", Map.of("en", "traffic-policy simulation test database"));
    metadata.put("ip_version", new Uint(5, 6));
    metadata.put("languages", List.of("en"));
    metadata.put("node_count", new Uint(6, nodeCount));
    metadata.put("record_size", new Uint(5, 24));
    encode(out, metadata);
    Files.write(file, out.toByteArray());
    return file;
  }

  private static void number(Node n, Map<Node, Integer> numbers, List<Node> order) {
    if (numbers.containsKey(n)) {
      return;
    }
    numbers.put(n, order.size());
    order.add(n);
    for (Object c : n.child) {
      if (c instanceof Node node) {
        number(node, numbers, order);
      }
    }
  }

  /** An unsigned integer of MaxMind DB type 5 (16 bits), 6 (32 bits) or 9 (64 bits). */
  private record Uint(int type, long value) {}

  private static void encode(ByteArrayOutputStream out, Object v) {
    if (v instanceof String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      control(out, 2, b.length);
      out.writeBytes(b);
    } else if (v instanceof Double d) {
      control(out, 3, 8);
      long bits = Double.doubleToLongBits(d);
      for (int i = 7; i >= 0; i--) {
        out.write((int) (bits >>> (8 * i)));
      }
    } else if (v instanceof Uint u) {
      int n = 0;
      while (n < 8 && (u.value >>> (8 * n)) != 0) {
        n++;
      }
      control(out, u.type, n);
      for (int i = n - 1; i >= 0; i--) {
        out.write((int) (u.value >>> (8 * i)));
      }
    } else if (v instanceof Map<?, ?> m) {
      control(out, 7, m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        encode(out, e.getKey());
        encode(out, e.getValue());
      }
    } else if (v instanceof List<?> l) {
      control(out, 11, l.size());
      for (Object o : l) {
        encode(out, o);
      }
    } else {
      throw new IllegalArgumentException("cannot encode " + v);
    }
  }

  private static void control(ByteArrayOutputStream out, int type, int size) {
    checkArgument(size < 285, "sizes of 285 and more are not needed here");
    int small = Math.min(size, 29);
    out.write((type <= 7 ? type : 0) << 5 | small);
    if (type > 7) {
      out.write(type - 7);
    }
    if (size >= 29) {
      out.write(size - 29);
    }
  }
}
