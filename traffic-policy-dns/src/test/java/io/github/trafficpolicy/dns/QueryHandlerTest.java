package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.ecs;
import static io.github.trafficpolicy.dns.Dns.ecsOf;
import static io.github.trafficpolicy.dns.Dns.ip;
import static io.github.trafficpolicy.dns.Dns.parse;
import static io.github.trafficpolicy.dns.Dns.query;
import static io.github.trafficpolicy.dns.Dns.withEdns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.engine.AnswerBuffer;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.Type;

final class QueryHandlerTest {
  private static final InetAddress RESOLVER = ip("203.0.113.7");

  private FakePolicy www;
  private FakePolicy empty;
  private QueryHandler handler;
  private final List<QueryLogEntry> logged = new ArrayList<>();

  @BeforeEach
  void setUp() {
    www = new FakePolicy("www.example.com", RecordType.A, 60, q -> q.client().toString().startsWith("192.0.2.")
        ? new FakePolicy.Reply(List.of("198.51.100.1"), 24)
        : new FakePolicy.Reply(List.of("198.51.100.2"), 16));
    empty = new FakePolicy("nodata.example.com", RecordType.A, 60, q -> new FakePolicy.Reply(List.of(), 0));
    Catalog catalog = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(www)
        .policyRecord(empty).build();
    handler = QueryHandler.builder(catalog).queryLog(logged::add).build();
  }

  private byte[] raw(byte[] query, Transport t) {
    return handler.handle(query, RESOLVER, t).orElseThrow(() -> new AssertionError("no reply"));
  }

  private Message ask(Message query) {
    return parse(raw(query.toWire(), Transport.UDP));
  }

  private Message ask(Message query, Transport t) {
    return parse(raw(query.toWire(), t));
  }

  private static List<String> answers(Message m) {
    List<String> out = new ArrayList<>();
    for (Record r : m.getSection(Section.ANSWER)) {
      out.add(r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString());
    }
    return out;
  }

  // ---- header flags ----------------------------------------------------------------------------------------

