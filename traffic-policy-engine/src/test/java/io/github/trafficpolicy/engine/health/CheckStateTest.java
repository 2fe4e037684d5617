package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class CheckStateTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static CheckState state(int threshold, boolean inverted, boolean disabled) {
    EndpointHealthCheck check = EndpointHealthCheck.builder("c", HealthCheckType.TCP).target("127.0.0.1").port(1)
        .failureThreshold(threshold).inverted(inverted).disabled(disabled).build();
    return new CheckState(check, threshold);
  }

  private static ProbeResult result(boolean success, int second) {
    return new ProbeResult(success, success ? "ok" : "fail", Duration.ZERO, T0.plusSeconds(second));
  }

  @Test
  void record_firstSuccess_isHealthyAtOnce() {
    CheckState s = state(3, false, false);
    assertThat(s.status()).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(s.record(result(true, 1))).isTrue();
    assertThat(s.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(s.metrics().lastChange()).contains(T0.plusSeconds(1));
  }

  @Test
  void record_failuresFromUnknown_needTheThreshold() {
    CheckState s = state(3, false, false);
    assertThat(s.record(result(false, 1))).isFalse();
    assertThat(s.record(result(false, 2))).isFalse();
    assertThat(s.status()).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(s.record(result(false, 3))).isTrue();
    assertThat(s.status()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void record_inverted_flipsKnownStatusesButNotUnknown() {
    CheckState s = state(1, true, false);
    assertThat(s.status()).isEqualTo(HealthStatus.UNKNOWN);
    s.record(result(true, 1));
    assertThat(s.status()).isEqualTo(HealthStatus.UNHEALTHY);
    s.record(result(false, 2));
    assertThat(s.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(s.metrics().transitions()).isEqualTo(2);
  }

  @Test
  void record_disabled_staysHealthyOrInvertedUnhealthy() {
    CheckState plain = state(1, false, true);
    CheckState inverted = state(1, true, true);
    assertThat(plain.record(result(false, 1))).isFalse();
    assertThat(inverted.record(result(true, 1))).isFalse();
    assertThat(plain.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(inverted.status()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  /**
   * Property: for random result sequences and thresholds, the status changes exactly when a reference model says —
   * a change to X needs the last {@code threshold} results to be X, except the first success from UNKNOWN — and the
   * counters match.
   */
  @Test
  void record_randomSequences_changeOnlyAfterThresholdConsecutiveResults() {
    long seed = 0x5EED_4EA1L;
    SplittableRandom random = new SplittableRandom(seed);
    for (int trial = 0; trial < 500; trial++) {
      int threshold = 1 + random.nextInt(10);
      int length = random.nextInt(60);
      double pSuccess = random.nextDouble();
      CheckState s = state(threshold, false, false);
      List<Boolean> results = new ArrayList<>();
      HealthStatus expected = HealthStatus.UNKNOWN;
      int run = 0;
      long transitions = 0;
      for (int i = 0; i < length; i++) {
        boolean success = random.nextDouble() < pSuccess;
        run = !results.isEmpty() && results.get(results.size() - 1) == success ? run + 1 : 1;
        results.add(success);
        HealthStatus observed = success ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY;
        boolean change = expected != observed
            && (run >= threshold || (expected == HealthStatus.UNKNOWN && success));
        if (change) {
          expected = observed;
          transitions++;
        }
        boolean changed = s.record(result(success, i));
        String replay = "seed " + seed + " trial " + trial + " threshold " + threshold + " results " + results;
        assertThat(changed).as(replay).isEqualTo(change);
        assertThat(s.status()).as(replay).isEqualTo(expected);
        assertThat(s.metrics().consecutiveResults()).as(replay).isEqualTo(run);
      }
      assertThat(s.metrics().transitions()).as("seed %s trial %s", seed, trial).isEqualTo(transitions);
    }
  }
}
