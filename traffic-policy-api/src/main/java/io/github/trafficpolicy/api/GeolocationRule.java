package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;

/** A {@code geo} (geolocation) rule: the most specific location that contains the client. */
public record GeolocationRule(ImmutableList<GeolocationEntry> locations) implements Rule {
  public GeolocationRule {
    locations = ImmutableList.copyOf(locations);
    checkArgument(!locations.isEmpty(), "a geo rule needs at least one entry");
  }

  /** A rule with these entries, in order. */
  public static GeolocationRule of(List<GeolocationEntry> locations) {
    return new GeolocationRule(ImmutableList.copyOf(locations));
  }

  /** A rule with these entries, in order. */
  public static GeolocationRule of(GeolocationEntry... locations) {
    return new GeolocationRule(ImmutableList.copyOf(locations));
  }

  @Override
  public RuleType type() {
    return RuleType.GEO;
  }

  @Override
  public ImmutableList<GeolocationEntry> entries() {
    return locations;
  }
}