  @Test
  void handle_staticName_setsAaClearsRaCopiesIdAndRd() {
    Message q = query("static.example.com.", Type.A);
    q.getHeader().setFlag(Flags.RD);
    Message r = ask(q);
    assertThat(r.getHeader().getID()).isEqualTo(q.getHeader().getID());
    assertThat(r.getHeader().getFlag(Flags.QR)).isTrue();
    assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(r.getHeader().getFlag(Flags.RA)).isFalse();
    assertThat(r.getHeader().getFlag(Flags.RD)).isTrue();
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answers(r)).containsExactly("static.example.com. A 192.0.2.80");
  }

  @Test
  void handle_rdClear_replyRdClear() {
    Message q = query("static.example.com.", Type.A);
    q.getHeader().unsetFlag(Flags.RD);
    assertThat(ask(q).getHeader().getFlag(Flags.RD)).isFalse();
  }

  @Test
  void handle_cachedReplyTwice_sameAnswerWithEachId() {
    Message q1 = query("static.example.com.", Type.A);
    Message q2 = query("static.example.com.", Type.A);
    Message r1 = ask(q1);
    Message r2 = ask(q2);
    assertThat(r2.getHeader().getID()).isEqualTo(q2.getHeader().getID());
    assertThat(answers(r2)).isEqualTo(answers(r1));
  }

  @ParameterizedTest(name = "{0} {1}, CD {2}")
  @CsvSource({
      "static.example.com., A, true", "static.example.com., A, false", "www.example.com., A, true",
      "www.example.com., A, false", "missing.example.com., A, true", "www.example.org., A, true"})
  void handle_cdBit_copiedToTheReply(String name, String type, boolean cd) {
    // The second static reply comes from the static reply table (of one bucket here).
    QueryHandler cached = QueryHandler.builder(handler.catalog()).staticReplies(1).build();
    for (QueryHandler h : List.of(handler, cached)) {
      for (int round = 0; round < 2; round++) {
        Message q = query(name, Type.value(type));
        if (cd) {
          q.getHeader().setFlag(Flags.CD);
        }
        Message r = parse(h.handle(q.toWire(), RESOLVER, Transport.UDP).orElseThrow());
        assertThat(r.getHeader().getFlag(Flags.CD)).as("round %s", round).isEqualTo(cd);
      }
    }
  }

  @Test
  void handle_formerrWithCd_cdCopied() {
    byte[] bad = query("static.example.com.", Type.A).toWire();
    bad[3] |= 0x10;
    bad[5] = 2;   // QDCOUNT 2 with one question: FORMERR
    Message r = parse(raw(bad, Transport.UDP));
    assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
    assertThat(r.getHeader().getFlag(Flags.CD)).isTrue();
  }

  @Test
  void handle_tsigSignedQuery_notauthWithUnsignedBadKeyTsig() throws Exception {
    Message q = withEdns(query("www.example.com.", Type.A), 1232);
    TSIG key = new TSIG(TSIG.HMAC_SHA256, "transfer-key.example.", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=");
    key.apply(q, null);
    Message r = parse(raw(q.toWire(), Transport.UDP));
    assertThat(r.getHeader().getRcode()).isEqualTo(Rcode.NOTAUTH);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getOPT()).as("OPT kept").isNotNull();
    TSIGRecord t = r.getTSIG();
    assertThat(t).isNotNull();
    assertThat(t.getName()).isEqualTo(Name.fromString("transfer-key.example."));
    assertThat(t.getAlgorithm()).isEqualTo(TSIG.HMAC_SHA256);
    assertThat(t.getError()).isEqualTo(Rcode.BADKEY);
    assertThat(t.getSignature()).isEmpty();
    assertThat(t.getOriginalID()).isEqualTo(q.getHeader().getID());
    assertThat(t.getTTL()).isZero();
    // What a client with the key sees: the reply is not signed.
    assertThat(key.verify(r, raw(q.toWire(), Transport.UDP), q.getTSIG())).isNotEqualTo(Rcode.NOERROR);
  }

  @Test
  void handle_tsigNotLast_formerr() throws Exception {
    Message q = query("www.example.com.", Type.A);
    new TSIG(TSIG.HMAC_SHA256, "k.example.", "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=").apply(q, null);
    byte[] signed = q.toWire();
    // An OPT record after the TSIG record: append it and count it.
    byte[] opt = {0, 0, 41, 4, (byte) 0xd0, 0, 0, 0, 0, 0, 0};
    byte[] wire = Arrays.copyOf(signed, signed.length + opt.length);
    System.arraycopy(opt, 0, wire, signed.length, opt.length);
    wire[11]++;
    Message r = parse(raw(wire, Transport.UDP));
    assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
  }

  // ---- REFUSED, NXDOMAIN, NODATA ---------------------------------------------------------------------------

  @Test
  void handle_nameOutsideEveryZone_refusedWithoutAa() {
    Message r = ask(query("www.example.org.", Type.A));
    assertThat(r.getRcode()).isEqualTo(Rcode.REFUSED);
    assertThat(r.getHeader().getFlag(Flags.AA)).isFalse();
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void handle_classChaos_refused() {
    Message q = Message.newQuery(Record.newRecord(Name.fromConstantString("version.bind."), Type.TXT, 3));
    assertThat(ask(q).getRcode()).isEqualTo(Rcode.REFUSED);
  }

  @Test
  void handle_zoneTransfer_refused() {
    assertThat(ask(query("example.com.", Type.AXFR), Transport.TCP).getRcode()).isEqualTo(Rcode.REFUSED);
  }

  @Test
  void handle_missingName_nxdomainWithSoaAtNegativeTtl() {
    Message r = ask(query("missing.example.com.", Type.A));
    assertThat(r.getRcode()).isEqualTo(Rcode.NXDOMAIN);
    assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    List<Record> auth = r.getSection(Section.AUTHORITY);
    assertThat(auth).hasSize(1);
    SOARecord soa = (SOARecord) auth.get(0);
    assertThat(soa.getName()).isEqualTo(Name.fromConstantString("example.com."));
    // SOA TTL 3600, MINIMUM 300: RFC 2308 says min of the two.
    assertThat(soa.getTTL()).isEqualTo(300);
  }

  @Test
  void handle_soaTtlBelowMinimum_negativeTtlIsSoaTtl() {
    Zone z = Zone.parse("example.net", "$TTL 60\n@ IN SOA ns1 h 1 2 3 4 900\n@ IN NS ns1\nns1 IN A 192.0.2.1\n");
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(z).build()).build();
    Message r = parse(h.handle(query("nope.example.net.", Type.A).toWire(), RESOLVER, Transport.UDP).get());
    assertThat(r.getSection(Section.AUTHORITY).get(0).getTTL()).isEqualTo(60);
  }

  @Test
  void handle_existingNameOtherType_nodataWithSoa() {
    Message r = ask(query("static.example.com.", Type.MX));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
  }

  @Test
  void handle_emptyNonTerminal_nodataNotNxdomain() {
    Message r = ask(query("b.c.example.com.", Type.A));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
  }

  // ---- CNAME, wildcard, delegation, ANY --------------------------------------------------------------------

  @Test
  void handle_cname_chasedInsideZone() {
    Message r = ask(query("alias.example.com.", Type.A));
    assertThat(answers(r)).containsExactly("alias.example.com. CNAME static.example.com.",
        "static.example.com. A 192.0.2.80");
  }

  @Test
  void handle_cnameOutOfZone_onlyTheCname() {
    Message r = ask(query("outside.example.com.", Type.A));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answers(r)).containsExactly("outside.example.com. CNAME www.example.net.");
  }

  @Test
  void handle_cnameLoop_stopsWithTheChainSoFar() {
    Message r = ask(query("loop1.example.com.", Type.A));
    assertThat(answers(r)).containsExactly("loop1.example.com. CNAME loop2.example.com.",
        "loop2.example.com. CNAME loop1.example.com.");
  }

  @Test
  void handle_cnameQuery_returnsTheCnameItself() {
    assertThat(answers(ask(query("alias.example.com.", Type.CNAME))))
        .containsExactly("alias.example.com. CNAME static.example.com.");
  }

  @Test
  void handle_cnameToPolicyRecord_chasesIntoThePolicy() {
    Message q = withEdns(query("toPolicy.example.com.", Type.A), 1232, ecs("192.0.2.0", 24));
    Message r = ask(q);
    assertThat(answers(r)).containsExactly("toPolicy.example.com. CNAME www.example.com.",
        "www.example.com. A 198.51.100.1");
    assertThat(ecsOf(r).getScopePrefixLength()).isEqualTo(24);
  }

  @Test
  void handle_wildcard_synthesizesAtTheQueryName() {
    Message r = ask(query("anything.wild.example.com.", Type.A));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answers(r)).containsExactly("anything.wild.example.com. A 192.0.2.77");
  }

  @Test
  void handle_wildcardOtherType_nodata() {
    Message r = ask(query("anything.wild.example.com.", Type.MX));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
  }

  @Test
  void handle_wildcardDoesNotCoverDeeperExistingEncloser_nxdomain() {
    // a.b.c exists, so "x.b.c" has closest encloser b.c, which has no wildcard child.
    assertThat(ask(query("x.b.c.example.com.", Type.A)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void handle_belowDelegation_referralWithGlueAndNoAa() {
    Message r = ask(query("host.sub.example.com.", Type.A));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.getHeader().getFlag(Flags.AA)).isFalse();
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getSection(Section.AUTHORITY)).extracting(Record::getType).containsExactly(Type.NS);
    assertThat(r.getSection(Section.ADDITIONAL)).extracting(Record::rdataToString).containsExactly("192.0.2.200");
  }

  @Test
  void handle_any_answersExactlyOneRRset() {
    Message r = ask(query("static.example.com.", Type.ANY));
    assertThat(r.getSectionRRsets(Section.ANSWER)).hasSize(1);
  }

  @Test
  void handle_apexNs_answersBothNameServers() {
    assertThat(answers(ask(query("example.com.", Type.NS)))).containsExactlyInAnyOrder(
        "example.com. NS ns1.example.com.", "example.com. NS ns2.example.com.");
  }

  // ---- policy records of type CNAME ------------------------------------------------------------------------

  private QueryHandler cnamePolicyHandler() {
    FakePolicy cdn = new FakePolicy("cdn.example.com", RecordType.CNAME, 30,
        q -> new FakePolicy.Reply(List.of("static.example.com."), 20));
    Catalog catalog = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(cdn).build();
    return QueryHandler.builder(catalog).build();
  }

  @Test
  void handle_addressQueryAtCnamePolicy_cnameFollowedInZone() {
    // RFC 1034 3.6.2 / 4.3.2: a name with a CNAME answers every type with the CNAME, then the target's data.
    QueryHandler h = cnamePolicyHandler();
    Message q = withEdns(query("cdn.example.com.", Type.A), 1232, ecs("192.0.2.0", 24));
    Message r = parse(h.handle(q.toWire(), RESOLVER, Transport.UDP).orElseThrow());
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answers(r)).containsExactly("cdn.example.com. CNAME static.example.com.",
        "static.example.com. A 192.0.2.80");
    assertThat(r.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(30);
    assertThat(ecsOf(r).getScopePrefixLength()).isEqualTo(20);
  }

  @Test
  void handle_typeMissingAtCnamePolicyTarget_cnameThenNodataSoa() {
    QueryHandler h = cnamePolicyHandler();
    Message r = parse(h.handle(query("cdn.example.com.", Type.TXT).toWire(), RESOLVER, Transport.UDP)
        .orElseThrow());
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(answers(r)).containsExactly("cdn.example.com. CNAME static.example.com.");
    assertThat(r.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
  }

  @Test
  void handle_cnameQueryAtCnamePolicy_justTheCname() {
    QueryHandler h = cnamePolicyHandler();
    Message r = parse(h.handle(query("cdn.example.com.", Type.CNAME).toWire(), RESOLVER, Transport.UDP)
        .orElseThrow());
    assertThat(answers(r)).containsExactly("cdn.example.com. CNAME static.example.com.");
  }

  /**
   * A CNAME policy record asked for another type, with each kind of target: out of the zone (the handler's fast
   * path: the CNAME alone, written without dnsjava), in the zone (the walk goes on), differing in case, sharing
   * labels with the zone, and the zone's own name. Each reply is compared with the general resolver's for the same
   * question: header, rcode, every section, and the ECS scope.
   */
  @ParameterizedTest(name = "target {0}")
  @ValueSource(strings = {"edge.example.net.", "EDGE.Example.NET.", "example.com.net.", "xexample.com.", "com.",
      "static.example.com.", "STATIC.Example.COM.", "missing.example.com.", "example.com.", "a.b.c.d.e.example.org."})
  void handle_otherTypesAtCnamePolicy_sameReplyAsTheResolver(String target) throws Exception {
    FakePolicy cdn = new FakePolicy("cdn.example.com", RecordType.CNAME, 30,
        q -> new FakePolicy.Reply(List.of(target), 20));
    Catalog catalog = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(cdn).build();
    QueryHandler h = QueryHandler.builder(catalog).build();
    for (int type : new int[] {Type.A, Type.AAAA, Type.MX, Type.TXT, Type.SRV, Type.PTR, Type.CAA, Type.NS,
        Type.SOA, Type.HTTPS, Type.DS, Type.ANY, Type.CNAME}) {
      for (boolean ecs : new boolean[] {false, true}) {
        Message q = ecs ? withEdns(query("Cdn.Example.Com.", type), 1232, ecs("192.0.2.0", 24))
            : query("Cdn.Example.Com.", type);
        byte[] wire = q.toWire();
        Message r = parse(h.handle(wire, RESOLVER, Transport.UDP).orElseThrow());
        WireQuery parsed = WireQuery.parse(wire, wire.length);
        byte[] client = ecs ? ip("192.0.2.0").getAddress() : RESOLVER.getAddress();
        ZoneResolver.Resolution expected = new ZoneResolver(new RdataCache())
            .resolve(catalog, parsed, client, ecs ? 24 : 32, new AnswerBuffer());
        String what = Type.string(type) + (ecs ? " with ECS" : "");
        assertThat(r.getRcode()).as(what).isEqualTo(expected.message.getRcode());
        assertThat(r.getHeader().getFlag(Flags.AA)).as(what).isEqualTo(expected.message.getHeader().getFlag(Flags.AA));
        for (int section : new int[] {Section.QUESTION, Section.ANSWER, Section.AUTHORITY}) {
          assertThat(r.getSection(section)).as(what + " section " + section)
              .isEqualTo(expected.message.getSection(section));
        }
        if (ecs) {
          assertThat(ecsOf(r).getScopePrefixLength()).as(what).isEqualTo(expected.scope);
        }
      }
    }
  }

  /**
   * The fast path allocates nothing: a CNAME policy answer leaving the zone, asked for A, costs no heap after
   * warm-up; the same policy with a target in the zone (dnsjava renders that reply) does allocate, which shows that
   * the measurement sees allocation at all. Counts bytes, not time.
   */
  @Test
  void handle_addressAtCnamePolicyLeavingZone_allocatesNothing() {
    ThreadMXBean threads =
        (ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported()
        && threads.isThreadAllocatedMemoryEnabled(), "this JVM does not count allocated bytes per thread");
    assertThat(allocatedPerQuery(threads, "edge.example.net.")).isLessThan(1.0);
    assertThat(allocatedPerQuery(threads, "static.example.com.")).isGreaterThan(100.0);
  }

  private static double allocatedPerQuery(ThreadMXBean threads, String target) {
    // A compiled policy (a FakePolicy records every query it is asked, which allocates).
    PolicyDocument document = PolicyDocument.builder()
        .recordType(RecordType.CNAME).endpoint("cdn", Endpoint.value(target))
        .startEndpoint("cdn").build();
    CompiledPolicy cdn = PolicyEvaluator.builder()
        .build().compile(document, new PolicyBinding("cdn", 1, "cdn.example.com", 30));
    Catalog catalog = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(cdn).build();
    QueryHandler h = QueryHandler.builder(catalog).build();
    byte[] query = withEdns(query("cdn.example.com.", Type.A), 1232, ecs("192.0.2.0", 24)).toWire();
    byte[] out = new byte[QueryHandler.MAX_MESSAGE + 2];
    int queries = 20_000;
    for (int i = 0; i < queries; i++) {
      assertThat(h.handle(query, query.length, RESOLVER, false, out, 0)).isPositive();
    }
    long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    for (int i = 0; i < queries; i++) {
      h.handle(query, query.length, RESOLVER, false, out, 0);
    }
    long after = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    return (after - before) / (double) queries;
  }

  // ---- case, malformed, opcodes ----------------------------------------------------------------------------
  // ---- case, malformed, opcodes ----------------------------------------------------------------------------

  @Test
  void handle_mixedCase_questionBytesPreserved() {
    byte[] q = query("StAtIc.ExAmPlE.CoM.", Type.A).toWire();
    byte[] r = raw(q, Transport.UDP);
    int qlen = "StAtIc.ExAmPlE.CoM.".length() + 1 + 4;
    assertThat(Arrays.copyOfRange(r, 12, 12 + qlen)).isEqualTo(Arrays.copyOfRange(q, 12, 12 + qlen));
    assertThat(answers(parse(r))).hasSize(1);
    // The same name in another case after the first one was cached keeps its own case too.
    byte[] q2 = query("STATIC.example.com.", Type.A).toWire();
    byte[] r2 = raw(q2, Transport.UDP);
    assertThat(Arrays.copyOfRange(r2, 12, 12 + qlen)).isEqualTo(Arrays.copyOfRange(q2, 12, 12 + qlen));
  }

  @Test
  void handle_policyMixedCase_questionBytesPreserved() {
    byte[] q = query("WWW.Example.COM.", Type.A).toWire();
    byte[] r = raw(q, Transport.UDP);
    int qlen = "WWW.Example.COM.".length() + 1 + 4;
    assertThat(Arrays.copyOfRange(r, 12, 12 + qlen)).isEqualTo(Arrays.copyOfRange(q, 12, 12 + qlen));
  }

  @Test
  void handle_shorterThanHeader_noReply() {
    assertThat(handler.handle(new byte[11], RESOLVER, Transport.UDP)).isEmpty();
    assertThat(handler.handle(new byte[0], RESOLVER, Transport.UDP)).isEmpty();
  }

  @Test
  void handle_responseBitSet_noReply() {
    byte[] q = query("static.example.com.", Type.A).toWire();
    q[2] |= (byte) 0x80;
    assertThat(handler.handle(q, RESOLVER, Transport.UDP)).isEmpty();
  }

  @Test
  void handle_noQuestion_formerr() {
    byte[] q = new byte[12];
    q[0] = 0x12;
    q[1] = 0x34;
    Message r = parse(raw(q, Transport.UDP));
    assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
    assertThat(r.getHeader().getID()).isEqualTo(0x1234);
  }

  @Test
  void handle_twoQuestions_formerr() {
    Message q = query("static.example.com.", Type.A);
    q.addRecord(Record.newRecord(Name.fromConstantString("mail.example.com."), Type.A, 1), Section.QUESTION);
    assertThat(ask(q).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_questionCutShort_formerr() {
    byte[] q = query("static.example.com.", Type.A).toWire();
    Message r = parse(raw(Arrays.copyOf(q, q.length - 3), Transport.UDP));
    assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_trailingGarbage_formerr() {
    byte[] q = query("static.example.com.", Type.A).toWire();
    assertThat(parse(raw(Arrays.copyOf(q, q.length + 5), Transport.UDP)).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_compressionPointerLoop_formerr() {
    byte[] q = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xc0, 12, 0, 1, 0, 1};
    assertThat(parse(raw(q, Transport.UDP)).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_updateOpcode_notimp() {
    Message q = query("example.com.", Type.SOA);
    q.getHeader().setOpcode(Opcode.UPDATE);
    Message r = ask(q);
    assertThat(r.getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(r.getHeader().getOpcode()).isEqualTo(Opcode.UPDATE);
  }

  @Test
  void handle_notifyOpcode_notimp() {
    Message q = query("example.com.", Type.SOA);
    q.getHeader().setOpcode(Opcode.NOTIFY);
    assertThat(ask(q).getRcode()).isEqualTo(Rcode.NOTIMP);
  }

  @Test
  void handle_statusOpcodeWithEdns_notimpKeepsQuestionAndOpt() {
    // RFC 6891 section 7: a reply to a request with an OPT record includes an OPT record, whatever its rcode.
    Message q = withEdns(query("static.example.com.", Type.A), 4096);
    q.getHeader().setOpcode(Opcode.STATUS);
    Message r = ask(q);
    assertThat(r.getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(r.getHeader().getOpcode()).isEqualTo(Opcode.STATUS);
    assertThat(r.getOPT()).isNotNull();
    assertThat(r.getQuestion()).isEqualTo(q.getQuestion());
  }

  @Test
  void handle_notifyOpcodeWithTwoQuestions_notimpHeaderOnly() throws Exception {
    Message q = query("example.com.", Type.SOA);
    q.addRecord(Record.newRecord(Name.fromString("static.example.com."), Type.A, 1), Section.QUESTION);
    q.getHeader().setOpcode(Opcode.NOTIFY);
    Message r = ask(q);
    assertThat(r.getRcode()).isEqualTo(Rcode.NOTIMP);
    assertThat(r.getHeader().getCount(Section.QUESTION)).isZero();
  }

  @Test
  void handle_qtypeOpt_formerr() {
    assertThat(ask(query("example.com.", Type.OPT)).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  // ---- EDNS, truncation ------------------------------------------------------------------------------------

  @Test
  void handle_noEdns_noOptInReply() {
    assertThat(ask(query("static.example.com.", Type.A)).getOPT()).isNull();
  }

  @Test
  void handle_edns_optEchoedWithOurPayloadAndDoCopied() {
    Message q = query("static.example.com.", Type.A);
    q.addRecord(new org.xbill.DNS.OPTRecord(4096, 0, 0, Flags.DO), Section.ADDITIONAL);
    Message r = ask(q);
    assertThat(r.getOPT()).isNotNull();
    assertThat(r.getOPT().getPayloadSize()).isEqualTo(1232);
    assertThat(r.getOPT().getVersion()).isZero();
    assertThat(r.getOPT().getFlags() & Flags.DO).isEqualTo(Flags.DO);
  }

  @Test
  void handle_ednsVersion1_badversWithOpt() {
    Message q = query("static.example.com.", Type.A);
    q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
    Message r = ask(q);
    assertThat(r.getRcode()).isEqualTo(Rcode.BADVERS);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getOPT().getVersion()).isZero();
  }

  @Test
  void handle_twoOptRecords_formerr() {
    Message q = query("static.example.com.", Type.A);
    q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0, 0), Section.ADDITIONAL);
    q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0, 0), Section.ADDITIONAL);
    assertThat(ask(q).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_bigAnswerOverUdpWithoutEdns_truncatedWithTc() {
    byte[] r = raw(query("big.example.com.", Type.TXT).toWire(), Transport.UDP);
    assertThat(r.length).isLessThanOrEqualTo(512);
    Message m = parse(r);
    assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
  }

  @Test
  void handle_bigAnswerOverTcp_complete() {
    Message m = ask(query("big.example.com.", Type.TXT), Transport.TCP);
    assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(m.getSection(Section.ANSWER)).hasSize(3);
  }

  @Test
  void handle_bigAnswerWithEdnsPayload1232_fits() {
    byte[] r = raw(withEdns(query("big.example.com.", Type.TXT), 1232).toWire(), Transport.UDP);
    Message m = parse(r);
    assertThat(r.length).isGreaterThan(512).isLessThanOrEqualTo(1232);
    assertThat(m.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(m.getSection(Section.ANSWER)).hasSize(3);
  }

  @Test
  void handle_ednsPayloadBelow512_treatedAs512() {
    byte[] r = raw(withEdns(query("big.example.com.", Type.TXT), 100).toWire(), Transport.UDP);
    assertThat(r.length).isLessThanOrEqualTo(512);
    assertThat(parse(r).getHeader().getFlag(Flags.TC)).isTrue();
  }

  @Test
  void handle_clientPayloadAboveServerMaximum_cappedAtServerMaximum() {
    QueryHandler small = QueryHandler.builder(handler.catalog()).maxUdpPayload(600).build();
    byte[] r = small.handle(withEdns(query("big.example.com.", Type.TXT), 4096).toWire(), RESOLVER,
        Transport.UDP).get();
    assertThat(r.length).isLessThanOrEqualTo(600);
    assertThat(parse(r).getHeader().getFlag(Flags.TC)).isTrue();
  }

  // ---- policy records and ECS ------------------------------------------------------------------------------

  @Test
  void handle_policyWithEcs_clientIsTheSubnetAndScopeEchoed() {
    Message r = ask(withEdns(query("www.example.com.", Type.A), 1232, ecs("192.0.2.0", 24)));
    assertThat(answers(r)).containsExactly("www.example.com. A 198.51.100.1");
    assertThat(r.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(60);
    assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
    assertThat(www.queries).extracting(q -> q.client()).containsExactly(ClientSubnet.parse("192.0.2.0/24"));
    ClientSubnetOption echoed = ecsOf(r);
    assertThat(echoed.getSourcePrefixLength()).isEqualTo(24);
    assertThat(echoed.getScopePrefixLength()).isEqualTo(24);
    assertThat(echoed.getAddress()).isEqualTo(ip("192.0.2.0"));
  }

  @Test
  void handle_policyWithOtherEcs_otherAnswerAndItsScope() {
    Message r = ask(withEdns(query("www.example.com.", Type.A), 1232, ecs("198.51.100.0", 24)));
    assertThat(answers(r)).containsExactly("www.example.com. A 198.51.100.2");
    assertThat(ecsOf(r).getScopePrefixLength()).isEqualTo(16);
  }

  @Test
  void handle_policyIpv6Ecs_clientIsTheIpv6Subnet() {
    Message r = ask(withEdns(query("www.example.com.", Type.A), 1232, ecs("2001:db8:1234::", 48)));
    assertThat(www.queries).extracting(q -> q.client()).containsExactly(ClientSubnet.parse("2001:db8:1234::/48"));
    assertThat(ecsOf(r).getSourcePrefixLength()).isEqualTo(48);
    assertThat(ecsOf(r).getFamily()).isEqualTo(2);
  }

  @Test
  void handle_policyWithoutEcs_clientIsTheSourceAndNoEcsInReply() {
    Message r = ask(withEdns(query("www.example.com.", Type.A), 1232));
    assertThat(www.queries).extracting(q -> q.client()).containsExactly(ClientSubnet.of(RESOLVER));
    assertThat(ecsOf(r)).isNull();
    assertThat(answers(r)).containsExactly("www.example.com. A 198.51.100.2");
  }

  @Test
  void handle_ecsSourcePrefixZero_usesResolverAddressAndScopeZero() {
    Message r = ask(withEdns(query("www.example.com.", Type.A), 1232, ecs("0.0.0.0", 0)));
    assertThat(www.queries).extracting(q -> q.client()).containsExactly(ClientSubnet.of(RESOLVER));
    assertThat(ecsOf(r).getSourcePrefixLength()).isZero();
    assertThat(ecsOf(r).getScopePrefixLength()).isZero();
  }

  @Test
  void handle_staticAnswerWithEcs_scopeZeroEchoed() {
    Message r = ask(withEdns(query("static.example.com.", Type.A), 1232, ecs("192.0.2.0", 24)));
    assertThat(ecsOf(r).getSourcePrefixLength()).isEqualTo(24);
    assertThat(ecsOf(r).getScopePrefixLength()).isZero();
  }

  @Test
  void handle_policyNoData_nodataWithSoa() {
    Message r = ask(query("nodata.example.com.", Type.A));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
  }

  @Test
  void handle_otherTypeAtPolicyName_nodataWithoutEvaluating() {
    Message r = ask(query("www.example.com.", Type.AAAA));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(r.getSection(Section.ANSWER)).isEmpty();
    assertThat(r.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
    assertThat(www.queries).isEmpty();
  }

  @Test
  void handle_policyRecordAtTheApex_answersPolicyAndKeepsSoaAndNs() {
    FakePolicy apex = FakePolicy.constant("example.com", "198.51.100.77", 0);
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE))
        .policyRecord(apex).build()).build();
    Message a = parse(h.handle(query("example.com.", Type.A).toWire(), RESOLVER, Transport.UDP).get());
    assertThat(answers(a)).containsExactly("example.com. A 198.51.100.77");
    Message soa = parse(h.handle(query("example.com.", Type.SOA).toWire(), RESOLVER, Transport.UDP).get());
    assertThat(soa.getSection(Section.ANSWER)).singleElement().isInstanceOf(SOARecord.class);
    Message mx = parse(h.handle(query("example.com.", Type.MX).toWire(), RESOLVER, Transport.UDP).get());
    assertThat(answers(mx)).containsExactly("example.com. MX 10 mail.example.com.");
  }

  @Test
  void catalog_policyBesideStaticRecordsOfItsType_rejected() {
    FakePolicy clash = FakePolicy.constant("static.example.com", "198.51.100.1", 0);
    FakePolicy outside = FakePolicy.constant("www.example.org", "198.51.100.1", 0);
    FakePolicy atCname = FakePolicy.constant("alias.example.com", "198.51.100.1", 0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Catalog.builder()
            .zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(clash).policyRecord(outside)
            .policyRecord(atCname).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("policy record static.example.com. A has static A records beside it")
        .hasMessageContaining("policy record www.example.org. A is not in any zone")
        .hasMessageContaining("policy record alias.example.com. A has a static CNAME beside it");
  }

  @Test
  void zone_withoutSoa_rejectedWithItsName() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Zone.parse("example.com", "@ IN NS ns1\n"))
        .isInstanceOf(ZoneFileException.class)
        .hasMessage("zone example.com: needs exactly one SOA record at example.com. but has 0");
  }

  @Test
  void zone_syntaxError_namesTheLine() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Zone.parse("example.com", Dns.ZONE + "x IN A nope\n"))
        .isInstanceOf(ZoneFileException.class)
        .hasMessageContaining("line " + (Dns.ZONE.split("\n").length + 1));
  }

  @Test
  void handle_anyAtPolicyName_answersThePolicyRRset() {
    assertThat(answers(ask(query("www.example.com.", Type.ANY)))).containsExactly(
        "www.example.com. A 198.51.100.2");
  }

  @Test
  void handle_policyAnswerWithDnsjava_parsesAsARecord() {
    Message r = ask(query("www.example.com.", Type.A));
    assertThat(r.getSection(Section.ANSWER)).singleElement().isInstanceOf(ARecord.class);
  }

  @Test
  void handle_policyAnswerTooBigForUdp_tcSetAndNoAnswer() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      many.add("\"" + String.valueOf((char) ('a' + i)).repeat(200) + "\"");
    }
    FakePolicy txt = new FakePolicy("txt.example.com", RecordType.TXT, 60,
        q -> new FakePolicy.Reply(List.of(String.join(" ", many)), 0));
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE))
        .policyRecord(txt).build()).build();
    byte[] udp = h.handle(query("txt.example.com.", Type.TXT).toWire(), RESOLVER, Transport.UDP).get();
    Message m = parse(udp);
    assertThat(udp.length).isLessThanOrEqualTo(512);
    assertThat(m.getHeader().getFlag(Flags.TC)).isTrue();
    assertThat(m.getSection(Section.ANSWER)).isEmpty();
    Message full = parse(h.handle(query("txt.example.com.", Type.TXT).toWire(), RESOLVER, Transport.TCP).get());
    assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(full.getSection(Section.ANSWER)).hasSize(1);
  }

  // ---- malformed ECS (RFC 7871 section 7.1.1) ----------------------------------------------------------------

  /** A query for www with an OPT record holding one option of code 8 and these bytes. */
  private Message askWithRawEcs(int... data) {
    byte[] q = query("www.example.com.", Type.A).toWire();
    byte[] opt = new byte[11 + 4 + data.length];
    opt[2] = 41;
    opt[3] = 0x04;
    opt[4] = (byte) 0xd0;
    ReplyWriter.put16(opt, 9, 4 + data.length);
    ReplyWriter.put16(opt, 11, 8);
    ReplyWriter.put16(opt, 13, data.length);
    for (int i = 0; i < data.length; i++) {
      opt[15 + i] = (byte) data[i];
    }
    byte[] all = Arrays.copyOf(q, q.length + opt.length);
    System.arraycopy(opt, 0, all, q.length, opt.length);
    all[11] = 1;
    return parse(raw(all, Transport.UDP));
  }

  @Test
  void handle_wellFormedRawEcs_accepted() {
    Message r = askWithRawEcs(0, 1, 24, 0, 192, 0, 2);
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    assertThat(ecsOf(r).getScopePrefixLength()).isEqualTo(24);
  }

  @Test
  void handle_ecsUnknownFamily_formerr() {
    assertThat(askWithRawEcs(0, 3, 24, 0, 192, 0, 2).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_ecsPrefixTooLong_formerr() {
    assertThat(askWithRawEcs(0, 1, 33, 0, 192, 0, 2, 1, 0).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_ecsBitsPastPrefix_formerr() {
    assertThat(askWithRawEcs(0, 1, 23, 0, 192, 0, 3).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_ecsAddressLongerThanPrefix_formerr() {
    assertThat(askWithRawEcs(0, 1, 16, 0, 192, 0, 0).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_ecsShorterThanFourBytes_formerr() {
    assertThat(askWithRawEcs(0, 1, 24).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void handle_twoEcsOptions_formerr() {
    Message q = withEdns(query("www.example.com.", Type.A), 1232, ecs("192.0.2.0", 24), ecs("198.51.100.0", 24));
    assertThat(ask(q).getRcode()).isEqualTo(Rcode.FORMERR);
  }

  // ---- counters, log, catalog replacement ------------------------------------------------------------------

  @Test
  void counters_countRcodesAndPolicyRecords() {
    ask(query("www.example.com.", Type.A));
    ask(query("www.example.com.", Type.A));
    ask(query("nodata.example.com.", Type.A));
    ask(query("missing.example.com.", Type.A));
    ask(query("www.example.org.", Type.A));
    handler.handle(new byte[3], RESOLVER, Transport.UDP);
    ServerCounters c = handler.counters();
    assertThat(c.queries()).isEqualTo(6);
    assertThat(c.dropped()).isEqualTo(1);
    assertThat(c.byRcode()).containsEntry("NOERROR", 3L).containsEntry("NXDOMAIN", 1L)
        .containsEntry("REFUSED", 1L);
    assertThat(c.byPolicyRecord().get("www.example.com.")).isEqualTo(
        new ServerCounters.PolicyRecordCounters(2, 0));
    assertThat(c.byPolicyRecord().get("nodata.example.com.").noData()).isPositive();
    assertThat(c.format()).contains("rcode NXDOMAIN 1", "policy record www.example.com. answers 2");
  }

  @Test
  void counters_perPolicyRecordSurviveCatalogSwaps_andStartForANewRecord() {
    ask(query("www.example.com.", Type.A));
    ask(query("www.example.com.", Type.A));
    FakePolicy www2 = FakePolicy.constant("www.example.com", "198.51.100.9", 0);
    FakePolicy api = FakePolicy.constant("api.example.com", "198.51.100.10", 0);
    handler.replaceCatalog(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(www2)
        .policyRecord(api).build());
    assertThat(answers(ask(query("www.example.com.", Type.A)))).containsExactly("www.example.com. A 198.51.100.9");
    ask(query("www.example.com.", Type.A));
    ask(query("api.example.com.", Type.A));
    ServerCounters c = handler.counters();
    assertThat(c.byPolicyRecord().get("www.example.com.")).isEqualTo(new ServerCounters.PolicyRecordCounters(4, 0));
    assertThat(c.byPolicyRecord().get("api.example.com.")).isEqualTo(new ServerCounters.PolicyRecordCounters(1, 0));
    assertThat(c.byPolicyRecord()).doesNotContainKey("nodata.example.com.");
    assertThat(c.queries()).isEqualTo(5);
  }

  @Test
  void queryLog_oneEntryPerQueryWithPolicyAndEcs() {
    ask(withEdns(query("www.example.com.", Type.A), 1232, ecs("192.0.2.0", 24)));
    ask(query("static.example.com.", Type.A));
    assertThat(logged).hasSize(2);
    QueryLogEntry e = logged.get(0);
    assertThat(e.client()).isEqualTo("203.0.113.7");
    assertThat(e.ecs()).contains("192.0.2.0/24");
    assertThat(e.name()).isEqualTo("www.example.com.");
    assertThat(e.type()).isEqualTo("A");
    assertThat(e.rcode()).isEqualTo("NOERROR");
    assertThat(e.answer()).isEqualTo("198.51.100.1");
    assertThat(e.policy()).contains("fake-policy v3");
    assertThat(logged.get(1).policy()).isEqualTo(Optional.empty());
    assertThat(logged.get(1).toString()).contains("name=static.example.com.", "rcode=NOERROR", "policy=-");
  }

  @Test
  void replaceCatalog_newDataServedAndOldCacheDropped() {
    ask(query("static.example.com.", Type.A));
    Zone changed = Zone.parse("example.com", Dns.ZONE.replace("192.0.2.80", "192.0.2.81"));
    handler.replaceCatalog(Catalog.builder().zone(changed).build());
    assertThat(answers(ask(query("static.example.com.", Type.A)))).containsExactly(
        "static.example.com. A 192.0.2.81");
    assertThat(ask(query("www.example.com.", Type.A)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
  }

  @Test
  void handle_policyRecordAskedAgain_evaluatedEveryTime_nothingKeptPerClient() {
    Message q = withEdns(query("www.example.com.", Type.A), 1232, ecs("192.0.2.0", 24));
    Message r1 = parse(handler.handle(q.toWire(), RESOLVER, Transport.UDP).get());
    Message r2 = parse(handler.handle(q.toWire(), RESOLVER, Transport.UDP).get());
    assertThat(www.queries).hasSize(2);
    assertThat(answers(r2)).isEqualTo(answers(r1)).containsExactly("www.example.com. A 198.51.100.1");
    assertThat(ecsOf(r2).getScopePrefixLength()).isEqualTo(24);
  }

  @Test
  void handle_ecsSubnetOrSourceAddress_isTheClientThePolicySees() {
    handler.handle(withEdns(query("www.example.com.", Type.A), 1232, ecs("192.0.2.0", 24)).toWire(), RESOLVER,
        Transport.UDP);
    Message other = parse(handler.handle(withEdns(query("www.example.com.", Type.A), 1232,
        ecs("198.51.100.0", 24)).toWire(), RESOLVER, Transport.UDP).get());
    Message noEcs = parse(handler.handle(query("www.example.com.", Type.A).toWire(), ip("192.0.2.0"),
        Transport.UDP).get());
    Message otherSource = parse(handler.handle(query("www.example.com.", Type.A).toWire(), ip("198.51.100.0"),
        Transport.UDP).get());
    Message v6 = parse(handler.handle(withEdns(query("www.example.com.", Type.A), 1232, ecs("2001:db8:1::", 48))
        .toWire(), RESOLVER, Transport.UDP).get());
    assertThat(www.queries).extracting(q -> q.client().toString())
        .containsExactly("192.0.2.0/24", "198.51.100.0/24", "192.0.2.0/32", "198.51.100.0/32", "2001:db8:1::/48");
    assertThat(answers(other)).containsExactly("www.example.com. A 198.51.100.2");
    assertThat(answers(noEcs)).containsExactly("www.example.com. A 198.51.100.1");
    assertThat(answers(otherSource)).containsExactly("www.example.com. A 198.51.100.2");
    assertThat(answers(v6)).containsExactly("www.example.com. A 198.51.100.2");
    assertThat(ecsOf(v6).getScopePrefixLength()).isEqualTo(16);
  }

  @Test
  void handle_sameQueryAgain_sameReplyWithItsOwnIdAndCase_countedEachTime() {
    Message q1 = withEdns(query("wWw.example.com.", Type.A), 1232, ecs("192.0.2.0", 24));
    q1.getHeader().setID(0x1111);
    Message q2 = q1.clone();
    q2.getHeader().setID(0x2222);
    byte[] r1 = handler.handle(q1.toWire(), RESOLVER, Transport.UDP).get();
    byte[] r2 = handler.handle(q2.toWire(), RESOLVER, Transport.UDP).get();
    assertThat(parse(r2).getHeader().getID()).isEqualTo(0x2222);
    assertThat(java.util.Arrays.copyOfRange(r2, 2, r2.length)).isEqualTo(java.util.Arrays.copyOfRange(r1, 2,
        r1.length));
    assertThat(parse(r2).getQuestion().getName().toString()).isEqualTo("wWw.example.com.");
    Message static1 = query("sTatic.example.com.", Type.A);
    handler.handle(static1.toWire(), RESOLVER, Transport.UDP);
    Message again = parse(handler.handle(static1.toWire(), RESOLVER, Transport.UDP).get());
    assertThat(again.getQuestion().getName().toString()).isEqualTo("sTatic.example.com.");
    assertThat(handler.counters().queries()).isEqualTo(4);
    assertThat(handler.counters().byRcode()).containsEntry("NOERROR", 4L);
    assertThat(handler.counters().byPolicyRecord().get("www.example.com.").answers()).isEqualTo(2);
  }

  @Test
  void staticReplies_moreNamesThanTheTableHolds_evictsOneAtATime_everyAnswerStaysRight() {
    QueryHandler small = QueryHandler.builder(handler.catalog()).staticReplies(8).build();
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      names.add("missing-" + i + ".example.com.");
    }
    names.add("static.example.com.");
    for (int round = 0; round < 2; round++) {
      for (String name : names) {
        Message r = parse(small.handle(query(name, Type.A).toWire(), RESOLVER, Transport.UDP).get());
        if (name.startsWith("static")) {
          assertThat(answers(r)).as("round %s", round).containsExactly("static.example.com. A 192.0.2.80");
        } else {
          assertThat(r.getRcode()).as("%s round %s", name, round).isEqualTo(Rcode.NXDOMAIN);
        }
      }
      assertThat(small.cacheSize()).as("round %s", round).isBetween(1L, 16L);
    }
  }

  @Test
  void counters_byTypeTransportTruncationStaticTableAndInternalErrors() {
    FakePolicy broken = new FakePolicy("www.example.com", RecordType.A, 60, q -> {
      throw new IllegalStateException("boom");
    });
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE))
        .policyRecord(broken).build()).build();
    h.handle(query("static.example.com.", Type.A).toWire(), RESOLVER, Transport.UDP);
    h.handle(query("static.example.com.", Type.A).toWire(), RESOLVER, Transport.TCP);
    h.handle(query("static.example.com.", Type.AAAA).toWire(), RESOLVER, Transport.UDP);
    h.handle(query("static.example.com.", Type.NAPTR).toWire(), RESOLVER, Transport.UDP);
    h.handle(query("www.example.com.", Type.A).toWire(), RESOLVER, Transport.UDP);
    h.handle(query("big.example.com.", Type.TXT).toWire(), RESOLVER, Transport.UDP);
    assertThat(QueryHandler.TYPES[0]).isEqualTo(Type.A);
    assertThat(h.typeCount(0)).isEqualTo(3);
    assertThat(h.typeCount(1)).as("AAAA").isEqualTo(1);
    assertThat(h.typeCount(QueryHandler.TYPES.length)).as("other").isEqualTo(1);
    assertThat(h.transportCount(true)).isEqualTo(1);
    assertThat(h.transportCount(false)).isEqualTo(5);
    assertThat(h.staticHits()).as("static A asked again").isEqualTo(1);
    assertThat(h.staticMisses()).isEqualTo(4);
    assertThat(h.internalErrors()).isEqualTo(1);
    assertThat(h.truncatedCount()).as("big TXT over UDP without EDNS").isEqualTo(1);
  }

  @Test
  void staticReplies_badSize_isRejected() {
    assertThatThrownBy(() -> QueryHandler.builder(handler.catalog()).staticReplies(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("staticReplies");
  }

  @Test
  void handle_withQueryLog_everyQueryLogged() {
    List<QueryLogEntry> lines = new java.util.ArrayList<>();
    QueryHandler logged = QueryHandler.builder(handler.catalog()).queryLog(lines::add).build();
    byte[] q = query("www.example.com.", Type.A).toWire();
    byte[] s = query("static.example.com.", Type.A).toWire();
    logged.handle(q, RESOLVER, Transport.UDP);
    logged.handle(q, RESOLVER, Transport.UDP);
    logged.handle(s, RESOLVER, Transport.UDP);
    logged.handle(s, RESOLVER, Transport.UDP);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(3).answer()).contains("192.0.2.80");
  }

  @Test
  void handle_policyThrows_servfailNotException() {
    FakePolicy broken = new FakePolicy("www.example.com", RecordType.A, 60, q -> {
      throw new IllegalStateException("boom");
    });
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE))
        .policyRecord(broken).build()).build();
    Message r = parse(h.handle(query("www.example.com.", Type.A).toWire(), RESOLVER, Transport.UDP).get());
    assertThat(r.getRcode()).isEqualTo(Rcode.SERVFAIL);
  }
}
