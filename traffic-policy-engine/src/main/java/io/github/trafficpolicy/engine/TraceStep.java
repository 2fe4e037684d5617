package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;

/**
 * One decision of an evaluation.
 *
 * @param depth nesting depth (0 at the start node)
 * @param kind what happened
 * @param subject the rule, entry or endpoint concerned (e.g. {@code geo-root (geo)}, {@code Primary -> endpoint a})
 * @param detail why, in words (e.g. {@code health check 3f1c… UNHEALTHY})
 * @param rule the id of the rule the step belongs to ({@code ""} for an endpoint reached from the start)
 * @param entry the index of the rule entry the step is about, in document order ({@code -1} when it is about the
 *     rule as a whole or an endpoint)
 */
public record TraceStep(int depth, Kind kind, String subject, String detail, String rule, int entry) {
  public TraceStep {
    checkArgument(depth >= 0, "depth must be at least 0 but was %s", depth);
    checkNotNull(kind, "kind");
    checkNotNull(subject, "subject");
    checkNotNull(detail, "detail");
    checkNotNull(rule, "rule");
    checkArgument(entry >= -1, "entry must be at least -1 but was %s", entry);
  }

  /** A step not tied to a rule entry. */
  public TraceStep(int depth, Kind kind, String subject, String detail) {
    this(depth, kind, subject, detail, "", -1);
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

  /** {@code <indent><kind> <subject>[: <detail>]}, e.g. {@code   choose Primary -> endpoint a: primary healthy}. */
  @Override
  public String toString() {
    return "  ".repeat(depth) + kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + subject
        + (detail.isEmpty() ? "" : ": " + detail);
  }
}
