package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * Where a client is, as far as is known: continent (Route 53 code: AF AN AS EU NA OC SA), country (ISO 3166-1
 * alpha-2), subdivision (ISO 3166-2 part after the hyphen, e.g. {@code WA}) and coordinates. Every part may be
 * absent; {@link #UNKNOWN} has none.
 */
public record ClientLocation(
    Optional<String> continent,
    Optional<String> country,
    Optional<String> subdivision,
    Optional<Coordinates> coordinates) {

  /** A client whose address maps to no location. */
  public static final ClientLocation UNKNOWN =
      new ClientLocation(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public ClientLocation {
    checkNotNull(continent, "continent (use Optional.empty())");
    checkNotNull(country, "country (use Optional.empty())");
    checkNotNull(subdivision, "subdivision (use Optional.empty())");
    checkNotNull(coordinates, "coordinates (use Optional.empty())");
  }

  /** A location from its parts; pass {@code null} for a part that is not known. */
  public static ClientLocation of(
      String continent, String country, String subdivision, Coordinates coordinates) {
    return new ClientLocation(Optional.ofNullable(continent), Optional.ofNullable(country),
        Optional.ofNullable(subdivision), Optional.ofNullable(coordinates));
  }

  /** True when at least one part is known. */
  public boolean isKnown() {
    return continent.isPresent() || country.isPresent() || subdivision.isPresent() || coordinates.isPresent();
  }
}
