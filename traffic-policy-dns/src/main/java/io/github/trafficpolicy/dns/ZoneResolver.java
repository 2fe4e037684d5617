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
 * question but the fast path's (a policy record asked for its own type, or a CNAME policy record whose answer leaves
 * the zone asked for another), whose replies {@link QueryHandler} keeps in its {@link StaticReplies} when no policy
 * took part. Thread-safe.
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
    Walk w = new Walk(zone, q, client, prefix, a, r, qname);
    for (int hops = 0; hops < 16 && step(w, hops); hops++) {
      // each step answers its name, or moves the walk to the target of a CNAME
    }
    return r;
  }

  /** The state of one resolution: where it is in the zone, and what it has answered. */
  private static final class Walk {
    final Catalog.ZoneData zone;
    final WireQuery q;
    final byte[] client;
    final int prefix;
    final AnswerBuffer answer;
    final Resolution r;
    final Set<String> seen = new HashSet<>();
    Name name;
    String key;

    Walk(Catalog.ZoneData zone, WireQuery q, byte[] client, int prefix, AnswerBuffer answer, Resolution r,
         Name qname) {
      this.zone = zone;
      this.q = q;
      this.client = client;
      this.prefix = prefix;
      this.answer = answer;
      this.r = r;
      this.name = qname;
      this.key = q.qnameKey();
    }

    /** Moves to a CNAME's target; false (stop) when it is outside the zone or was seen (a loop). */
    boolean moveTo(Name target) {
      String tkey = NameKeys.key(target);
      if (!NameKeys.isAtOrBelow(tkey, zone.key) || seen.contains(tkey)) {
        return false;
      }
      name = target;
      key = tkey;
      return true;
    }
  }

  /** One name of a CNAME chain: answers it (false), or moves the walk to the next name (true). */
  private boolean step(Walk w, int hops) {
    w.seen.add(w.key);
    Catalog.ZoneData zone = w.zone;
    Message m = w.r.message;
    Catalog.ZoneData.Node cut = zone.cutAbove(w.key, w.q.qtype != Type.DS || !zone.exists(w.key));
    if (cut != null) {
      if (hops == 0) {
        referral(zone, cut, m);
      }
      return false;
    }
    Catalog.ZoneData.Node node = zone.node(w.key);
    boolean wildcard = false;
    if (node == null) {
      node = zone.wildcard(w.key);
      if (node == null) {
        m.getHeader().setRcode(Rcode.NXDOMAIN);
        negative(zone, m);
        return false;
      }
      wildcard = true;
    }
    CNAMERecord cname = node.cname;
    if (cname != null) {
      m.addRecord(wildcard ? cname.withName(w.name) : cname, Section.ANSWER);
      return w.q.qtype != Type.CNAME && w.moveTo(cname.getTarget());
    }
    PolicyEntry p = node.policy;
    if (p != null && p.type == Type.CNAME && w.q.qtype != Type.CNAME && w.q.qtype != Type.ANY) {
      return policyAlias(w, p);
    }
    answer(w, node, wildcard, p);
    return false;
  }

  /** A CNAME policy record is an alias for every type (RFC 1034 3.6.2): its CNAME, then the walk goes on. */
  private boolean policyAlias(Walk w, PolicyEntry p) {
    AnswerBuffer a = w.answer;
    p.policy.evaluate(w.client, w.prefix, a);
    w.r.policy = p;
    if (a.outcome() != Outcome.ANSWER || a.recordCount() == 0) {
      p.noData.increment();
      negative(w.zone, w.r.message);
      return false;
    }
    p.answers.increment();
    w.r.scope = Math.max(w.r.scope, a.ecsScope());
    CNAMERecord alias = (CNAMERecord) Record.newRecord(w.name, Type.CNAME, 1, a.ttl(), rdata.get(a.record(0)));
    w.r.message.addRecord(alias, Section.ANSWER);
    return w.moveTo(alias.getTarget());
  }

  /** The answer at an existing name: the policy record's (of the asked type, or ANY), else the static RRset. */
  private void answer(Walk w, Catalog.ZoneData.Node node, boolean wildcard, @Nullable PolicyEntry p) {
    WireQuery q = w.q;
    Message m = w.r.message;
    if (p != null && (q.qtype == p.type || q.qtype == Type.ANY)) {
      AnswerBuffer a = w.answer;
      p.policy.evaluate(w.client, w.prefix, a);
      w.r.policy = p;
      if (a.outcome() == Outcome.ANSWER && a.recordCount() > 0) {
        p.answers.increment();
        w.r.scope = Math.max(w.r.scope, a.ecsScope());
        for (int i = 0; i < a.recordCount(); i++) {
          m.addRecord(Record.newRecord(w.name, p.type, 1, a.ttl(), rdata.get(a.record(i))), Section.ANSWER);
        }
        return;
      }
      p.noData.increment();
      if (q.qtype != Type.ANY || node.rrsets.isEmpty()) {
        negative(w.zone, m);
        return;
      }
    }
    RRset set = q.qtype == Type.ANY
        ? (node.rrsets.isEmpty() ? null : node.rrsets.values().iterator().next())
        : node.rrsets.get(q.qtype);
    if (set == null) {
      negative(w.zone, m);
      return;
    }
    for (Record rec : set.rrs(false)) {
      m.addRecord(wildcard ? rec.withName(w.name) : rec, Section.ANSWER);
    }
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
