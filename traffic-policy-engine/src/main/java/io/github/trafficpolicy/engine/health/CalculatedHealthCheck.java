package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A {@link HealthCheckType#CALCULATED} check: healthy when at least {@code healthThreshold} of its children are
 * healthy. A threshold of 0 is always healthy; a threshold above the number of children is always unhealthy. The
 * children are other checks of the same {@link HealthChecker} and cannot be calculated checks themselves (no
 * nesting, as Route 53). A disabled child counts as healthy (before its own inversion, as its status does).
 *
 * <p>While some children have no result yet ({@code UNKNOWN}) the status is {@code UNKNOWN} only if those children
 * could still decide it; otherwise it is already known (e.g. 2 healthy children reach a threshold of 2). The failure
 * threshold does not apply: the status follows the children's (already debounced) statuses at once.
 *
 * @param id the ID policy documents reference
 * @param healthThreshold 0–256
 * @param children the IDs of the child checks, distinct, at most 256, not including {@code id}
 * @param inverted whether the status is flipped
 * @param disabled whether the check is considered healthy whatever its children
 */
public record CalculatedHealthCheck(
    HealthCheckId id, int healthThreshold, ImmutableList<HealthCheckId> children, boolean inverted, boolean disabled)
    implements HealthCheck {
  /** The most children a calculated check may have (the Route 53 API limit). */
  public static final int MAX_CHILDREN = 256;

  public CalculatedHealthCheck {
    checkNotNull(id, "id");
    checkArgument(healthThreshold >= 0 && healthThreshold <= MAX_CHILDREN,
        "healthThreshold of %s must be 0..256 but was %s", id, healthThreshold);
    children = ImmutableList.copyOf(checkNotNull(children, "children"));
    checkArgument(children.size() <= MAX_CHILDREN, "%s may have at most 256 children but has %s", id,
        children.size());
    checkArgument(ImmutableSet.copyOf(children).size() == children.size(), "children of %s must be distinct: %s",
        id, children);
    checkArgument(!children.contains(id), "%s cannot be its own child", id);
  }

  /** A calculated check, not inverted and not disabled. */
  public static CalculatedHealthCheck of(String id, int healthThreshold, List<String> children) {
    return new CalculatedHealthCheck(HealthCheckId.of(id), healthThreshold,
        children.stream().map(HealthCheckId::of).collect(ImmutableList.toImmutableList()), false, false);
  }

  @Override
  public HealthCheckType type() {
    return HealthCheckType.CALCULATED;
  }

  /**
   * The status before inversion given each child's status, with why: empty while the unknown children could still
   * go either way (the status stays as it was).
   */
  public Optional<ProbeResult> decide(Function<HealthCheckId, HealthStatus> statusOf, Instant now) {
    int healthy = 0;
    int unknown = 0;
    for (HealthCheckId child : children) {
      HealthStatus s = statusOf.apply(child);
      if (s == HealthStatus.HEALTHY) {
        healthy++;
      } else if (s == HealthStatus.UNKNOWN) {
        unknown++;
      }
    }
    boolean up = healthy >= healthThreshold;
    if (!up && healthy + unknown >= healthThreshold) {
      return Optional.empty();
    }
    String reason = healthy + " of " + children.size() + " children healthy"
        + (unknown > 0 ? ", " + unknown + " unknown" : "") + " (threshold " + healthThreshold + ")";
    return Optional.of(new ProbeResult(up, reason, Duration.ZERO, now));
  }

  /** This check, inverted or not. */
  public CalculatedHealthCheck withInverted(boolean inverted) {
    return new CalculatedHealthCheck(id, healthThreshold, children, inverted, disabled);
  }

  /** This check, disabled or not. */
  public CalculatedHealthCheck withDisabled(boolean disabled) {
    return new CalculatedHealthCheck(id, healthThreshold, children, inverted, disabled);
  }
}
