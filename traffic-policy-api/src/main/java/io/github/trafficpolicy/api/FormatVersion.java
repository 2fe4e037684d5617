package io.github.trafficpolicy.api;

import java.util.Optional;

/** The {@code AWSPolicyFormatVersion} of a document. The two differ only in how geoproximity locations are written. */
public enum FormatVersion {
  /** {@code 2015-10-01}: geoproximity entries carry {@code Region} or {@code Latitude}/{@code Longitude}. */
  V2015_10_01("2015-10-01"),
  /** {@code 2023-05-09}: geoproximity entries carry a {@code Location} object (Region, LocalZone, Coordinate). */
  V2023_05_09("2023-05-09");

  private final String text;

  FormatVersion(String text) {
    this.text = text;
  }

  /** The literal as it appears in a document. */
  public String text() {
    return text;
  }

  /** The version with this literal, if any. */
  public static Optional<FormatVersion> fromText(String text) {
    for (FormatVersion v : values()) {
      if (v.text.equals(text)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return text;
  }
}
