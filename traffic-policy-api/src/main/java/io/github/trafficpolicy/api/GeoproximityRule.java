package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;

/** A {@code geoproximity} rule: the entry closest to the client after bias ({@code GeoproximityLocations}). */
public record GeoproximityRule(ImmutableList<GeoproximityEntry> locations) implements Rule {
  public GeoproximityRule {
    locations = ImmutableList.copyOf(locations);
    checkArgument(!locations.isEmpty(), "a geoproximity rule needs at least one entry");
  }

  /** A rule with these entries, in order. */
  public static GeoproximityRule of(List<GeoproximityEntry> locations) {
    return new GeoproximityRule(ImmutableList.copyOf(locations));
  }

  /** A rule with these entries, in order. */
  public static GeoproximityRule of(GeoproximityEntry... locations) {
    return new GeoproximityRule(ImmutableList.copyOf(locations));
  }

  @Override
  public RuleType type() {
    return RuleType.GEOPROXIMITY;
  }

  @Override
  public ImmutableList<GeoproximityEntry> entries() {
    return locations;
  }
}
