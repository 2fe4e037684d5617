package io.github.trafficpolicy.engine.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.base.Ticker;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.engine.AliasResolver.Freshness;
import io.github.trafficpolicy.engine.AliasResolver.Target;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.Query;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DnsAliasResolver} against a resolver on loopback ({@link FakeUpstream}), with time under the test's control
 * (a fake ticker, no background thread: the test calls {@link DnsAliasResolver#refreshDue()} where the refresher
 * would run).
 */
final class DnsAliasResolverTest {
  private static final String ELB = "dualstack.web-1111111111.us-west-2.elb.amazonaws.com";
  private static final Endpoint ELB_ENDPOINT = new Endpoint(EndpointType.ELASTIC_LOAD_BALANCER, ELB, Optional.empty());

  /** Failover: primary the load balancer (EvaluateTargetHealth), secondary a fixed address. */
  private static final String FAILOVER = """
      {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "site",
       "Endpoints": {
         "elb": {"Type": "elastic-load-balancer", "Value": "%s"},
         "backup": {"Type": "value", "Value": "198.51.100.99"}},
       "Rules": {"site": {"RuleType": "failover",
         "Primary": {"EndpointReference": "elb", "EvaluateTargetHealth": true},
         "Secondary": {"EndpointReference": "backup"}}}}
      """.formatted(ELB);

  private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
  private final Ticker ticker = new Ticker() {
    @Override
    public long read() {
      return nanos.get();
    }
  };
  private FakeUpstream upstream;
  private DnsAliasResolver resolver;

  @BeforeEach
  void start() throws Exception {
    upstream = new FakeUpstream();
    resolver = builder(upstream).build();
  }

  @AfterEach
  void stop() {
    resolver.close();
    upstream.close();
  }

  private DnsAliasResolver.Builder builder(FakeUpstream... ups) {
    DnsAliasResolver.Builder b = DnsAliasResolver.builder().ticker(ticker).backgroundRefresh(false)
        .queryTimeout(Duration.ofMillis(500)).maxStale(Duration.ofSeconds(300)).retryInterval(Duration.ofSeconds(5));
    for (FakeUpstream u : ups) {
      b.resolver(u.address());
    }
    return b;
  }

  private void advance(long seconds) {
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  private static void await(CompletableFuture<Void> f) throws Exception {
    f.get(30, TimeUnit.SECONDS);
  }

  private static List<String> addresses(Target t) {
    return t.records().stream().map(RecordData::presentation).toList();
  }

  private Target elb(RecordType type) {
    return resolver.target(ELB_ENDPOINT, type, "www.example.com");
  }

  @Test
  void target_resolvable_freshWithTheUpstreamAddressesAndTtl() throws Exception {
    upstream.put(ELB, "60 IN A 192.0.2.10", "60 IN A 192.0.2.11");
    Target t = elb(RecordType.A);
    assertThat(t.freshness()).isEqualTo(Freshness.MISSING);
    assertThat(t.describe()).contains("not looked up yet");

    await(resolver.refreshDue());

    assertThat(addresses(t)).containsExactly("192.0.2.10", "192.0.2.11");
    assertThat(t.freshness()).isEqualTo(Freshness.FRESH);
    assertThat(t.health()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(t.maxAnswerTtl()).isEqualTo(60);
    assertThat(t.describe()).contains(ELB, "192.0.2.10 192.0.2.11", "fresh", "TTL 60 s",
        "from 127.0.0.1:" + upstream.address().getPort());
  }

  @Test
  void target_sameNameTwice_oneSharedHandleAndOneLookup() throws Exception {
    upstream.put(ELB, "60 IN A 192.0.2.10");
    Target a = elb(RecordType.A);
    Target b = resolver.target(new Endpoint(EndpointType.ELASTIC_LOAD_BALANCER, ELB.toUpperCase() + ".",
        Optional.empty()), RecordType.A, "other.example.com");
    await(resolver.refreshDue());
    assertThat(b).isSameAs(a);
    assertThat(upstream.questions()).isEqualTo(1);
  }

  @Test
  void refresh_beforeExpiry_at80PercentOfTtl_picksUpNewAddresses() throws Exception {
    upstream.put(ELB, "60 IN A 192.0.2.10");
    Target t = elb(RecordType.A);
    await(resolver.refreshDue());
    long generation = resolver.generation();
    upstream.put(ELB, "60 IN A 192.0.2.20");

    advance(47);
    await(resolver.refreshDue());
    assertThat(upstream.questions()).as("not due before 80 %% of the TTL").isEqualTo(1);
    assertThat(addresses(t)).containsExactly("192.0.2.10");

    advance(2);
    await(resolver.refreshDue());
    assertThat(upstream.questions()).isEqualTo(2);
    assertThat(addresses(t)).containsExactly("192.0.2.20");
    assertThat(t.freshness()).isEqualTo(Freshness.FRESH);
    assertThat(resolver.generation()).isGreaterThan(generation);
  }

  @Test
  void refresh_sameAddressesInAnotherOrder_generationUnchanged() throws Exception {
    upstream.put(ELB, "60 IN A 192.0.2.10", "60 IN A 192.0.2.11");
    elb(RecordType.A);
    await(resolver.refreshDue());
    long generation = resolver.generation();
    upstream.put(ELB, "60 IN A 192.0.2.11", "60 IN A 192.0.2.10");
    await(resolver.refreshAll());
    assertThat(upstream.questions()).isEqualTo(2);
    assertThat(resolver.generation()).isEqualTo(generation);
  }

  @Test
  void ttl_clampedToMinAndMax() throws Exception {
    resolver.close();
    resolver = builder(upstream).minTtl(Duration.ofSeconds(10)).maxTtl(Duration.ofSeconds(120)).build();
    upstream.put("short.elb.amazonaws.com", "1 IN A 192.0.2.1");
    upstream.put("long.elb.amazonaws.com", "86400 IN A 192.0.2.2");
    Target shortTtl = resolver.target(alias("short.elb.amazonaws.com"), RecordType.A, "www.example.com");
    Target longTtl = resolver.target(alias("long.elb.amazonaws.com"), RecordType.A, "www.example.com");
    await(resolver.refreshDue());
    assertThat(shortTtl.maxAnswerTtl()).isEqualTo(10);
    assertThat(longTtl.maxAnswerTtl()).isEqualTo(120);
  }

  @Test
  void upstreamDown_staleThenUnhealthyThenBack_policyFailsOverAndReturns() throws Exception {
    upstream.put(ELB, "60 IN A 192.0.2.10");
    CompiledPolicy policy = PolicyEvaluator.builder().aliasResolver(resolver).build()
        .compile(PolicyDocumentJson.read(FAILOVER), new PolicyBinding("p", 1, "www.example.com", 300));
    await(resolver.refreshDue());
    Answer fresh = policy.evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24")));
    assertThat(fresh.endpoints()).extracting(Object::toString).containsExactly("elb");
    assertThat(fresh.records()).extracting(RecordData::presentation).containsExactly("192.0.2.10");
    assertThat(fresh.ttl()).as("the target's TTL, below the record's 300").isEqualTo(60);

    upstream.mode(FakeUpstream.Mode.SERVFAIL);
    advance(49);
    await(resolver.refreshDue());
    Target t = elb(RecordType.A);
    assertThat(t.freshness()).as("failed refresh before the TTL ran out").isEqualTo(Freshness.FRESH);
    assertThat(t.describe()).contains("last lookup failed", "SERVFAIL");

    advance(12);
    await(resolver.refreshDue());
    assertThat(t.freshness()).isEqualTo(Freshness.STALE);
    Answer stale = policy.evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24")));
    assertThat(stale.records()).extracting(RecordData::presentation).containsExactly("192.0.2.10");
    assertThat(stale.ttl()).as("RFC 8767 stale answer TTL").isEqualTo(30);

    advance(300);
    await(resolver.refreshDue());
    assertThat(t.freshness()).isEqualTo(Freshness.MISSING);
    assertThat(t.health()).isEqualTo(HealthStatus.UNHEALTHY);
    Answer down = policy.evaluate(Query.builder(ClientSubnet.parse("192.0.2.0/24")).trace(true).build());
    assertThat(down.endpoints()).extracting(Object::toString).containsExactly("backup");
    assertThat(down.records()).extracting(RecordData::presentation).containsExactly("198.51.100.99");
    assertThat(down.ttl()).isEqualTo(300);
    assertThat(String.join("\n", down.trace().lines())).contains("alias target elb UNHEALTHY",
        "stale for longer than the limit");

    upstream.mode(FakeUpstream.Mode.ANSWER);
    advance(5);
    await(resolver.refreshDue());
    assertThat(t.freshness()).isEqualTo(Freshness.FRESH);
    assertThat(policy.evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24"))).endpoints())
        .extracting(Object::toString).containsExactly("elb");
  }

  @Test
  void upstreamFailing_retriedAfterTheRetryInterval() throws Exception {
    upstream.mode(FakeUpstream.Mode.SERVFAIL);
    Target t = elb(RecordType.A);
    await(resolver.refreshDue());
    assertThat(t.health()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(t.describe()).contains("no answer", "answered SERVFAIL");
    advance(4);
    await(resolver.refreshDue());
    assertThat(upstream.questions()).isEqualTo(1);
    advance(1);
    await(resolver.refreshDue());
    assertThat(upstream.questions()).isEqualTo(2);
  }

  @Test
  void firstResolverServfail_nextResolverAnswers() throws Exception {
    try (FakeUpstream second = new FakeUpstream()) {
      resolver.close();
      resolver = builder(upstream, second).build();
      upstream.mode(FakeUpstream.Mode.SERVFAIL);
      second.put(ELB, "60 IN A 192.0.2.10");
      Target t = elb(RecordType.A);
      await(resolver.refreshDue());
      assertThat(addresses(t)).containsExactly("192.0.2.10");
      assertThat(t.describe()).contains("from 127.0.0.1:" + second.address().getPort());
      assertThat(upstream.questions()).isEqualTo(1);
    }
  }

  @Test
  void silentUpstream_timesOut_reasonSaysSo() throws Exception {
    upstream.mode(FakeUpstream.Mode.SILENT);
    Target t = elb(RecordType.A);
    await(resolver.refreshDue());
    assertThat(t.health()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(t.describe()).contains("timed out after 500 ms");
  }

  @Test
  void cnameChain_followed_ttlIsTheSmallestAlongIt() throws Exception {
    upstream.put(ELB, "300 IN CNAME hop1.example.net.");
    upstream.put("hop1.example.net", "40 IN CNAME hop2.example.net.");
    upstream.put("hop2.example.net", "90 IN A 192.0.2.30");
    Target t = elb(RecordType.A);
    await(resolver.refreshDue());
    assertThat(addresses(t)).containsExactly("192.0.2.30");
    assertThat(t.maxAnswerTtl()).isEqualTo(40);
    assertThat(t.describe()).contains(ELB + " -> hop1.example.net -> hop2.example.net");
  }

  @Test
  void cnameChain_notChasedByTheUpstream_targetAskedFor() throws Exception {
    upstream.chase(false);
    upstream.put(ELB, "300 IN CNAME hop1.example.net.");
    upstream.put("hop1.example.net", "60 IN A 192.0.2.31");
    Target t = elb(RecordType.A);
    await(resolver.refreshDue());
    assertThat(addresses(t)).containsExactly("192.0.2.31");
    assertThat(upstream.questions()).isEqualTo(2);
  }

  @Test
  void cnameLoop_detected_targetUnhealthy() throws Exception {
    upstream.put(ELB, "60 IN CNAME loop-a.example.net.");
    upstream.put("loop-a.example.net", "60 IN CNAME loop-b.example.net.");
    upstream.put("loop-b.example.net", "60 IN CNAME loop-a.example.net.");
    Target t = elb(RecordType.A);
    await(resolver.refreshDue());
    assertThat(t.records()).isEmpty();
    assertThat(t.health()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(t.describe()).contains("CNAME loop", "loop-a.example.net -> loop-b.example.net -> loop-a.example.net");
  }

  @Test
  void cnameChain_longerThanAllowed_targetUnhealthy() throws Exception {
    resolver.close();
    resolver = builder(upstream).maxCnameChain(2).build();
    upstream.put(ELB, "60 IN CNAME c1.example.net.");
    upstream.put("c1.example.net", "60 IN CNAME c2.example.net.");
    upstream.put("c2.example.net", "60 IN CNAME c3.example.net.");
    upstream.put("c3.example.net", "60 IN A 192.0.2.3");
    Target t = elb(RecordType.A);
    await(resolver.refreshDue());
    assertThat(t.health()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(t.describe()).contains("longer than 2 links");
  }

  @Test
  void nxdomain_targetUnhealthy_askedAgainAfterTheNegativeTtl() throws Exception {
    Target t = elb(RecordType.A);
    await(resolver.refreshDue());
    assertThat(t.health()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(t.freshness()).isEqualTo(Freshness.MISSING);
    assertThat(t.describe()).contains("NXDOMAIN for " + ELB);

    upstream.put(ELB, "60 IN A 192.0.2.10");
    advance(FakeUpstream.NEGATIVE_TTL - 1);
    await(resolver.refreshDue());
    assertThat(t.records()).isEmpty();
    advance(1);
    await(resolver.refreshDue());
    assertThat(addresses(t)).containsExactly("192.0.2.10");
  }

  @Test
  void onlyAaaa_forAnAPolicy_noData_unhealthy() throws Exception {
    upstream.put(ELB, "60 IN AAAA 2001:db8::10");
    Target a = elb(RecordType.A);
    Target aaaa = elb(RecordType.AAAA);
    await(resolver.refreshDue());
    assertThat(a.health()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(a.describe()).contains("no A records for " + ELB);
    assertThat(addresses(aaaa)).containsExactly("2001:db8::10");
  }

  @Test
  void slowUpstream_queriesAnsweredWithoutWaiting() throws Exception {
    resolver.close();
    resolver = builder(upstream).queryTimeout(Duration.ofSeconds(30)).build();
    upstream.put(ELB, "60 IN A 192.0.2.10");
    CompiledPolicy policy = PolicyEvaluator.builder().aliasResolver(resolver).build()
        .compile(PolicyDocumentJson.read(FAILOVER), new PolicyBinding("p", 1, "www.example.com", 60));
    await(resolver.refreshDue());
    upstream.mode(FakeUpstream.Mode.SILENT);

    CompletableFuture<Void> lookup = resolver.refreshAll();
    int answered = 0;
    for (int i = 0; i < 10_000; i++) {
      Answer a = policy.evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24")));
      if (a.records().size() == 1 && a.records().get(0).presentation().equals("192.0.2.10")) {
        answered++;
      }
    }
    assertThat(lookup).as("the lookup is still waiting for the silent upstream").isNotDone();
    assertThat(answered).isEqualTo(10_000);
  }

  @Test
  void overridesTable_answersFirst_targetNeverLookedUp() throws Exception {
    resolver.close();
    resolver = builder(upstream).overrides(StaticAliasResolver.parse(ELB + ",203.0.113.5\n")).build();
    Target t = elb(RecordType.A);
    await(resolver.refreshAll());
    assertThat(addresses(t)).containsExactly("203.0.113.5");
    assertThat(t.freshness()).isEqualTo(Freshness.STATIC);
    assertThat(upstream.questions()).isZero();
  }

  @Test
  void awaitTargets_trueOnceEveryTargetWasLookedUp() throws Exception {
    resolver.close();
    upstream.put(ELB, "60 IN A 192.0.2.10");
    try (DnsAliasResolver live = DnsAliasResolver.builder().resolver(upstream.address()).build()) {
      Target t = live.target(ELB_ENDPOINT, RecordType.A, "www.example.com");
      assertThat(live.awaitTargets(Duration.ofSeconds(30))).isTrue();
      assertThat(addresses(t)).containsExactly("192.0.2.10");
    }
  }

  @Test
  void backgroundRefresher_refreshesOnItsOwnBeforeTheTtlRunsOut() throws Exception {
    resolver.close();
    upstream.put(ELB, "1 IN A 192.0.2.10");
    try (DnsAliasResolver live = DnsAliasResolver.builder().resolver(upstream.address()).minTtl(Duration.ZERO)
        .build()) {
      Target t = live.target(ELB_ENDPOINT, RecordType.A, "www.example.com");
      assertThat(live.awaitTargets(Duration.ofSeconds(30))).isTrue();
      assertThat(addresses(t)).containsExactly("192.0.2.10");
      upstream.put(ELB, "1 IN A 192.0.2.20");
      // Waits for the refresher's next lookup (due one second after the first), not for a fixed time.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!addresses(t).equals(List.of("192.0.2.20")) && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      assertThat(addresses(t)).containsExactly("192.0.2.20");
      assertThat(t.freshness()).isEqualTo(Freshness.FRESH);
    }
  }

  @Test
  void lookupName_s3Website_regionalWebsiteEndpoint() {
    assertThat(DnsAliasResolver.lookupName(s3("www.example.com", "us-east-1")))
        .isEqualTo("s3-website-us-east-1.amazonaws.com");
    assertThat(DnsAliasResolver.lookupName(s3("www.example.com", "eu-central-1")))
        .isEqualTo("s3-website.eu-central-1.amazonaws.com");
    assertThat(DnsAliasResolver.lookupName(s3("www.example.com.s3-website.eu-west-3.amazonaws.com.", "eu-west-3")))
        .isEqualTo("www.example.com.s3-website.eu-west-3.amazonaws.com");
    assertThat(DnsAliasResolver.lookupName(alias("D111111ABCDEF8.cloudfront.net.")))
        .isEqualTo("d111111abcdef8.cloudfront.net");
  }

  @Test
  void evaluatedPolicy_aliasAnswerTtl_smallerOfRecordAndTarget() throws Exception {
    upstream.put(ELB, "60 IN A 192.0.2.10");
    PolicyEvaluator evaluator = PolicyEvaluator.builder().aliasResolver(resolver).build();
    PolicyDocument doc = PolicyDocumentJson.read(FAILOVER);
    CompiledPolicy longer = evaluator.compile(doc, new PolicyBinding("p", 1, "www.example.com", 300));
    CompiledPolicy shorter = evaluator.compile(doc, new PolicyBinding("p", 1, "www.example.com", 20));
    await(resolver.refreshDue());
    assertThat(longer.evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24"))).ttl()).isEqualTo(60);
    assertThat(shorter.evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24"))).ttl()).isEqualTo(20);
  }

  private static Endpoint alias(String value) {
    return new Endpoint(EndpointType.CLOUDFRONT, value, Optional.empty());
  }

  private static Endpoint s3(String bucket, String region) {
    return new Endpoint(EndpointType.S3_WEBSITE, bucket, Optional.of(region));
  }
}
