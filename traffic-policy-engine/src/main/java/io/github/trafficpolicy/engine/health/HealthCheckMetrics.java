package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * What a {@link HealthChecker} knows about one check at a moment.
 *
 * @param id the check
 * @param status the published (effective) status: after the failure threshold, disabling and inversion
 * @param lastResult the latest probe result (before inversion), empty before the first
 * @param consecutiveResults how many results in a row, up to and including the latest, had the latest's outcome
 * @param transitions how many times the published status changed (including the first change from UNKNOWN)
 * @param lastChange when the published status last changed, empty if never
 */
public record HealthCheckMetrics(
    HealthCheckId id,
    HealthStatus status,
    Optional<ProbeResult> lastResult,
    int consecutiveResults,
    long transitions,
    Optional<Instant> lastChange) {
  public HealthCheckMetrics {
    checkNotNull(id, "id");
    checkNotNull(status, "status");
    checkNotNull(lastResult, "lastResult (use Optional.empty())");
    checkArgument(consecutiveResults >= 0, "consecutiveResults must not be negative but was %s", consecutiveResults);
    checkArgument(transitions >= 0, "transitions must not be negative but was %s", transitions);
    checkNotNull(lastChange, "lastChange (use Optional.empty())");
  }
}
