package io.github.trafficpolicy.engine.health;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HealthChecker} against real servers on 127.0.0.1; probe rounds are driven with {@code runOnce()}. */
final class HealthCheckerTest {
  private static final HealthCheckId WEB = HealthCheckId.of("web");

  private final HealthRegistry registry = new HealthRegistry();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    closeables.add(c);
    return c;
  }

  private HealthChecker checker(HealthCheck... checks) {
    return closing(HealthChecker.builder(registry).checks(List.of(checks)).build());
  }

  private static EndpointHealthCheck.Builder http(String id, TestHttpServer server) {
    return EndpointHealthCheck.builder(id, HealthCheckType.HTTP).target("127.0.0.1").port(server.port())
        .responseTimeout(Duration.ofSeconds(5));
  }

  private static HealthSnapshot round(HealthChecker checker) throws Exception {
    return checker.runOnce().get(30, TimeUnit.SECONDS);
  }

  @Test
  void runOnce_endpointGoesDown_flipsAfterExactlyTheThresholdAndRecoversAfterIt() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("web", server).failureThreshold(3).build());

    assertThat(registry.current().check(WEB)).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);

    server.status.set(503);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason()).startsWith("HTTP 503");

    server.status.set(200);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);

    HealthCheckMetrics metrics = checker.metrics(WEB).orElseThrow();
    assertThat(metrics.transitions()).isEqualTo(3); // UNKNOWN→HEALTHY→UNHEALTHY→HEALTHY
    assertThat(metrics.consecutiveResults()).isEqualTo(3);
    assertThat(server.requests.get()).isEqualTo(7);
  }

  @Test
  void runOnce_statusChange_publishesOneNewSnapshotPerChange() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("web", server).failureThreshold(1).build());
    List<HealthSnapshot> published = new ArrayList<>();
    registry.addListener(published::add);

    round(checker); // HEALTHY (UNKNOWN before: a snapshot without the check)
    round(checker); // no change
    server.status.set(500);
    round(checker); // UNHEALTHY

    assertThat(published).extracting(s -> s.check(WEB))
        .containsExactly(HealthStatus.HEALTHY, HealthStatus.UNHEALTHY);
    assertThat(published).extracting(HealthSnapshot::generation).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void runOnce_flappingEndpoint_doesNotFlapFasterThanTheThreshold() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("web", server).failureThreshold(3).build());
    round(checker);

    List<HealthStatus> seen = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      // two failures, one success: never three in a row either way
      server.status.set(i % 3 == 2 ? 200 : 502);
      seen.add(round(checker).check(WEB));
    }

    assertThat(seen).containsOnly(HealthStatus.HEALTHY);
    assertThat(checker.metrics(WEB).orElseThrow().transitions()).isEqualTo(1);
  }

  @Test
  void runOnce_slowResponseBeyondTheTimeout_countsAsFailure() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(
        http("web", server).failureThreshold(1).responseTimeout(Duration.ofMillis(200)).build());
    server.hold = new CountDownLatch(1);

    HealthSnapshot snapshot = round(checker);
    server.hold.countDown();

    assertThat(snapshot.check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason())
        .isEqualTo("no status line within 200 ms of connecting");
    assertThat(checker.openConnections()).isZero();
  }

  @Test
  void runOnce_connectionRefused_isAFailureWithItsReason() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    HealthChecker checker = checker(EndpointHealthCheck.builder("web", HealthCheckType.HTTP).target("127.0.0.1")
        .port(port).failureThreshold(1).build());

    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason())
        .isEqualTo("connection failed: connection refused");
  }

  @Test
  void runOnce_tcpServerGoesAwayAndComesBack_followsAfterTheThreshold() throws Exception {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    int port = server.getLocalPort();
    HealthChecker checker = checker(EndpointHealthCheck.builder("web", HealthCheckType.TCP).target("127.0.0.1")
        .port(port).failureThreshold(2).build());

    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason()).isEqualTo("connected");
    server.close();
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);

    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    }
  }

  @Test
  void runOnce_connectionNotAcceptedInTime_timesOut() throws Exception {
    // A listener with a full backlog that never accepts: the kernel drops further SYNs, so connect hangs.
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      List<Socket> fillers = new ArrayList<>();
      try {
        HealthChecker checker = checker(EndpointHealthCheck.builder("web", HealthCheckType.TCP).target("127.0.0.1")
            .port(server.getLocalPort()).failureThreshold(1).connectTimeout(Duration.ofMillis(300)).build());
        // fill the accept queue until a probe no longer connects (bounded)
        for (int i = 0; i < 16 && round(checker).check(WEB) != HealthStatus.UNHEALTHY; i++) {
          Socket filler = new Socket();
          filler.connect(server.getLocalSocketAddress(), 1000);
          fillers.add(filler);
        }
        assertThat(registry.current().check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason())
            .isEqualTo("no connection within 300 ms");
        assertThat(checker.openConnections()).isZero();
      } finally {
        for (Socket s : fillers) {
          s.close();
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the filler connections themselves timed out", e);
    }
  }

  @Test
  void runOnce_https_selfSignedCertificateIsHealthy_withHostHeaderAndSni() throws Exception {
    TestHttpServer server = closing(TestHttpServer.https());
    HealthChecker checker = checker(EndpointHealthCheck.builder("web", HealthCheckType.HTTPS).target("127.0.0.1")
        .port(server.port()).hostHeader("www.example.com").resourcePath("/status").failureThreshold(1).build());

    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(server.lastHost).isEqualTo("www.example.com");
    assertThat(server.lastServerName).isEqualTo("www.example.com");
    assertThat(server.lastPath).isEqualTo("/status");
    assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason()).isEqualTo("HTTP 200 OK");
  }

  @Test
  void runOnce_httpsStringMatch_findsTheStringInAChunkedBody() throws Exception {
    TestHttpServer server = closing(TestHttpServer.https());
    server.chunked = true;
    server.body("x".repeat(3000) + "all systems go" + "y".repeat(3000));
    HealthChecker checker = checker(EndpointHealthCheck.builder("web", HealthCheckType.HTTPS_STR_MATCH)
        .target("127.0.0.1").port(server.port()).searchString("all systems go").failureThreshold(1).build());

    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason())
        .isEqualTo("HTTP 200 OK, search string found");
  }

  @Test
  void runOnce_httpsToAPlainTextServer_failsTheHandshake() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread plain = new Thread(() -> {
        try (Socket s = server.accept()) {
          s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(US_ASCII));
          s.getInputStream().read(); // until the client closes
        } catch (IOException e) {
          // the client closed first
        }
      });
      plain.start();
      HealthChecker checker = checker(EndpointHealthCheck.builder("web", HealthCheckType.HTTPS).target("127.0.0.1")
          .port(server.getLocalPort()).failureThreshold(1).build());

      assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason()).startsWith("TLS failure");
      assertThat(checker.openConnections()).isZero();
      plain.join(30_000);
    }
  }

  @Test
  void runOnce_stringMatch_foundNotFoundAndBeyondTheWindow() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    String search = "READY";
    HealthChecker checker = checker(EndpointHealthCheck.builder("web", HealthCheckType.HTTP_STR_MATCH)
        .target("127.0.0.1").port(server.port()).searchString(search).failureThreshold(1).build());
    int window = EndpointHealthCheck.SEARCH_WINDOW_BYTES;

    server.body("a".repeat(window - search.length()) + search + "tail");
    assertThat(round(checker).check(WEB)).as("ends at byte 5,120").isEqualTo(HealthStatus.HEALTHY);

    server.body("a".repeat(window - search.length() + 1) + search);
    assertThat(round(checker).check(WEB)).as("ends at byte 5,121").isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().reason())
        .isEqualTo("HTTP 200 OK, search string not found in the first 5120 bytes of the body");

    server.body("ready"); // case-sensitive
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);

    server.body("status: READY");
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);

    server.status.set(500); // the status must be 2xx/3xx as well
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void runOnce_redirectStatus_isHealthy_clientErrorIsNot() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("web", server).failureThreshold(1).build());

    server.status.set(302);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    server.status.set(404);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void runOnce_hostNameTarget_isResolvedAndSentAsHostHeader() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(EndpointHealthCheck.builder("web", HealthCheckType.HTTP).target("localhost")
        .port(server.port()).failureThreshold(1).build());

    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(server.lastHost).isEqualTo("localhost:" + server.port());
  }

  @Test
  void runOnce_invertedCheck_publishesTheOppositeStatus() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("web", server).failureThreshold(1).inverted(true).build());

    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
    server.status.set(503);
    assertThat(round(checker).check(WEB)).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void runOnce_disabledChecks_areHealthyWithoutProbing_andInversionStillApplies() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    server.status.set(503);
    HealthChecker checker = checker(
        http("web", server).disabled(true).build(),
        http("forced-down", server).disabled(true).inverted(true).build());

    HealthSnapshot snapshot = round(checker);

    assertThat(snapshot.check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(snapshot.check(HealthCheckId.of("forced-down"))).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(server.requests.get()).isZero();
  }

  @Test
  void runOnce_calculatedCheck_followsItsChildren() throws Exception {
    TestHttpServer a = closing(TestHttpServer.http());
    TestHttpServer b = closing(TestHttpServer.http());
    TestHttpServer c = closing(TestHttpServer.http());
    HealthCheckId site = HealthCheckId.of("site");
    HealthChecker checker = checker(
        http("a", a).failureThreshold(1).build(),
        http("b", b).failureThreshold(1).build(),
        http("c", c).failureThreshold(1).build(),
        CalculatedHealthCheck.of("site", 2, List.of("a", "b", "c")),
        CalculatedHealthCheck.of("never", 4, List.of("a", "b", "c")),
        CalculatedHealthCheck.of("always", 0, List.of("a", "b", "c")));

    assertThat(registry.current().check(site)).isEqualTo(HealthStatus.UNKNOWN);
    HealthSnapshot first = round(checker);
    assertThat(first.check(site)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(first.check(HealthCheckId.of("never"))).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(first.check(HealthCheckId.of("always"))).isEqualTo(HealthStatus.HEALTHY);

    a.status.set(500);
    assertThat(round(checker).check(site)).as("2 of 3 healthy").isEqualTo(HealthStatus.HEALTHY);
    b.status.set(500);
    assertThat(round(checker).check(site)).as("1 of 3 healthy").isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(checker.metrics(site).orElseThrow().lastResult().orElseThrow().reason())
        .isEqualTo("1 of 3 children healthy (threshold 2)");
    a.status.set(200);
    assertThat(round(checker).check(site)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(checker.metrics(site).orElseThrow().transitions()).isEqualTo(3);
  }

  @Test
  void runOnce_calculatedCheckWithUnknownChildren_isKnownAsSoonAsTheyCannotChangeIt() throws Exception {
    TestHttpServer up = closing(TestHttpServer.http());
    TestHttpServer slow = closing(TestHttpServer.http());
    slow.status.set(500);
    HealthChecker checker = checker(
        http("up", up).failureThreshold(1).build(),
        http("down", slow).failureThreshold(3).build(), // stays UNKNOWN for two failed rounds
        CalculatedHealthCheck.of("one", 1, List.of("up", "down")),
        CalculatedHealthCheck.of("both", 2, List.of("up", "down")));

    HealthSnapshot snapshot = round(checker);

    assertThat(snapshot.check(HealthCheckId.of("down"))).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(snapshot.check(HealthCheckId.of("one"))).isEqualTo(HealthStatus.HEALTHY);
    assertThat(snapshot.check(HealthCheckId.of("both"))).isEqualTo(HealthStatus.UNKNOWN);
    round(checker);
    assertThat(round(checker).check(HealthCheckId.of("both"))).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void probeNow_recordsLatencyReasonAndChangeTime() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    HealthChecker checker = closing(HealthChecker.builder(registry).clock(clock)
        .check(http("web", server).build()).build());

    HealthCheckMetrics metrics = checker.probeNow("web").get(30, TimeUnit.SECONDS);

    assertThat(metrics.status()).isEqualTo(HealthStatus.HEALTHY);
    ProbeResult result = metrics.lastResult().orElseThrow();
    assertThat(result.success()).isTrue();
    assertThat(result.reason()).isEqualTo("HTTP 200 OK");
    assertThat(result.latency()).isPositive();
    assertThat(result.at()).isEqualTo(clock.instant());
    assertThat(metrics.lastChange()).contains(clock.instant());
  }

  @Test
  void start_probesPeriodicallyUntilStopped() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("web", server).requestInterval(Duration.ofMillis(20)).failureThreshold(2)
        .build());
    CountDownLatch healthy = new CountDownLatch(1);
    CountDownLatch unhealthy = new CountDownLatch(1);
    registry.addListener(s -> {
      if (s.check(WEB) == HealthStatus.HEALTHY) {
        healthy.countDown();
      } else if (s.check(WEB) == HealthStatus.UNHEALTHY) {
        unhealthy.countDown();
      }
    });

    checker.start();
    assertThat(healthy.await(30, TimeUnit.SECONDS)).isTrue();
    server.status.set(503);
    assertThat(unhealthy.await(30, TimeUnit.SECONDS)).isTrue();
    checker.stop();
    assertThat(checker.metrics(WEB).orElseThrow().consecutiveResults()).isGreaterThanOrEqualTo(2);
    // once the probe in flight at stop() (if any) is done, nothing is left scheduled: no periodic probe, no deadline
    assertThat(Await.until(() -> checker.openConnections() == 0 && checker.scheduledTasks() == 0,
        Duration.ofSeconds(30))).isTrue();
    checker.start();
    assertThat(checker.scheduledTasks()).as("restarted").isGreaterThanOrEqualTo(1);
  }

  @Test
  void close_failsTheProbesInFlightAndClosesTheirConnections() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    server.hold = new CountDownLatch(1);
    HealthChecker checker = checker(http("web", server).responseTimeout(Duration.ofSeconds(60)).build());

    var probe = checker.probeNow("web");
    assertThat(Await.until(() -> server.requests.get() == 1, Duration.ofSeconds(30))).isTrue();
    checker.close();

    assertThat(probe.get(30, TimeUnit.SECONDS).lastResult()).isEmpty(); // the aborted result is not applied
    assertThat(checker.openConnections()).isZero();
    assertThatThrownBy(checker::runOnce).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void build_invalidSet_listsEveryProblem() {
    EndpointHealthCheck a = EndpointHealthCheck.builder("a", HealthCheckType.TCP).target("127.0.0.1").port(1).build();
    assertThatThrownBy(() -> HealthChecker.builder(registry)
        .check(a)
        .check(a)
        .check(CalculatedHealthCheck.of("calc", 1, List.of("a", "missing")))
        .check(CalculatedHealthCheck.of("outer", 1, List.of("calc")))
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate health check ID a")
        .hasMessageContaining("calc: child missing is not defined")
        .hasMessageContaining("outer: child calc is a calculated check (calculated checks cannot nest)");
  }

  @Test
  void initialDelay_isDeterministicWithinOneIntervalAndSpread() {
    Duration interval = Duration.ofSeconds(30);
    long[] buckets = new long[10];
    for (int i = 0; i < 1000; i++) {
      HealthCheckId id = HealthCheckId.of("check-" + i);
      long delay = HealthChecker.initialDelayNanos(id, interval);
      assertThat(delay).isEqualTo(HealthChecker.initialDelayNanos(id, interval)).isBetween(0L,
          interval.toNanos() - 1);
      buckets[(int) (delay * 10 / interval.toNanos())]++;
    }
    // 1,000 hashed start times over ten slices of the interval: every slice gets a fair share (expected 100)
    for (long count : buckets) {
      assertThat(count).isBetween(50L, 150L);
    }
  }
}
