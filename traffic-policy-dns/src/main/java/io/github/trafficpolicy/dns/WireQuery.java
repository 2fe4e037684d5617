package io.github.trafficpolicy.dns;

import org.jspecify.annotations.Nullable;
/**
 * A query read straight from its wire bytes, without dnsjava: the header, the single question (name kept as sent,
 * case preserved, and as a lookup key) and the EDNS OPT record with its Client Subnet option. Every length is
 * checked against the message; compression pointers must point backwards and are followed at most 64 times, so no
 * input loops or reads out of bounds. Not thread-safe: a server keeps one per thread and {@linkplain #read reads}
 * each query into it, which allocates nothing unless the query carries a TSIG record or a DNS cookie (or is
 * malformed: the problem is described in a string).
 */
final class WireQuery {
  /** What the parser made of the message. */
  enum Status {
    /** A well-formed query. */
    OK,
    /** Malformed: answer FORMERR. */
    FORMERR,
    /** An opcode other than QUERY: answer NOTIMP. */
    NOTIMP
  }

  static final int TYPE_OPT = 41;
  static final int OPTION_ECS = 8;
  static final int TYPE_TSIG = 250;

  Status status = Status.OK;
  String problem = "";
  int id;
  int flags;
  /** Whether the question was read ({@link #qname} and the type and class are set). */
  boolean hasQuestion;
  /** The question name as sent (uncompressed wire form) in {@code qname[0, qnameLength)}. */
  final byte[] qname = new byte[255];
  int qnameLength;
  /** The question name in lower case (ASCII letters only, RFC 4343), same length. */
  final byte[] qnameLower = new byte[255];
  /** A hash of {@link #qnameLower} ({@link #hash}). */
  int qnameHash;
  private @Nullable String qnameKey;
  int qtype;
  int qclass;
  /** True when an OPT record was present and well formed. */
  boolean edns;
  int ednsPayload;
  int ednsVersion;
  boolean ednsDo;
  /** True when a well-formed ECS option was present. */
  boolean ecs;
  int ecsFamily;
  int ecsSourcePrefix;
  int ecsScopePrefix;
  /** The ECS address bytes as sent (ceil(source/8) bytes) in {@code ecsAddress[0, ecsLength)}. */
  final byte[] ecsAddress = new byte[16];
  int ecsLength;
  /**
   * The TSIG record of a signed query (RFC 8945), from its owner name to the end of its fixed fields before the MAC
   * (key name, type, class, TTL, RDLENGTH, algorithm name, time signed, fudge), or {@code null} when unsigned.
   */
  byte @Nullable [] tsigHead;
  /** The client cookie of a COOKIE option (8 bytes), or {@code null} without one. */
  byte @Nullable [] cookieClient;
  /** The server cookie the client sent back (empty when it sent none). */
  byte @Nullable [] cookieServer;
  /** Set by the handler: the client cookie and the new server cookie to send back (24 bytes), or {@code null}. */
  byte @Nullable [] cookieOut;
  /** Set by the handler: whether the client sent back a valid server cookie (it is not a spoofed source). */
  boolean cookieVerified;

  WireQuery() {}

  /** Forgets the last query read. */
  private void reset() {
    status = Status.OK;
    problem = "";
    id = 0;
    flags = 0;
    hasQuestion = false;
    qnameLength = 0;
    qnameHash = 0;
    qnameKey = null;
    qtype = 0;
    qclass = 0;
    edns = false;
    ednsPayload = 0;
    ednsVersion = 0;
    ednsDo = false;
    ecs = false;
    ecsFamily = 0;
    ecsSourcePrefix = 0;
    ecsScopePrefix = 0;
    ecsLength = 0;
    tsigHead = null;
    cookieClient = null;
    cookieServer = null;
    cookieOut = null;
    cookieVerified = false;
  }

  /** The question name as a lookup key ({@link NameKeys}); made on first use. */
  String qnameKey() {
    if (qnameKey == null) {
      StringBuilder key = new StringBuilder(qnameLength + 1);
      int pos = 0;
      while (pos < qnameLength && qnameLower[pos] != 0) {
        int l = qnameLower[pos] & 0xff;
        NameKeys.appendLabel(key, qnameLower, pos + 1, l);
        pos += 1 + l;
      }
      qnameKey = key.length() == 0 ? "." : key.toString();
    }
    return qnameKey;
  }

