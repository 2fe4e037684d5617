package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One decision of an evaluation.
 *
 * @param depth nesting depth (0 at the start node)
 * @param kind what happened
 * @param subject the rule, entry or endpoint concerned (e.g. {@code rule geo-root}, {@code Primary})
 * @param detail why, in words (e.g. {@code health check 3f1c… UNHEALTHY})
 */
public record TraceStep(int depth, Kind kind, String subject, String detail) {
  public TraceStep {
    checkNotNull(kind, "kind");
    checkNotNull(subject, "subject");
    checkNotNull(detail, "detail");
  }

  /** The kinds of decision. */
  public enum Kind {
    /** Evaluation entered a rule. */
    ENTER_RULE,
    /** A location, region or item does not apply to the client (no geo match …). */
    NO_MATCH,
    /** A candidate entry was passed over (unhealthy, zero weight …). */
    SKIP,
    /** An entry was chosen. */
    CHOOSE,
    /** Nothing was healthy: the group answers as if everything were healthy (Route 53's fail-open). */
    FAIL_OPEN,
    /** Nothing was healthy and the evaluator fails closed: the group answers nothing. */
    FAIL_CLOSED,
    /** The group has no entry for the client: no data. */
    NO_DATA,
    /** An endpoint gave the answer. */
    ENDPOINT
  }

  @Override
  public String toString() {
    return "  ".repeat(depth) + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " " + subject
        + (detail.isEmpty() ? "" : ": " + detail);
  }
}
