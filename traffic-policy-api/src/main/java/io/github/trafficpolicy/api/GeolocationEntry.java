package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * One location of a {@code geo} rule. A location names a continent, or a country (optionally with a
 * subdivision), or is the default: {@code "Country": "*"} or {@code "IsDefault": true}.
 *
 * @param isDefault {@code IsDefault} as written ({@code false} when omitted); see {@link #isCatchAll()}
 */
public record GeolocationEntry(
    Target target,
    Optional<String> continent,
    Optional<String> country,
    Optional<String> subdivision,
    boolean isDefault,
    Optional<Boolean> evaluateTargetHealth,
    Optional<HealthCheckId> healthCheck)
    implements RuleEntry {
  public GeolocationEntry {
    checkNotNull(target, "target");
    checkNotNull(continent, "continent (use Optional.empty())");
    checkNotNull(country, "country (use Optional.empty())");
    checkNotNull(subdivision, "subdivision (use Optional.empty())");
    checkNotNull(evaluateTargetHealth, "evaluateTargetHealth (use Optional.empty())");
    checkNotNull(healthCheck, "healthCheck (use Optional.empty())");
    checkArgument(
        continent.isEmpty() || (country.isEmpty() && subdivision.isEmpty()),
        "a location cannot combine Continent %s with Country or Subdivision",
        continent.orElse(""));
    checkArgument(subdivision.isEmpty() || country.isPresent(), "Subdivision %s requires a Country",
        subdivision.orElse(""));
  }

  /** True for the rule's catch-all location: {@code IsDefault} is true or {@code Country} is {@code *}. */
  public boolean isCatchAll() {
    return isDefault || country.filter("*"::equals).isPresent();
  }

  /** A continent location. */
  public static GeolocationEntry continent(String code, Target target) {
    return new GeolocationEntry(target, Optional.of(code), Optional.empty(), Optional.empty(), false,
        Optional.empty(), Optional.empty());
  }

  /** A country location. */
  public static GeolocationEntry country(String code, Target target) {
    return new GeolocationEntry(target, Optional.empty(), Optional.of(code), Optional.empty(), false,
        Optional.empty(), Optional.empty());
  }

  /** A subdivision location (e.g. a US state). */
  public static GeolocationEntry subdivision(String country, String subdivision, Target target) {
    return new GeolocationEntry(target, Optional.empty(), Optional.of(country), Optional.of(subdivision), false,
        Optional.empty(), Optional.empty());
  }

  /** The default location, written as {@code "IsDefault": true}. */
  public static GeolocationEntry defaultLocation(Target target) {
    return new GeolocationEntry(target, Optional.empty(), Optional.empty(), Optional.empty(), true,
        Optional.empty(), Optional.empty());
  }

  /** This entry with {@code EvaluateTargetHealth} and {@code HealthCheck} set. */
  public GeolocationEntry withHealth(Optional<Boolean> evaluateTargetHealth, Optional<HealthCheckId> healthCheck) {
    return new GeolocationEntry(target, continent, country, subdivision, isDefault, evaluateTargetHealth,
        healthCheck);
  }
}