  /** The hash of a lower-case wire name in {@code b[0, len)}, as {@link #qnameHash}. */
  static int hash(byte[] b, int len) {
    int h = 0x9747b28c;
    for (int i = 0; i < len; i++) {
      h = (h ^ b[i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }

  int opcode() {
    return (flags >> 11) & 0xf;
  }

  boolean rd() {
    return (flags & 0x0100) != 0;
  }

  /** Checking Disabled: copied to the reply (RFC 4035 section 3.1.6). */
  boolean cd() {
    return (flags & 0x0010) != 0;
  }

  /** Parses {@code len} bytes of {@code b} into a new query; the caller has checked that the header is there. */
  static WireQuery parse(byte[] b, int len) {
    return new WireQuery().read(b, len);
  }

  /**
   * Reads {@code len} bytes of {@code b} into this query, forgetting the last one; the caller has checked that the
   * 12-byte header is there. Returns this query.
   */
  WireQuery read(byte[] b, int len) {
    reset();
    WireQuery q = this;
    q.id = u16(b, 0);
    q.flags = u16(b, 2);
    int qd = u16(b, 4);
    int an = u16(b, 6);
    int ns = u16(b, 8);
    int ar = u16(b, 10);
    if (q.opcode() != 0) {
      // NOTIMP; the question and OPT record are kept for the reply (RFC 6891 section 7) when the rest of the
      // message reads as a query would, else the reply is the header alone.
      parseBody(q, b, len, qd, an, ns, ar);
      if (q.status != Status.OK) {
        int id = q.id;
        int flags = q.flags;
        q.reset();
        q.id = id;
        q.flags = flags;
      }
      q.status = Status.NOTIMP;
      return q;
    }
    return parseBody(q, b, len, qd, an, ns, ar);
  }

  private static WireQuery parseBody(WireQuery q, byte[] b, int len, int qd, int an, int ns, int ar) {
    if (qd != 1) {
      return q.formerr("QDCOUNT is " + qd + ", not 1");
    }
    int pos = q.readQuestion(b, len);
    if (pos < 0) {
      return q;
    }
    // A query carries no answer or authority records; skip them if present (they are ignored), then read the
    // additional section, where only OPT is understood.
    int records = an + ns + ar;
    int optSeen = 0;
    for (int i = 0; i < records; i++) {
      int start = pos;
      pos = skipName(b, len, pos);
      if (pos < 0 || pos + 10 > len) {
        return q.formerr("record " + (i + 1) + " is truncated");
      }
      int type = u16(b, pos);
      int rdlen = u16(b, pos + 8);
      int rdata = pos + 10;
      if (rdata + rdlen > len) {
        return q.formerr("record " + (i + 1) + " data runs past the end");
      }
      if (type == TYPE_OPT) {
        if (i < an + ns) {
          return q.formerr("OPT outside the additional section");
        }
        if (++optSeen > 1) {
          return q.formerr("more than one OPT record");
        }
        if (pos - start != 1 || b[start] != 0) {
          return q.formerr("OPT owner is not the root");
        }
        q.edns = true;
        q.ednsPayload = u16(b, pos + 2);
        q.ednsVersion = b[pos + 5] & 0xff;
        q.ednsDo = (b[pos + 6] & 0x80) != 0;
        if (!q.readOptions(b, rdata, rdlen)) {
          return q;
        }
      }
      if (type == TYPE_TSIG) {
        // RFC 8945 section 5.2: the TSIG record is the last of the additional section.
        if (i != records - 1 || i < an + ns) {
          return q.formerr("TSIG is not the last record of the additional section");
        }
        int alg = skipName(b, len, rdata);
        if (alg < 0 || alg + 10 > rdata + rdlen) {
          return q.formerr("TSIG record data is malformed");
        }
        if (compressed(b, start, pos) || compressed(b, rdata, alg)) {
          return q.formerr("TSIG names are compressed (RFC 8945 section 4.2)");
        }
        q.tsigHead = java.util.Arrays.copyOfRange(b, start, alg + 8);
      }
      pos = rdata + rdlen;
    }
    if (pos != len) {
      return q.formerr((len - pos) + " bytes after the last record");
    }
    return q;
  }

  /** Reads the question at offset 12; returns the offset after it, or -1 (status set). */
  private int readQuestion(byte[] b, int len) {
    byte[] name = qname;
    byte[] lower = qnameLower;
    int n = 0;
    int pos = 12;
    int end = -1;
    int jumps = 0;
    while (true) {
      if (pos >= len) {
        formerr("question name runs past the end");
        return -1;
      }
      int l = b[pos] & 0xff;
      if ((l & 0xc0) == 0xc0) {
        if (pos + 1 >= len) {
          formerr("truncated compression pointer");
          return -1;
        }
        int target = ((l & 0x3f) << 8) | (b[pos + 1] & 0xff);
        if (target >= pos || ++jumps > 64) {
          formerr("compression pointer loop or forward pointer");
          return -1;
        }
        if (end < 0) {
          end = pos + 2;
        }
        pos = target;
        continue;
      }
      if ((l & 0xc0) != 0) {
        formerr("unknown label type");
        return -1;
      }
      if (l == 0) {
        name[n] = 0;
        lower[n++] = 0;
        pos++;
        break;
      }
      if (pos + 1 + l > len) {
        formerr("label runs past the end");
        return -1;
      }
      if (n + 1 + l + 1 > 255) {
        formerr("name longer than 255 bytes");
        return -1;
      }
      name[n] = (byte) l;
      lower[n++] = (byte) l;
      for (int i = 0; i < l; i++) {
        byte c = b[pos + 1 + i];
        name[n] = c;
        lower[n++] = c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
      }
      pos += 1 + l;
    }
    if (end < 0) {
      end = pos;
    }
    if (end + 4 > len) {
      formerr("question type and class missing");
      return -1;
    }
    hasQuestion = true;
    qnameLength = n;
    qnameHash = hash(lower, n);
    qtype = u16(b, end);
    qclass = u16(b, end + 2);
    return end + 4;
  }

  /** Reads OPT options; false (status FORMERR) when one is malformed. */
  private boolean readOptions(byte[] b, int off, int len) {
    int pos = off;
    int end = off + len;
    while (pos < end) {
      if (pos + 4 > end) {
        formerr("truncated EDNS option header");
        return false;
      }
      int code = u16(b, pos);
      int olen = u16(b, pos + 2);
      int data = pos + 4;
      if (data + olen > end) {
        formerr("EDNS option " + code + " runs past the OPT record");
        return false;
      }
      if (code == OPTION_ECS) {
        if (ecs) {
          formerr("more than one ECS option");
          return false;
        }
        if (!readEcs(b, data, olen)) {
          return false;
        }
      }
      if (code == ServerCookies.OPTION_COOKIE) {
        // RFC 7873 section 5.2.2: a client cookie alone (8 bytes), or with a server cookie of 8 to 32 bytes.
        if (cookieClient != null || (olen != 8 && (olen < 16 || olen > 40))) {
          formerr(cookieClient != null ? "more than one COOKIE option" : "COOKIE option of " + olen + " bytes");
          return false;
        }
        cookieClient = java.util.Arrays.copyOfRange(b, data, data + 8);
        cookieServer = java.util.Arrays.copyOfRange(b, data + 8, data + olen);
      }
      pos = data + olen;
    }
    return true;
  }

  private boolean readEcs(byte[] b, int off, int len) {
    if (len < 4) {
      formerr("ECS option shorter than 4 bytes");
      return false;
    }
    int family = u16(b, off);
    int source = b[off + 2] & 0xff;
    int scope = b[off + 3] & 0xff;
    int max;
    if (family == 1) {
      max = 32;
    } else if (family == 2) {
      max = 128;
    } else {
      formerr("ECS family " + family + " is not 1 (IPv4) or 2 (IPv6)");
      return false;
    }
    if (source > max) {
      formerr("ECS source prefix " + source + " longer than " + max);
      return false;
    }
    int bytes = (source + 7) / 8;
    if (len - 4 != bytes) {
      formerr("ECS address has " + (len - 4) + " bytes, source prefix /" + source + " needs " + bytes);
      return false;
    }
    if (source % 8 != 0 && bytes > 0) {
      int mask = 0xff >> (source % 8);
      if ((b[off + 4 + bytes - 1] & mask) != 0) {
        formerr("ECS address has bits set past the source prefix /" + source);
        return false;
      }
    }
    ecs = true;
    ecsFamily = family;
    ecsSourcePrefix = source;
    ecsScopePrefix = scope;
    System.arraycopy(b, off + 4, ecsAddress, 0, bytes);
    ecsLength = bytes;
    return true;
  }

  private WireQuery formerr(String why) {
    status = Status.FORMERR;
    problem = why;
    return this;
  }

  /** Whether the name at {@code [from, to)} (already checked by {@link #skipName}) ends with a pointer. */
  private static boolean compressed(byte[] b, int from, int to) {
    int pos = from;
    while (pos < to && b[pos] != 0) {
      if ((b[pos] & 0xc0) == 0xc0) {
        return true;
      }
      pos += 1 + (b[pos] & 0xff);
    }
    return false;
  }

  static int skipName(byte[] b, int len, int pos) {
    int total = 0;
    while (true) {
      if (pos >= len) {
        return -1;
      }
      int l = b[pos] & 0xff;
      if ((l & 0xc0) == 0xc0) {
        return pos + 2 <= len ? pos + 2 : -1;
      }
      if ((l & 0xc0) != 0) {
        return -1;
      }
      if (l == 0) {
        return pos + 1;
      }
      total += l + 1;
      if (total > 255) {
        return -1;
      }
      pos += 1 + l;
    }
  }

  static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }
}
