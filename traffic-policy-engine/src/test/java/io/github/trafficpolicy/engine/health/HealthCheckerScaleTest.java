package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Thousands of checks on the small pool: no thread per check, bounded connections, no leaked sockets. */
final class HealthCheckerScaleTest {
  private static final int CHECKS = 2000;
  private static final int MAX_CONCURRENT = 64;

  @Test
  void runOnce_2000Checks_runOnAFewThreadsAndLeakNoSockets() throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (TestHttpServer server = TestHttpServer.http(4)) {
      long fdsBefore = openFileDescriptors();
      int threadsBefore = threads.getThreadCount();
      threads.resetPeakThreadCount();
      HealthRegistry registry = new HealthRegistry();
      HealthChecker.Builder builder = HealthChecker.builder(registry)
          .schedulerThreads(1).ioThreads(2).resolverThreads(1).maxConcurrentProbes(MAX_CONCURRENT);
      for (int i = 0; i < CHECKS; i++) {
        builder.check(EndpointHealthCheck.builder("check-" + i, HealthCheckType.HTTP).target("127.0.0.1")
            .port(server.port()).resourcePath("/c/" + i).failureThreshold(1)
            .responseTimeout(Duration.ofSeconds(20)).connectTimeout(Duration.ofSeconds(20)).build());
      }

      try (HealthChecker checker = builder.build()) {
        HealthSnapshot first = checker.runOnce().get(120, TimeUnit.SECONDS);
        server.status.set(503);
        HealthSnapshot second = checker.runOnce().get(120, TimeUnit.SECONDS);

        assertThat(first.checks().values()).hasSize(CHECKS).containsOnly(HealthStatus.HEALTHY);
        assertThat(second.checks().values()).hasSize(CHECKS).containsOnly(HealthStatus.UNHEALTHY);
        assertThat(server.requests.get()).isEqualTo(2 * CHECKS);
        // 1 scheduler + 2 I/O + 1 resolver thread, however many checks (slack for JVM housekeeping threads)
        int extraThreads = threads.getPeakThreadCount() - threadsBefore;
        assertThat(extraThreads).as("threads added at the peak").isLessThanOrEqualTo(4 + 4);
        assertThat(Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
            .filter(t -> t != null && t.getThreadName().startsWith("health-")).count())
            .isLessThanOrEqualTo(4);
        assertThat(checker.openConnections()).isZero();
        assertThat(checker.peakOpenConnections()).as("connections open at once").isBetween(1, MAX_CONCURRENT);
      }

      // every socket of both sides is closed again (the server closes its side after answering)
      Await.until(() -> openFileDescriptors() <= fdsBefore + 4, Duration.ofSeconds(30));
      assertThat(openFileDescriptors()).as("open file descriptors").isLessThanOrEqualTo(fdsBefore + 4);
      // close() has terminated the pools; their threads may still be on their way out
      Await.until(() -> checkerThreads() == 0, Duration.ofSeconds(30));
      assertThat(checkerThreads()).as("checker threads after close").isZero();
    }
  }

  private static long checkerThreads() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
        .filter(t -> t != null && t.getThreadName().startsWith("health-")).count();
  }

  private static long openFileDescriptors() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return ((UnixOperatingSystemMXBean) os).getOpenFileDescriptorCount();
  }
}
