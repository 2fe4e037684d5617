package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/** The {@code Primary} or {@code Secondary} of a failover rule. */
public record FailoverEntry(Target target, Optional<Boolean> evaluateTargetHealth, Optional<HealthCheckId> healthCheck)
    implements RuleEntry {
  public FailoverEntry {
    checkNotNull(target, "target");
    checkNotNull(evaluateTargetHealth, "evaluateTargetHealth (use Optional.empty())");
    checkNotNull(healthCheck, "healthCheck (use Optional.empty())");
  }

  /** An entry with no health check and {@code EvaluateTargetHealth} omitted. */
  public static FailoverEntry of(Target target) {
    return new FailoverEntry(target, Optional.empty(), Optional.empty());
  }
}
