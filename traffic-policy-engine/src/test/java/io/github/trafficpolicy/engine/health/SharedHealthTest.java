package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The vantage-point rule and its wiring, without etcd: other vantage points' results are handed in directly. */
final class SharedHealthTest {
  private static final HealthCheckId WEB = HealthCheckId.of("web");
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private static VantageResult result(String vantage, HealthStatus status) {
    return new VantageResult(vantage, status, status == HealthStatus.HEALTHY ? "HTTP 200" : "connection refused", AT,
        Duration.ofMillis(3));
  }

  private static List<VantageResult> results(int healthy, int unhealthy) {
    List<VantageResult> out = new ArrayList<>();
    for (int i = 0; i < healthy + unhealthy; i++) {
      out.add(result("v" + i, i < healthy ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY));
    }
    return out;
  }

  @Test
  void route53ShareOneHealthyOfThreeIsHealthyNoneIsUnhealthy() {
    assertThat(SharedHealth.aggregate(results(1, 2), 0.18)).contains(HealthStatus.HEALTHY);
    assertThat(SharedHealth.aggregate(results(3, 0), 0.18)).contains(HealthStatus.HEALTHY);
    assertThat(SharedHealth.aggregate(results(0, 3), 0.18)).contains(HealthStatus.UNHEALTHY);
    // 1 of 6 is 16.7 %: not more than 18 %
    assertThat(SharedHealth.aggregate(results(1, 5), 0.18)).contains(HealthStatus.UNHEALTHY);
    assertThat(SharedHealth.aggregate(results(1, 4), 0.18)).contains(HealthStatus.HEALTHY);
  }

  @Test
  void halfShareNeedsMoreThanHalf() {
    assertThat(SharedHealth.aggregate(results(1, 2), 0.5)).contains(HealthStatus.UNHEALTHY);
    assertThat(SharedHealth.aggregate(results(2, 1), 0.5)).contains(HealthStatus.HEALTHY);
    assertThat(SharedHealth.aggregate(results(1, 1), 0.5)).contains(HealthStatus.UNHEALTHY); // exactly half: not more
    assertThat(SharedHealth.aggregate(results(1, 0), 0.0)).contains(HealthStatus.HEALTHY);
    assertThat(SharedHealth.aggregate(results(0, 1), 0.0)).contains(HealthStatus.UNHEALTHY);
  }

  @Test
  void undecidedVantagePointsDoNotCount() {
    List<VantageResult> rs = new ArrayList<>(results(1, 1));
    rs.add(result("late", HealthStatus.UNKNOWN));
    assertThat(SharedHealth.aggregate(rs, 0.5)).contains(HealthStatus.UNHEALTHY); // 1 of 2, not 1 of 3 or 2 of 3
    assertThat(SharedHealth.aggregate(List.of(result("late", HealthStatus.UNKNOWN)), 0.18)).isEmpty();
    assertThat(SharedHealth.aggregate(List.of(), 0.18)).isEmpty();
  }

  @Test
  void ruleMatchesTheShareComparedExactlyOnSeededCases() {
    Random random = new Random(17);
    for (int i = 0; i < 10_000; i++) {
      int healthy = random.nextInt(20);
      int unhealthy = random.nextInt(20);
      int[] percents = {0, 18, 25, 50, 75, 99};
      int percent = percents[random.nextInt(percents.length)];
      List<VantageResult> rs = results(healthy, unhealthy);
      Collections.shuffle(rs, random);
      // healthy / decided > percent / 100, in integers
      HealthStatus expected = healthy + unhealthy == 0 ? null
          : healthy * 100L > (long) percent * (healthy + unhealthy) ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY;
      assertThat(SharedHealth.aggregate(rs, percent / 100.0).orElse(null))
          .as("%d healthy, %d unhealthy, %d %%", healthy, unhealthy, percent).isEqualTo(expected);
    }
  }

