package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.HealthRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Host-name targets whose lookups hang: the lookups are bounded (one resolver thread, a queue of one here), a probe
 * whose lookup cannot be queued fails at once saying so, and a queued lookup is dropped at its probe's deadline, so
 * slow DNS makes checks fail with a reason instead of piling up work.
 */
final class HostResolutionTest {

  @Test
  void hangingLookups_boundedQueue_probesFailWithTheReason_queuedLookupDroppedAtTheDeadline() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Set<String> asked = ConcurrentHashMap.newKeySet();
    HostResolver hanging = host -> {
      asked.add(host);
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return InetAddress.getLoopbackAddress();
    };
    List<HealthCheck> checks = List.of(check("a"), check("b"), check("c"));
    try (HealthChecker checker = HealthChecker.builder(new HealthRegistry()).checks(checks).resolverThreads(1)
        .resolverQueue(1).hostResolver(hanging).build()) {
      HealthCheckMetrics a = checker.probeNow("a").get(30, TimeUnit.SECONDS);
      // a's lookup holds the only resolver thread (and hangs past a's deadline).
      assertThat(reason(a)).isEqualTo("cannot resolve a.example within 200 ms");
      HealthCheckMetrics b = checker.probeNow("b").get(30, TimeUnit.SECONDS);
      assertThat(reason(b)).isEqualTo("cannot resolve b.example within 200 ms");
      // b's lookup waited in the queue and was taken out at b's deadline: the queue has room for c's.
      var c = checker.probeNow("c");
      HealthCheckMetrics cResult = c.get(30, TimeUnit.SECONDS);
      assertThat(reason(cResult)).isEqualTo("cannot resolve c.example within 200 ms");
      release.countDown();
      assertThat(asked).containsExactly("a.example");
    }
  }

  @Test
  void fullLookupQueue_probeFailsAtOnceSayingSo() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HostResolver hanging = host -> {
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return InetAddress.getLoopbackAddress();
    };
    List<HealthCheck> checks = List.of(slow("a"), slow("b"), slow("c"));
    try (HealthChecker checker = HealthChecker.builder(new HealthRegistry()).checks(checks).resolverThreads(1)
        .resolverQueue(1).hostResolver(hanging).build()) {
      var a = checker.probeNow("a");   // runs (hangs)
      var b = checker.probeNow("b");   // queued
      HealthCheckMetrics c = checker.probeNow("c").get(30, TimeUnit.SECONDS);
      assertThat(reason(c)).isEqualTo("cannot resolve c.example: host-name lookups backed up (queue full)");
      release.countDown();
      a.get(30, TimeUnit.SECONDS);
      b.get(30, TimeUnit.SECONDS);
    }
  }

  private static EndpointHealthCheck check(String id) {
    return EndpointHealthCheck.builder(id, HealthCheckType.TCP).target(id + ".example").port(9)
        .failureThreshold(1).connectTimeout(Duration.ofMillis(200)).build();
  }

  private static EndpointHealthCheck slow(String id) {
    return EndpointHealthCheck.builder(id, HealthCheckType.TCP).target(id + ".example").port(9)
        .failureThreshold(1).connectTimeout(Duration.ofSeconds(30)).build();
  }

  private static String reason(HealthCheckMetrics m) {
    return m.lastResult().orElseThrow().reason();
  }
}
