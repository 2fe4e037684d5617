package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.input.DnsAliasResolver;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

final class RegistryServingTest {
  private static final int SWAPS = 100;
  private static final int QUERY_THREADS = 3;

  @TempDir Path dir;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ConcurrentLinkedQueue<QueryLogEntry> queryLog = new ConcurrentLinkedQueue<>();
  private final LinkedBlockingQueue<String> serverLog = new LinkedBlockingQueue<>();

  private static String single(String address) {
    return "{\n  \"AWSPolicyFormatVersion\": \"2015-10-01\",\n  \"RecordType\": \"A\",\n"
        + "  \"StartEndpoint\": \"only\",\n"
        + "  \"Endpoints\": {\"only\": {\"Type\": \"value\", \"Value\": \"" + address + "\"}}\n}\n";
  }

  private static String weighted(String a, String b) {
    return "{\"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\", \"StartRule\": \"w\",\n"
        + " \"Endpoints\": {\"a\": {\"Type\": \"value\", \"Value\": \"" + a + "\"},\n"
        + "               \"b\": {\"Type\": \"value\", \"Value\": \"" + b + "\"}},\n"
        + " \"Rules\": {\"w\": {\"RuleType\": \"weighted\", \"Items\": [\n"
        + "   {\"EndpointReference\": \"a\", \"Weight\": \"1\"}, {\"EndpointReference\": \"b\", \"Weight\": \"1\"}]}}}\n";
  }

