package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;

/** A {@code latency} rule: the region with the lowest latency for the client ({@code Regions}). */
public record LatencyRule(ImmutableList<LatencyEntry> regions) implements Rule {
  public LatencyRule {
    regions = ImmutableList.copyOf(regions);
    checkArgument(!regions.isEmpty(), "a latency rule needs at least one entry");
  }

  /** A rule with these entries, in order. */
  public static LatencyRule of(List<LatencyEntry> regions) {
    return new LatencyRule(ImmutableList.copyOf(regions));
  }

  /** A rule with these entries, in order. */
  public static LatencyRule of(LatencyEntry... regions) {
    return new LatencyRule(ImmutableList.copyOf(regions));
  }

  @Override
  public RuleType type() {
    return RuleType.LATENCY;
  }

  @Override
  public ImmutableList<LatencyEntry> entries() {
    return regions;
  }
}
