package io.github.trafficpolicy.api;

import java.util.Optional;

/**
 * One entry of a rule: the child it points at, whether to evaluate that child's health
 * ({@code EvaluateTargetHealth}; empty when the document omits it, so the engine can apply its configured default)
 * and an optional Route 53 health check.
 */
public sealed interface RuleEntry
    permits FailoverEntry, GeolocationEntry, GeoproximityEntry, LatencyEntry, WeightedEntry, MultivalueEntry {

  /** The endpoint or rule this entry routes to. */
  Target target();

  /** {@code EvaluateTargetHealth} as written; empty when omitted. */
  Optional<Boolean> evaluateTargetHealth();

  /** {@code HealthCheck}, if any. */
  Optional<HealthCheckId> healthCheck();
}
