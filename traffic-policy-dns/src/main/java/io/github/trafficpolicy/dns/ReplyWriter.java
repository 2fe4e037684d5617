package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.engine.AnswerBuffer;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * Writes replies into a caller's buffer: policy answers straight from an {@link AnswerBuffer} (the answer's name a
 * pointer to the question), rendered static replies by patching the ID, RD, CD and the question's case, dnsjava
 * messages, error replies (with the question and OPT record when they were readable) and the BADKEY reply to a
 * signed query; the OPT record (RFC 6891) with the ECS echo (RFC 7871) and the server cookie (RFC 7873) last.
 * Stateless but for its settings; thread-safe.
 */
final class ReplyWriter {
  private final int maxUdpPayload;
  private final RdataCache rdata;

  ReplyWriter(int maxUdpPayload, RdataCache rdata) {
    this.maxUdpPayload = maxUdpPayload;
    this.rdata = rdata;
  }

  private int optLength(WireQuery q) {
    return q.edns ? 11 + (q.ecs ? 8 + q.ecsLength : 0) + (q.cookieOut != null ? 4 + q.cookieOut.length : 0)
        : 0;
  }

  /** Writes the OPT record (with the ECS echo) at {@code pos}; returns the new position. */
  int writeOpt(WireQuery q, int extRcode, int scope, boolean withEcs, byte[] out, int pos) {
    out[pos++] = 0;
    out[pos++] = 0;
    out[pos++] = 41;
    put16(out, pos, maxUdpPayload);
    pos += 2;
    out[pos++] = (byte) extRcode;
    out[pos++] = 0;
    out[pos++] = (byte) (q.ednsDo ? 0x80 : 0);
    out[pos++] = 0;
    boolean ecs = withEcs && q.ecs;
    byte[] cookie = q.cookieOut;
    put16(out, pos, (ecs ? 8 + q.ecsLength : 0) + (cookie != null ? 4 + cookie.length : 0));
    pos += 2;
    if (cookie != null) {
      put16(out, pos, ServerCookies.OPTION_COOKIE);
      put16(out, pos + 2, cookie.length);
      System.arraycopy(cookie, 0, out, pos + 4, cookie.length);
      pos += 4 + cookie.length;
    }
    if (ecs) {
      put16(out, pos, WireQuery.OPTION_ECS);
      put16(out, pos + 2, 4 + q.ecsLength);
      put16(out, pos + 4, q.ecsFamily);
      out[pos + 6] = (byte) q.ecsSourcePrefix;
      int max = q.ecsFamily == 1 ? 32 : 128;
      out[pos + 7] = (byte) (q.ecsSourcePrefix == 0 ? 0 : Math.min(scope, max));
      System.arraycopy(q.ecsAddress, 0, out, pos + 8, q.ecsLength);
      pos += 8 + q.ecsLength;
    }
    return pos;
  }

  /** Header (ID, QR, AA, RD copied, rcode) and the question as sent; returns the position after it. */
  static int writeHeaderAndQuestion(WireQuery q, int rcode, boolean aa, byte[] out, int off) {
    put16(out, off, q.id);
    out[off + 2] = (byte) (0x80 | (q.opcode() << 3) | (aa ? 0x04 : 0) | (q.rd() ? 0x01 : 0));
    out[off + 3] = (byte) ((rcode & 0xf) | (q.cd() ? 0x10 : 0));
    Arrays.fill(out, off + 4, off + 12, (byte) 0);
    int pos = off + 12;
    if (q.hasQuestion) {
      out[off + 5] = 1;
      System.arraycopy(q.qname, 0, out, pos, q.qnameLength);
      pos += q.qnameLength;
      put16(out, pos, q.qtype);
      put16(out, pos + 2, q.qclass);
      pos += 4;
    }
    return pos;
  }

  int writePolicyAnswer(WireQuery q, PolicyEntry p, AnswerBuffer a, int limit, byte[] out, int off) {
    int pos = writeHeaderAndQuestion(q, Rcode.NOERROR, true, out, off);
    int afterQuestion = pos;
    int room = limit - optLength(q);
    int count = 0;
    long ttl = a.ttl();
    for (int i = 0; i < a.recordCount(); i++) {
      byte[] rd = rdata.get(a.record(i));
      if (pos - off + 12 + rd.length > room) {
        count = -1;
        break;
      }
      out[pos] = (byte) 0xc0;
      out[pos + 1] = 12;
      put16(out, pos + 2, p.type);
      put16(out, pos + 4, 1);
      put32(out, pos + 6, ttl);
      put16(out, pos + 10, rd.length);
      System.arraycopy(rd, 0, out, pos + 12, rd.length);
      pos += 12 + rd.length;
      count++;
    }
    if (count < 0) {
      pos = afterQuestion;
      count = 0;
      out[off + 2] |= 0x02;
    }
    put16(out, off + 6, count);
    if (q.edns) {
      pos = writeOpt(q, 0, a.ecsScope(), true, out, pos);
      out[off + 11] = 1;
    }
    return pos - off;
  }

