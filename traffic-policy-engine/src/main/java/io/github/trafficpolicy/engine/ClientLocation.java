package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSet;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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
  public static ClientLocation of(@Nullable String continent, @Nullable String country,
                                  @Nullable String subdivision, @Nullable Coordinates coordinates) {
    return new ClientLocation(Optional.ofNullable(continent), Optional.ofNullable(country),
        Optional.ofNullable(subdivision), Optional.ofNullable(coordinates));
  }

  /**
   * A location from codes as people write them, checked and upper-cased: continent one of {@link #CONTINENTS},
   * country two letters (ISO 3166-1 alpha-2, or {@code XK}), subdivision one to three letters or digits (the part of
   * the ISO 3166-2 code after the hyphen) and only together with a country. Pass {@code null} for a part that is
   * not known.
   *
   * @throws IllegalArgumentException naming the bad code
   */
  public static ClientLocation ofCodes(@Nullable String continent, @Nullable String country,
                                       @Nullable String subdivision, @Nullable Coordinates coordinates) {
    String ct = continent == null ? null : continent.toUpperCase(Locale.ROOT);
    String cc = country == null ? null : country.toUpperCase(Locale.ROOT);
    String sd = subdivision == null ? null : subdivision.toUpperCase(Locale.ROOT);
    checkArgument(ct == null || CONTINENTS.contains(ct), "continent must be one of %s but was '%s'",
        String.join(" ", CONTINENTS), continent);
    checkArgument(cc == null || cc.matches("[A-Z]{2}"), "country must be two letters (ISO 3166-1) but was '%s'",
        country);
    checkArgument(sd == null || sd.matches("[A-Z0-9]{1,3}"),
        "subdivision must be 1 to 3 letters or digits (ISO 3166-2 after the hyphen) but was '%s'", subdivision);
    checkArgument(sd == null || cc != null, "subdivision '%s' needs a country", subdivision);
    return of(ct, cc, sd, coordinates);
  }

  /** The continent codes Route 53 uses: Africa, Antarctica, Asia, Europe, North America, Oceania, South America. */
  public static final ImmutableSet<String> CONTINENTS = ImmutableSet.of("AF", "AN", "AS", "EU", "NA", "OC", "SA");

  /** True when at least one part is known. */
  public boolean isKnown() {
    return continent.isPresent() || country.isPresent() || subdivision.isPresent() || coordinates.isPresent();
  }
}
