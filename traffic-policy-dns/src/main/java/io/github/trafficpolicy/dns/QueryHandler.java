package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.engine.AnswerBuffer;
import io.github.trafficpolicy.engine.Outcome;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.Message;
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
 * <p>Static replies are rendered once by dnsjava and kept in a bounded table ({@link StaticReplies}); policy
 * answers are evaluated per query ({@link io.github.trafficpolicy.engine.CompiledPolicy#evaluate(byte[], int,
 * io.github.trafficpolicy.engine.AnswerBuffer)}) and written straight to the wire; so is a CNAME policy record's
 * answer to another type when the CNAME leaves the zone (one into the zone is walked on by dnsjava). Nothing is
 * cached per client: the query is read into a per-thread {@link WireQuery}, the policy record found by its wire
 * name, the client's address copied into per-thread arrays, so that answering a policy or static question allocates
 * nothing in the steady state (except for a CNAME policy answer into the zone, queries with DNS cookies or TSIG, and
 * with a query log). A reply is never produced for input shorter than a header or for a message with QR set; any
 * other input gets a reply, and nothing thrown escapes.
 */
public final class QueryHandler {
  /** Replies never exceed this over TCP. */
  static final int MAX_MESSAGE = 65_535;
  /** The largest {@link Builder#maxUdpPayload} allowed. */
  public static final int MAX_UDP_PAYLOAD = 4096;
  /** The {@link Builder#maxUdpPayload} above which replies risk IP fragmentation (DNS Flag Day 2020). */
  public static final int SAFE_UDP_PAYLOAD = 1232;
  /** Query types counted separately (metrics); every other type is counted as "other". */
  static final int[] TYPES = {Type.A, Type.AAAA, Type.CNAME, Type.MX, Type.TXT, Type.NS, Type.SOA, Type.PTR,
      Type.SRV, Type.CAA, Type.HTTPS, Type.SVCB, Type.DS, Type.DNSKEY, Type.ANY};
  private static final long ERROR_LOG_INTERVAL = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QueryHandler.class);

  /** The default bound of the static reply table ({@link Builder#staticReplies}). */
  public static final int DEFAULT_STATIC_REPLIES = 65_536;
  private static final int RCODES = 24;

  private volatile State state;
  private final int maxUdpPayload;
  private final @Nullable QueryLog log;
  private final LongAdder queries = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder[] rcodes = new LongAdder[RCODES];
  /** Per policy record name, for as long as the handler lives: [answers, noData]. */
  private final Map<String, LongAdder[]> recordCounters = new ConcurrentHashMap<>();
  private final List<Consumer<String>> newRecordListeners = new CopyOnWriteArrayList<>();
  /**
   * Answers per (policy, endpoint), for as long as the handler lives: shared by every record and version of the
   * policy, so the number of counters is bounded by the policies' endpoints, never by names or clients.
   */
  private final Map<String, Map<EndpointId, LongAdder>> endpointCounters = new ConcurrentHashMap<>();
  private final List<java.util.function.BiConsumer<String, EndpointId>> newEndpointListeners =
      new CopyOnWriteArrayList<>();
  private final ZoneResolver resolver;
  private final ReplyWriter writer;
  /** The wire data of policy answers, shared by the resolver and the writer. */
  private final RdataCache rdata;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  private final int staticReplies;
  /** Null when DNS cookies are off. */
  private final @Nullable ServerCookies cookies;
  /** Null when responses are not rate-limited. */
  private final @Nullable RateLimiter limiter;
  private final LongAdder rateLimitDrops = new LongAdder();
  /** Queries by type ({@link #TYPES}, the last slot: any other type), and by transport (0 UDP, 1 TCP). */
  private final LongAdder[] byType = adders(TYPES.length + 1);
  private final LongAdder[] byTransport = adders(2);
  private final LongAdder truncated = new LongAdder();
  private final LongAdder staticHits = new LongAdder();
  private final LongAdder staticMisses = new LongAdder();
  private final LongAdder internalErrors = new LongAdder();
  /** When an internal error was last logged (nanoTime), to log at most one a minute. */
  private final java.util.concurrent.atomic.AtomicLong lastErrorLog = new java.util.concurrent.atomic.AtomicLong(
      System.nanoTime() - ERROR_LOG_INTERVAL);
  private final LongAdder rateLimitSlips = new LongAdder();

  private QueryHandler(Builder b) {
    adopt(b.catalog);
    this.staticReplies = b.staticReplies;
    this.state = new State(b.catalog, staticReplies);
    this.maxUdpPayload = b.maxUdpPayload;
    this.rdata = new RdataCache();
    this.resolver = new ZoneResolver(rdata);
    this.writer = new ReplyWriter(maxUdpPayload, rdata);
    this.log = b.queryLog;
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
    this.state = new State(catalog, staticReplies);
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
      String policyId = e.policy.binding().policyId();
      Map<EndpointId, LongAdder> byEndpoint = endpointCounters.computeIfAbsent(policyId,
          k -> new ConcurrentHashMap<>());
      for (EndpointId endpoint : e.policy.document().endpoints().keySet()) {
        if (byEndpoint.putIfAbsent(endpoint, new LongAdder()) == null) {
          newEndpointListeners.forEach(l -> l.accept(policyId, endpoint));
        }
      }
      e.endpointAnswers = byEndpoint;
    }
  }

  /**
   * Every (policy, endpoint) counted so far, and from now on calls {@code listener} with each new one as a catalog
   * brings it; for metrics binders. Not on the query path.
   */
  Map<String, Set<EndpointId>> policyEndpoints(java.util.function.BiConsumer<String, EndpointId> listener) {
    newEndpointListeners.add(listener);
    Map<String, Set<EndpointId>> known = new LinkedHashMap<>();
    endpointCounters.forEach((policy, m) -> known.put(policy, ImmutableSet.copyOf(m.keySet())));
    return known;
  }

  /** Answers that included endpoint {@code endpoint} of policy {@code policyId} (0 if never served). */
  long endpointAnswers(String policyId, EndpointId endpoint) {
    Map<EndpointId, LongAdder> m = endpointCounters.get(policyId);
    LongAdder c = m == null ? null : m.get(endpoint);
    return c == null ? 0 : c.sum();
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

  /** Entries in the current catalog's static reply table. */
  long cacheSize() {
    return state.statics.size();
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
    byte[] out = scratch.get().out();
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
    Scratch x = scratch.get();
    WireQuery q = null;
    Context c = x.context.reset();
    int n;
    try {
      q = x.query.read(in, len);
      if (cookies != null && q.cookieClient != null && q.status == WireQuery.Status.OK) {
        long now = System.currentTimeMillis() / 1000;
        byte[] server = q.cookieServer;
        q.cookieVerified = server != null && server.length > 0 && cookies.valid(q.cookieClient, server, source, now);
        q.cookieOut = new byte[8 + ServerCookies.SERVER_COOKIE];
        cookies.write(q.cookieClient, source, now, q.cookieOut, 0);
      }
      n = respond(q, source, tcp, out, outOff, c, x);
    } catch (RuntimeException | StackOverflowError e) {
      c.rcode = Rcode.SERVFAIL;
      internalError(q, e);
      n = writer.writeError(q, in, Rcode.SERVFAIL, out, outOff);
    }
    if (q != null && q.hasQuestion) {
      byType[typeSlot(q.qtype)].increment();
    }
    byTransport[tcp ? 1 : 0].increment();
    if (n >= 12 && (out[outOff + 2] & 0x02) != 0) {
      truncated.increment();
    }
    int rcode = Math.min(c.rcode, RCODES - 1);
    if (log != null) {
      logQuery(q, source, c);
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
   * Counts an internal error (answered SERVFAIL) and logs it with its stack trace, at most once a minute (with how
   * many happened since): a bug must be visible, but a query that triggers it must not flood the log.
   */
  private void internalError(@Nullable WireQuery q, Throwable e) {
    internalErrors.increment();
    long now = System.nanoTime();
    long last = lastErrorLog.get();
    if (now - last >= ERROR_LOG_INTERVAL && lastErrorLog.compareAndSet(last, now)) {
      String question = q == null || !q.hasQuestion ? "an unreadable question"
          : ZoneResolver.wireName(q) + " " + Type.string(q.qtype);
      LOG.error("internal error answering {} (answered SERVFAIL; {} internal errors since the start, logged at most "
          + "once a minute)", question, internalErrors.sum(), e);
    }
  }

  private static int typeSlot(int qtype) {
    for (int i = 0; i < TYPES.length; i++) {
      if (TYPES[i] == qtype) {
        return i;
      }
    }
    return TYPES.length;
  }

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /** Queries of type {@code TYPES[slot]} ({@code slot == TYPES.length}: every other type). */
  long typeCount(int slot) {
    return byType[slot].sum();
  }

  /** Queries over TCP ({@code true}) or UDP. */
  long transportCount(boolean tcp) {
    return byTransport[tcp ? 1 : 0].sum();
  }

  /** Replies sent with TC set (too large for the transport, or slipped by rate limiting). */
  long truncatedCount() {
    return truncated.sum();
  }

  /** Static questions answered from the static reply table, and rendered afresh. */
  long staticHits() {
    return staticHits.sum();
  }

  long staticMisses() {
    return staticMisses.sum();
  }

  /** Queries answered SERVFAIL because of an internal error (a bug: each is also logged, at most one a minute). */
  long internalErrors() {
    return internalErrors.sum();
  }

  /**
   * Response-rate limiting of the UDP reply in {@code out[off, off + n)}: returns {@code n} (send it), the length of
   * the truncated reply written in its place (slip), or -1 (drop).
   */
  private int rateLimit(byte[] in, int len, InetAddress source, int rcode, byte[] out, int off, int n) {
    switch (checkNotNull(limiter).check(in, len, source, rcode, System.nanoTime())) {
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

  /** What happened to a query, for counters and the log. */
  private static final class Context {
    int rcode;
    String answer = "";
    @Nullable PolicyEntry policy;

    Context reset() {
      rcode = 0;
      answer = "";
      policy = null;
      return this;
    }
  }

  /** What one thread reuses for every query: the parsed query, the answer, the client's address, a reply buffer. */
  private static final class Scratch {
    final WireQuery query = new WireQuery();
    final Context context = new Context();
    final AnswerBuffer answer = new AnswerBuffer();
    final byte[] v4 = new byte[4];
    final byte[] v6 = new byte[16];
    /**
     * Source addresses seen lately and their bytes (an InetAddress copies them on every call), direct-mapped by
     * identity: the transports reuse one address object per sender.
     */
    private final InetAddress[] sources = new InetAddress[256];
    private final byte[][] sourceBytes = new byte[256][];
    private byte @Nullable [] out;

    /** A reply buffer for {@link QueryHandler#handle(byte[], InetAddress, Transport)}. */
    byte[] out() {
      if (out == null) {
        out = new byte[MAX_MESSAGE + 2];
      }
      return out;
    }

    /**
     * The client's address for the engine: the ECS address (zero-padded to 4 or 16 bytes) when the query has one
     * with a source prefix above 0, else the source address. {@link #clientPrefix} gives its prefix length.
     */
    @SuppressWarnings("ReferenceEquality") // an identity cache: the address object a socket gave last, per slot
    byte[] client(WireQuery q, InetAddress from) {
      if (q.ecs && q.ecsSourcePrefix > 0) {
        byte[] a = q.ecsFamily == 1 ? v4 : v6;
        System.arraycopy(q.ecsAddress, 0, a, 0, q.ecsLength);
        Arrays.fill(a, q.ecsLength, a.length, (byte) 0);
        return a;
      }
      int slot = System.identityHashCode(from) & 255;
      if (sources[slot] != from) {
        sourceBytes[slot] = from.getAddress();
        sources[slot] = from;
      }
      return sourceBytes[slot];
    }

    static int clientPrefix(WireQuery q, byte[] client) {
      return q.ecs && q.ecsSourcePrefix > 0 ? q.ecsSourcePrefix : client.length * 8;
    }
  }

  private int respond(WireQuery q, InetAddress source, boolean tcp, byte[] out, int off, Context c, Scratch x) {
    if (q.status == WireQuery.Status.NOTIMP) {
      c.rcode = Rcode.NOTIMP;
      return !q.hasQuestion ? writer.writeHeaderOnly(q, Rcode.NOTIMP, out, off)
          : writer.writeError(q, null, Rcode.NOTIMP, out, off);
    }
    if (q.status == WireQuery.Status.FORMERR) {
      c.rcode = Rcode.FORMERR;
      return writer.writeError(q, null, Rcode.FORMERR, out, off);
    }
    int limit = tcp ? MAX_MESSAGE : q.edns ? Math.max(512, Math.min(q.ednsPayload, maxUdpPayload)) : 512;
    if (q.edns && q.ednsVersion > 0) {
      c.rcode = Rcode.BADVERS;
      return writer.writeError(q, null, Rcode.BADVERS, out, off);
    }
    if (q.qtype == Type.OPT) {
      c.rcode = Rcode.FORMERR;
      return writer.writeError(q, null, Rcode.FORMERR, out, off);
    }
    if (q.tsigHead != null) {
      // Signed with a key this server does not have (it has none): RFC 8945 section 5.2.2, NOTAUTH with an
      // unsigned TSIG record whose error is BADKEY.
      c.rcode = Rcode.NOTAUTH;
      return writer.writeBadKey(q, out, off);
    }
    State s = state;
    // Fast path: the policy's own type at a policy record; or any data type at a CNAME policy record whose answer
    // leaves the zone, so that the reply is that CNAME alone (RFC 1034 4.3.2: the walk stops outside the zone). A
    // CNAME into the zone goes to the resolver, which evaluates again (the same answer) and walks on.
    if (q.qclass == 1) {
      PolicyEntry p = s.policies.get(q);
      boolean alias = p != null && p.type == Type.CNAME && aliasesType(q.qtype);
      if (p != null && (p.type == q.qtype || alias)) {
        AnswerBuffer a = x.answer;
        byte[] client = x.client(q, source);
        p.policy.evaluate(client, Scratch.clientPrefix(q, client), a);
        if (a.outcome() == Outcome.ANSWER && a.recordCount() > 0
            && (!alias || (a.recordCount() == 1 && !p.inZone(rdata.get(a.record(0)))))) {
          p.answers.increment();
          for (int i = 0; i < a.endpointCount(); i++) {
            LongAdder e = p.endpointAnswers.get(a.endpoint(i));
            if (e != null) {
              e.increment();
            }
          }
          c.policy = p;
          c.rcode = Rcode.NOERROR;
          if (log != null) {
            c.answer = answerText(a);
          }
          return writer.writePolicyAnswer(q, p, a, limit, out, off);
        }
      }
    }
    StaticReplies.Entry cached = s.statics.get(q);
    if (cached != null) {
      staticHits.increment();
    } else {
      staticMisses.increment();
      byte[] client = x.client(q, source);
      ZoneResolver.Resolution r = resolver.resolve(s.catalog, q, client, Scratch.clientPrefix(q, client), x.answer);
      c.policy = r.policy;
      Message message = r.message;
      if (r.policy == null) {
        cached = new StaticReplies.Entry(q, message.toWire(), message.getRcode(),
            log == null ? "" : answerText(message));
        s.statics.put(cached);
      } else {
        c.rcode = message.getRcode();
        if (log != null) {
          c.answer = answerText(message);
        }
        return writer.writeMessage(q, r.message, r.scope, limit, out, off);
      }
    }
    c.rcode = cached.rcode;
    c.answer = cached.answer;
    return writer.writeCached(q, cached, limit, out, off);
  }

  /**
   * The question types a CNAME policy record answers with its CNAME before the walk goes on, as {@link ZoneResolver}
   * does: every type but CNAME and ANY (the record alone) and those it answers REFUSED or NOTIMP.
   */
  private static boolean aliasesType(int qtype) {
    return qtype != Type.CNAME && qtype != Type.ANY && qtype != Type.AXFR && qtype != Type.IXFR
        && qtype != Type.MAILA && qtype != Type.MAILB;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Query log.

  private void logQuery(@Nullable WireQuery q, InetAddress source, Context c) {
    try {
      String name = q == null || !q.hasQuestion ? "-" : ZoneResolver.wireName(q).toString();
      String type = q == null || !q.hasQuestion ? "-" : Type.string(q.qtype);
      Optional<String> ecs = Optional.empty();
      if (q != null && q.ecs) {
        byte[] a = new byte[q.ecsFamily == 1 ? 4 : 16];
        System.arraycopy(q.ecsAddress, 0, a, 0, q.ecsLength);
        ecs = Optional.of(InetAddresses.toAddrString(InetAddress.getByAddress(a)) + "/" + q.ecsSourcePrefix);
      }
      Optional<String> policy = c.policy == null ? Optional.empty()
          : Optional.of(c.policy.policy.binding().policyId() + " v" + c.policy.policy.binding().policyVersion());
      checkNotNull(log).log(new QueryLogEntry(InetAddresses.toAddrString(source), ecs, name, type,
          Rcode.string(c.rcode), c.answer, policy));
    } catch (RuntimeException | UnknownHostException e) {
      // A broken log must not break serving.
    }
  }

  private static String answerText(AnswerBuffer a) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < a.recordCount(); i++) {
      parts.add(a.record(i).presentation());
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

  /** The catalog with its policy-record table and static reply table (replaced together). */
  private static final class State {
    final Catalog catalog;
    final NameTable<PolicyEntry> policies;
    final StaticReplies statics;

    State(Catalog catalog, int staticReplies) {
      this.catalog = catalog;
      List<Map.Entry<byte[], PolicyEntry>> byName = new ArrayList<>();
      for (PolicyEntry e : catalog.policyEntries().values()) {
        byName.add(Map.entry(e.name.toWireCanonical(), e));
      }
      this.policies = new NameTable<>(byName);
      this.statics = new StaticReplies(staticReplies);
    }
  }

  /** Builds a {@link QueryHandler}. */
  public static final class Builder {
    private final Catalog catalog;
    private int maxUdpPayload = 1232;
    private @Nullable QueryLog queryLog;
    private int staticReplies = DEFAULT_STATIC_REPLIES;
    private @Nullable RateLimiter limiter;
    private byte @Nullable [] cookieSecret;
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
     * The number of rendered static replies kept per catalog (default {@value #DEFAULT_STATIC_REPLIES}, rounded up
     * to a power of two): replies to questions whose answer does not depend on the client (zone data, referrals,
     * NXDOMAIN and NODATA). A question not kept is answered by rendering its reply again; when the table is full a
     * new reply evicts one entry of its bucket, never the whole table. A filled entry costs about 100 bytes plus
     * the reply's size. Policy answers are not kept: they are evaluated per query, which allocates nothing.
     */
    public Builder staticReplies(int entries) {
      checkArgument(entries >= 1 && entries <= 1 << 24, "staticReplies must be in [1, 2^24] but was %s", entries);
      this.staticReplies = entries;
      return this;
    }

    /** The handler. */
    public QueryHandler build() {
      return new QueryHandler(this);
    }
  }
}
