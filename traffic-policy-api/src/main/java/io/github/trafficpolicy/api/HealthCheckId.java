package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/** A Route 53 health check ID (at most 64 characters), as given in an entry's {@code HealthCheck}. {@link #toString()} is the bare value. */
public record HealthCheckId(String value) implements Comparable<HealthCheckId> {
  public HealthCheckId {
    checkNotNull(value, "value");
    checkArgument(!value.isEmpty(), "HealthCheckId must not be empty");
    checkArgument(value.length() <= 64, "HealthCheckId must be at most 64 characters but was %s", value.length());
  }

  /** The ID with this value. */
  public static HealthCheckId of(String value) {
    return new HealthCheckId(value);
  }

  @Override
  public int compareTo(HealthCheckId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
