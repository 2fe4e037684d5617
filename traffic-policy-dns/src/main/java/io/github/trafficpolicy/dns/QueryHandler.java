package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.Outcome;
import io.github.trafficpolicy.engine.Query;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * All the DNS logic of the authoritative server, without sockets: a query's bytes and its source address in, the
 * reply's bytes out (or no reply). Thread-safe; one handler serves every listener.
 *
 * <p>Behaviour: AA set, RA clear, RD copied, never recursion; REFUSED for names outside every zone or classes
 * other than IN; NXDOMAIN or NODATA with the zone's SOA in the authority section (TTL min(SOA TTL, SOA MINIMUM),
 * RFC 2308); CNAMEs (static or from a CNAME policy record) followed inside the zone; wildcards (RFC 4592);
 * referrals below delegations; ANY answered with one RRset (RFC 8482); FORMERR for malformed queries (RFC 7871 ECS
 * checks included), NOTIMP for opcodes other than QUERY (with the question and OPT record when they can be read),
 * BADVERS for EDNS versions above 0; the reply fits 512 bytes without EDNS or the advertised payload size (capped
 * by {@link Builder#maxUdpPayload}), else TC is set and the answer is left out. Policy records are
 * answered by the engine for the client in the ECS option (the source address when there is none or its source
 * prefix is 0), and the ECS option is echoed with the answer's scope (0 for everything not from a policy).
 *
 * <p>Static replies are rendered once by dnsjava and kept in a bounded cache; policy answers are written straight
 * to the wire. A reply is never produced for input shorter than a header or for a message with QR set; any other
 * input gets a reply, and nothing thrown escapes.
 */
public final class QueryHandler {
  /** Replies never exceed this over TCP. */
  static final int MAX_MESSAGE = 65_535;
  /** The largest {@link Builder#maxUdpPayload} allowed. */
  public static final int MAX_UDP_PAYLOAD = 4096;
  /** The {@link Builder#maxUdpPayload} above which replies risk IP fragmentation (DNS Flag Day 2020). */
  public static final int SAFE_UDP_PAYLOAD = 1232;
  private static final int CACHE_LIMIT = 100_000;
  private static final int RCODES = 24;

  private volatile State state;
  private final int maxUdpPayload;
  private final QueryLog log;
  private final LongAdder queries = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder[] rcodes = new LongAdder[RCODES];
  /** Per policy record name, for as long as the handler lives: [answers, noData]. */
  private final Map<String, LongAdder[]> recordCounters = new ConcurrentHashMap<>();
  private final List<Consumer<String>> newRecordListeners = new CopyOnWriteArrayList<>();
  private final Map<RecordData, byte[]> rdataCache = new ConcurrentHashMap<>();
  private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[MAX_MESSAGE + 2]);
  /** Null when policy answers are not cached. */
  private final Supplier<?> inputsVersion;
  private final int answerCacheEntries;
  /** Null when DNS cookies are off. */
  private final ServerCookies cookies;
  /** Null when responses are not rate-limited. */
  private final RateLimiter limiter;
  private final LongAdder rateLimitDrops = new LongAdder();
  private final LongAdder rateLimitSlips = new LongAdder();

  private QueryHandler(Builder b) {
    adopt(b.catalog);
    this.state = new State(b.catalog);
    this.maxUdpPayload = b.maxUdpPayload;
    this.log = b.queryLog;
    this.inputsVersion = b.inputsVersion;
    this.answerCacheEntries = b.answerCacheEntries;
    this.limiter = b.limiter;
    this.cookies = b.cookiesOff ? null : b.cookieSecret == null ? ServerCookies.random()
        : new ServerCookies(b.cookieSecret);
    for (int i = 0; i < RCODES; i++) {
      rcodes[i] = new LongAdder();
    }
  }

  /** A builder for a handler serving {@code catalog}. */
  public static Builder builder(Catalog catalog) {
    return new Builder(catalog);
  }

  /** The catalog being served. */
  public Catalog catalog() {
    return state.catalog;
  }

  /** Serves {@code catalog} from now on (atomically: each query sees the old or the new one). */
  public void replaceCatalog(Catalog catalog) {
    adopt(checkNotNull(catalog, "catalog"));
    this.state = new State(catalog);
  }

  /**
   * Points the catalog's policy records at this handler's counters for their names (made on first sight), so that
   * per-record counts survive catalog swaps. Before the catalog is published (the volatile write of {@code
   * state}), so every query that sees it counts into these.
   */
  private void adopt(Catalog catalog) {
    for (PolicyEntry e : catalog.policyEntries().values()) {
      LongAdder[] c = recordCounters.get(e.key);
      if (c == null) {
        LongAdder[] made = {new LongAdder(), new LongAdder()};
        c = recordCounters.putIfAbsent(e.key, made);
        if (c == null) {
          c = made;
          String key = e.key;
          newRecordListeners.forEach(l -> l.accept(key));
        }
      }
      e.answers = c[0];
      e.noData = c[1];
    }
  }

  /**
   * The names of every policy record served so far (counters are kept for each), and from now on calls {@code
   * listener} with each new one as a catalog brings it (a name may be both returned and given to the listener);
   * for metrics binders. Not on the query path.
   */
  Set<String> policyRecordNames(Consumer<String> listener) {
    newRecordListeners.add(listener);
    return ImmutableSet.copyOf(recordCounters.keySet());
  }

  /** Answers given for policy record {@code key} since this handler was built (0 if never served). */
  long policyAnswers(String key) {
    LongAdder[] c = recordCounters.get(key);
    return c == null ? 0 : c[0].sum();
  }

  /** NODATA replies for policy record {@code key} since this handler was built (0 if never served). */
  long policyNoData(String key) {
    LongAdder[] c = recordCounters.get(key);
    return c == null ? 0 : c[1].sum();
  }

  /** Queries received (including dropped ones). */
  long queryCount() {
    return queries.sum();
  }

  /** Datagrams given no reply. */
  long droppedCount() {
    return dropped.sum();
  }

  /** Replies with response code {@code rcode} (0 to {@value #RCODES} - 1). */
  long rcodeCount(int rcode) {
    return rcodes[rcode].sum();
  }

  /** The number of response codes counted separately. */
  static int rcodeSlots() {
    return RCODES;
  }

  /** Entries in the current catalog's whole-reply and policy-answer caches. */
  long cacheSize() {
    State s = state;
    return (long) s.replies.size() + s.answers.size();
  }

  /**
   * The reply to one query.
   *
   * @param query the message bytes (for TCP without the 2-byte length prefix)
   * @param source the address the query came from (the client when the query has no ECS option)
   * @param transport how it came; decides the size limit of the reply
   * @return the reply bytes, or empty when the input deserves no reply (shorter than a header, or a response)
   */
  public Optional<byte[]> handle(byte[] query, InetAddress source, Transport transport) {
    checkNotNull(query, "query");
    checkNotNull(source, "source");
    checkNotNull(transport, "transport");
    byte[] out = buffers.get();
    int n = handle(query, query.length, source, transport == Transport.TCP, out, 0);
    return n < 0 ? Optional.empty() : Optional.of(Arrays.copyOf(out, n));
  }

  /** A snapshot of the counters. */
  public ServerCounters counters() {
    Map<String, Long> byRcode = new LinkedHashMap<>();
    for (int i = 0; i < RCODES; i++) {
      long v = rcodes[i].sum();
      if (v > 0) {
        byRcode.put(Rcode.string(i), v);
      }
    }
    Map<String, ServerCounters.PolicyRecordCounters> byPolicy = new LinkedHashMap<>();
    state.catalog.policyEntries().forEach((k, e) -> byPolicy.put(k,
        new ServerCounters.PolicyRecordCounters(policyAnswers(k), policyNoData(k))));
    return new ServerCounters(queries.sum(), dropped.sum(), ImmutableMap.copyOf(byRcode),
        ImmutableMap.copyOf(byPolicy));
  }

  /** UDP responses dropped by response-rate limiting. */
  public long rateLimitDrops() {
    return rateLimitDrops.sum();
  }

  /** UDP responses sent truncated (TC) in place of a rate-limited response ("slip"). */
  public long rateLimitSlips() {
    return rateLimitSlips.sum();
  }

  /** The longest reply this handler writes over UDP. */
  int maxUdpReply() {
    return Math.max(512, maxUdpPayload);
  }

  /** Counts a datagram the transport dropped before it reached {@link #handle}. */
  void countDropped() {
    queries.increment();
    dropped.increment();
  }

  /**
   * Writes the reply to {@code in[0, len)} into {@code out} at {@code outOff} (room for {@value #MAX_MESSAGE}
   * bytes); returns its length, or -1 for no reply. Never throws.
   */
  int handle(byte[] in, int len, InetAddress source, boolean tcp, byte[] out, int outOff) {
    queries.increment();
    if (len < 12 || (in[2] & 0x80) != 0) {
      dropped.increment();
      return -1;
    }
    // With the answer cache on (and no query log to write), a UDP question asked before by the same address
    // under the same inputs version gets the same reply again: only the ID differs.
    State s = state;
    Object version = null;
    ReplyKey replyKey = null;
    if (!tcp && inputsVersion != null && log == null && len <= MAX_REPLY_KEY_QUERY) {
      version = inputsVersion.get();
      replyKey = new ReplyKey(in, len, source);
      CachedReply hit = s.replies.get(replyKey);
      if (hit != null && hit.version == version) {
        byte[] r = hit.bytes;
        System.arraycopy(r, 0, out, outOff, r.length);
        out[outOff] = in[0];
        out[outOff + 1] = in[1];
        int n = limiter == null ? r.length : rateLimit(in, len, source, hit.rcode, out, outOff, r.length);
        if (n < 0) {
          return -1;
        }
        rcodes[hit.rcode].increment();
        if (hit.policy != null) {
          hit.policy.answers.increment();
        }
        return n;
      }
    }
    WireQuery q = null;
    Context c = new Context();
    int n;
    try {
      q = WireQuery.parse(in, len);
      if (cookies != null && q.cookieClient != null && q.status == WireQuery.Status.OK) {
        long now = System.currentTimeMillis() / 1000;
        q.cookieVerified = q.cookieServer.length > 0 && cookies.valid(q.cookieClient, q.cookieServer, source, now);
        q.cookieOut = new byte[8 + ServerCookies.SERVER_COOKIE];
        cookies.write(q.cookieClient, source, now, q.cookieOut, 0);
      }
      n = respond(q, source, tcp, out, outOff, c);
    } catch (RuntimeException | StackOverflowError e) {
      c.rcode = Rcode.SERVFAIL;
      c.uncacheable = true;
      n = writeError(q, in, Rcode.SERVFAIL, out, outOff);
    }
    int rcode = Math.min(c.rcode, RCODES - 1);
    if (log != null) {
      logQuery(q, source, c);
    }
    // A reply carrying a server cookie is for that moment: not remembered whole.
    if (replyKey != null && n > 0 && !c.uncacheable && (c.policy == null || c.policyAnswer)
        && (q == null || q.cookieOut == null)) {
      if (s.replies.size() >= answerCacheEntries) {
        s.replies.clear();
      }
      s.replies.put(replyKey, new CachedReply(version, Arrays.copyOfRange(out, outOff, outOff + n), rcode,
          c.policyAnswer ? c.policy : null));
    }
    if (!tcp && limiter != null && n > 0 && (q == null || !q.cookieVerified)) {
      n = rateLimit(in, len, source, rcode, out, outOff, n);
      if (n < 0) {
        return -1;
      }
    }
    rcodes[rcode].increment();
    return n;
  }

  /**
   * Response-rate limiting of the UDP reply in {@code out[off, off + n)}: returns {@code n} (send it), the length of
   * the truncated reply written in its place (slip), or -1 (drop).
   */
  private int rateLimit(byte[] in, int len, InetAddress source, int rcode, byte[] out, int off, int n) {
    switch (limiter.check(in, len, source, rcode, System.nanoTime())) {
      case SEND:
        return n;
      case SLIP:
        rateLimitSlips.increment();
        return truncate(out, off, n);
      default:
        rateLimitDrops.increment();
        return -1;
    }
  }

  /** Cuts a reply down to its header and question with TC set (RFC 1035 4.1.1): "ask again over TCP". */
  private static int truncate(byte[] out, int off, int n) {
    int end = off + 12;
    if (WireQuery.u16(out, off + 4) > 0) {
      while (end < off + n && out[end] != 0) {
        end += 1 + (out[end] & 0xff);
      }
      end = Math.min(off + n, end + 5);
    }
    out[off + 2] |= 0x02;
    Arrays.fill(out, off + 6, off + 12, (byte) 0);
    return end - off;
  }

  /** Queries longer than this are not remembered whole (real ones are far shorter). */
  private static final int MAX_REPLY_KEY_QUERY = 512;

  /** What happened to a query, for counters and the log. */
  private static final class Context {
    int rcode;
    String answer = "";
    PolicyEntry policy;
    /** The reply is the policy's answer from the fast path (counted in {@code policy.answers}). */
    boolean policyAnswer;
    /** The reply must not be repeated (an internal error). */
    boolean uncacheable;
  }

  private int respond(WireQuery q, InetAddress source, boolean tcp, byte[] out, int off, Context c) {
    if (q.status == WireQuery.Status.NOTIMP) {
      c.rcode = Rcode.NOTIMP;
      return q.qnameWire == null ? writeHeaderOnly(q, Rcode.NOTIMP, out, off)
          : writeError(q, null, Rcode.NOTIMP, out, off);
    }
    if (q.status == WireQuery.Status.FORMERR) {
      c.rcode = Rcode.FORMERR;
      return writeError(q, null, Rcode.FORMERR, out, off);
    }
    int limit = tcp ? MAX_MESSAGE : q.edns ? Math.max(512, Math.min(q.ednsPayload, maxUdpPayload)) : 512;
    if (q.edns && q.ednsVersion > 0) {
      c.rcode = Rcode.BADVERS;
      return writeError(q, null, Rcode.BADVERS, out, off);
    }
    if (q.qtype == Type.OPT) {
      c.rcode = Rcode.FORMERR;
      return writeError(q, null, Rcode.FORMERR, out, off);
    }
    if (q.tsigHead != null) {
      // Signed with a key this server does not have (it has none): RFC 8945 section 5.2.2, NOTAUTH with an
      // unsigned TSIG record whose error is BADKEY.
      c.rcode = Rcode.NOTAUTH;
      c.uncacheable = true;
      return writeBadKey(q, out, off);
    }
    State s = state;
    // Fast path: the policy's own type at a policy record.
    if (q.qclass == 1) {
      PolicyEntry p = s.catalog.policyEntries().get(q.qnameKey);
      if (p != null && p.type == q.qtype) {
        Answer a = inputsVersion == null ? p.policy.evaluate(Query.of(client(q, source)))
            : cachedEvaluate(s, p, q, source);
        if (a.outcome() == Outcome.ANSWER && !a.records().isEmpty()) {
          p.answers.increment();
          c.policy = p;
          c.policyAnswer = true;
          c.rcode = Rcode.NOERROR;
          if (log != null) {
            c.answer = answerText(a);
          }
          return writePolicyAnswer(q, p, a, limit, out, off);
        }
      }
    }
    CacheKey key = new CacheKey(q.qnameKey, q.qtype, q.qclass);
    Cached cached = s.cache.get(key);
    if (cached == null) {
      Resolution r = resolve(s.catalog, q, source);
      c.policy = r.policy;
      if (r.policy == null) {
        cached = new Cached(r.message.toWire(), r.message.getRcode(), answerText(r.message));
        if (s.cache.size() >= CACHE_LIMIT) {
          s.cache.clear();
        }
        s.cache.put(key, cached);
      } else {
        c.rcode = r.message.getRcode();
        if (log != null) {
          c.answer = answerText(r.message);
        }
        return writeMessage(q, r.message, r.scope, limit, out, off);
      }
    }
    c.rcode = cached.rcode;
    c.answer = cached.answer;
    return writeCached(q, cached, limit, out, off);
  }

  /**
   * The policy's answer for the query's client, remembered per (policy record, client subnet) while the inputs
   * version is the same object: an entry made under another version is never used, so an answer computed while
   * the inputs changed cannot outlive the change.
   */
  private Answer cachedEvaluate(State s, PolicyEntry p, WireQuery q, InetAddress source) {
    Object version = inputsVersion.get();
    long hi = 0;
    long lo = 0;
    int meta;
    if (q.ecs && q.ecsSourcePrefix > 0) {
      byte[] a = q.ecsAddress;
      for (int i = 0; i < a.length; i++) {
        if (i < 8) {
          hi |= (a[i] & 0xffL) << (56 - 8 * i);
        } else {
          lo |= (a[i] & 0xffL) << (56 - 8 * (i - 8));
        }
      }
      meta = (q.ecsFamily << 8) | q.ecsSourcePrefix;
    } else {
      byte[] a = source.getAddress();
      for (int i = 0; i < a.length; i++) {
        if (i < 8) {
          hi |= (a[i] & 0xffL) << (56 - 8 * i);
        } else {
          lo |= (a[i] & 0xffL) << (56 - 8 * (i - 8));
        }
      }
      meta = ((a.length == 4 ? 1 : 2) << 8) | (a.length * 8) | 0x10000;
    }
    AnswerKey key = new AnswerKey(p, hi, lo, meta);
    CachedAnswer hit = s.answers.get(key);
    if (hit != null && hit.version == version) {
      return hit.answer;
    }
    Answer a = p.policy.evaluate(Query.of(client(q, source)));
    if (s.answers.size() >= answerCacheEntries) {
      s.answers.clear();
    }
    s.answers.put(key, new CachedAnswer(version, a));
    return a;
  }

  /** The client: the ECS subnet when present with a source prefix above 0, else the source address. */
  private static ClientSubnet client(WireQuery q, InetAddress source) {
    if (q.ecs && q.ecsSourcePrefix > 0) {
      byte[] a = new byte[q.ecsFamily == 1 ? 4 : 16];
      System.arraycopy(q.ecsAddress, 0, a, 0, q.ecsAddress.length);
      try {
        return new ClientSubnet(InetAddress.getByAddress(a), q.ecsSourcePrefix);
      } catch (UnknownHostException e) {
        throw new AssertionError(e);
      }
    }
    return ClientSubnet.of(source);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Resolution (RFC 1034 4.3.2, with RFC 4592 wildcards and RFC 2308 negative answers), rendered by dnsjava.

  /** A reply without its OPT record, and the policy that produced it (null when none: then it is cacheable). */
  private static final class Resolution {
    Message message;
    PolicyEntry policy;
    int scope;
  }

  private Resolution resolve(Catalog catalog, WireQuery q, InetAddress source) {
    Resolution r = new Resolution();
    Message m = new Message(0);
    r.message = m;
    Header h = m.getHeader();
    h.setFlag(Flags.QR);
    Name qname = wireName(q.qnameWire);
    m.addRecord(Record.newRecord(qname, q.qtype, q.qclass), Section.QUESTION);
    Catalog.ZoneData zone = q.qclass == 1 ? catalog.findZone(q.qnameKey) : null;
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
    String key = q.qnameKey;
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
        Answer a = p.policy.evaluate(Query.of(client(q, source)));
        r.policy = p;
        if (a.outcome() != Outcome.ANSWER || a.records().isEmpty()) {
          p.noData.increment();
          negative(zone, m);
          return r;
        }
        p.answers.increment();
        r.scope = Math.max(r.scope, a.ecsScope());
        CNAMERecord alias = (CNAMERecord) Record.newRecord(name, Type.CNAME, 1, a.ttl(), rdata(a.records().get(0)));
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
        Answer a = p.policy.evaluate(Query.of(client(q, source)));
        r.policy = p;
        if (a.outcome() == Outcome.ANSWER && !a.records().isEmpty()) {
          p.answers.increment();
          r.scope = Math.max(r.scope, a.ecsScope());
          for (RecordData d : a.records()) {
            m.addRecord(Record.newRecord(name, p.type, 1, a.ttl(), rdata(d)), Section.ANSWER);
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

  private static Name wireName(byte[] wire) {
    try {
      return new Name(wire);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("unreadable question name", e);
    }
  }

  private static void negative(Catalog.ZoneData zone, Message m) {
    m.addRecord(zone.negativeSoa, Section.AUTHORITY);
  }

  private static void referral(Catalog.ZoneData zone, Catalog.ZoneData.Node cut, Message m) {
    m.getHeader().unsetFlag(Flags.AA);
    RRset ns = cut.rrsets.get(Type.NS);
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

  /** The wire rdata of a policy answer's record data (cached: endpoints are few). */
  private byte[] rdata(RecordData d) {
    byte[] b = rdataCache.get(d);
    if (b == null) {
      if (d instanceof RecordData.A a) {
        b = a.address().getAddress();
      } else if (d instanceof RecordData.Aaaa a) {
        b = a.address().getAddress();
      } else {
        try {
          Record rec = Record.fromString(Name.root, Type.value(d.type().name()), 1, 0, d.presentation(), Name.root);
          byte[] wire = rec.toWire(Section.ANSWER);
          b = Arrays.copyOfRange(wire, 11, wire.length);
        } catch (java.io.IOException e) {
          throw new IllegalStateException("cannot render " + d.type() + " " + d.presentation(), e);
        }
      }
      if (rdataCache.size() > 10_000) {
        rdataCache.clear();
      }
      rdataCache.put(d, b);
    }
    return b;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Writing replies.

  private int optLength(WireQuery q) {
    return q.edns ? 11 + (q.ecs ? 8 + q.ecsAddress.length : 0) + (q.cookieOut != null ? 4 + q.cookieOut.length : 0)
        : 0;
  }

  /** Writes the OPT record (with the ECS echo) at {@code pos}; returns the new position. */
  private int writeOpt(WireQuery q, int extRcode, int scope, boolean withEcs, byte[] out, int pos) {
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
    put16(out, pos, (ecs ? 8 + q.ecsAddress.length : 0) + (cookie != null ? 4 + cookie.length : 0));
    pos += 2;
    if (cookie != null) {
      put16(out, pos, ServerCookies.OPTION_COOKIE);
      put16(out, pos + 2, cookie.length);
      System.arraycopy(cookie, 0, out, pos + 4, cookie.length);
      pos += 4 + cookie.length;
    }
    if (ecs) {
      put16(out, pos, WireQuery.OPTION_ECS);
      put16(out, pos + 2, 4 + q.ecsAddress.length);
      put16(out, pos + 4, q.ecsFamily);
      out[pos + 6] = (byte) q.ecsSourcePrefix;
      int max = q.ecsFamily == 1 ? 32 : 128;
      out[pos + 7] = (byte) (q.ecsSourcePrefix == 0 ? 0 : Math.min(scope, max));
      System.arraycopy(q.ecsAddress, 0, out, pos + 8, q.ecsAddress.length);
      pos += 8 + q.ecsAddress.length;
    }
    return pos;
  }

  /** Header (ID, QR, AA, RD copied, rcode) and the question as sent; returns the position after it. */
  private static int writeHeaderAndQuestion(WireQuery q, int rcode, boolean aa, byte[] out, int off) {
    put16(out, off, q.id);
    out[off + 2] = (byte) (0x80 | (q.opcode() << 3) | (aa ? 0x04 : 0) | (q.rd() ? 0x01 : 0));
    out[off + 3] = (byte) ((rcode & 0xf) | (q.cd() ? 0x10 : 0));
    Arrays.fill(out, off + 4, off + 12, (byte) 0);
    int pos = off + 12;
    if (q.qnameWire != null) {
      out[off + 5] = 1;
      System.arraycopy(q.qnameWire, 0, out, pos, q.qnameWire.length);
      pos += q.qnameWire.length;
      put16(out, pos, q.qtype);
      put16(out, pos + 2, q.qclass);
      pos += 4;
    }
    return pos;
  }

  private int writePolicyAnswer(WireQuery q, PolicyEntry p, Answer a, int limit, byte[] out, int off) {
    int pos = writeHeaderAndQuestion(q, Rcode.NOERROR, true, out, off);
    int afterQuestion = pos;
    int room = limit - optLength(q);
    int count = 0;
    long ttl = a.ttl();
    for (RecordData d : a.records()) {
      byte[] rd = rdata(d);
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

  private int writeCached(WireQuery q, Cached cached, int limit, byte[] out, int off) {
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
    System.arraycopy(q.qnameWire, 0, out, off + 12, q.qnameWire.length);
    int pos = off + body.length;
    if (q.edns) {
      pos = writeOpt(q, 0, 0, true, out, pos);
      put16(out, off + 10, WireQuery.u16(out, off + 10) + 1);
    }
    return pos - off;
  }

  /** Renders a dnsjava reply (truncating to fit: TC set), then appends the OPT record. */
  private int writeMessage(WireQuery q, Message m, int scope, int limit, byte[] out, int off) {
    byte[] wire = m.toWire(limit - optLength(q));
    System.arraycopy(wire, 0, out, off, wire.length);
    finishHeader(q, out, off);
    System.arraycopy(q.qnameWire, 0, out, off + 12, q.qnameWire.length);
    int pos = off + wire.length;
    if (q.edns) {
      pos = writeOpt(q, 0, scope, true, out, pos);
      put16(out, off + 10, WireQuery.u16(out, off + 10) + 1);
    }
    return pos - off;
  }

  private static void finishHeader(WireQuery q, byte[] out, int off) {
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

  private int writeHeaderOnly(WireQuery q, int rcode, byte[] out, int off) {
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
  private int writeError(WireQuery q, byte[] in, int rcode, byte[] out, int off) {
    if (q == null) {
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
  private int writeBadKey(WireQuery q, byte[] out, int off) {
    int pos = writeError(q, null, Rcode.NOTAUTH, out, off);
    byte[] head = q.tsigHead;
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
  private static int nameLength(byte[] b) {
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

  private static void put32(byte[] b, int off, long v) {
    b[off] = (byte) (v >> 24);
    b[off + 1] = (byte) (v >> 16);
    b[off + 2] = (byte) (v >> 8);
    b[off + 3] = (byte) v;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Query log.

  private void logQuery(WireQuery q, InetAddress source, Context c) {
    try {
      String name = q == null || q.qnameWire == null ? "-" : wireName(q.qnameWire).toString();
      String type = q == null || q.qnameWire == null ? "-" : Type.string(q.qtype);
      Optional<String> ecs = Optional.empty();
      if (q != null && q.ecs) {
        byte[] a = new byte[q.ecsFamily == 1 ? 4 : 16];
        System.arraycopy(q.ecsAddress, 0, a, 0, q.ecsAddress.length);
        ecs = Optional.of(InetAddresses.toAddrString(InetAddress.getByAddress(a)) + "/" + q.ecsSourcePrefix);
      }
      Optional<String> policy = c.policy == null ? Optional.empty()
          : Optional.of(c.policy.policy.binding().policyId() + " v" + c.policy.policy.binding().policyVersion());
      log.log(new QueryLogEntry(InetAddresses.toAddrString(source), ecs, name, type, Rcode.string(c.rcode),
          c.answer, policy));
    } catch (RuntimeException | UnknownHostException e) {
      // A broken log must not break serving.
    }
  }

  private static String answerText(Answer a) {
    List<String> parts = new ArrayList<>();
    for (RecordData d : a.records()) {
      parts.add(d.presentation());
    }
    return String.join(" ", parts);
  }

  private static String answerText(Message m) {
    List<String> parts = new ArrayList<>();
    for (Record r : m.getSection(Section.ANSWER)) {
      parts.add(Type.string(r.getType()) + " " + r.rdataToString());
    }
    return String.join(" ", parts);
  }

  // ---------------------------------------------------------------------------------------------------------

  /** The catalog with its reply cache (replaced together). */
  private static final class State {
    final Catalog catalog;
    final Map<CacheKey, Cached> cache = new ConcurrentHashMap<>();
    final Map<AnswerKey, CachedAnswer> answers = new ConcurrentHashMap<>();
    final Map<ReplyKey, CachedReply> replies = new ConcurrentHashMap<>();

    State(Catalog catalog) {
      this.catalog = catalog;
    }
  }

  /** A question: name key, type, class. (Hand-written equals/hashCode: this is on every static query's path.) */
  private static final class CacheKey {
    private final String name;
    private final int typeAndClass;
    private final int hash;

    CacheKey(String name, int type, int dclass) {
      this.name = name;
      this.typeAndClass = (type << 16) | dclass;
      this.hash = name.hashCode() * 31 + typeAndClass;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey k && k.hash == hash && k.typeAndClass == typeAndClass && k.name.equals(name);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A client of a policy record: address bits, family, prefix, and whether it came from ECS. */
  private static final class AnswerKey {
    private final PolicyEntry policy;
    private final long hi;
    private final long lo;
    private final int meta;
    private final int hash;

    AnswerKey(PolicyEntry policy, long hi, long lo, int meta) {
      this.policy = policy;
      this.hi = hi;
      this.lo = lo;
      this.meta = meta;
      long h = hi * 0x9E3779B97F4A7C15L + lo * 0xC2B2AE3D27D4EB4FL + meta;
      this.hash = (int) (h ^ (h >>> 32)) + System.identityHashCode(policy);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AnswerKey k && k.hi == hi && k.lo == lo && k.meta == meta && k.policy == policy;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A UDP query's bytes after the ID, and the address it came from. */
  private static final class ReplyKey {
    private final byte[] bytes;
    private final int hash;

    ReplyKey(byte[] query, int len, InetAddress source) {
      byte[] address = source.getAddress();
      byte[] b = new byte[len - 2 + address.length];
      System.arraycopy(query, 2, b, 0, len - 2);
      System.arraycopy(address, 0, b, len - 2, address.length);
      this.bytes = b;
      this.hash = Arrays.hashCode(b);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ReplyKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * A whole UDP reply (with the ID of the query that made it), the inputs version it was made under, its rcode
   * and the policy record whose answer it is (null: a reply from the zones).
   */
  private record CachedReply(Object version, byte[] bytes, int rcode, PolicyEntry policy) {}

  /** A policy answer and the inputs version it was computed under. */
  private record CachedAnswer(Object version, Answer answer) {}

  /** A rendered static reply (ID 0, RD clear, no OPT). */
  private record Cached(byte[] wire, int rcode, String answer) {}

  /** Builds a {@link QueryHandler}. */
  public static final class Builder {
    private final Catalog catalog;
    private int maxUdpPayload = 1232;
    private QueryLog queryLog;
    private Supplier<?> inputsVersion;
    private int answerCacheEntries;
    private RateLimiter limiter;
    private byte[] cookieSecret;
    private boolean cookiesOff;

    private Builder(Catalog catalog) {
      this.catalog = checkNotNull(catalog, "catalog");
    }

    /**
     * The largest UDP reply, whatever the client advertises (default 1,232, the DNS Flag Day 2020 value); also
     * the payload size this server advertises in its OPT record. At most {@value #MAX_UDP_PAYLOAD}: a bigger
     * reply to a spoofed source would make the server an amplifier, and fragments are lost on many paths.
     */
    public Builder maxUdpPayload(int bytes) {
      checkArgument(bytes >= 512 && bytes <= MAX_UDP_PAYLOAD, "maxUdpPayload must be in [512, %s] but was %s",
          MAX_UDP_PAYLOAD, bytes);
      this.maxUdpPayload = bytes;
      return this;
    }

    /**
     * Response-rate limiting over UDP ({@link RateLimiter}): at most {@code responsesPerSecond} identical responses
     * per second to one client network (source address cut to {@code ipv4Prefix} / {@code ipv6Prefix} bits);
     * over that, every {@code slip}-th response is sent truncated (TC) and the others are dropped ({@code slip} 0:
     * all dropped). Default: off. TCP is never limited.
     */
    public Builder rateLimit(int responsesPerSecond, int slip, int ipv4Prefix, int ipv6Prefix) {
      this.limiter = new RateLimiter(responsesPerSecond, slip, ipv4Prefix, ipv6Prefix);
      return this;
    }

    /**
     * The 16-byte secret of DNS server cookies (RFC 7873, RFC 9018), shared by the servers of one address (anycast)
     * so that each accepts the others' cookies. Default: a random secret per handler. Cookies are on by default: a
     * query with a COOKIE option gets the client cookie and a server cookie back, and a client that returns a
     * valid server cookie is not rate-limited (it cannot be a spoofed source).
     */
    public Builder cookieSecret(byte[] secret) {
      checkNotNull(secret, "secret");
      checkArgument(secret.length == 16, "the cookie secret must be 16 bytes but was %s", secret.length);
      this.cookieSecret = secret.clone();
      this.cookiesOff = false;
      return this;
    }

    /** Turns DNS cookies off: COOKIE options are ignored (still checked for form). */
    public Builder noCookies() {
      this.cookiesOff = true;
      return this;
    }

    /** Logs every query (default: no log, and no cost). */
    public Builder queryLog(QueryLog queryLog) {
      this.queryLog = checkNotNull(queryLog, "queryLog");
      return this;
    }

    /**
     * Remembers policy answers per (policy record, client subnet) for as long as {@code inputsVersion} returns the
     * same object (compared by identity), at most {@code maxEntries} of them (the cache is emptied when full).
     * Evaluation is a pure function of the client and the evaluator's inputs, so this is exact when every input
     * that can change while serving changes only together with that object: for example a
     * {@link io.github.trafficpolicy.engine.HealthRegistry}'s current snapshot, with a geo database and latency
     * table that stay the same. Default: no answer cache (every query is evaluated).
     *
     * <p>With the answer cache on and no query log, whole UDP replies are remembered too, by the query's bytes
     * after its ID and the address it came from, under the same version (also at most {@code maxEntries}): a
     * question asked again is answered by copying the reply and patching the ID. Replies to internal errors, and
     * replies that a policy shaped other than through its own record type, are not remembered.
     */
    public Builder answerCache(Supplier<?> inputsVersion, int maxEntries) {
      checkNotNull(inputsVersion, "inputsVersion");
      checkArgument(maxEntries >= 1, "maxEntries must be at least 1 but was %s", maxEntries);
      this.inputsVersion = inputsVersion;
      this.answerCacheEntries = maxEntries;
      return this;
    }

    /** The handler. */
    public QueryHandler build() {
      return new QueryHandler(this);
    }
  }
}