  int writeCached(WireQuery q, StaticReplies.Entry cached, int limit, byte[] out, int off) {
    byte[] body = cached.wire;
    if (body.length + optLength(q) > limit) {
      Message m;
      try {
        m = new Message(body);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      return writeMessage(q, m, 0, limit, out, off);
    }
    System.arraycopy(body, 0, out, off, body.length);
    finishHeader(q, out, off);
    // The question as sent (same length as the cached one; only the case may differ).
    System.arraycopy(q.qname, 0, out, off + 12, q.qnameLength);
    int pos = off + body.length;
    if (q.edns) {
      pos = writeOpt(q, 0, 0, true, out, pos);
      put16(out, off + 10, WireQuery.u16(out, off + 10) + 1);
    }
    return pos - off;
  }

  /** Renders a dnsjava reply (truncating to fit: TC set), then appends the OPT record. */
  int writeMessage(WireQuery q, Message m, int scope, int limit, byte[] out, int off) {
    byte[] wire = m.toWire(limit - optLength(q));
    System.arraycopy(wire, 0, out, off, wire.length);
    finishHeader(q, out, off);
    System.arraycopy(q.qname, 0, out, off + 12, q.qnameLength);
    int pos = off + wire.length;
    if (q.edns) {
      pos = writeOpt(q, 0, scope, true, out, pos);
      put16(out, off + 10, WireQuery.u16(out, off + 10) + 1);
    }
    return pos - off;
  }

  static void finishHeader(WireQuery q, byte[] out, int off) {
    put16(out, off, q.id);
    if (q.rd()) {
      out[off + 2] |= 0x01;
    } else {
      out[off + 2] &= ~0x01;
    }
    if (q.cd()) {
      out[off + 3] |= 0x10;
    } else {
      out[off + 3] &= ~0x10;
    }
  }

  int writeHeaderOnly(WireQuery q, int rcode, byte[] out, int off) {
    put16(out, off, q.id);
    out[off + 2] = (byte) (0x80 | (q.opcode() << 3) | (q.rd() ? 0x01 : 0));
    out[off + 3] = (byte) (rcode | (q.cd() ? 0x10 : 0));
    Arrays.fill(out, off + 4, off + 12, (byte) 0);
    return 12;
  }

  /**
   * An error reply (FORMERR, BADVERS, NOTIMP, SERVFAIL): the question when it could be read, and the OPT record
   * when the query had a valid one. {@code q} may be null (the parser failed), then the header comes from
   * {@code in}.
   */
  int writeError(@Nullable WireQuery q, byte @Nullable [] in, int rcode, byte[] out, int off) {
    if (q == null) {
      checkNotNull(in, "the query's bytes, when it was not read");
      System.arraycopy(in, 0, out, off, 4);
      out[off + 2] = (byte) ((out[off + 2] & 0x79) | 0x80);
      out[off + 3] = (byte) ((in[3] & 0x10) | (rcode & 0xf));
      Arrays.fill(out, off + 4, off + 12, (byte) 0);
      return 12;
    }
    int pos = writeHeaderAndQuestion(q, rcode, false, out, off);
    if (q.edns) {
      pos = writeOpt(q, rcode >> 4, 0, false, out, pos);
      out[off + 11] = 1;
    }
    return pos - off;
  }

  /** NOTAUTH with the question, the OPT record, and the query's TSIG record answered with BADKEY and no MAC. */
  int writeBadKey(WireQuery q, byte[] out, int off) {
    int pos = writeError(q, null, Rcode.NOTAUTH, out, off);
    byte[] head = checkNotNull(q.tsigHead, "no TSIG record");
    System.arraycopy(head, 0, out, pos, head.length);
    // The head ends with RDLENGTH (10 bytes into the fixed fields), the algorithm name, time signed and fudge.
    int fixed = pos + nameLength(head);
    int rdataStart = fixed + 10;
    int p = pos + head.length;
    put16(out, p, 0);                       // MAC size: no MAC
    put16(out, p + 2, q.id);                // original ID
    put16(out, p + 4, Rcode.BADKEY);        // error
    put16(out, p + 6, 0);                   // other length
    p += 8;
    put32(out, fixed + 4, 0);               // TTL 0
    put16(out, fixed + 8, p - rdataStart);  // RDLENGTH
    put16(out, off + 10, WireQuery.u16(out, off + 10) + 1);
    return p - off;
  }

  /** The length of the uncompressed wire name at the start of {@code b}. */
  static int nameLength(byte[] b) {
    int i = 0;
    while (b[i] != 0) {
      i += 1 + (b[i] & 0xff);
    }
    return i + 1;
  }

  static void put16(byte[] b, int off, int v) {
    b[off] = (byte) (v >> 8);
    b[off + 1] = (byte) v;
  }

  static void put32(byte[] b, int off, long v) {
    b[off] = (byte) (v >> 24);
    b[off + 1] = (byte) (v >> 16);
    b[off + 2] = (byte) (v >> 8);
    b[off + 3] = (byte) v;
  }
}
