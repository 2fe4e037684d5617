package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkNotNull;

/** A reference to a rule. */
public record RuleTarget(RuleId rule) implements Target {
  public RuleTarget {
    checkNotNull(rule, "rule");
  }

  @Override
  public String id() {
    return rule.value();
  }

  @Override
  public String toString() {
    return "rule " + rule;
  }
}
