package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckType;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.SharedHealth;
import io.github.trafficpolicy.engine.health.VantageResult;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health from three vantage points sharing one real etcd (started on loopback ports by the test). Each vantage point
 * is what one server runs: a {@link HealthChecker} publishing to its own registry, a {@link SharedHealth} serving
 * the aggregate, and an {@link EtcdHealthShare} with a short lease. Each probes check {@code web} (TCP) against an
 * endpoint of its own, so closing that endpoint is "this vantage point sees the endpoint down".
 */
final class EtcdSharedHealthTest {
  private static final HealthCheckId WEB = HealthCheckId.of("web");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration LEASE = Duration.ofSeconds(2);
  @TempDir static Path dir;
  private static EtcdProcess etcd;
  private static int prefixes;

  private final List<Vantage> vantages = new ArrayList<>();

  /** One server: its own view of the endpoint, its checker, its aggregate, its share in etcd. */
  static final class Vantage implements AutoCloseable {
    final String id;
    final ServerSocket endpoint;
    final HealthChecker checker;
    final HealthRegistry serving = new HealthRegistry();
    final SharedHealth shared;
    final EtcdHealthShare share;

    Vantage(String id, EtcdSettings settings, double share) throws IOException {
      this.id = id;
      this.endpoint = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.checker = HealthChecker.builder(new HealthRegistry()).logTransitions(false)
          .check(EndpointHealthCheck.builder(WEB, HealthCheckType.TCP).target("127.0.0.1")
              .port(endpoint.getLocalPort()).failureThreshold(1).build())
          .build();
      this.shared = SharedHealth.attach(checker, serving, id, share);
      this.share = EtcdHealthShare.start(settings, shared, LEASE);
    }

    /** Probes once (the test drives rounds instead of waiting for the interval). */
    void probe() throws Exception {
      checker.runOnce().get(30, TimeUnit.SECONDS);
    }

    void seeDown() throws Exception {
      endpoint.close();
      probe();
    }

    HealthStatus status() {
      return serving.current().check(WEB);
    }

    SharedHealth.CheckView view() {
      return shared.view().get(WEB);
    }

    @Override
    public void close() throws IOException {
      share.close();
      checker.close();
      endpoint.close();
    }
  }

  @BeforeAll
  static void startEtcd() throws Exception {
    EtcdProcess.assumeInstalled();
    etcd = EtcdProcess.start(dir);
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
  }

  @AfterEach
  void closeVantages() throws IOException {
    for (Vantage v : vantages) {
      v.close();
    }
  }

  private List<Vantage> three(double share) throws Exception {
    EtcdSettings settings = EtcdSettings.parse("etcd://" + etcd.endpoint() + "/health/p" + (++prefixes))
        .withTimeout(Duration.ofSeconds(2));
    for (String id : List.of("v0", "v1", "v2")) {
      vantages.add(new Vantage(id, settings, share));
    }
    for (Vantage v : vantages) {
      v.probe();
    }
    // every server sees all three vantage points' results
    awaitEvery(v -> v.shared.connected() && v.view().decided() == 3 && v.status() == HealthStatus.HEALTHY,
        "all three connected, each seeing three healthy results");
    return vantages;
  }

  private void awaitEvery(Predicate<Vantage> condition, String what) {
    awaitOn(vantages.stream().filter(v -> !v.share.closedForTest()).toList(), condition, what);
  }