  @Test
  void shareMustBeBelowOne() {
    assertThatThrownBy(() -> SharedHealth.checkHealthyShare(1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SharedHealth.checkHealthyShare(-0.1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VantageResult.checkVantage("a/b")).isInstanceOf(IllegalArgumentException.class);
  }

  private HealthChecker checker(HealthCheck... checks) {
    HealthChecker c = HealthChecker.builder(new HealthRegistry()).checks(List.of(checks)).logTransitions(false)
        .build();
    closing.add(c);
    return c;
  }

  private static EndpointHealthCheck tcp(String id, int port, boolean inverted) {
    return EndpointHealthCheck.builder(id, HealthCheckType.TCP).target("127.0.0.1").port(port).failureThreshold(1)
        .inverted(inverted).build();
  }

  @Test
  void servesTheAggregateWhileConnectedThenInvertsAndCalculates() {
    HealthRegistry serving = new HealthRegistry();
    HealthChecker checker = checker(tcp("web", 1, false), tcp("inv", 1, true),
        CalculatedHealthCheck.of("both", 2, List.of("web", "inv")));
    SharedHealth shared = SharedHealth.attach(checker, serving, "here", 0.5);
    shared.replaceRemote(Map.of(WEB, List.of(result("a", HealthStatus.HEALTHY), result("b", HealthStatus.UNHEALTHY),
        result("c", HealthStatus.HEALTHY)), HealthCheckId.of("inv"), List.of(result("a", HealthStatus.UNHEALTHY),
        result("b", HealthStatus.UNHEALTHY))));
    // not connected yet: the local checker's own statuses (nothing probed: unknown)
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.UNKNOWN);
    shared.connected(true, "test");
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.HEALTHY); // 2 of 3 > 50 %
    // inversion applies to the aggregate (0 of 2 healthy: unhealthy, inverted: healthy), not to each vantage point
    assertThat(serving.current().check(HealthCheckId.of("inv"))).isEqualTo(HealthStatus.HEALTHY);
    assertThat(serving.current().check(HealthCheckId.of("both"))).isEqualTo(HealthStatus.HEALTHY);

    shared.remoteResult(WEB, result("c", HealthStatus.UNHEALTHY));
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.UNHEALTHY); // 1 of 3
    assertThat(serving.current().check(HealthCheckId.of("both"))).isEqualTo(HealthStatus.UNHEALTHY);
    shared.remoteGone(WEB, "b");
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.UNHEALTHY); // 1 of 2: not more than half
    shared.remoteGone(WEB, "c");
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.HEALTHY); // 1 of 1
    assertThat(shared.view().get(WEB).vantages()).containsOnlyKeys("a");
    assertThat(shared.view().get(WEB).healthy()).isEqualTo(1);

    shared.connected(false, "etcd gone");
    assertThat(shared.disconnectedWhy()).contains("etcd gone");
    assertThat(shared.disconnects()).isEqualTo(1);
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.UNKNOWN); // the local view again
  }

  @Test
  void localResultsCountAsThisVantagePointAndArePublished() throws Exception {
    ServerSocket up = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(up);
    HealthRegistry serving = new HealthRegistry();
    HealthChecker checker = checker(tcp("web", up.getLocalPort(), false));
    SharedHealth shared = SharedHealth.attach(checker, serving, "here", SharedHealth.DEFAULT_HEALTHY_SHARE);
    List<String> published = new CopyOnWriteArrayList<>();
    shared.publisher(new SharedHealth.Publisher() {
      @Override
      public void publish(HealthCheckId check, VantageResult result) {
        published.add(check + " " + result.vantage() + " " + result.status());
      }

      @Override
      public void withdraw(HealthCheckId check) {
        published.add("withdraw " + check);
      }
    });
    shared.replaceRemote(Map.of(WEB, List.of(result("a", HealthStatus.UNHEALTHY), result("b", HealthStatus.UNHEALTHY),
        result("c", HealthStatus.UNHEALTHY), result("d", HealthStatus.UNHEALTHY),
        result("e", HealthStatus.UNHEALTHY))));
    shared.connected(true, "test");
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.UNHEALTHY); // 0 of 5 decided healthy

    checker.runOnce().get(30, TimeUnit.SECONDS);
    assertThat(published).containsExactly("web here HEALTHY");
    assertThat(shared.localResults().get(WEB).status()).isEqualTo(HealthStatus.HEALTHY);
    // 1 of 6 is 16.7 %, not more than 18 %: still unhealthy, although this server alone sees it healthy
    assertThat(checker.registry().current().check(WEB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
    shared.remoteGone(WEB, "e");
    assertThat(serving.current().check(WEB)).isEqualTo(HealthStatus.HEALTHY); // 1 of 5 is 20 %

    checker.remove(WEB);
    assertThat(published).contains("withdraw web");
    assertThat(serving.current().checks()).doesNotContainKey(WEB);
  }

  @Test
  void sharedFormRoundTripsAndBadFormsAreRefusedWithTheirPlace() {
    VantageResult r = new VantageResult("host-1:42", HealthStatus.UNHEALTHY, "HTTP 503", AT,
        Duration.ofNanos(1_250_000));
    assertThat(VantageResult.fromJson("host-1:42", r.toJson())).isEqualTo(r);
    assertThat(new String(r.toJson(), StandardCharsets.UTF_8)).contains("\"healthy\":false", "\"latencyMs\":1.25");
    assertThatThrownBy(() -> VantageResult.fromJson("v", "{".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> VantageResult.fromJson("v",
        "{\"status\":\"UP\",\"reason\":\"x\",\"at\":\"2026-01-01T00:00:00Z\",\"latencyMs\":1}"
            .getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("/status");
    assertThatThrownBy(() -> VantageResult.fromJson("v",
        "{\"status\":\"HEALTHY\",\"reason\":\"x\",\"at\":\"yesterday\",\"latencyMs\":1}"
            .getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("/at");
    assertThatThrownBy(() -> VantageResult.fromJson("v",
        "{\"status\":\"HEALTHY\",\"reason\":\"x\",\"at\":\"2026-01-01T00:00:00Z\",\"latencyMs\":-1}"
            .getBytes(StandardCharsets.UTF_8))).hasMessageStartingWith("/latencyMs");
  }

  @Test
  void refusesTheServingRegistryAsTheCheckersOwn() throws IOException {
    HealthRegistry serving = new HealthRegistry();
    HealthChecker c = HealthChecker.builder(serving).check(tcp("web", 1, false)).build();
    closing.add(c);
    assertThatThrownBy(() -> SharedHealth.attach(c, serving, "here", 0.18))
        .hasMessageContaining("registry of its own");
  }
}
