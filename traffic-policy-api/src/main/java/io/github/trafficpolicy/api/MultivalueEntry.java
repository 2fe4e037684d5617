package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * One item of a multivalue answer rule: only an {@code EndpointReference} and an optional {@code HealthCheck}.
 * {@link #evaluateTargetHealth()} is always empty.
 */
public record MultivalueEntry(EndpointId endpoint, Optional<HealthCheckId> healthCheck) implements RuleEntry {
  public MultivalueEntry {
    checkNotNull(endpoint, "endpoint");
    checkNotNull(healthCheck, "healthCheck (use Optional.empty())");
  }

  /** An item with no health check. */
  public static MultivalueEntry of(String endpoint) {
    return new MultivalueEntry(EndpointId.of(endpoint), Optional.empty());
  }

  /** An item with a health check. */
  public static MultivalueEntry of(String endpoint, String healthCheck) {
    return new MultivalueEntry(EndpointId.of(endpoint), Optional.of(HealthCheckId.of(healthCheck)));
  }

  @Override
  public Target target() {
    return new EndpointTarget(endpoint);
  }

  @Override
  public Optional<Boolean> evaluateTargetHealth() {
    return Optional.empty();
  }
}
