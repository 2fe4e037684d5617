package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Jar.builder;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.lifecycle.EtcdProcess;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vantage point that dies: two {@code traffic-policy serve} processes of the built jar share health through a real
 * etcd (started by the test on loopback ports) with a lease of 2 s and {@code healthyShare} 0.5, each probing check
 * {@code hc-a} against an endpoint of its own. Vantage point {@code ns-a} reaches its endpoint, {@code ns-b} does
 * not: 1 of 2 is not more than half, so both serve the check unhealthy and answer the failover record's secondary.
 * Then {@code ns-b} is killed with SIGKILL (nothing revoked, nothing said goodbye): {@code ns-a} goes on counting its
 * result until etcd expires its lease, then counts only itself (1 of 1) and answers the primary. Seen from outside,
 * as an operator sees it: the DNS answers, the metrics endpoint and the {@code health} command.
 */
final class EtcdVantageKillJarIT {
  private static final String ZONE = "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n@ IN NS ns1\n"
      + "ns1 IN A 192.0.2.53\n";
  private static final String PRIMARY = "192.0.2.1";
  private static final String SECONDARY = "192.0.2.2";
  /** A failover record whose primary has health check hc-a. */
  private static final String FAILOVER = "{ \"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\","
      + " \"StartRule\": \"fo\", \"Endpoints\": { \"a\": { \"Type\": \"value\", \"Value\": \"" + PRIMARY + "\" },"
      + " \"b\": { \"Type\": \"value\", \"Value\": \"" + SECONDARY + "\" } }, \"Rules\": { \"fo\": {"
      + " \"RuleType\": \"failover\", \"Primary\": { \"EndpointReference\": \"a\", \"HealthCheck\": \"hc-a\" },"
      + " \"Secondary\": { \"EndpointReference\": \"b\" } } } }";
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private EtcdProcess etcd;
  private final List<Server> servers = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  private record Server(String vantage, Process process, List<String> stderr, int dnsPort, int metricsPort,
                        Path config) {}

