package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.Transport;
import io.github.trafficpolicy.dns.cli.TrafficPolicyCommand;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.lifecycle.EtcdProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * {@code serve} with {@code sharedHealth}: three servers sharing one real etcd (started on loopback ports), each
 * probing check {@code hc-a} against an endpoint of its own (closing it is "this server sees the endpoint down"),
 * each answering a failover record whose primary has that check; and the member's problems.
 */
final class ServeSharedHealthTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String ZONE = ServeHealthChecksTest.ZONE;
  private static final String PRIMARY = ServeHealthChecksTest.PRIMARY;
  private static final String SECONDARY = ServeHealthChecksTest.SECONDARY;
  /** A failover record whose primary has health check hc-a. */
  private static final String FAILOVER = ServeHealthChecksTest.FAILOVER;
  private static final HealthCheckId HC = HealthCheckId.of("hc-a");

  @TempDir static Path shared;
  @TempDir Path dir;
  private static EtcdProcess etcd;
  private static int prefixes;
  private final List<Server> servers = new ArrayList<>();

  private record Server(String vantage, ServerSocket endpoint, ConfiguredServer serve, Path config) {}

  @BeforeAll
  static void startEtcd() throws Exception {
    EtcdProcess.assumeInstalled();
    etcd = EtcdProcess.start(shared.resolve("etcd"));
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
  }

  @AfterEach
  void stop() throws IOException {
    for (Server s : servers) {
      s.serve.close();
      s.endpoint.close();
    }
  }

  private Path config(String name, String registry, String sharedHealth, int port) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    Files.writeString(d.resolve("example.net.zone"), ZONE);
    Files.writeString(d.resolve("fo.json"), FAILOVER);
    Path file = d.resolve("serve.json");
    Files.writeString(file, "{\n  \"listen\": [\"127.0.0.1:0\"],\n  \"udpThreads\": 1,\n  \"zones\": [ { \"origin\": "
        + "\"example.net\", \"file\": \"example.net.zone\" } ],\n  \"policyRecords\": [ { \"zone\": \"example.net\", "
        + "\"name\": \"www.example.net\", \"document\": \"fo.json\" } ],\n"
        + "  \"healthChecks\": [ { \"id\": \"hc-a\", \"type\": \"TCP\", \"target\": \"127.0.0.1\", \"port\": " + port
        + ", \"failureThreshold\": 1, \"requestIntervalSeconds\": 3600 } ],\n"
        + "  \"metrics\": { \"listen\": \"127.0.0.1:0\" },\n"
        + "  \"registry\": " + registry + ",\n  \"sharedHealth\": " + sharedHealth + "\n}\n");
    return file;
  }

  private void three(String share) throws Exception {
    String registry = "\"etcd://" + etcd.endpoint() + "/serve" + (++prefixes) + "\"";
    for (String v : List.of("ns-a", "ns-b", "ns-c")) {
      ServerSocket endpoint = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Path config = config(v, registry, "{\"vantage\": \"" + v + "\", \"leaseSeconds\": 2" + share + "}",
          endpoint.getLocalPort());
      ConfiguredServer serve = ConfiguredServer.load(config).start();
      servers.add(new Server(v, endpoint, serve, config));
    }
    servers.forEach(this::probe);
    awaitEvery(s -> s.serve.sharedHealth().orElseThrow().view().get(HC).decided() == 3, "three results everywhere");
  }

  private void probe(Server s) {
    try {
      s.serve.healthChecker().orElseThrow().runOnce().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private void seeDown(Server s) throws IOException {
    s.endpoint.close();
    probe(s);
  }

  private void awaitEvery(Predicate<Server> condition, String what) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!servers.stream().allMatch(condition)) {
      if (System.nanoTime() > end) {
        StringBuilder b = new StringBuilder();
        servers.forEach(s -> b.append("\n  ").append(s.vantage).append(": ")
            .append(s.serve.sharedHealth().orElseThrow().view()));
        throw new AssertionError("not within " + WAIT + ": " + what + b);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** The first address {@code s} answers for www.example.net. */
  static String answer(ConfiguredServer s) throws IOException {
    QueryHandler h = s.server().handler();
    Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.net."), Type.A, DClass.IN));
    Message r = new Message(h.handle(q.toWire(), InetAddress.getLoopbackAddress(), Transport.UDP).orElseThrow());
    return r.getSection(Section.ANSWER).get(0).rdataToString();
  }

  @Test
  void everyServerAnswersFromTheAggregate_defaultShare() throws Exception {
    three("");
    for (Server s : servers) {
      assertThat(answer(s.serve)).as(s.vantage).isEqualTo(PRIMARY);
    }
    seeDown(servers.get(0));
    seeDown(servers.get(1));
    awaitEvery(s -> s.serve.sharedHealth().orElseThrow().view().get(HC).healthy() == 1, "1 of 3 healthy everywhere");
    for (Server s : servers) {
      // 1 of 3 > 18 %: the primary stays, also on the servers that see it down themselves
      assertThat(answer(s.serve)).as(s.vantage).isEqualTo(PRIMARY);
    }

    InetSocketAddress metrics = servers.get(0).serve.metricsAddress().orElseThrow();
    String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + metrics.getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(scrape).contains(
        "traffic_policy_health_vantage_status{check=\"hc-a\",vantage=\"ns-a\"} 0.0",
        "traffic_policy_health_vantage_status{check=\"hc-a\",vantage=\"ns-c\"} 1.0",
        "traffic_policy_health_check_served_status{check=\"hc-a\"} 1.0",
        "traffic_policy_health_check_vantages_decided{check=\"hc-a\"} 3.0",
        "traffic_policy_health_shared_connected 1.0",
        // this server's own checker sees it down
        "traffic_policy_health_check_status{check=\"hc-a\"} 0.0");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    picocli.CommandLine cl = TrafficPolicyCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute("health", "--config", servers.get(2).config.toString());
    assertThat(exit).as(err.toString()).isZero(); // this command's own probe reaches ns-c's endpoint
    assertThat(out.toString()).containsPattern("hc-a +ns-a +UNHEALTHY .*connection refused")
        .containsPattern("hc-a +ns-b +UNHEALTHY")
        .containsPattern("hc-a +ns-c +HEALTHY")
        .containsPattern("hc-a +\\(served\\) +HEALTHY .*1 of 3 vantage points see it healthy");

    seeDown(servers.get(2));
    awaitEvery(s -> s.serve.health().current().check(HC) == HealthStatus.UNHEALTHY, "unhealthy everywhere");
    for (Server s : servers) {
      assertThat(answer(s.serve)).as(s.vantage).isEqualTo(SECONDARY);
    }
  }

  @Test
  void halfShareTwoOfThreeDownFailsOverEverywhere() throws Exception {
    three(", \"healthyShare\": 0.5");
    seeDown(servers.get(0));
    awaitEvery(s -> s.serve.sharedHealth().orElseThrow().view().get(HC).healthy() == 2, "2 of 3 healthy everywhere");
    for (Server s : servers) {
      assertThat(answer(s.serve)).as(s.vantage).isEqualTo(PRIMARY);
    }
    seeDown(servers.get(1));
    awaitEvery(s -> s.serve.health().current().check(HC) == HealthStatus.UNHEALTHY, "unhealthy everywhere");
    for (Server s : servers) {
      assertThat(answer(s.serve)).as(s.vantage).isEqualTo(SECONDARY);
    }
  }

  @Test
  void sharedHealthNeedsAnEtcdRegistryAndValidMembers() throws IOException {
    Path reg = Files.createDirectories(dir.resolve("registry"));
    ServeConfig directory = ServeConfigReader.read(config("d", "\"" + reg + "\"", "{}", 1));
    assertThatThrownBy(() -> ConfiguredServer.create(directory)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).singleElement().asString().contains("/sharedHealth: needs an etcd registry"));

    ServeConfig bad = ServeConfigReader.read(config("b", "\"etcd://127.0.0.1:2379/x\"",
        "{\"healthyShare\": 1, \"vantage\": \"a b\", \"leaseSeconds\": 1, \"colour\": 1}", 1));
    assertThatThrownBy(() -> ConfiguredServer.create(bad)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(String.join("\n", e.problems())).contains(
            "/sharedHealth/colour: unknown key",
            "/sharedHealth/healthyShare: must be a number from 0 up to, not including, 1",
            "/sharedHealth/vantage: a vantage point ID is 1-64 letters",
            "/sharedHealth/leaseSeconds: must be an integer from 2 to 3600 but was 1"));
  }

  @Test
  void theDefaultVantageIsTheHostAndProcess() {
    String v = SharedHealthConfig.defaultVantage();
    assertThat(v).endsWith("-" + ProcessHandle.current().pid()).matches("[a-z0-9._:-]{1,64}");
  }
}
