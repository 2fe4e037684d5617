package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/** One item of a weighted rule, with a {@code Weight} in 0…255. */
public record WeightedEntry(
    Target target, int weight, Optional<Boolean> evaluateTargetHealth, Optional<HealthCheckId> healthCheck)
    implements RuleEntry {
  public WeightedEntry {
    checkNotNull(target, "target");
    checkArgument(weight >= 0 && weight <= 255, "weight must be in [0, 255] but was %s", weight);
    checkNotNull(evaluateTargetHealth, "evaluateTargetHealth (use Optional.empty())");
    checkNotNull(healthCheck, "healthCheck (use Optional.empty())");
  }

  /** An item with no health check and {@code EvaluateTargetHealth} omitted. */
  public static WeightedEntry of(int weight, Target target) {
    return new WeightedEntry(target, weight, Optional.empty(), Optional.empty());
  }
}
