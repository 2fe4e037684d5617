package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.engine.AnswerBuffer;
import io.github.trafficpolicy.engine.Outcome;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Resolution of a question in a catalog, rendered as a dnsjava message (RFC 1034 4.3.2, with RFC 4592 wildcards,
 * RFC 2308 negative answers, referrals with glue, CNAME chains inside the zone and CNAME policy records): every
 * question but the fast path's (a policy record asked for its own type), whose replies {@link QueryHandler} keeps in
 * its {@link StaticReplies} when no policy took part. Thread-safe.
 */
final class ZoneResolver {
  private final RdataCache rdata;

  ZoneResolver(RdataCache rdata) {
    this.rdata = rdata;
  }

  /** A reply without its OPT record, and the policy that produced it (null when none: then it is cacheable). */
  static final class Resolution {
    final Message message;
    @Nullable PolicyEntry policy;
    int scope;

    Resolution(Message message) {
      this.message = message;
    }
  }

  /**
   * The reply to {@code q} from {@code catalog}, rendered by dnsjava; a policy met on the way (a CNAME policy record,
   * ANY at a policy name) is evaluated for the client {@code client/prefix} into {@code a}.
   */
  Resolution resolve(Catalog catalog, WireQuery q, byte[] client, int prefix, AnswerBuffer a) {
    Message m = new Message(0);
    Resolution r = new Resolution(m);
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    Name qname = wireName(q);
    m.addRecord(Record.newRecord(qname, q.qtype, q.qclass), Section.QUESTION);
    Catalog.ZoneData zone = q.qclass == 1 ? catalog.findZone(q.qnameKey()) : null;
    if (zone == null || q.qtype == Type.AXFR || q.qtype == Type.IXFR) {
      h.setRcode(Rcode.REFUSED);
      return r;
    }
    if (q.qtype == Type.MAILA || q.qtype == Type.MAILB) {
      h.setRcode(Rcode.NOTIMP);
      return r;
    }
    h.setFlag(Flags.AA);
    Name name = qname;
    String key = q.qnameKey();
    Set<String> seen = new HashSet<>();
    for (int hops = 0; hops < 16; hops++) {
      seen.add(key);
      Catalog.ZoneData.Node cut = zone.cutAbove(key, q.qtype != Type.DS || !zone.exists(key));
      if (cut != null) {
        if (hops == 0) {
          referral(zone, cut, m);
        }
        return r;
      }
      Catalog.ZoneData.Node node = zone.node(key);
      boolean wildcard = false;
      if (node == null) {
        node = zone.wildcard(key);
        if (node == null) {
          h.setRcode(Rcode.NXDOMAIN);
          negative(zone, m);
          return r;
        }
        wildcard = true;
      }
      if (node.cname != null && q.qtype != Type.CNAME) {
        m.addRecord(wildcard ? node.cname.withName(name) : node.cname, Section.ANSWER);
        Name target = node.cname.getTarget();
        String tkey = NameKeys.key(target);
        if (!NameKeys.isAtOrBelow(tkey, zone.key) || seen.contains(tkey)) {
          return r;
        }
        name = target;
        key = tkey;
        continue;
      }
      if (node.cname != null) {
        m.addRecord(wildcard ? node.cname.withName(name) : node.cname, Section.ANSWER);
        return r;
      }
      PolicyEntry p = node.policy;
      if (p != null && p.type == Type.CNAME && q.qtype != Type.CNAME && q.qtype != Type.ANY) {
        // A CNAME policy record is an alias for every type (RFC 1034 3.6.2): its CNAME, then the target.
        p.policy.evaluate(client, prefix, a);
        r.policy = p;
        if (a.outcome() != Outcome.ANSWER || a.recordCount() == 0) {
          p.noData.increment();
          negative(zone, m);
          return r;
        }
        p.answers.increment();
        r.scope = Math.max(r.scope, a.ecsScope());
        CNAMERecord alias = (CNAMERecord) Record.newRecord(name, Type.CNAME, 1, a.ttl(), rdata.get(a.record(0)));
        m.addRecord(alias, Section.ANSWER);
        String tkey = NameKeys.key(alias.getTarget());
        if (!NameKeys.isAtOrBelow(tkey, zone.key) || seen.contains(tkey)) {
          return r;
        }
        name = alias.getTarget();
        key = tkey;
        continue;
      }
      if (p != null && (q.qtype == p.type || q.qtype == Type.ANY)) {
        p.policy.evaluate(client, prefix, a);
        r.policy = p;
        if (a.outcome() == Outcome.ANSWER && a.recordCount() > 0) {
          p.answers.increment();
          r.scope = Math.max(r.scope, a.ecsScope());
          for (int i = 0; i < a.recordCount(); i++) {
            m.addRecord(Record.newRecord(name, p.type, 1, a.ttl(), rdata.get(a.record(i))), Section.ANSWER);
          }
          return r;
        }
        p.noData.increment();
        if (q.qtype != Type.ANY || node.rrsets.isEmpty()) {
          negative(zone, m);
          return r;
        }
      }
      RRset set = q.qtype == Type.ANY
          ? (node.rrsets.isEmpty() ? null : node.rrsets.values().iterator().next())
          : node.rrsets.get(q.qtype);
      if (set == null) {
        negative(zone, m);
        return r;
      }
      for (Record rec : set.rrs(false)) {
        m.addRecord(wildcard ? rec.withName(name) : rec, Section.ANSWER);
      }
      return r;
    }
    return r;
  }

  /** The question name of {@code q} as a dnsjava name. */
  static Name wireName(WireQuery q) {
    try {
      return new Name(Arrays.copyOf(q.qname, q.qnameLength));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable question name", e);
    }
  }

  private static void negative(Catalog.ZoneData zone, Message m) {
    m.addRecord(zone.negativeSoa, Section.AUTHORITY);
  }

  private static void referral(Catalog.ZoneData zone, Catalog.ZoneData.Node cut, Message m) {
    m.getHeader().unsetFlag(Flags.AA);
    RRset ns = checkNotNull(cut.rrsets.get(Type.NS), "a delegation has NS records");
    for (Record rec : ns.rrs(false)) {
      m.addRecord(rec, Section.AUTHORITY);
    }
    for (Record rec : ns.rrs(false)) {
      Name target = ((NSRecord) rec).getTarget();
      Catalog.ZoneData.Node glue = zone.node(NameKeys.key(target));
      if (glue == null) {
        continue;
      }
      for (int type : new int[] {Type.A, Type.AAAA}) {
        RRset g = glue.rrsets.get(type);
        if (g != null) {
          for (Record gr : g.rrs(false)) {
            m.addRecord(gr, Section.ADDITIONAL);
          }
        }
      }
    }
  }
}
