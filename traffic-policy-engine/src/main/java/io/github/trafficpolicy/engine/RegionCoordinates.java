package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.engine.internal.RegionCodes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Coordinates of AWS Regions and Local Zones, used for geoproximity distances and latency estimates. Route 53 does
 * not publish the coordinates it uses; the built-in table places each region at the metropolitan area it is named
 * for (resource {@code aws-locations.csv}). Keys are plain codes ({@code us-east-1}, {@code us-east-1-atl-1a});
 * lookups also accept the {@code aws:route53:} prefix. Immutable.
 */
public final class RegionCoordinates {
  private static final RegionCoordinates BUILT_IN = load();

  private final ImmutableMap<String, Coordinates> table;

  private RegionCoordinates(ImmutableMap<String, Coordinates> table) {
    this.table = table;
  }

  /** The built-in table. */
  public static RegionCoordinates builtIn() {
    return BUILT_IN;
  }

  /** A table of exactly these entries. */
  public static RegionCoordinates of(Map<String, Coordinates> entries) {
    Map<String, Coordinates> m = new LinkedHashMap<>();
    entries.forEach((k, v) -> m.put(RegionCodes.plain(k), checkNotNull(v, "coordinates of %s", k)));
    return new RegionCoordinates(ImmutableMap.copyOf(m));
  }

  /** This table with {@code overrides} replacing or adding entries. */
  public RegionCoordinates withOverrides(Map<String, Coordinates> overrides) {
    Map<String, Coordinates> m = new LinkedHashMap<>(table);
    overrides.forEach((k, v) -> m.put(RegionCodes.plain(k), checkNotNull(v, "coordinates of %s", k)));
    return new RegionCoordinates(ImmutableMap.copyOf(m));
  }

  /** The coordinates of a region or local zone ({@code us-east-1} or {@code aws:route53:us-east-1}), if known. */
  public Optional<Coordinates> find(String regionOrLocalZone) {
    return Optional.ofNullable(table.get(RegionCodes.plain(regionOrLocalZone)));
  }

  /** Every entry, by plain code. */
  public ImmutableMap<String, Coordinates> asMap() {
    return table;
  }

  private static RegionCoordinates load() {
    Map<String, Coordinates> m = new LinkedHashMap<>();
    try (InputStream in = RegionCoordinates.class.getResourceAsStream("aws-locations.csv")) {
      if (in == null) {
        throw new IllegalStateException("resource aws-locations.csv is missing");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = r.readLine()) != null) {
        line = line.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split(",", -1);
        m.put(f[0].strip(), new Coordinates(Double.parseDouble(f[1].strip()), Double.parseDouble(f[2].strip())));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new RegionCoordinates(ImmutableMap.copyOf(m));
  }
}
