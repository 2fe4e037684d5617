package io.github.trafficpolicy.engine.internal;

import com.maxmind.db.MaxMindDbConstructor;
import com.maxmind.db.MaxMindDbParameter;
import java.util.List;

/**
 * The parts of a GeoIP2/GeoLite2 City or Country record that client location needs, for the MaxMind DB decoder,
 * which skips every other field (names in every language, postal codes, time zones …) instead of building objects
 * for them. Internal: not part of the library's API, public only because the decoder constructs it by reflection.
 * A component is {@code null} when the record lacks that field.
 *
 * @param continent {@code continent}
 * @param country {@code country}
 * @param subdivisions {@code subdivisions}, largest first
 * @param location {@code location}
 */
public record MmdbLocation(
    @MaxMindDbParameter(name = "continent") Code continent,
    @MaxMindDbParameter(name = "country") Code country,
    @MaxMindDbParameter(name = "subdivisions") List<Code> subdivisions,
    @MaxMindDbParameter(name = "location") Point location) {

  /** Constructs a record for the decoder. */
  @MaxMindDbConstructor
  public MmdbLocation {}

  /**
   * A continent ({@code code}), country or subdivision ({@code iso_code}).
   *
   * @param code the continent code
   * @param isoCode the ISO code
   */
  public record Code(
      @MaxMindDbParameter(name = "code") String code,
      @MaxMindDbParameter(name = "iso_code") String isoCode) {

    /** Constructs a record for the decoder. */
    @MaxMindDbConstructor
    public Code {}
  }

  /**
   * A {@code location}: latitude and longitude in degrees.
   *
   * @param latitude {@code latitude}
   * @param longitude {@code longitude}
   */
  public record Point(
      @MaxMindDbParameter(name = "latitude") Double latitude,
      @MaxMindDbParameter(name = "longitude") Double longitude) {

    /** Constructs a record for the decoder. */
    @MaxMindDbConstructor
    public Point {}
  }
}
