package io.github.trafficpolicy.engine;

import static io.github.trafficpolicy.engine.Fixtures.endpoint;
import static io.github.trafficpolicy.engine.Fixtures.hc;
import static io.github.trafficpolicy.engine.Fixtures.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.engine.EvaluatorSettings.AllUnhealthy;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class GeolocationTest {

  /** US/WA → a, US → b, continent NA → c, default → d; each with its own health check. */
  private static final PolicyDocument CHAIN = Fixtures.single(GeolocationRule.of(
      GeolocationEntry.subdivision("US", "WA", Target.endpoint("a")).withHealth(Optional.empty(), hc("a")),
      GeolocationEntry.country("US", Target.endpoint("b")).withHealth(Optional.empty(), hc("b")),
      GeolocationEntry.continent("NA", Target.endpoint("c")).withHealth(Optional.empty(), hc("c")),
      GeolocationEntry.defaultLocation(Target.endpoint("d")).withHealth(Optional.empty(), hc("d"))));

  private static ClientLocation at(String where) {
    if (where.equals("unknown")) {
      return ClientLocation.UNKNOWN;
    }
    String[] p = where.split("/");
    return ClientLocation.of(p[0], p.length > 1 ? p[1] : null, p.length > 2 ? p[2] : null, null);
  }

  @ParameterizedTest(name = "{0}, unhealthy [{1}] -> {2}")
  @CsvSource({
      "NA/US/WA, '',      a",
      "NA/US/WA, a,       b",
      "NA/US/WA, a b,     c",
      "NA/US/WA, a b c,   d",
      "NA/US/WA, a b c d, a",
      "NA/US/OR, '',      b",
      "NA/US,    '',      b",
      "NA/US/OR, b,       c",
      "NA/US/OR, b c d,   b",
      "NA/CA,    '',      c",
      "NA/CA,    c,       d",
      "EU/DE,    '',      d",
      "EU/DE,    d,       d",
      "unknown,  '',      d",
      "NA/US/WA, d,       a"})
  void evaluate_chainWithHealthFallback(String where, String unhealthy, String expected) {
    Map<String, HealthStatus> h = new HashMap<>();
    for (String id : new String[] {"a", "b", "c", "d"}) {
      h.put(id, unhealthy.contains(id) ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY);
    }
    assertThat(endpoint(Fixtures.compile(CHAIN).evaluate(query(at(where), Fixtures.health(h))))).isEqualTo(expected);
  }

  private static final PolicyDocument NO_DEFAULT = Fixtures.single(GeolocationRule.of(
      GeolocationEntry.country("US", Target.endpoint("a")),
      GeolocationEntry.continent("EU", Target.endpoint("b"))));

  @ParameterizedTest(name = "no default, {0} -> {1}")
  @CsvSource({"NA/US, a", "EU/FR, b", "AS/JP, NODATA", "unknown, NODATA"})
  void evaluate_noDefault(String where, String expected) {
    assertThat(endpoint(Fixtures.compile(NO_DEFAULT).evaluate(query(at(where), HealthSnapshot.empty()))))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "nested geo without default, ETH {0}, {1} -> {2}")
  @CsvSource({"true, AS/JP, b", "false, AS/JP, b", "true, NA/US, a", "false, NA/US, a"})
  void evaluate_nestedNoMatch_isAnUnhealthyBranchForTheParent(boolean eth, String where, String expected) {
    PolicyDocument d = Fixtures.doc()
        .rule("geo", GeolocationRule.of(GeolocationEntry.country("US", Target.endpoint("a"))))
        .rule("root", new FailoverRule(new FailoverEntry(Target.rule("geo"), Optional.of(eth), Optional.empty()),
            FailoverEntry.of(Target.endpoint("b"))))
        .startRule("root").build();
    assertThat(endpoint(Fixtures.compile(d).evaluate(query(at(where), HealthSnapshot.empty())))).isEqualTo(expected);
  }

  @Test
  void evaluate_nestedNoMatchEverywhere_isNoData() {
    PolicyDocument d = Fixtures.doc()
        .rule("geo", GeolocationRule.of(GeolocationEntry.country("US", Target.endpoint("a"))))
        .rule("root", new FailoverRule(FailoverEntry.of(Target.rule("geo")), FailoverEntry.of(Target.rule("geo"))))
        .startRule("root").build();
    Answer a = Fixtures.compile(d).evaluate(query(at("AS/JP"), HealthSnapshot.empty()));
    assertThat(a.outcome()).isEqualTo(Outcome.NO_DATA);
    assertThat(a.endpoints()).isEmpty();
  }

  @Test
  void evaluate_allApplicableUnhealthy_failClosedGivesNoData() {
    EvaluatorSettings closed = EvaluatorSettings.builder().allUnhealthy(AllUnhealthy.FAIL_CLOSED).build();
    HealthSnapshot h = Fixtures.health(Map.of("b", HealthStatus.UNHEALTHY, "c", HealthStatus.UNHEALTHY,
        "d", HealthStatus.UNHEALTHY));
    Answer a = Fixtures.compile(CHAIN, closed).evaluate(query(at("NA/US/OR"), h));
    assertThat(a.outcome()).isEqualTo(Outcome.NO_DATA);
  }

  @Test
  void evaluate_locationFromGeoLocator_whenQueryHasNone() {
    GeoLocator locator = address -> new GeoLookup(ClientLocation.of("NA", "US", "WA", null), 20);
    CompiledPolicy p = PolicyEvaluator.builder().geoLocator(locator).build().compile(CHAIN, "www.example.com");
    Answer a = p.evaluate(Query.builder(Fixtures.CLIENT).health(HealthSnapshot.empty()).build());
    assertThat(endpoint(a)).isEqualTo("a");
    assertThat(a.ecsScope()).isEqualTo(20);
  }

  @ParameterizedTest(name = "country {0} (reported continent {1}) matches continent {2}")
  @CsvSource({"TR, AS, EU", "CY, AS, EU", "GE, EU, AS", "TL, AS, OC", "EG, AS, AF", "DE, '', EU", "'', SA, SA"})
  void evaluate_continentFollowsRoute53sTable(String country, String reported, String continent) {
    PolicyDocument d = Fixtures.single(GeolocationRule.of(
        GeolocationEntry.continent(continent, Target.endpoint("a")),
        GeolocationEntry.defaultLocation(Target.endpoint("b"))));
    ClientLocation loc = ClientLocation.of(reported.isEmpty() ? null : reported, country.isEmpty() ? null : country,
        null, null);
    assertThat(endpoint(Fixtures.compile(d).evaluate(query(loc, HealthSnapshot.empty())))).isEqualTo("a");
  }
}
