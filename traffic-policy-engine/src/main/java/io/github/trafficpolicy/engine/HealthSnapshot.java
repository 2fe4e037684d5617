package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable view of health at one moment: the effective status of each Route 53 health check ID, and the
 * health of alias targets (load balancers …) by endpoint ID. Anything not listed is {@link HealthStatus#UNKNOWN}.
 */
public final class HealthSnapshot {
  private static final HealthSnapshot EMPTY = new HealthSnapshot(ImmutableMap.of(), ImmutableMap.of(), 0);

  private final ImmutableMap<HealthCheckId, HealthStatus> checks;
  private final ImmutableMap<EndpointId, HealthStatus> targets;
  private final long generation;

  private HealthSnapshot(
      ImmutableMap<HealthCheckId, HealthStatus> checks, ImmutableMap<EndpointId, HealthStatus> targets,
      long generation) {
    this.checks = checks;
    this.targets = targets;
    this.generation = generation;
  }

  /** A snapshot that knows nothing: every status is {@link HealthStatus#UNKNOWN}. */
  public static HealthSnapshot empty() {
    return EMPTY;
  }

  /** A builder for a new snapshot. */
  public static Builder builder() {
    return new Builder(ImmutableMap.of(), ImmutableMap.of(), 0);
  }

  /** A builder starting from this snapshot's statuses, for the next generation. */
  public Builder toBuilder() {
    return new Builder(checks, targets, generation + 1);
  }

  /** The status of a health check. */
  public HealthStatus check(HealthCheckId id) {
    return checks.getOrDefault(id, HealthStatus.UNKNOWN);
  }

  /** The health of the alias target of an endpoint. */
  public HealthStatus target(EndpointId id) {
    return targets.getOrDefault(id, HealthStatus.UNKNOWN);
  }

  /** Every health check status this snapshot knows. */
  public ImmutableMap<HealthCheckId, HealthStatus> checks() {
    return checks;
  }

  /** Every alias target status this snapshot knows. */
  public ImmutableMap<EndpointId, HealthStatus> targets() {
    return targets;
  }

  /** Increases by one with each snapshot published by a {@link HealthRegistry}. */
  public long generation() {
    return generation;
  }

  @Override
  public String toString() {
    return "HealthSnapshot{generation=" + generation + ", checks=" + checks + ", targets=" + targets + "}";
  }

  /** Builds a {@link HealthSnapshot}. */
  public static final class Builder {
    private final Map<HealthCheckId, HealthStatus> checks;
    private final Map<EndpointId, HealthStatus> targets;
    private long generation;

    private Builder(Map<HealthCheckId, HealthStatus> checks, Map<EndpointId, HealthStatus> targets, long gen) {
      this.checks = new LinkedHashMap<>(checks);
      this.targets = new LinkedHashMap<>(targets);
      this.generation = gen;
    }

    /** Sets the status of a health check. */
    public Builder check(HealthCheckId id, HealthStatus status) {
      checks.put(checkNotNull(id, "id"), checkNotNull(status, "status"));
      return this;
    }

    /** Sets the status of a health check. */
    public Builder check(String id, HealthStatus status) {
      return check(HealthCheckId.of(id), status);
    }

    /** Forgets a health check's status (it reads as {@link HealthStatus#UNKNOWN} again), for a deleted check. */
    public Builder removeCheck(HealthCheckId id) {
      checks.remove(checkNotNull(id, "id"));
      return this;
    }

    /** Sets the health of an endpoint's alias target. */
    public Builder target(EndpointId id, HealthStatus status) {
      targets.put(checkNotNull(id, "id"), checkNotNull(status, "status"));
      return this;
    }

    /** Sets the health of an endpoint's alias target. */
    public Builder target(String id, HealthStatus status) {
      return target(EndpointId.of(id), status);
    }

    /** Sets the generation number. */
    public Builder generation(long generation) {
      this.generation = generation;
      return this;
    }

    public HealthSnapshot build() {
      return new HealthSnapshot(ImmutableMap.copyOf(checks), ImmutableMap.copyOf(targets), generation);
    }
  }
}
