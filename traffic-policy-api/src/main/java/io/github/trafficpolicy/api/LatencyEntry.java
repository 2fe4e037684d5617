package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/** One entry of a latency rule: a plain AWS region code such as {@code us-east-1} (no {@code aws:route53:}). */
public record LatencyEntry(
    Target target, String region, Optional<Boolean> evaluateTargetHealth, Optional<HealthCheckId> healthCheck)
    implements RuleEntry {
  public LatencyEntry {
    checkNotNull(target, "target");
    checkNotNull(region, "region");
    checkArgument(!region.isEmpty(), "region must not be empty");
    checkNotNull(evaluateTargetHealth, "evaluateTargetHealth (use Optional.empty())");
    checkNotNull(healthCheck, "healthCheck (use Optional.empty())");
  }

  /** An entry with no health check and {@code EvaluateTargetHealth} omitted. */
  public static LatencyEntry of(String region, Target target) {
    return new LatencyEntry(target, region, Optional.empty(), Optional.empty());
  }
}
