package io.github.trafficpolicy.engine.health;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * The debounced status of one check. Not thread-safe: the {@link HealthChecker} confines it to its lock.
 *
 * <p>The raw status (before inversion) starts {@code UNKNOWN}. A success makes an {@code UNKNOWN} check
 * {@code HEALTHY} at once (Route 53 treats a new check as healthy until data shows otherwise); every other change —
 * {@code UNKNOWN} or {@code HEALTHY} to {@code UNHEALTHY}, {@code UNHEALTHY} to {@code HEALTHY} — needs
 * {@code failureThreshold} consecutive results the other way. A disabled check is {@code HEALTHY} before inversion.
 */
final class CheckState {
  private final HealthCheckId id;
  private final int failureThreshold;
  private final boolean inverted;
  private final boolean disabled;
  private HealthStatus raw = HealthStatus.UNKNOWN;
  private Optional<ProbeResult> lastResult = Optional.empty();
  private int consecutive;
  private long transitions;
  private Optional<Instant> lastChange = Optional.empty();

  CheckState(HealthCheck check, int failureThreshold) {
    this.id = check.id();
    this.failureThreshold = failureThreshold;
    this.inverted = check.inverted();
    this.disabled = check.disabled();
  }

  /**
   * The state of {@code next}, a new definition of this state's check, going on from this one: the raw status, the
   * transitions and the last change are kept; the latest result and the run of results only when {@code sameProbe}
   * (the new definition probes what the old one did). A change of inversion or disabling that changes the published
   * status counts as a transition at {@code now}.
   */
  CheckState continuedAs(HealthCheck next, int failureThreshold, boolean sameProbe, Instant now) {
    CheckState s = new CheckState(next, failureThreshold);
    s.raw = raw;
    s.transitions = transitions;
    s.lastChange = lastChange;
    if (sameProbe) {
      s.lastResult = lastResult;
      s.consecutive = consecutive;
    }
    if (s.status() != status()) {
      s.transitions++;
      s.lastChange = Optional.of(now);
    }
    return s;
  }

  /** Records a probe result; true when the published status changed. */
  boolean record(ProbeResult result) {
    if (lastResult.isPresent() && lastResult.get().success() == result.success()) {
      consecutive++;
    } else {
      consecutive = 1;
    }
    lastResult = Optional.of(result);
    HealthStatus observed = result.success() ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY;
    if (disabled || raw == observed) {
      return false;
    }
    boolean change = consecutive >= failureThreshold || (raw == HealthStatus.UNKNOWN && result.success());
    if (!change) {
      return false;
    }
    return setRaw(observed, result.at());
  }

  /**
   * Sets the raw status directly (for calculated checks, whose status follows their children at once); true when
   * the published status changed.
   */
  boolean set(HealthStatus newRaw, ProbeResult result) {
    lastResult = Optional.of(result);
    consecutive = 1;
    if (disabled || raw == newRaw) {
      return false;
    }
    return setRaw(newRaw, result.at());
  }

  private boolean setRaw(HealthStatus newRaw, Instant at) {
    HealthStatus before = status();
    raw = newRaw;
    if (status() == before) {
      return false;
    }
    transitions++;
    lastChange = Optional.of(at);
    return true;
  }

  /** The status before inversion: {@code HEALTHY} when disabled. */
  HealthStatus raw() {
    return disabled ? HealthStatus.HEALTHY : raw;
  }

  /** The published status: {@link #raw()} flipped when inverted ({@code UNKNOWN} stays). */
  HealthStatus status() {
    HealthStatus r = raw();
    if (!inverted || r == HealthStatus.UNKNOWN) {
      return r;
    }
    return r == HealthStatus.HEALTHY ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY;
  }

  HealthCheckMetrics metrics() {
    return new HealthCheckMetrics(id, status(), lastResult, consecutive, transitions, lastChange);
  }
}
