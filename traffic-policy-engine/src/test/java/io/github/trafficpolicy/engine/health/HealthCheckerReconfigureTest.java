package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link HealthChecker#put}, {@link HealthChecker#remove} and {@link HealthChecker#reconfigure} while it runs. */
final class HealthCheckerReconfigureTest {
  private static final HealthCheckId WEB = HealthCheckId.of("web");
  private static final HealthCheckId A = HealthCheckId.of("a");
  private static final HealthCheckId B = HealthCheckId.of("b");
  private static final HealthCheckId SITE = HealthCheckId.of("site");

  private final HealthRegistry registry = new HealthRegistry();
  private final Closeables closeables = new Closeables();

  @AfterEach
  void closeAll() throws Exception {
    closeables.close();
  }

  private <T extends AutoCloseable> T closing(T c) {
    return closeables.add(c);
  }

  /** An HTTP check probed once an hour (so only the probes a test asks for, or a change starts, happen). */
  private static EndpointHealthCheck http(String id, TestHttpServer server, int threshold) {
    return EndpointHealthCheck.builder(id, HealthCheckType.HTTP).target("127.0.0.1").port(server.port())
        .requestInterval(Duration.ofHours(1)).failureThreshold(threshold).responseTimeout(Duration.ofSeconds(10))
        .build();
  }

  private HealthChecker checker(HealthCheck... checks) {
    return closing(HealthChecker.builder(registry).checks(List.of(checks)).logTransitions(false).build());
  }

  @Test
  void put_newCheckOnAStartedChecker_isProbedAtOnceAndPublished() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker();
    checker.start();

    checker.put(http("web", server, 3));

    assertThat(checker.checks()).extracting(HealthCheck::id).containsExactly(WEB);
    assertThat(Await.until(() -> registry.current().check(WEB) == HealthStatus.HEALTHY, Duration.ofSeconds(30)))
        .as("the new check's first probe is published").isTrue();
    assertThat(server.requests.get()).isEqualTo(1);
  }

  @Test
  void remove_childOfACalculatedCheck_isRefusedAndChangesNothing() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("a", server, 1), http("b", server, 1),
        CalculatedHealthCheck.of("site", 2, List.of("a", "b")));
    checker.runOnce().get(30, TimeUnit.SECONDS);
    long generation = registry.current().generation();

    assertThatThrownBy(() -> checker.remove(A)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("site: child a is not defined");

    assertThat(checker.checks()).extracting(HealthCheck::id).containsExactly(A, B, SITE);
    assertThat(registry.current().generation()).isEqualTo(generation);
  }

  @Test
  void reconfigure_dropsAChildAndItsParentAtOnce_inOneSnapshot() throws Exception {
    TestHttpServer up = closing(TestHttpServer.http());
    TestHttpServer down = closing(TestHttpServer.http());
    down.status.set(503);
    HealthChecker checker = checker(http("a", up, 1), http("b", down, 1),
        CalculatedHealthCheck.of("site", 2, List.of("a", "b")));
    HealthSnapshot before = checker.runOnce().get(30, TimeUnit.SECONDS);
    assertThat(before.check(SITE)).isEqualTo(HealthStatus.UNHEALTHY);
    List<HealthSnapshot> published = new CopyOnWriteArrayList<>();
    registry.addListener(published::add);

    HealthSnapshot after = checker.reconfigure(List.of(http("a", up, 1),
        CalculatedHealthCheck.of("site", 1, List.of("a"))));

    assertThat(published).containsExactly(after);
    assertThat(after.generation()).isEqualTo(before.generation() + 1);
    assertThat(after.checks()).containsOnlyKeys(A, SITE);
    assertThat(after.check(SITE)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(checker.metrics(B)).isEmpty();
  }

  @Test
  void put_whileAProbeOfTheOldDefinitionIsInFlight_ignoresThatProbesResult() throws Exception {
    TestHttpServer old = closing(TestHttpServer.http());
    TestHttpServer fresh = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("web", old, 1));
    assertThat(checker.probeNow(WEB).get(30, TimeUnit.SECONDS).status()).isEqualTo(HealthStatus.HEALTHY);
    CountDownLatch hold = new CountDownLatch(1);
    old.hold = hold;
    old.status.set(503);
    CompletableFuture<HealthCheckMetrics> inFlight = checker.probeNow(WEB);
    assertThat(Await.until(() -> old.requests.get() == 2, Duration.ofSeconds(30))).isTrue();

    checker.put(http("web", fresh, 1));
    hold.countDown();
    inFlight.get(30, TimeUnit.SECONDS);

    assertThat(registry.current().check(WEB)).as("the old endpoint's 503 does not count").isEqualTo(
        HealthStatus.HEALTHY);
    assertThat(checker.metrics(WEB).orElseThrow().lastResult()).as("results of the old target are forgotten")
        .isEmpty();
    checker.probeNow(WEB).get(30, TimeUnit.SECONDS);
    assertThat(fresh.requests.get()).isEqualTo(1);
    assertThat(checker.metrics(WEB).orElseThrow().lastResult().orElseThrow().success()).isTrue();
  }

  @Test
  void put_invertingACheck_flipsItsStatusAtOnce_keepingItsResults() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    EndpointHealthCheck web = http("web", server, 3);
    HealthChecker checker = checker(web);
    checker.runOnce().get(30, TimeUnit.SECONDS);

    HealthSnapshot after = checker.put(web.toBuilder().inverted(true).build());

    assertThat(after.check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);
    HealthCheckMetrics m = checker.metrics(WEB).orElseThrow();
    assertThat(m.transitions()).isEqualTo(2);
    assertThat(m.lastResult()).isPresent();
    assertThat(server.requests.get()).as("not probed again: same endpoint").isEqualTo(1);
  }

  @Test
  void put_sameDefinition_publishesNothing() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    EndpointHealthCheck web = http("web", server, 3);
    HealthChecker checker = checker(web);
    checker.runOnce().get(30, TimeUnit.SECONDS);
    long generation = registry.current().generation();

    assertThat(checker.put(http("web", server, 3)).generation()).isEqualTo(generation);
  }

  @Test
  void listeners_hearEveryAppliedResultAndEveryChangeOfTheChecks() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    HealthChecker checker = checker(http("a", server, 1));
    List<String> heard = new CopyOnWriteArrayList<>();
    checker.addListener(new HealthChecker.Listener() {
      @Override
      public void probed(EndpointHealthCheck check, ProbeResult result) {
        heard.add("probed " + check.id() + " " + result.success());
      }

      @Override
      public void checksChanged(ImmutableList<HealthCheck> checks) {
        heard.add("checks " + checks.stream().map(c -> c.id().value()).toList());
      }
    });

    checker.runOnce().get(30, TimeUnit.SECONDS);
    checker.put(http("b", server, 1));
    checker.remove(A);

    assertThat(heard).containsExactly("probed a true", "checks [a, b]", "checks [b]");
  }
}