  @AfterEach
  void stop() throws Exception {
    for (Server s : servers) {
      s.process.destroy();
      if (!s.process.waitFor(20, TimeUnit.SECONDS)) {
        s.process.destroyForcibly().waitFor();
      }
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  /** Starts {@code serve} as vantage point {@code vantage}, probing {@code endpointPort} every 200 ms. */
  private Server start(String vantage, int endpointPort) throws Exception {
    Path d = Files.createDirectories(dir.resolve(vantage));
    Files.writeString(d.resolve("example.net.zone"), ZONE);
    Files.writeString(d.resolve("fo.json"), FAILOVER);
    Path config = d.resolve("serve.json");
    Files.writeString(config, "{\"listen\": [\"127.0.0.1:0\"], \"udpThreads\": 1, \"printCountersOnShutdown\": false,"
        + " \"zones\": [{\"origin\": \"example.net\", \"file\": \"example.net.zone\"}],"
        + " \"policyRecords\": [{\"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"fo.json\"}],"
        + " \"healthChecks\": [{\"id\": \"hc-a\", \"type\": \"TCP\", \"target\": \"127.0.0.1\", \"port\": "
        + endpointPort + ", \"failureThreshold\": 1, \"requestIntervalSeconds\": 0.2}],"
        + " \"metrics\": {\"listen\": \"127.0.0.1:0\"},"
        + " \"registry\": {\"etcd\": \"etcd://" + etcd.endpoint() + "/kill\", \"pollMillis\": 200},"
        + " \"sharedHealth\": {\"vantage\": \"" + vantage + "\", \"healthyShare\": 0.5, \"leaseSeconds\": "
        + LEASE.toSeconds() + "}}");
    Process p = builder(List.of(), "serve", "--config", config.toString()).start();
    List<String> stderr = new ArrayList<>();
    BlockingQueue<String> out = Jar.pump(p, stderr);
    String line = Jar.startupLine(out);
    assertThat(line).as("startup line of %s; stderr: %s", vantage, stderr).isNotNull();
    Matcher metrics = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics").matcher(line);
    assertThat(metrics.find()).as(line).isTrue();
    Server s = new Server(vantage, p, stderr, Jar.port(line), Integer.parseInt(metrics.group(1)), config);
    servers.add(s);
    return s;
  }

  private String scrape(Server s) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.metricsPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Scrapes {@code s} until its metrics contain every line of {@code lines}; fails after {@link #WAIT}. */
  private String awaitMetrics(Server s, String what, String... lines) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String scrape = scrape(s);
    while (!List.of(lines).stream().allMatch(scrape::contains)) {
      assertThat(System.nanoTime() - deadline).as("%s within %s; last scrape of %s:%n%s%nstderr: %s", what, WAIT,
          s.vantage, scrape, s.stderr).isNegative();
      TimeUnit.MILLISECONDS.sleep(20);
      scrape = scrape(s);
    }
    return scrape;
  }

  @Test
  void aKilledVantagePointCountsUntilItsLeaseExpiresThenTheSurvivorServesItsOwnView() throws Exception {
    EtcdProcess.assumeInstalled();
    etcd = EtcdProcess.start(dir.resolve("etcd"));
    int closedPort;
    try (ServerSocket gone = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      closedPort = gone.getLocalPort(); // nothing listens there once closed: ns-b sees the endpoint down
    }
    try (ServerSocket up = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Server a = start("ns-a", up.getLocalPort());
      Server b = start("ns-b", closedPort);

      // Both vantage points count on ns-a: 1 of 2 healthy is not more than half.
      String before = awaitMetrics(a, "ns-a counting ns-b's result",
          "traffic_policy_health_shared_connected 1.0",
          "traffic_policy_health_vantage_status{check=\"hc-a\",vantage=\"ns-a\"} 1.0",
          "traffic_policy_health_vantage_status{check=\"hc-a\",vantage=\"ns-b\"} 0.0",
          "traffic_policy_health_check_vantages_decided{check=\"hc-a\"} 2.0",
          "traffic_policy_health_check_served_status{check=\"hc-a\"} 0.0");
      assertThat(before).as("ns-a's own checker").contains("traffic_policy_health_check_status{check=\"hc-a\"} 1.0");
      try (DatagramSocket dns = Jar.socket()) {
        assertThat(Jar.answer(dns, a.dnsPort, "www.example.net", null)).containsExactly(SECONDARY);
      }

      long killed = System.nanoTime();
      b.process.destroyForcibly(); // SIGKILL: the lease is not revoked, it has to expire
      assertThat(b.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

      String after = awaitMetrics(a, "ns-a serving its own view after ns-b's lease expired",
          "traffic_policy_health_check_vantages_decided{check=\"hc-a\"} 1.0",
          "traffic_policy_health_check_served_status{check=\"hc-a\"} 1.0");
      long flipped = System.nanoTime() - killed;
      System.out.printf("ns-b stopped counting on ns-a %d ms after SIGKILL (lease %d s)%n",
          TimeUnit.NANOSECONDS.toMillis(flipped), LEASE.toSeconds());
      // etcd keeps a lease for its TTL after the last renewal, and ns-b renewed every third of it: it went on counting
      // for most of a lease after it died, not just until its connection closed (the bound leaves a renewal's
      // round trip of up to a third of the lease to a busy machine).
      assertThat(Duration.ofNanos(flipped)).as("ns-b counted until its lease expired")
          .isGreaterThanOrEqualTo(LEASE.dividedBy(3));
      assertThat(after).doesNotContain("vantage=\"ns-b\"")
          .contains("traffic_policy_health_vantage_status{check=\"hc-a\",vantage=\"ns-a\"} 1.0",
              "traffic_policy_health_shared_connected 1.0");
      try (DatagramSocket dns = Jar.socket()) {
        assertThat(Jar.answer(dns, a.dnsPort, "www.example.net", null)).containsExactly(PRIMARY);
      }

      // The health command reads every vantage point's result from etcd: ns-b's is gone with its lease.
      Process health = builder(List.of("-XX:TieredStopAtLevel=1"), "health", "--config", a.config.toString())
          .redirectErrorStream(true).start();
      String out = new String(health.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(health.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(health.exitValue()).as(out).isZero();
      assertThat(out).containsPattern("hc-a +ns-a +HEALTHY")
          .containsPattern("hc-a +\\(served\\) +HEALTHY .*1 of 1 vantage points see it healthy")
          .doesNotContain("ns-b");
    }
  }
}
