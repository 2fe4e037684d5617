package io.github.trafficpolicy.engine.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class LocationInternerTest {

  @Test
  void intern_equalFieldsFromDifferentRecords_giveOneInstanceEqualToTheCheckedLocation() {
    LocationInterner interner = new LocationInterner();
    ClientLocation first = intern(interner, fields(new String("EU"), new String("FR"), new String("IDF"), 48.86, 2.35));
    ClientLocation second = intern(interner, fields(new String("EU"), new String("FR"), new String("IDF"), 48.86, 2.35));
    assertThat(first).isSameAs(second)
        .isEqualTo(ClientLocation.of("EU", "FR", "IDF", new Coordinates(48.86, 2.35)))
        .isEqualTo(MaxMindGeoLocator.location("EU", "FR", "IDF", 48.86, 2.35));
    assertThat(interner.size()).isEqualTo(1);
  }

  @Test
  void intern_anyPartDifferent_givesAnotherInstance() {
    LocationInterner interner = new LocationInterner();
    ClientLocation paris = intern(interner, fields("EU", "FR", "IDF", 48.86, 2.35));
    List<ClientLocation> others = List.of(
        intern(interner, fields("AF", "FR", "IDF", 48.86, 2.35)),
        intern(interner, fields("EU", "BE", "IDF", 48.86, 2.35)),
        intern(interner, fields("EU", "FR", "ARA", 48.86, 2.35)),
        intern(interner, fields("EU", "FR", null, 48.86, 2.35)),
        intern(interner, fields("EU", "FR", "IDF", 48.87, 2.35)),
        intern(interner, fields("EU", "FR", "IDF", 48.86, 2.36)),
        intern(interner, fields("EU", "FR", "IDF", Double.NaN, Double.NaN)),
        intern(interner, fields("EU", "FR", "IDF", -0.0, 0.0)),
        intern(interner, fields("EU", "FR", "IDF", 0.0, 0.0)));
    for (ClientLocation other : others) {
      assertThat(other).isNotEqualTo(paris);
    }
    assertThat(others).doesNotHaveDuplicates();
    assertThat(interner.size()).isEqualTo(1 + others.size());
  }

  @Test
  void intern_malformedParts_areLeftOutAsTheLocatorLeavesThemOut() {
    LocationInterner interner = new LocationInterner();
    assertThat(intern(interner, fields("XX", "fr", "IDF", 91, 2.35))).isSameAs(ClientLocation.UNKNOWN);
    assertThat(intern(interner, fields(null, null, "WA", Double.NaN, 10))).isSameAs(ClientLocation.UNKNOWN);
    assertThat(intern(interner, fields("NA", null, "WA", Double.NaN, Double.NaN)))
        .isEqualTo(ClientLocation.of("NA", null, null, null))
        .isEqualTo(MaxMindGeoLocator.location("NA", null, "WA", Double.NaN, Double.NaN));
    assertThat(interner.size()).isEqualTo(1);
  }

  @Test
  void intern_manyLocations_growsAndFindsEveryOneAgain() {
    long seed = 20261204L;
    SplittableRandom random = new SplittableRandom(seed);
    LocationInterner interner = new LocationInterner();
    List<double[]> points = new ArrayList<>();
    List<ClientLocation> made = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      double[] p = {random.nextDouble(-90, 90), random.nextDouble(-180, 180)};
      points.add(p);
      made.add(intern(interner, fields("AS", "JP", null, p[0], p[1])));
    }
    assertThat(interner.size()).as("seed " + seed).isEqualTo(10_000);
    for (int i = 0; i < points.size(); i++) {
      double[] p = points.get(i);
      assertThat(intern(interner, fields("AS", "JP", null, p[0], p[1]))).as("seed " + seed + ", #" + i)
          .isSameAs(made.get(i));
    }
    assertThat(interner.size()).isEqualTo(10_000);
  }

  private static ClientLocation intern(LocationInterner interner, MmdbData.Fields fields) {
    ClientLocation location = interner.location(interner.intern(fields));
    assertThat(location).as("the index of %s", location).isNotNull();
    return location;
  }

  private static MmdbData.Fields fields(@Nullable String continent, @Nullable String country,
                                        @Nullable String subdivision, double latitude, double longitude) {
    MmdbData.Fields f = new MmdbData.Fields();
    f.continent = continent;
    f.country = country;
    f.subdivision = subdivision;
    f.latitude = latitude;
    f.longitude = longitude;
    return f;
  }
}
