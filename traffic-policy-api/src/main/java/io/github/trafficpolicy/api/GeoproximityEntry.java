package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/** One entry of a geoproximity rule: a location and a {@code Bias} in −99…99 (0 when omitted). */
public record GeoproximityEntry(
    Target target,
    GeoproximityLocation location,
    int bias,
    Optional<Boolean> evaluateTargetHealth,
    Optional<HealthCheckId> healthCheck)
    implements RuleEntry {
  public GeoproximityEntry {
    checkNotNull(target, "target");
    checkNotNull(location, "location");
    checkArgument(bias >= -99 && bias <= 99, "bias must be in [-99, 99] but was %s", bias);
    checkNotNull(evaluateTargetHealth, "evaluateTargetHealth (use Optional.empty())");
    checkNotNull(healthCheck, "healthCheck (use Optional.empty())");
  }

  /** An entry with no bias, no health check and {@code EvaluateTargetHealth} omitted. */
  public static GeoproximityEntry of(Target target, GeoproximityLocation location) {
    return new GeoproximityEntry(target, location, 0, Optional.empty(), Optional.empty());
  }
}
