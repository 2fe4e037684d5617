package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.Transport;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.HealthStatusFile;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The {@code healthChecks} member of the serve configuration, against a real HTTP server on 127.0.0.1. */
final class ServeHealthChecksTest {
  private static final String ZONE = "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n@ IN NS ns1\n"
      + "ns1 IN A 192.0.2.53\n";
  private static final String PRIMARY = "192.0.2.1";
  private static final String SECONDARY = "192.0.2.2";
  private static final String FAILOVER = "{ \"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\","
      + " \"StartRule\": \"fo\", \"Endpoints\": { \"a\": { \"Type\": \"value\", \"Value\": \"" + PRIMARY + "\" },"
      + " \"b\": { \"Type\": \"value\", \"Value\": \"" + SECONDARY + "\" } }, \"Rules\": { \"fo\": {"
      + " \"RuleType\": \"failover\", \"Primary\": { \"EndpointReference\": \"a\", \"HealthCheck\": \"hc-a\" },"
      + " \"Secondary\": { \"EndpointReference\": \"b\" } } } }";
  private static final String RECORD = "{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": "
      + "\"fo.json\" }";

  @TempDir Path dir;
  private HttpServer http;
  private final AtomicBoolean down = new AtomicBoolean();

  @BeforeEach
  void startEndpoint() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/health", ex -> {
      int status = down.get() ? 503 : 200;
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    http.start();
    Files.writeString(dir.resolve("example.net.zone"), ZONE);
    Files.writeString(dir.resolve("fo.json"), FAILOVER);
  }

  @AfterEach
  void stopEndpoint() {
    http.stop(0);
  }

  /** A check of the local endpoint: threshold 2, an interval long enough that only the test drives probes. */
  private String httpCheck(String id) {
    return "{ \"id\": \"" + id + "\", \"type\": \"HTTP\", \"target\": \"127.0.0.1\", \"port\": "
        + http.getAddress().getPort() + ", \"resourcePath\": \"/health\", \"failureThreshold\": 2,"
        + " \"requestIntervalSeconds\": 3600 }";
  }

  private ServeConfig config(String extra) throws IOException {
    Path file = dir.resolve("serve.json");
    Files.writeString(file, "{\n  \"listen\": [\"127.0.0.1:0\"],\n  \"udpThreads\": 1,\n  \"zones\": [ { \"origin\": "
        + "\"example.net\", \"file\": \"example.net.zone\" } ],\n  \"policyRecords\": [" + RECORD + "]" + extra
        + "\n}");
    return ServeConfigReader.read(file);
  }

  private static String answer(QueryHandler h) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.net."), Type.A, DClass.IN));
    Message r = new Message(h.handle(q.toWire(), InetAddress.getLoopbackAddress(), Transport.UDP).orElseThrow());
    List<Record> a = r.getSection(Section.ANSWER);
    return a.isEmpty() ? "rcode " + r.getRcode() : a.get(0).rdataToString();
  }

  private static String answerOverUdp(int port) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.net."), Type.A, DClass.IN));
    byte[] wire = q.toWire();
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      socket.setSoTimeout(5000);
      socket.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), port));
      DatagramPacket reply = new DatagramPacket(new byte[1232], 1232);
      socket.receive(reply);
      Message r = new Message(java.util.Arrays.copyOf(reply.getData(), reply.getLength()));
      return r.getSection(Section.ANSWER).get(0).rdataToString();
    }
  }

  private static Set<Thread> healthThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("health-scheduler-") || t.getName().startsWith("health-io-")
            || t.getName().startsWith("health-resolver-"))
        .collect(Collectors.toSet());
  }

  private static void round(HealthChecker checker) throws Exception {
    checker.runOnce().get(30, TimeUnit.SECONDS);
  }

  @Test
  void httpCheckOnPrimary_endpointDown_failsOverAfterThresholdAndBackAfterRecovery() throws Exception {
    try (ConfiguredServer s = ConfiguredServer.create(config(",\n  \"healthChecks\": [" + httpCheck("hc-a") + "]"))) {
      QueryHandler h = s.server().handler();
      HealthChecker checker = s.healthChecker().orElseThrow();
      assertThat(checker.registry()).isSameAs(s.health());

      round(checker);
      assertThat(s.health().current().check(HealthCheckId.of("hc-a"))).isEqualTo(HealthStatus.HEALTHY);
      assertThat(answer(h)).isEqualTo(PRIMARY);

      down.set(true);
      round(checker);                        // 1 failure of 2: still healthy
      assertThat(answer(h)).isEqualTo(PRIMARY);
      round(checker);                        // 2 failures: unhealthy
      assertThat(s.health().current().check(HealthCheckId.of("hc-a"))).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(answer(h)).isEqualTo(SECONDARY);

      down.set(false);
      round(checker);                        // 1 success of 2: still unhealthy
      assertThat(answer(h)).isEqualTo(SECONDARY);
      round(checker);
      assertThat(answer(h)).isEqualTo(PRIMARY);
    }
  }

  @Test
  void invalidCheck_reportedWithItsJsonPathBesideOtherProblems() throws IOException {
    Set<Thread> before = healthThreads();
    assertThatThrownBy(() -> config(",\n  \"seed\": \"x\",\n  \"healthChecks\": [" + httpCheck("hc-a") + ", { \"id\": "
        + "\"hc-b\", \"type\": \"TCP\", \"target\": \"127.0.0.1\", \"port\": 0 }]"))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            dir.resolve("serve.json") + ": /seed: must be an integer but was \"x\"",
            dir.resolve("serve.json") + ": /healthChecks/1/port: must be 1..65535 but was 0"));
    assertThat(healthThreads()).isEqualTo(before);
  }

  @Test
  void invalidCheckInProgrammaticConfig_createReportsItAndBuildsNoChecker() throws IOException {
    ServeConfig valid = config("");
    ServeConfig bad = new ServeConfig(valid.name(), valid.source(), valid.listen(), valid.udpThreads(), valid.udpIo(),
        valid.udpScheduling(), valid.maxUdpPayload(), valid.tcpMaxConnections(), valid.tcpIdleTimeout(), valid.zones(),
        valid.policyRecords(), valid.cidrTable(), valid.maxmind(), valid.latencyTable(), valid.healthStatus(),
        valid.seed(), valid.queryLog(), valid.printCountersOnShutdown(), com.google.common.collect.ImmutableMap.of(
            "healthChecks", new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "[ { \"id\": \"hc-a\", \"type\": \"PING\" } ]")), valid.aliasTargets(), valid.tcpLimits(), valid.rateLimit(), valid.cookies());
    Set<Thread> before = healthThreads();
    assertThatThrownBy(() -> ConfiguredServer.create(bad))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
            .asString().startsWith(valid.name() + ": /healthChecks/0/type: "));
    assertThat(healthThreads()).isEqualTo(before);
  }

  @Test
  void startThenClose_checkerProbesWhileServingAndItsThreadsEnd() throws Exception {
    Set<Thread> before = healthThreads();
    ConfiguredServer s = ConfiguredServer.create(config(",\n  \"healthChecks\": [" + httpCheck("hc-a") + "]"))
        .start();
    HealthChecker checker = s.healthChecker().orElseThrow();
    try {
      down.set(true);
      round(checker);
      round(checker);
      assertThat(answerOverUdp(s.server().port())).isEqualTo(SECONDARY);
    } finally {
      s.close();
    }
    Set<Thread> own = healthThreads();
    own.removeAll(before);
    for (Thread t : own) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    assertThat(own).allSatisfy(t -> assertThat(t.isAlive()).as(t.getName()).isFalse());
    assertThat(checker.openConnections()).isZero();
    assertThatThrownBy(checker::runOnce).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void healthStatusFileListingACheckedId_isAConfigurationError() throws IOException {
    Files.writeString(dir.resolve("health.json"), "{ \"checks\": { \"hc-a\": \"UNHEALTHY\", \"hc-z\": \"HEALTHY\" } }");
    ServeConfig c = config(",\n  \"healthStatus\": { \"file\": \"health.json\", \"watch\": false },\n"
        + "  \"healthChecks\": [" + httpCheck("hc-a") + "]");
    assertThatThrownBy(() -> ConfiguredServer.create(c))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith(dir.resolve("health.json") + ": /checks/hc-a: is probed by the health check at "
                + c.name() + ": /healthChecks/0"));
  }

  @Test
  void healthStatusFileAndChecks_shareTheRegistryWithoutOverwritingEachOther() throws Exception {
    Files.writeString(dir.resolve("health.json"), "{ \"checks\": { \"hc-file\": \"UNHEALTHY\" } }");
    ServeConfig c = config(",\n  \"healthStatus\": { \"file\": \"health.json\", \"watch\": false },\n"
        + "  \"healthChecks\": [" + httpCheck("hc-a") + "]");
    try (ConfiguredServer s = ConfiguredServer.create(c)) {
      down.set(true);
      round(s.healthChecker().orElseThrow());
      round(s.healthChecker().orElseThrow());
      HealthSnapshot now = s.health().current();
      assertThat(now.check(HealthCheckId.of("hc-a"))).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(now.check(HealthCheckId.of("hc-file"))).isEqualTo(HealthStatus.UNHEALTHY);
    }
  }

  @Test
  void healthWatchReload_setsOnlyItsOwnIdsAndIgnoresCheckedOnes() {
    HealthRegistry registry = new HealthRegistry();
    HealthStatusFile watch = HealthStatusFile.publishing(registry, Set.of(HealthCheckId.of("hc-a")));
    registry.setCheck("hc-a", HealthStatus.UNHEALTHY);       // as the checker publishes it
    watch.apply(HealthSnapshot.builder().check("hc-b", HealthStatus.UNHEALTHY).target("ep", HealthStatus.HEALTHY)
        .build());
    assertThat(registry.current().check(HealthCheckId.of("hc-b"))).isEqualTo(HealthStatus.UNHEALTHY);

    // The file no longer lists hc-b or ep, and now lists the checked hc-a: hc-b and ep go back to unknown, hc-a
    // keeps the checker's status.
    List<HealthCheckId> ignored = watch.apply(HealthSnapshot.builder().check("hc-a", HealthStatus.HEALTHY)
        .check("hc-c", HealthStatus.HEALTHY).build());
    HealthSnapshot now = registry.current();
    assertThat(ignored).containsExactly(HealthCheckId.of("hc-a"));
    assertThat(now.check(HealthCheckId.of("hc-a"))).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(now.check(HealthCheckId.of("hc-b"))).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(now.check(HealthCheckId.of("hc-c"))).isEqualTo(HealthStatus.HEALTHY);
    assertThat(now.target(io.github.trafficpolicy.api.EndpointId.of("ep"))).isEqualTo(HealthStatus.UNKNOWN);
  }

  @Test
  void bundledExample_definesNoHealthChecks_butItsApiMayAddSome() {
    try (ConfiguredServer s = ConfiguredServer.create(ServeConfigReader.bundledExample())) {
      // Its registry (in memory) and API come with a checker for the checks made through the API.
      assertThat(s.healthChecker()).hasValueSatisfying(c -> assertThat(c.checks()).isEmpty());
    }
  }
}
