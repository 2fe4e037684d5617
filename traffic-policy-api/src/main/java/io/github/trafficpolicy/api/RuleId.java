package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/** The ID of a rule: a key of the document's {@code Rules}. {@link #toString()} is the bare value. */
public record RuleId(String value) implements Comparable<RuleId> {
  public RuleId {
    checkNotNull(value, "value");
    checkArgument(!value.isEmpty(), "RuleId must not be empty");

  }

  /** The ID with this value. */
  public static RuleId of(String value) {
    return new RuleId(value);
  }

  @Override
  public int compareTo(RuleId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
