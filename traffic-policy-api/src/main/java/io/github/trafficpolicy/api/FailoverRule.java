package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;

/** A {@code failover} rule: the primary while it is healthy, else the secondary. */
public record FailoverRule(FailoverEntry primary, FailoverEntry secondary) implements Rule {
  public FailoverRule {
    checkNotNull(primary, "primary");
    checkNotNull(secondary, "secondary");
  }

  @Override
  public RuleType type() {
    return RuleType.FAILOVER;
  }

  @Override
  public ImmutableList<FailoverEntry> entries() {
    return ImmutableList.of(primary, secondary);
  }
}
