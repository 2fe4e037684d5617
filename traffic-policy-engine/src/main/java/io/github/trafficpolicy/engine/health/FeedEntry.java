package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * One status of a {@link HealthFeed} as of a moment.
 *
 * @param id the health check ID the status is for
 * @param reported the status the feed's source reported
 * @param observedAt when the source reported it (for a file: its modification time)
 * @param age how old the report is (zero when {@code observedAt} is in the future)
 * @param stale whether the age exceeds the feed's maximum age
 * @param effective the published status: {@code reported}, or the feed's fallback status when stale
 */
public record FeedEntry(
    HealthCheckId id, HealthStatus reported, Instant observedAt, Duration age, boolean stale, HealthStatus effective) {
  public FeedEntry {
    checkNotNull(id, "id");
    checkNotNull(reported, "reported");
    checkNotNull(observedAt, "observedAt");
    checkNotNull(age, "age");
    checkArgument(!age.isNegative(), "age must not be negative but was %s", age);
    checkNotNull(effective, "effective");
  }
}
