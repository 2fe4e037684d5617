package io.github.trafficpolicy.engine;

import static io.github.trafficpolicy.engine.Fixtures.endpoint;
import static io.github.trafficpolicy.engine.Fixtures.hc;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.LatencyRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.engine.EvaluatorSettings.UnknownLocation;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class LatencyTest {

  /** us-east-1 → a, eu-west-1 → b, ap-northeast-1 → c, each checked. */
  private static final PolicyDocument RULE = Fixtures.single(LatencyRule.of(
      new LatencyEntry(Target.endpoint("a"), "us-east-1", Optional.empty(), hc("a")),
      new LatencyEntry(Target.endpoint("b"), "eu-west-1", Optional.empty(), hc("b")),
      new LatencyEntry(Target.endpoint("c"), "ap-northeast-1", Optional.empty(), hc("c"))));

  private static Answer run(PolicyDocument d, EvaluatorSettings s, Map<String, Double> ms, String unhealthy) {
    Map<String, HealthStatus> h = new HashMap<>();
    for (String id : new String[] {"a", "b", "c"}) {
      h.put(id, unhealthy.contains(id) ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY);
    }
    Query q = Query.builder(Fixtures.CLIENT).location(ClientLocation.UNKNOWN).health(Fixtures.health(h))
        .latency(Fixtures.latency(ms, 22)).build();
    return Fixtures.compile(d, s).evaluate(q);
  }

  @ParameterizedTest(name = "latency a={0} b={1} c={2}, unhealthy [{3}] -> {4}")
  @CsvSource({
      "10, 50, 90, '',    a",
      "50, 10, 90, '',    b",
      "50, 90, 10, '',    c",
      "10, 50, 90, a,     b",
      "10, 50, 90, a b,   c",
      "10, 50, 90, b,     a",
      "10, 50, 90, a b c, a",
      "90, 50, 10, a b c, c"})
  void evaluate_lowestHealthyLatency(double a, double b, double c, String unhealthy, String expected) {
    Map<String, Double> ms = Map.of("us-east-1", a, "eu-west-1", b, "ap-northeast-1", c);
    assertThat(endpoint(run(RULE, EvaluatorSettings.defaults(), ms, unhealthy))).isEqualTo(expected);
  }

  @Test
  void evaluate_latencyDecision_scopeIsLatencyPrefix() {
    Answer a = run(RULE, EvaluatorSettings.defaults(), Map.of("us-east-1", 10.0, "eu-west-1", 50.0), "");
    assertThat(a.ecsScope()).isEqualTo(22);
  }

  @Test
  void evaluate_unknownLatency_documentOrderRanksAfterKnown() {
    assertThat(endpoint(run(RULE, EvaluatorSettings.defaults(), Map.of("ap-northeast-1", 300.0), ""))).isEqualTo("c");
    assertThat(endpoint(run(RULE, EvaluatorSettings.defaults(), Map.of(), ""))).isEqualTo("a");
    assertThat(endpoint(run(RULE, EvaluatorSettings.defaults(), Map.of(), "a"))).isEqualTo("b");
  }

  @Test
  void evaluate_unknownLatency_noDataSetting() {
    EvaluatorSettings s = EvaluatorSettings.builder().unknownLatencyLocation(UnknownLocation.NO_DATA).build();
    assertThat(endpoint(run(RULE, s, Map.of(), ""))).isEqualTo("NODATA");
    assertThat(endpoint(run(RULE, s, Map.of("eu-west-1", 80.0), "b"))).isEqualTo("b");
  }

  @Test
  void evaluate_withoutLatencyData_estimatesFromClientCoordinates() {
    HealthSnapshot h = HealthSnapshot.empty();
    CompiledPolicy p = Fixtures.compile(RULE);
    ClientLocation tokyo = ClientLocation.of("AS", "JP", null, new Coordinates(35.68, 139.69));
    ClientLocation paris = ClientLocation.of("EU", "FR", null, new Coordinates(48.86, 2.35));
    ClientLocation newYork = ClientLocation.of("NA", "US", "NY", new Coordinates(40.71, -74.0));
    assertThat(endpoint(p.evaluate(Fixtures.query(tokyo, h)))).isEqualTo("c");
    assertThat(endpoint(p.evaluate(Fixtures.query(paris, h)))).isEqualTo("b");
    assertThat(endpoint(p.evaluate(Fixtures.query(newYork, h)))).isEqualTo("a");
  }

  @Test
  void evaluate_latencyTable_isAskedWithAddressAndLocation() {
    LatencyTable table = (address, location) -> Fixtures.latency(Map.of("eu-west-1", 5.0, "us-east-1", 50.0), 16);
    GeoLocator locator = address -> new GeoLookup(ClientLocation.UNKNOWN, 12);
    CompiledPolicy p = PolicyEvaluator.builder().latencyTable(table).geoLocator(locator).build()
        .compile(RULE, "www.example.com");
    Answer a = p.evaluate(Query.builder(Fixtures.CLIENT).health(HealthSnapshot.empty()).build());
    assertThat(endpoint(a)).isEqualTo("b");
    assertThat(a.ecsScope()).isEqualTo(16);
  }

  @Test
  void evaluate_latencyTableUsingTheLocation_scopeIncludesTheGeoPrefix() {
    LatencyTable byLocation = (address, location) -> Fixtures.latency(location.country().orElse("").equals("JP")
        ? Map.of("ap-northeast-1", 5.0, "us-east-1", 150.0) : Map.of("ap-northeast-1", 150.0, "us-east-1", 5.0), 0);
    GeoLocator locator = address -> new GeoLookup(ClientLocation.of("AS", "JP", null, null), 20);
    CompiledPolicy p = PolicyEvaluator.builder().latencyTable(byLocation).geoLocator(locator).build()
        .compile(RULE, "www.example.com");
    Answer a = p.evaluate(Query.builder(Fixtures.CLIENT).health(HealthSnapshot.empty()).build());
    assertThat(endpoint(a)).isEqualTo("c");
    assertThat(a.ecsScope()).isEqualTo(20);
  }

  @Test
  void evaluate_allUnhealthy_failClosedGivesNoData() {
    EvaluatorSettings closed = EvaluatorSettings.builder()
        .allUnhealthy(EvaluatorSettings.AllUnhealthy.FAIL_CLOSED).build();
    Map<String, Double> ms = Map.of("us-east-1", 10.0, "eu-west-1", 50.0, "ap-northeast-1", 90.0);
    assertThat(endpoint(run(RULE, closed, ms, "a b c"))).isEqualTo("NODATA");
    assertThat(endpoint(run(RULE, closed, ms, "a b"))).isEqualTo("c");
  }
}
