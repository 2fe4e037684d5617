package io.github.trafficpolicy.api;

import com.google.common.collect.ImmutableList;

/** A rule of a policy; the six kinds are Route 53's six {@code RuleType}s. */
public sealed interface Rule
    permits FailoverRule, GeolocationRule, GeoproximityRule, LatencyRule, WeightedRule, MultivalueAnswerRule {

  /** The rule's {@code RuleType}. */
  RuleType type();

  /** The rule's entries in document order (failover: primary, then secondary). */
  ImmutableList<? extends RuleEntry> entries();
}