  private TrafficPolicyRegistry registry() {
    return TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).directory(dir).build();
  }

  private AuthoritativeServer serve(RegistryServing serving) throws IOException {
    QueryHandler handler = QueryHandler.builder(serving.catalog()).queryLog(queryLog::add).build();
    serving.serveWith(handler);
    AuthoritativeServer server = AuthoritativeServer.builder(handler)
        .listen(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))
        .udpThreads(2)
        .build()
        .start();
    toClose.add(server);
    toClose.add(serving);
    return server;
  }

  private RegistryServing serving(TrafficPolicyRegistry registry) {
    return RegistryServing.create(registry, PolicyEvaluator.builder().build(),
        List.of(Zone.parse("example.com", Dns.ZONE)), List.of(), serverLog::add);
  }

  private static SimpleResolver resolver(int port) throws IOException {
    SimpleResolver r = new SimpleResolver("127.0.0.1");
    r.setPort(port);
    r.setTimeout(Duration.ofSeconds(5));
    return r;
  }

  private static List<String> answers(Message reply) {
    return reply.getSection(Section.ANSWER).stream().map(Record::rdataToString).sorted().toList();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  @Test
  void swapping100Versions_underQueries_noFailedQuery_everyAnswerFromOldOrNewVersion() throws Exception {
    TrafficPolicyRegistry registry = registry();
    String id = registry.createPolicy("www", single("192.0.2.1"), Optional.empty()).id();
    registry.createPolicyVersion(id, weighted("192.0.2.2", "192.0.2.3"), Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    AuthoritativeServer server = serve(serving(registry));
    List<String> v1 = List.of("192.0.2.1");
    List<String> v2a = List.of("192.0.2.2");
    List<String> v2b = List.of("192.0.2.3");

    AtomicBoolean swapping = new AtomicBoolean(true);
    AtomicLong answered = new AtomicLong();
    CountDownLatch started = new CountDownLatch(QUERY_THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(QUERY_THREADS);
    List<Future<List<String>>> clients = new ArrayList<>();
    for (int t = 0; t < QUERY_THREADS; t++) {
      clients.add(pool.submit(() -> {
        SimpleResolver resolver = resolver(server.port());
        List<String> failures = new ArrayList<>();
        started.countDown();
        while (swapping.get()) {
          try {
            Message reply = resolver.send(Dns.query("www.example.com.", Type.A));
            List<String> a = answers(reply);
            if (reply.getRcode() != Rcode.NOERROR || !(a.equals(v1) || a.equals(v2a) || a.equals(v2b))) {
              failures.add(Rcode.string(reply.getRcode()) + " " + a);
            }
          } catch (IOException e) {
            failures.add(e.toString());
          }
          answered.incrementAndGet();
        }
        return failures;
      }));
    }
    started.await(30, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (int swap = 1; swap <= SWAPS; swap++) {
      long before = answered.get();
      int version = swap % 2 == 1 ? 2 : 1;
      registry.updateRecord("www.example.com", Optional.of(version), OptionalLong.empty());
      assertThat(server.handler().catalog().policyRecord("www.example.com").orElseThrow().binding().policyVersion())
          .isEqualTo(version);
      while (answered.get() < before + QUERY_THREADS && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
    }
    swapping.set(false);
    List<String> failures = new ArrayList<>();
    for (Future<List<String>> c : clients) {
      failures.addAll(c.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();

    assertThat(failures).as("failed queries").isEmpty();
    assertThat(answered.get()).isGreaterThanOrEqualTo((long) SWAPS * QUERY_THREADS);
    List<QueryLogEntry> logged = new ArrayList<>(queryLog);
    assertThat(logged).hasSizeGreaterThanOrEqualTo(SWAPS * QUERY_THREADS);
    assertThat(logged).allSatisfy(e -> {
      assertThat(e.rcode()).isEqualTo("NOERROR");
      String version = e.policy().orElseThrow();
      if (version.equals(id + " v1")) {
        assertThat(e.answer()).isEqualTo("192.0.2.1");
      } else {
        assertThat(version).isEqualTo(id + " v2");
        assertThat(e.answer()).isIn("192.0.2.2", "192.0.2.3");
      }
    });
    assertThat(logged).anyMatch(e -> e.policy().orElseThrow().endsWith(" v1"))
        .anyMatch(e -> e.policy().orElseThrow().endsWith(" v2"));
  }

  @Test
  void changeByAnotherProcess_isPickedUpByTheWatch() throws Exception {
    TrafficPolicyRegistry registry = registry();
    String id = registry.createPolicy("www", single("192.0.2.1"), Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    RegistryServing serving = serving(registry);
    AuthoritativeServer server = serve(serving);
    serving.watch(Duration.ofMillis(5));

    TrafficPolicyRegistry cli = registry();
    cli.createPolicyVersion(id, single("192.0.2.9"), Optional.empty());
    cli.updateRecord("www.example.com", Optional.of(2), OptionalLong.of(30));
    cli.createRecord("example.com", "api.example.com", 60, id, 1);

    long generation = cli.state().generation();
    String line;
    do {
      line = serverLog.poll(30, TimeUnit.SECONDS);
      assertThat(line).as("server log line").isNotNull();
    } while (!line.equals("registry generation " + generation + ": serving 2 policy records from the registry"));
    Message www = resolver(server.port()).send(Dns.query("www.example.com.", Type.A));
    Message api = resolver(server.port()).send(Dns.query("api.example.com.", Type.A));
    assertThat(answers(www)).containsExactly("192.0.2.9");
    assertThat(www.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(30);
    assertThat(answers(api)).containsExactly("192.0.2.1");
  }

  @Test
  void stateThatCannotBeServed_isRefused_oldCatalogKeepsAnswering() throws Exception {
    TrafficPolicyRegistry registry = registry();
    String id = registry.createPolicy("www", single("192.0.2.1"), Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    RegistryServing serving = serving(registry);
    AuthoritativeServer server = serve(serving);
    long served = serving.servedGeneration();

    registry.createRecord("example.net", "www.example.net", 60, id, 1);
    registry.createRecord("example.com", "static.example.com", 60, id, 1);

    assertThat(serving.servedGeneration()).isEqualTo(served);
    assertThat(serverLog).anyMatch(l -> l.contains("refused") && l.contains("www.example.net. A is not in any zone"));
    assertThat(serverLog).anyMatch(l -> l.contains("static.example.com. A has static A records beside it"));
    Message reply = resolver(server.port()).send(Dns.query("www.example.com.", Type.A));
    assertThat(answers(reply)).containsExactly("192.0.2.1");

    registry.deleteRecord("www.example.net");
    registry.deleteRecord("static.example.com");
    registry.updateRecord("www.example.com", Optional.empty(), OptionalLong.of(5));

    assertThat(serving.servedGeneration()).isEqualTo(registry.state().generation());
    assertThat(resolver(server.port()).send(Dns.query("www.example.com.", Type.A)).getSection(Section.ANSWER)
        .get(0).getTTL()).isEqualTo(5);
  }

  @Test
  void metrics_generationSwapsRefusals_andPolicyAnswersCountedAcrossARecordUpdate() throws Exception {
    TrafficPolicyRegistry registry = registry();
    String id = registry.createPolicy("www", single("192.0.2.1"), Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    RegistryServing serving = serving(registry);
    AuthoritativeServer server = serve(serving);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    DnsMetrics.registryServing(serving).bindTo(meters);
    DnsMetrics.queryHandler(server.handler()).bindTo(meters);
    SimpleResolver resolver = resolver(server.port());
    for (int i = 0; i < 4; i++) {
      assertThat(answers(resolver.send(Dns.query("www.example.com.", Type.A)))).containsExactly("192.0.2.1");
    }

    registry.updateRecord("www.example.com", Optional.empty(), OptionalLong.of(5)); // served: one swap
    registry.createRecord("example.net", "www.example.net", 60, id, 1); // outside the zones: refused
    assertThat(answers(resolver.send(Dns.query("www.example.com.", Type.A)))).containsExactly("192.0.2.1");

    assertThat(meters.get(DnsMetrics.PREFIX + "registry.swaps").functionCounter().count()).isEqualTo(1);
    assertThat(meters.get(DnsMetrics.PREFIX + "registry.refused").functionCounter().count()).isEqualTo(1);
    assertThat(meters.get(DnsMetrics.PREFIX + "registry.generation").gauge().value())
        .isEqualTo(serving.servedGeneration());
    assertThat(meters.get(DnsMetrics.PREFIX + "dns.policy.answers").tag("record", "www.example.com.")
        .functionCounter().count()).isEqualTo(5);
    assertThat(server.counters().byPolicyRecord().get("www.example.com.").answers()).isEqualTo(5);
  }

  @Test
  void create_initialStateCannotBeServed_throwsListingProblems() {
    TrafficPolicyRegistry registry = registry();
    String id = registry.createPolicy("www", single("192.0.2.1"), Optional.empty()).id();
    registry.createRecord("example.org", "www.example.org", 60, id, 1);

    assertThatThrownBy(() -> serving(registry)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("www.example.org. A is not in any zone");
  }

  @Test
  void recordAddedWithAliasEndpoints_targetsLookedUpBeforeItServes_missingOneLogged() throws Exception {
    AuthoritativeServer upstream = AuthoritativeServer.builder(Catalog.builder().zone(Zone.parse("amazonaws.com",
        "@ IN SOA ns1 h 1 7200 900 1209600 30\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"
            + "web-1.us-east-1.elb IN A 192.0.2.61\n")).build())
        .listen(new InetSocketAddress("127.0.0.1", 0)).build().start();
    toClose.add(upstream);
    DnsAliasResolver aliases = DnsAliasResolver.builder().resolver(new InetSocketAddress("127.0.0.1",
        upstream.port())).build();
    toClose.add(aliases);
    TrafficPolicyRegistry registry = registry();
    RegistryServing serving = RegistryServing.create(registry, PolicyEvaluator.builder().aliasResolver(aliases).build(),
        List.of(Zone.parse("example.com", Dns.ZONE)), List.of(), serverLog::add);
    serving.aliasTargetWait(Duration.ofSeconds(30));
    AuthoritativeServer server = serve(serving);

    String id = registry.createPolicy("www", failoverToValue("web-1.us-east-1.elb.amazonaws.com"), Optional.empty())
        .id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    // The first query after the change already gets the load balancer: its lookup ended before the swap.
    assertThat(answers(resolver(server.port()).send(Dns.query("www.example.com", Type.A))))
        .containsExactly("192.0.2.61");

    String other = registry.createPolicy("api", failoverToValue("web-2.us-east-1.elb.amazonaws.com"),
        Optional.empty()).id();
    registry.createRecord("example.com", "api.example.com", 60, other, 1);
    assertThat(serverLog).anySatisfy(l -> assertThat(l).contains("policy " + other + " version 1 at api.example.com",
        "endpoint lb (elastic-load-balancer web-2.us-east-1.elb.amazonaws.com) has no addresses",
        "NXDOMAIN for web-2.us-east-1.elb.amazonaws.com"));
    assertThat(answers(resolver(server.port()).send(Dns.query("api.example.com", Type.A))))
        .containsExactly("198.51.100.99");
  }

  /** Failover from a load balancer (EvaluateTargetHealth) to a fixed address. */
  private static String failoverToValue(String loadBalancer) {
    return "{\"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\", \"StartRule\": \"fo\",\n"
        + " \"Endpoints\": {\"lb\": {\"Type\": \"elastic-load-balancer\", \"Value\": \"" + loadBalancer + "\"},\n"
        + "               \"backup\": {\"Type\": \"value\", \"Value\": \"198.51.100.99\"}},\n"
        + " \"Rules\": {\"fo\": {\"RuleType\": \"failover\",\n"
        + "   \"Primary\": {\"EndpointReference\": \"lb\", \"EvaluateTargetHealth\": true},\n"
        + "   \"Secondary\": {\"EndpointReference\": \"backup\"}}}}\n";
  }
}
