package io.github.trafficpolicy.engine;

import static io.github.trafficpolicy.engine.Fixtures.endpoint;
import static io.github.trafficpolicy.engine.Fixtures.hc;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.GeoproximityRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.engine.EvaluatorSettings.BiasFormula;
import io.github.trafficpolicy.engine.EvaluatorSettings.UnknownLocation;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Distances along the equator: one degree of longitude is 111.195 km (R = 6371.0088 km). */
final class GeoproximityTest {
  private static final ClientLocation ORIGIN = ClientLocation.of(null, null, null, new Coordinates(0, 0));

  private static GeoproximityEntry at(String endpoint, String lon, int bias) {
    return new GeoproximityEntry(Target.endpoint(endpoint), GeoproximityLocation.Coordinate.of("0", lon), bias,
        Optional.empty(), hc(endpoint));
  }

  private static String run(PolicyDocument d, EvaluatorSettings s, ClientLocation where, HealthSnapshot h) {
    return endpoint(Fixtures.compile(d, s).evaluate(Fixtures.query(where, h)));
  }

  @ParameterizedTest(name = "a at 10° bias {0}, b at {1}° bias {2}, {3} -> {4}")
  @CsvSource({
      // 1111.9 km vs 1667.9 km: a.
      "0,   -15,   0,  ROUTE53, a",
      // b biased +40: 1667.9 × 0.6 = 1000.7 < 1111.9: b.
      "0,   -15,   40, ROUTE53, b",
      // b biased +30: 1667.9 × 0.7 = 1167.5 > 1111.9: a.
      "0,   -15,   30, ROUTE53, a",
      // a biased -20: 1111.9 ÷ 0.8 = 1389.9 > b 1367.7: b.
      "-20, -12.3, 0,  ROUTE53, b",
      // LINEAR: a biased -20: 1111.9 × 1.2 = 1334.3 < b 1367.7: a.
      "-20, -12.3, 0,  LINEAR,  a",
      // -50 doubles the distance: 2223.9 > b 1667.9: b.
      "-50, -15,   0,  ROUTE53, b"})
  void evaluate_biasFormula(int biasA, String lonB, int biasB, BiasFormula formula, String expected) {
    PolicyDocument d = Fixtures.single(GeoproximityRule.of(at("a", "10", biasA), at("b", lonB, biasB)));
    EvaluatorSettings s = EvaluatorSettings.builder().bias(formula).build();
    assertThat(run(d, s, ORIGIN, HealthSnapshot.empty())).isEqualTo(expected);
  }

  @ParameterizedTest(name = "unhealthy [{0}] -> {1}")
  @CsvSource({"'', a", "a, b", "a b, c", "a b c, a", "b, a"})
  void evaluate_nextClosestOnFailure_thenFailOpenToClosest(String unhealthy, String expected) {
    PolicyDocument d = Fixtures.single(GeoproximityRule.of(at("a", "10", 0), at("b", "20", 0), at("c", "-30", 0)));
    HealthSnapshot h = Fixtures.health(Map.of("a", Fixtures.up(!unhealthy.contains("a")),
        "b", Fixtures.up(!unhealthy.contains("b")), "c", Fixtures.up(!unhealthy.contains("c"))));
    assertThat(run(d, EvaluatorSettings.defaults(), ORIGIN, h)).isEqualTo(expected);
  }

  @Test
  void evaluate_2023RegionAndLocalZone_useRegionCoordinates() {
    PolicyDocument d = Fixtures.doc().formatVersion(FormatVersion.V2023_05_09)
        .rule("root", GeoproximityRule.of(
            GeoproximityEntry.of(Target.endpoint("a"), new GeoproximityLocation.Region("aws:route53:us-east-1")),
            GeoproximityEntry.of(Target.endpoint("b"),
                new GeoproximityLocation.LocalZone("aws:route53:us-east-1-atl-1a")),
            GeoproximityEntry.of(Target.endpoint("c"), new GeoproximityLocation.Region("aws:route53:xx-nowhere-1"))))
        .startRule("root").build();
    EvaluatorSettings s = EvaluatorSettings.builder().regionCoordinates(RegionCoordinates.of(Map.of(
        "us-east-1", new Coordinates(0, 10), "us-east-1-atl-1a", new Coordinates(0, -5)))).build();
    assertThat(run(d, s, ORIGIN, HealthSnapshot.empty())).isEqualTo("b");
    ClientLocation east = ClientLocation.of(null, null, null, new Coordinates(0, 9));
    assertThat(run(d, s, east, HealthSnapshot.empty())).isEqualTo("a");
  }

  @Test
  void evaluate_unknownClientCoordinates_followsSetting() {
    PolicyDocument d = Fixtures.single(GeoproximityRule.of(at("a", "10", 0), at("b", "1", 0)));
    assertThat(run(d, EvaluatorSettings.defaults(), ClientLocation.UNKNOWN, HealthSnapshot.empty())).isEqualTo("a");
    EvaluatorSettings noData =
        EvaluatorSettings.builder().unknownGeoproximityLocation(UnknownLocation.NO_DATA).build();
    assertThat(run(d, noData, ClientLocation.UNKNOWN, HealthSnapshot.empty())).isEqualTo("NODATA");
    assertThat(run(d, noData, ORIGIN, HealthSnapshot.empty())).isEqualTo("b");
  }

  @Test
  void evaluate_locationGivenByQuery_scopeIsClientPrefix() {
    PolicyDocument d = Fixtures.single(GeoproximityRule.of(at("a", "10", 0), at("b", "1", 0)));
    Answer a = Fixtures.compile(d).evaluate(Fixtures.query(ORIGIN, HealthSnapshot.empty()));
    assertThat(a.ecsScope()).isEqualTo(24);
  }
}
