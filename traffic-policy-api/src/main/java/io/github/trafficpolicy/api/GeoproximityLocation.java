package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.math.BigDecimal;

/**
 * Where a geoproximity entry is: an AWS Region ({@code aws:route53:us-east-1}), an AWS Local Zone
 * ({@code aws:route53:us-east-1-atl-1a}, format {@code 2023-05-09} only) or coordinates. In format
 * {@code 2015-10-01} a region is the entry's {@code Region} and coordinates its {@code Latitude}/{@code Longitude};
 * in {@code 2023-05-09} all three are a {@code Location} object.
 */
public sealed interface GeoproximityLocation
    permits GeoproximityLocation.Region, GeoproximityLocation.LocalZone, GeoproximityLocation.Coordinate {

  /** An AWS Region, named as in the document ({@code aws:route53:<region-code>}). */
  record Region(String name) implements GeoproximityLocation {
    public Region {
      checkNotNull(name, "name");
      checkArgument(!name.isEmpty(), "region name must not be empty");
    }

    /** The plain region code: the name without an {@code aws:route53:} prefix. */
    public String code() {
      return stripPrefix(name);
    }
  }

  /** An AWS Local Zone, named as in the document ({@code aws:route53:<local-zone-name>}). */
  record LocalZone(String name) implements GeoproximityLocation {
    public LocalZone {
      checkNotNull(name, "name");
      checkArgument(!name.isEmpty(), "local zone name must not be empty");
    }

    /** The plain local zone name without an {@code aws:route53:} prefix. */
    public String code() {
      return stripPrefix(name);
    }
  }

  /**
   * Coordinates in degrees, kept as the decimals written (so {@code "51.50"} keeps its scale): latitude −90…90,
   * longitude −180…180, at most two decimal places.
   */
  record Coordinate(BigDecimal latitude, BigDecimal longitude) implements GeoproximityLocation {
    public Coordinate {
      checkNotNull(latitude, "latitude");
      checkNotNull(longitude, "longitude");
      // A negative scale (1E+1) is written as a plain integer and read back with scale 0: normalize it.
      latitude = latitude.scale() < 0 ? latitude.setScale(0) : latitude;
      longitude = longitude.scale() < 0 ? longitude.setScale(0) : longitude;
      checkArgument(latitude.abs().compareTo(BigDecimal.valueOf(90)) <= 0,
          "latitude must be in [-90, 90] but was %s", latitude);
      checkArgument(longitude.abs().compareTo(BigDecimal.valueOf(180)) <= 0,
          "longitude must be in [-180, 180] but was %s", longitude);
      checkArgument(latitude.scale() <= 2, "latitude has more than two decimals: %s", latitude);
      checkArgument(longitude.scale() <= 2, "longitude has more than two decimals: %s", longitude);
    }

    /** Coordinates from their decimal text, e.g. {@code of("51.50", "-0.16")}. */
    public static Coordinate of(String latitude, String longitude) {
      return new Coordinate(new BigDecimal(latitude), new BigDecimal(longitude));
    }
  }

  private static String stripPrefix(String name) {
    return name.startsWith("aws:route53:") ? name.substring("aws:route53:".length()) : name;
  }
}