  static void awaitOn(List<Vantage> on, Predicate<Vantage> condition, String what) {
    BooleanSupplier all = () -> on.stream().allMatch(condition);
    long end = System.nanoTime() + WAIT.toNanos();
    while (!all.getAsBoolean()) {
      if (System.nanoTime() > end) {
        StringBuilder state = new StringBuilder();
        on.forEach(v -> state.append("\n  ").append(v.id).append(": ").append(v.status()).append(' ')
            .append(v.view()).append(" connected=").append(v.shared.connected()));
        throw new AssertionError("not within " + WAIT + ": " + what + state);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  @Test
  void defaultShareTwoOfThreeDownStaysHealthyAllThreeDownIsUnhealthyOnEveryServer() throws Exception {
    List<Vantage> v = three(SharedHealth.DEFAULT_HEALTHY_SHARE);
    v.get(0).seeDown();
    v.get(1).seeDown();
    awaitEvery(s -> s.view().healthy() == 1 && s.view().decided() == 3, "every server sees 1 of 3 healthy");
    // 1 of 3 is 33 %, more than 18 %: healthy everywhere, also where the local checker sees it down
    for (Vantage s : v) {
      assertThat(s.status()).as(s.id).isEqualTo(HealthStatus.HEALTHY);
    }
    assertThat(v.get(0).checker.registry().current().check(WEB)).isEqualTo(HealthStatus.UNHEALTHY);

    v.get(2).seeDown();
    awaitEvery(s -> s.status() == HealthStatus.UNHEALTHY, "every server serves it unhealthy");
    for (Vantage s : v) {
      assertThat(s.view().healthy()).as(s.id).isZero();
      assertThat(s.view().vantages()).as(s.id).containsOnlyKeys("v0", "v1", "v2");
      assertThat(s.view().vantages().get("v2").reason()).as(s.id).isNotEmpty();
    }
  }

  @Test
  void halfShareTwoOfThreeDownIsUnhealthyOnEveryServer() throws Exception {
    List<Vantage> v = three(0.5);
    v.get(0).seeDown();
    awaitEvery(s -> s.view().healthy() == 2, "every server sees 2 of 3 healthy");
    for (Vantage s : v) {
      assertThat(s.status()).as(s.id).isEqualTo(HealthStatus.HEALTHY); // 67 % > 50 %
    }
    v.get(1).seeDown();
    awaitEvery(s -> s.view().healthy() == 1 && s.status() == HealthStatus.UNHEALTHY,
        "every server serves it unhealthy (1 of 3 is not more than 50 %)");
  }

  @Test
  void aKilledVantagePointStopsCountingWhenItsLeaseExpires() throws Exception {
    List<Vantage> v = three(0.5);
    v.get(0).seeDown();
    awaitEvery(s -> s.view().healthy() == 2 && s.status() == HealthStatus.HEALTHY, "2 of 3 healthy everywhere");
    Vantage killed = v.get(1);
    killed.share.crash(); // no revoke: as if the process died
    killed.checker.close();
    List<Vantage> alive = List.of(v.get(0), v.get(2));
    // until the lease expires it still counts; then 1 healthy of 2 is not more than 50 %
    awaitOn(alive, s -> !s.view().vantages().containsKey("v1") && s.status() == HealthStatus.UNHEALTHY,
        "v1's result gone and the check unhealthy on the two servers left");
    for (Vantage s : alive) {
      assertThat(s.view().decided()).as(s.id).isEqualTo(2);
    }
  }

  @Test
  void whileEtcdIsDownEachServerServesItsOwnResultsAndTheAggregateResumes() throws Exception {
    List<Vantage> v = three(0.5);
    v.get(0).seeDown();
    v.get(1).seeDown();
    awaitEvery(s -> s.status() == HealthStatus.UNHEALTHY, "1 of 3 healthy: unhealthy everywhere");
    etcd.stop();
    try {
      awaitEvery(s -> !s.shared.connected(), "every server notices etcd is gone");
      // each server now serves what its own checker sees: v2 still reaches the endpoint
      assertThat(v.get(2).status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(v.get(0).status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(v.get(2).shared.disconnectedWhy()).isPresent();
    } finally {
      etcd.start();
    }
    awaitEvery(s -> s.shared.connected() && s.view().decided() == 3 && s.status() == HealthStatus.UNHEALTHY,
        "aggregation resumed on every server");
    assertThat(v.get(2).shared.disconnects()).isEqualTo(1);
  }

  @Test
  void theHealthCommandsReadSeesEveryVantagePoint() throws Exception {
    List<Vantage> v = three(SharedHealth.DEFAULT_HEALTHY_SHARE);
    v.get(1).seeDown();
    EtcdSettings settings = EtcdSettings.parse("etcd://" + etcd.endpoint() + "/health/p" + prefixes);
    awaitEvery(s -> s.view().healthy() == 2, "v1's result shared");
    List<VantageResult> read = EtcdHealthSharing.read(settings).get(WEB);
    assertThat(read).extracting(VantageResult::vantage).containsExactlyInAnyOrder("v0", "v1", "v2");
    assertThat(read).filteredOn(r -> r.vantage().equals("v1")).singleElement()
        .extracting(VantageResult::status).isEqualTo(HealthStatus.UNHEALTHY);
  }
}
