package io.github.trafficpolicy.engine.health;

import io.github.trafficpolicy.api.HealthCheckId;

/**
 * A health check definition: an {@link EndpointHealthCheck} probed over the network or a
 * {@link CalculatedHealthCheck} combining other checks. Immutable and validated on construction.
 *
 * <p>Every check has an ID (the {@code HealthCheck} value used in policy documents), may be {@linkplain #inverted
 * inverted} (the status is flipped) and may be {@linkplain #disabled disabled} (always healthy before inversion,
 * and never probed — Route 53's way to force a status: disable, and invert to force unhealthy).
 */
public sealed interface HealthCheck permits EndpointHealthCheck, CalculatedHealthCheck {
  /** The ID policy documents use in their {@code HealthCheck} members. */
  HealthCheckId id();

  /** The kind of check. */
  HealthCheckType type();

  /** Whether the status is flipped (healthy ↔ unhealthy; unknown stays unknown). */
  boolean inverted();

  /** Whether the check is disabled: considered healthy without probing (inversion still applies). */
  boolean disabled();
}
