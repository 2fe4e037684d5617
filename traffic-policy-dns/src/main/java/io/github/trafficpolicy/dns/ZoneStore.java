package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The static records of one zone, kept compact: no dnsjava object per name or record. Immutable and thread-safe.
 *
 * <p>Every owner name and every name between an owner and the apex (empty non-terminals) is a <em>node</em>, an
 * index. A node is its first label (the bytes as written in the zone file, case kept) and its parent node; all the
 * labels sit in one byte array. An open-addressing hash table over the nodes finds a name by its {@link NameKeys}
 * key (so case-insensitively, RFC 4343) without building anything. A node's RRsets are consecutive: per RRset its
 * type, its TTL and where its records start in one byte array of record data, each record there as a 2-byte length
 * and the RDATA in wire form (names inside it uncompressed, case kept). So a name costs its label and about 21
 * bytes of indexes (four ints and its share of a hash table kept 3/4 full), an RRset 10 bytes, a record 2 bytes
 * beside its RDATA. A catalog shares the store of its zone: building a catalog again (a registry change) does not
 * index the zone again.
 *
 * <p>An RRset is what dnsjava's {@link RRset} made of the same records: in the order they were written, a record
 * whose RDATA equals an earlier one's (names compared without case) left out, and one TTL, the smallest of them
 * all. A CNAME is kept as the first CNAME record at its name with its own TTL. The RRsets of a name are in the order
 * their types first appear in the file. The dnsjava objects the resolver works with are made on demand
 * ({@link #name}, {@link #rrset}, {@link #record}), for one name at a time.
 */
final class ZoneStore {
  /** The apex is always node 0. */
  static final int APEX = 0;

  private final Name origin;
  private final String originKey;
  private final Names names;
  /** Node {@code n}'s RRsets are {@code [rrsetStart[n], rrsetStart[n + 1])}. */
  private final int[] rrsetStart;
  private final char[] rrsetType;
  private final int[] rrsetTtl;
  /** RRset {@code r}'s records are {@code data[rrsetData[r], rrsetData[r + 1])}, each a 2-byte length and RDATA. */
  private final int[] rrsetData;
  private final byte[] data;
  private final int recordsRead;

  private ZoneStore(Name origin, String originKey, Names names, int[] rrsetStart, char[] rrsetType, int[] rrsetTtl,
      int[] rrsetData, byte[] data, int recordsRead) {
    this.origin = origin;
    this.originKey = originKey;
    this.names = names;
    this.rrsetStart = rrsetStart;
    this.rrsetType = rrsetType;
    this.rrsetTtl = rrsetTtl;
    this.rrsetData = rrsetData;
    this.data = data;
    this.recordsRead = recordsRead;
  }

  /** The node of the name with key {@code key} ({@link NameKeys}), or -1 when the zone has no such name. */
  int find(String key) {
    return names.find(key, key.hashCode());
  }

  /** The number of nodes (names with records and empty non-terminals, the apex included). */
  int nodeCount() {
    return names.count;
  }

  /** The number of records read from the zone file (duplicates included). */
  int recordsRead() {
    return recordsRead;
  }

  /** The name of {@code node}, as written where it first appeared (the apex: the origin). */
  Name name(int node) {
    return names.name(node, origin);
  }

  /** The key ({@link NameKeys}) of {@code node}. */
  String key(int node) {
    return node == APEX ? originKey : NameKeys.key(name(node));
  }

  /** The first RRset of {@code node}. */
  int firstRRset(int node) {
    return rrsetStart[node];
  }

  /** One past the last RRset of {@code node}. */
  int endRRset(int node) {
    return rrsetStart[node + 1];
  }

  /** The RRset of {@code type} at {@code node}, or -1. */
  int rrset(int node, int type) {
    for (int r = rrsetStart[node]; r < rrsetStart[node + 1]; r++) {
      if (rrsetType[r] == type) {
        return r;
      }
    }
    return -1;
  }

  /** True for a node below the apex with NS records: a zone cut (RFC 1034 4.2.1). */
  boolean isDelegation(int node) {
    return node != APEX && rrset(node, Type.NS) >= 0;
  }

  int type(int rrset) {
    return rrsetType[rrset];
  }

  long ttl(int rrset) {
    return rrsetTtl[rrset] & 0xffffffffL;
  }

  /** The RRset {@code rrset} as dnsjava records owned by {@code owner}. */
  RRset rrset(int rrset, Name owner) {
    RRset set = new RRset();
    for (int p = rrsetData[rrset]; p < rrsetData[rrset + 1]; p += 2 + u16(data, p)) {
      set.addRR(record(owner, rrsetType[rrset], ttl(rrset), data, p));
    }
    return set;
  }

  /** The first record of {@code rrset}, owned by {@code owner}. */
  Record record(int rrset, Name owner) {
    return record(owner, rrsetType[rrset], ttl(rrset), data, rrsetData[rrset]);
  }

  /** The record whose 2-byte length and RDATA are at {@code b[p]}. */
  private static Record record(Name owner, int type, long ttl, byte[] b, int p) {
    return Record.newRecord(owner, type, DClass.IN, ttl, Arrays.copyOfRange(b, p + 2, p + 2 + u16(b, p)));
  }

  private static int u16(byte[] b, int p) {
    return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
  }

  /** Heap bytes held by the arrays (for benchmarks and tests). */
  long arrayBytes() {
    return names.arrayBytes() + 4L * rrsetStart.length + 2L * rrsetType.length + 4L * rrsetTtl.length
        + 4L * rrsetData.length + data.length;
  }

  // ---------------------------------------------------------------------------------------------------------

  /**
   * The name index: labels, parents and a hash table by key. Grows while a zone is read; {@link #trim} makes the
   * arrays exactly as long as needed.
   */
  private static final class Names {
    private final String originKey;
    /** Per node but the apex: its first label, a length byte then the bytes as written. */
    private byte[] labels;
    private int labelsEnd;
    private int[] labelAt;
    private int[] parent;
    /** The {@link String#hashCode} of each node's key. */
    private int[] hashes;
    /** Node indexes, -1 for an empty slot; at most half full while names are added, 3/4 after {@link #trim}. */
    private int[] table;
    private int count;

    Names(String originKey) {
      this.originKey = originKey;
      this.labels = new byte[256];
      this.labelAt = new int[16];
      this.parent = new int[16];
      this.hashes = new int[16];
      this.table = new int[32];
      Arrays.fill(table, -1);
      add(originKey.hashCode(), -1, null);
    }

    /** The first slot for {@code hash} in a table of {@code size} slots (any size: a multiply and a shift). */
    private static int slot(int hash, int size) {
      int h = hash * 0x9E3779B9;
      return (int) ((((h ^ (h >>> 16)) & 0xffffffffL) * size) >>> 32);
    }

    int find(String key, int hash) {
      int size = table.length;
      for (int i = slot(hash, size); ; i = i + 1 == size ? 0 : i + 1) {
        int n = table[i];
        if (n < 0) {
          return -1;
        }
        if (hashes[n] == hash && matches(n, key)) {
          return n;
        }
      }
    }

    /** True when node {@code node}'s key is {@code key} (compared as {@link NameKeys#key} would write it). */
    private boolean matches(int node, String key) {
      if (node == APEX) {
        return key.equals(originKey);
      }
      int pos = 0;
      int len = key.length();
      for (int n = node; n != APEX; n = parent[n]) {
        int at = labelAt[n];
        int end = at + 1 + (labels[at] & 0xff);
        for (int i = at + 1; i < end; i++) {
          int c = labels[i] & 0xff;
          if (c >= 'A' && c <= 'Z') {
            c += 32;
          }
          if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
            if (pos >= len || key.charAt(pos) != c) {
              return false;
            }
            pos++;
          } else {
            if (pos + 4 > len || key.charAt(pos) != '\\' || key.charAt(pos + 1) != '0' + c / 100
                || key.charAt(pos + 2) != '0' + (c / 10) % 10 || key.charAt(pos + 3) != '0' + c % 10) {
              return false;
            }
            pos += 4;
          }
        }
        if (pos >= len || key.charAt(pos) != '.') {
          return false;
        }
        pos++;
      }
      // Below the root zone the key ends after the labels; below any other, the origin's key follows.
      return originKey.equals(".") ? pos == len
          : len - pos == originKey.length() && key.startsWith(originKey, pos);
    }

    /** Adds a node: {@code label} is a name's wire form, whose first label is taken; null for the apex. */
    int add(int hash, int parentNode, byte @Nullable [] label) {
      if (count == labelAt.length) {
        int n = count + (count >> 1) + 16;
        labelAt = Arrays.copyOf(labelAt, n);
        parent = Arrays.copyOf(parent, n);
        hashes = Arrays.copyOf(hashes, n);
      }
      int node = count++;
      parent[node] = parentNode;
      hashes[node] = hash;
      if (label == null) {
        labelAt[node] = -1;
      } else {
        int len = 1 + (label[0] & 0xff);
        if (labelsEnd + len > labels.length) {
          labels = Arrays.copyOf(labels, Math.max(labelsEnd + len, labels.length + (labels.length >> 1)));
        }
        System.arraycopy(label, 0, labels, labelsEnd, len);
        labelAt[node] = labelsEnd;
        labelsEnd += len;
      }
      if (2 * count > table.length) {
        rehash(table.length * 2);
      } else {
        insert(table, node);
      }
      return node;
    }

    private void insert(int[] t, int node) {
      int i = slot(hashes[node], t.length);
      while (t[i] >= 0) {
        i = i + 1 == t.length ? 0 : i + 1;
      }
      t[i] = node;
    }

    private void rehash(int size) {
      int[] t = new int[size];
      Arrays.fill(t, -1);
      for (int n = 0; n < count; n++) {
        insert(t, n);
      }
      table = t;
    }

    /** The name of {@code node}: its labels, then the origin. */
    Name name(int node, Name origin) {
      if (node == APEX) {
        return origin;
      }
      try {
        return new Name(wire(node, origin));
      } catch (IOException e) {
        throw new IllegalStateException("stored name does not read", e);
      }
    }

    /** The wire form of {@code node}'s name: its labels, then the origin's. */
    private byte[] wire(int node, Name origin) {
      byte[] tail = origin.toWire();
      int len = tail.length;
      for (int n = node; n != APEX; n = parent[n]) {
        len += 1 + (labels[labelAt[n]] & 0xff);
      }
      byte[] w = new byte[len];
      int pos = 0;
      for (int n = node; n != APEX; n = parent[n]) {
        int l = 1 + (labels[labelAt[n]] & 0xff);
        System.arraycopy(labels, labelAt[n], w, pos, l);
        pos += l;
      }
      System.arraycopy(tail, 0, w, pos, tail.length);
      return w;
    }

    /** The length of {@code node}'s name in wire form. */
    int wireLength(int node, int originLength) {
      int len = originLength;
      for (int n = node; n != APEX; n = parent[n]) {
        len += 1 + (labels[labelAt[n]] & 0xff);
      }
      return len;
    }

    boolean isWild(int node) {
      return node != APEX && labels[labelAt[node]] == 1 && labels[labelAt[node] + 1] == '*';
    }

    /** Cuts the arrays to their contents, the table to 3/4 full. */
    void trim() {
      labels = Arrays.copyOf(labels, labelsEnd);
      labelAt = Arrays.copyOf(labelAt, count);
      parent = Arrays.copyOf(parent, count);
      hashes = Arrays.copyOf(hashes, count);
      rehash(count + count / 3 + 1);
    }

    long arrayBytes() {
      return labels.length + 4L * (labelAt.length + parent.length + hashes.length + table.length);
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  /**
   * Collects a zone's records one at a time (nothing of the record is kept but its node, type, TTL and RDATA) and
   * groups them into RRsets at the end. Checks what needs the whole zone: exactly one SOA, NS at the apex, no CNAME
   * beside other data, every RRset small enough for one reply.
   */
  static final class Builder {
    private static final int[] NO_INTS = {};
    private static final byte[] NO_BYTES = {};
    private final Name origin;
    private final String originKey;
    private final int originLength;
    private final Names names;
    private int count;
    private int[] recNode = new int[64];
    private int[] recTypeTtl = new int[128];
    private int[] recData = new int[64];
    /** The hash of each record's canonical RDATA (RFC 4034 6.2), to find duplicates. */
    private int[] recHash = new int[64];
    private byte[] bytes = new byte[1024];
    private int bytesEnd;
    private int soaCount;
    private boolean nsAtApex;

    Builder(Name origin) {
      this.origin = origin;
      this.originKey = NameKeys.key(origin);
      this.originLength = origin.length();
      this.names = new Names(originKey);
    }

    /** The number of records added. */
    int count() {
      return count;
    }

    /** Adds a record of class IN at or below the origin; {@code rdata} is its RDATA as written (not canonical). */
    void add(Record r, byte[] rdata, byte[] canonicalRdata) {
      int node = node(r.getName(), NameKeys.key(r.getName()));
      if (count == recNode.length) {
        int n = count + (count >> 1) + 16;
        recNode = Arrays.copyOf(recNode, n);
        recTypeTtl = Arrays.copyOf(recTypeTtl, 2 * n);
        recData = Arrays.copyOf(recData, n);
        recHash = Arrays.copyOf(recHash, n);
      }
      recNode[count] = node;
      recTypeTtl[2 * count] = r.getType();
      recTypeTtl[2 * count + 1] = (int) r.getTTL();
      recHash[count] = Arrays.hashCode(canonicalRdata);
      if (bytesEnd + 2 + rdata.length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytesEnd + 2 + rdata.length, bytes.length + (bytes.length >> 1)));
      }
      recData[count] = bytesEnd;
      bytes[bytesEnd] = (byte) (rdata.length >> 8);
      bytes[bytesEnd + 1] = (byte) rdata.length;
      System.arraycopy(rdata, 0, bytes, bytesEnd + 2, rdata.length);
      bytesEnd += 2 + rdata.length;
      count++;
      if (r.getType() == Type.SOA) {
        soaCount++;
      }
      if (r.getType() == Type.NS && node == APEX) {
        nsAtApex = true;
      }
    }

    /** The node of {@code name} (key {@code key}), made with the nodes between it and the apex when new. */
    private int node(Name name, String key) {
      int hash = key.hashCode();
      int n = names.find(key, hash);
      if (n >= 0) {
        return n;
      }
      int up = node(new Name(name, 1), checkNotNull(NameKeys.parent(key), "a name above the origin"));
      return names.add(hash, up, name.toWire());
    }

    /**
     * The store.
     *
     * @param source the zone file, for messages
     * @param lineOf the line the {@code i}-th record was read from (-1 when not known)
     * @throws ZoneFileException for the first problem found, with its line
     */
    ZoneStore build(String source, IntUnaryOperator lineOf) {
      if (soaCount != 1) {
        throw new ZoneFileException(source + ": needs exactly one SOA record at " + origin + " but has " + soaCount);
      }
      if (!nsAtApex) {
        throw new ZoneFileException(source + ": needs at least one NS record at " + origin);
      }
      int nodes = names.count;
      int[] start = new int[nodes + 1];
      int[] order = recordsByNode(nodes, start);
      recNode = NO_INTS;
      int[] rrsetStart = new int[nodes + 1];
      Growing out = new Growing(count, bytesEnd);
      TypeGroups groups = new TypeGroups();
      for (int n = 0; n < nodes; n++) {
        rrsetStart[n] = out.rrsets;
        if (start[n] < start[n + 1]) {
          writeNode(source, lineOf, n, groups.of(order, start[n], start[n + 1], recTypeTtl), out);
        }
      }
      rrsetStart[nodes] = out.rrsets;
      // The builder is used once: what it read goes before the arrays are cut to size.
      bytes = NO_BYTES;
      recTypeTtl = NO_INTS;
      recData = NO_INTS;
      recHash = NO_INTS;
      names.trim();
      return new ZoneStore(origin, originKey, names, rrsetStart, Arrays.copyOf(out.types, out.rrsets),
          Arrays.copyOf(out.ttls, out.rrsets), Arrays.copyOf(out.starts, out.rrsets + 1),
          out.data.length == out.dataEnd ? out.data : Arrays.copyOf(out.data, out.dataEnd), count);
    }

    /**
     * The records' indexes by node, in the order they were read (a counting sort): node {@code n}'s are at
     * {@code [start[n], start[n + 1])} of the result; {@code start} has a slot per node and one more.
     */
    private int[] recordsByNode(int nodes, int[] start) {
      int[] order = new int[count];
      for (int i = 0; i < count; i++) {
        start[recNode[i] + 1]++;
      }
      for (int n = 0; n < nodes; n++) {
        start[n + 1] += start[n];
      }
      int[] fill = Arrays.copyOf(start, nodes);
      for (int i = 0; i < count; i++) {
        order[fill[recNode[i]]++] = i;
      }
      return order;
    }

    /** Checks node {@code n}'s RRsets (no CNAME at the origin or beside other data; sizes) and writes them. */
    private void writeNode(String source, IntUnaryOperator lineOf, int n, TypeGroups g, Growing out) {
      for (int t = 0; t < g.count; t++) {
        int type = g.types[t];
        int from = g.groupStart[t];
        int to = g.groupStart[t + 1];
        int first = g.group[from];
        if (type == Type.CNAME && n == APEX) {
          throw new ZoneFileException(source + ": " + at(lineOf.applyAsInt(first)) + "a CNAME at the zone origin "
              + origin);
        }
        if (type == Type.CNAME && g.count > 1) {
          throw new ZoneFileException(source + ": " + at(lineOf.applyAsInt(first)) + name(n)
              + " has a CNAME and other data");
        }
        checkSize(source, lineOf, n, type, g.group, from, to);
        if (type == Type.CNAME) {
          out.rrset(type, recTypeTtl[2 * first + 1]);
          out.record(bytes, recData[first]);
        } else {
          emit(n, type, g.group, from, to, out);
        }
      }
    }

    /**
     * The records of one node grouped by type: the types in the order they first appear at the name ({@code types},
     * {@code count} of them), and the records of type {@code types[t]} at {@code group[groupStart[t] ..
     * groupStart[t + 1])}, in the order they were read. Reused node after node.
     */
    private static final class TypeGroups {
      private final int[] rank = new int[65536];
      int[] types = new int[16];
      int[] group = new int[16];
      int[] groupStart = new int[17];
      private int[] next = new int[16];
      int count;

      TypeGroups() {
        Arrays.fill(rank, -1);
      }

      /** Groups the records {@code order[from .. to)} (types read from {@code recTypeTtl}). */
      TypeGroups of(int[] order, int from, int to, int[] recTypeTtl) {
        int k = 0;
        for (int j = from; j < to; j++) {
          int t = recTypeTtl[2 * order[j]];
          if (rank[t] < 0) {
            if (k == types.length) {
              types = Arrays.copyOf(types, 2 * k);
              groupStart = Arrays.copyOf(groupStart, 2 * k + 1);
              next = new int[2 * k];
            }
            rank[t] = k;
            types[k++] = t;
          }
        }
        if (group.length < to - from) {
          group = new int[Math.max(to - from, 2 * group.length)];
        }
        Arrays.fill(groupStart, 0, k + 1, 0);
        for (int j = from; j < to; j++) {
          groupStart[rank[recTypeTtl[2 * order[j]]] + 1]++;
        }
        for (int g = 0; g < k; g++) {
          groupStart[g + 1] += groupStart[g];
        }
        System.arraycopy(groupStart, 0, next, 0, k);
        for (int j = from; j < to; j++) {
          int i = order[j];
          group[next[rank[recTypeTtl[2 * i]]]++] = i;
        }
        for (int g = 0; g < k; g++) {
          rank[types[g]] = -1;
        }
        count = k;
        return this;
      }
    }

    private static String at(int line) {
      return line > 0 ? "line " + line + ": " : "";
    }

    private Name name(int node) {
      return names.name(node, origin);
    }

    /** Refuses an RRset that no reply can hold whole (every record counted, as written), naming its first line. */
    private void checkSize(String source, IntUnaryOperator lineOf, int node, int type, int[] group, int from,
        int to) {
      long records = 0;
      for (int j = from; j < to; j++) {
        int p = recData[group[j]];
        records += 12 + u16(bytes, p);
      }
      int question = names.isWild(node) ? 255 : names.wireLength(node, originLength);
      long total = 12 + question + 4 + records;
      if (total > QueryHandler.MAX_MESSAGE) {
        throw new ZoneFileException(source + ": " + at(lineOf.applyAsInt(group[from])) + name(node) + " "
            + Type.string(type) + ": " + (to - from) + " records need a " + total + "-byte reply; no DNS message can "
            + "hold more than " + QueryHandler.MAX_MESSAGE + " bytes");
      }
    }

    /** Writes one RRset: the records in order, duplicates left out, with the smallest TTL of them all. */
    private void emit(int node, int type, int[] group, int from, int to, Growing out) {
      long ttl = Long.MAX_VALUE;
      for (int j = from; j < to; j++) {
        ttl = Math.min(ttl, recTypeTtl[2 * group[j] + 1] & 0xffffffffL);
      }
      out.rrset(type, (int) ttl);
      Name owner = null;
      Map<Integer, List<Integer>> byHash = to - from > 16 ? new HashMap<>() : null;
      for (int j = from; j < to; j++) {
        int i = group[j];
        boolean duplicate = false;
        if (byHash == null) {
          for (int e = from; e < j && !duplicate; e++) {
            int earlier = group[e];
            if (recHash[earlier] == recHash[i]) {
              owner = owner == null ? name(node) : owner;
              duplicate = sameCanonical(owner, type, earlier, i);
            }
          }
        } else {
          List<Integer> same = byHash.computeIfAbsent(recHash[i], h -> new ArrayList<>(1));
          for (int e = 0; e < same.size() && !duplicate; e++) {
            owner = owner == null ? name(node) : owner;
            duplicate = sameCanonical(owner, type, same.get(e), i);
          }
          same.add(i);
        }
        if (!duplicate) {
          out.record(bytes, recData[i]);
        }
      }
    }

    /** True when records {@code a} and {@code b} have the same RDATA in canonical form (dnsjava's equality). */
    private boolean sameCanonical(Name owner, int type, int a, int b) {
      return Arrays.equals(record(owner, type, 0, bytes, recData[a]).rdataToWireCanonical(),
          record(owner, type, 0, bytes, recData[b]).rdataToWireCanonical());
    }
  }

  /** The RRset arrays and record data being written, grown as needed. */
  private static final class Growing {
    char[] types;
    int[] ttls;
    int[] starts;
    int rrsets;
    byte[] data;
    int dataEnd;

    /** Room for {@code records} RRsets and {@code bytes} of data: no more is ever needed (the records read). */
    Growing(int records, int bytes) {
      types = new char[Math.max(16, records)];
      ttls = new int[types.length];
      starts = new int[types.length + 1];
      data = new byte[Math.max(16, bytes)];
    }

    void rrset(int type, int ttl) {
      if (rrsets == types.length) {
        types = Arrays.copyOf(types, 2 * rrsets);
        ttls = Arrays.copyOf(ttls, 2 * rrsets);
        starts = Arrays.copyOf(starts, 2 * rrsets + 1);
      }
      types[rrsets] = (char) type;
      ttls[rrsets] = ttl;
      starts[rrsets] = dataEnd;
      rrsets++;
      starts[rrsets] = dataEnd;
    }

    /** Copies one record (2-byte length and RDATA) from {@code b[p]} into the current RRset. */
    void record(byte[] b, int p) {
      int len = 2 + u16(b, p);
      System.arraycopy(b, p, data, dataEnd, len);
      dataEnd += len;
      starts[rrsets] = dataEnd;
    }
  }
}
