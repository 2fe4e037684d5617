package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;

/** A {@code multivalue} rule: up to eight healthy values at once ({@code Items}). */
public record MultivalueAnswerRule(ImmutableList<MultivalueEntry> items) implements Rule {
  public MultivalueAnswerRule {
    items = ImmutableList.copyOf(items);
    checkArgument(!items.isEmpty(), "a multivalue rule needs at least one entry");
  }

  /** A rule with these entries, in order. */
  public static MultivalueAnswerRule of(List<MultivalueEntry> items) {
    return new MultivalueAnswerRule(ImmutableList.copyOf(items));
  }

  /** A rule with these entries, in order. */
  public static MultivalueAnswerRule of(MultivalueEntry... items) {
    return new MultivalueAnswerRule(ImmutableList.copyOf(items));
  }

  @Override
  public RuleType type() {
    return RuleType.MULTIVALUE;
  }

  @Override
  public ImmutableList<MultivalueEntry> entries() {
    return items;
  }
}
