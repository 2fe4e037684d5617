package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;

/** A {@code weighted} rule: an item chosen in proportion to its weight ({@code Items}). */
public record WeightedRule(ImmutableList<WeightedEntry> items) implements Rule {
  public WeightedRule {
    items = ImmutableList.copyOf(items);
    checkArgument(!items.isEmpty(), "a weighted rule needs at least one entry");
  }

  /** A rule with these entries, in order. */
  public static WeightedRule of(List<WeightedEntry> items) {
    return new WeightedRule(ImmutableList.copyOf(items));
  }

  /** A rule with these entries, in order. */
  public static WeightedRule of(WeightedEntry... items) {
    return new WeightedRule(ImmutableList.copyOf(items));
  }

  @Override
  public RuleType type() {
    return RuleType.WEIGHTED;
  }

  @Override
  public ImmutableList<WeightedEntry> entries() {
    return items;
  }
}
