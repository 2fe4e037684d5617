package io.github.trafficpolicy.engine.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.LatencyRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.LatencyTable;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.input.CidrGeoLocator;
import io.github.trafficpolicy.engine.input.CsvLatencyTable;
import io.github.trafficpolicy.engine.input.EstimatedLatencyTable;
import io.github.trafficpolicy.engine.input.LatencyTables;
import io.github.trafficpolicy.engine.input.MaxMindGeoLocator;
import io.github.trafficpolicy.engine.simulation.Simulation.Comparison;
import io.github.trafficpolicy.engine.simulation.Simulation.FailureCase;
import io.github.trafficpolicy.engine.simulation.Simulation.Move;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulations over a database built here, so every share is known by construction: IPv4 is half Germany (EU) and
 * half the United States (NA), IPv6 is one /32 in the United States and one in France; with equal weight per
 * address within a family and the families half each, DE, FR and US-IPv4 and US-IPv6 are a quarter each.
 */
final class SimulationTest {
  @TempDir Path dir;
  private MaxMindGeoLocator geo;

  @BeforeEach
  void database() throws IOException {
    Path file = new TestMmdb()
        .add("10.0.0.0/9", "EU", "DE", "BE", 52.52, 13.40)
        .add("10.128.0.0/9", "NA", "US", "WA", 47.61, -122.33)
        .add("2001:db8::/32", "NA", "US", "WA", 47.61, -122.33)
        .add("2001:db9::/32", "EU", "FR", null, 48.86, 2.35)
        .write(dir.resolve("test.mmdb"));
    geo = MaxMindGeoLocator.open(file);
  }

  @AfterEach
  void close() throws IOException {
    if (geo != null) {
      geo.close();
    }
  }

  private static WeightedEntry weighted(String endpoint, int weight) {
    return new WeightedEntry(Target.endpoint(endpoint), weight, Optional.empty(),
        Optional.of(HealthCheckId.of("hc-" + endpoint)));
  }

  /** EU → eu; NA → us-east 3 : us-west 1 (health checked); elsewhere eu. Version 2 sends Germany to us-east. */
  private static CompiledPolicy policy(int version) {
    List<GeolocationEntry> where = new ArrayList<>();
    if (version == 2) {
      where.add(GeolocationEntry.country("DE", Target.endpoint("us-east")));
    }
    where.add(GeolocationEntry.continent("EU", Target.endpoint("eu")));
    where.add(GeolocationEntry.continent("NA", Target.rule("na")));
    where.add(GeolocationEntry.defaultLocation(Target.endpoint("eu")));
    PolicyDocument d = PolicyDocument.builder().recordType(RecordType.A)
        .endpoint("eu", Endpoint.value("192.0.2.1"))
        .endpoint("us-east", Endpoint.value("192.0.2.2"))
        .endpoint("us-west", Endpoint.value("192.0.2.3"))
        .rule("na", WeightedRule.of(weighted("us-east", 3), weighted("us-west", 1)))
        .rule("root", GeolocationRule.of(where))
        .startRule("root").build();
    return PolicyEvaluator.builder().build().compile(d, new PolicyBinding("p", version, "www.example.com", 60));
  }

  @Test
  void forEachNetwork_listsEveryNetworkOnceSkippingTheIpv4Alias() throws IOException {
    List<String> seen = new ArrayList<>();
    geo.forEachNetwork((address, prefix, location) ->
        seen.add(address.getHostAddress() + "/" + prefix + " " + location.country().orElse("-")));

    assertThat(seen).containsExactly("10.0.0.0/9 DE", "10.128.0.0/9 US", "2001:db8:0:0:0:0:0:0/32 US",
        "2001:db9:0:0:0:0:0:0/32 FR");
  }

  @Test
  void run_sharesPerEndpointAreExactByConstruction() throws IOException {
    SimulationReport r = Simulation.builder(policy(1)).networks(geo::forEachNetwork).build().run();

    assertThat(r.networks()).isEqualTo(4);
    assertThat(r.locations()).isEqualTo(3); // the two US networks share one location
    Map<String, Double> overall = r.distribution().overall().endpoints();
    assertThat(overall.get("eu")).isCloseTo(0.5, within(1e-12));
    assertThat(overall.get("us-east")).isCloseTo(0.375, within(1e-12));
    assertThat(overall.get("us-west")).isCloseTo(0.125, within(1e-12));
    assertThat(r.distribution().countries().get("US").weight()).isCloseTo(0.5, within(1e-12));
    assertThat(r.distribution().countries().get("US").endpoints().get("us-east")).isCloseTo(0.75, within(1e-12));
    assertThat(r.distribution().continents().get("EU").endpoints()).containsOnlyKeys("eu");
    assertThat(r.weighting()).contains("equal per address").contains("IPv4 and IPv6 half each");
  }

  @Test
  void run_diffOfTwoVersionsFindsExactlyTheChangedNetworks() throws IOException {
    SimulationReport r = Simulation.builder(policy(2)).against(policy(1)).networks(geo::forEachNetwork).build()
        .run();

    Comparison diff = r.diff().orElseThrow();
    assertThat(diff.changedShare()).isCloseTo(0.25, within(1e-12));
    assertThat(diff.moves()).containsExactly(new Move("eu", "us-east", diff.moves().get(0).share()));
    assertThat(diff.moves().get(0).share()).isCloseTo(0.25, within(1e-12));
    assertThat(diff.locations()).singleElement().satisfies(l -> {
      assertThat(l.network()).isEqualTo("10.0.0.0/9");
      assertThat(l.from()).isEqualTo("eu");
      assertThat(l.to()).isEqualTo("us-east");
    });
    assertThat(diff.countries()).singleElement().satisfies(c -> {
      assertThat(c.country()).isEqualTo("DE");
      assertThat(c.fraction()).isCloseTo(1, within(1e-12));
    });
    assertThat(SimulationReport.verdict(diff)).isEqualTo("25.0 % of clients change endpoint: 25.0 % eu → us-east");
    assertThat(r.text()).contains("25.0 % of clients change endpoint");
  }

  @Test
  void run_changedNetworksCarryTheirOwnWeights() throws IOException {
    List<Simulation.ChangedNetwork> changed = new ArrayList<>();
    SimulationReport r = Simulation.builder(policy(2)).against(policy(1)).networks(geo::forEachNetwork)
        .population(Population.parse("pop.csv", "DE,3\n10.0.0.0/10,1\n"))
        .changedNetworks(changed::add)
        .build().run();

    assertThat(r.diff().orElseThrow().changedShare()).isCloseTo(1, within(1e-12));
    assertThat(changed).extracting(Simulation.ChangedNetwork::network).containsExactly("10.0.0.0/10", "10.64.0.0/10");
    assertThat(changed.get(0).share()).isCloseTo(0.25, within(1e-12));
    assertThat(changed.get(1).share()).isCloseTo(0.75, within(1e-12));
    assertThat(changed).allSatisfy(c -> {
      assertThat(c.from()).isEqualTo("eu");
      assertThat(c.to()).isEqualTo("us-east");
    });
  }

  @Test
  void run_failureSendsTheFailedEndpointsClientsToTheSurvivorAndFlagsItsCapacity() throws IOException {
    SimulationReport r = Simulation.builder(policy(1)).networks(geo::forEachNetwork)
        .capacity("us-west", 0.3)
        .fail(List.of("us-east"))
        .failEach()
        .build().run();

    assertThat(r.overloads()).isEmpty();
    FailureCase east = r.failures().get(0);
    assertThat(east.failed()).containsExactly("us-east");
    assertThat(east.moves().moves()).singleElement().satisfies(m -> {
      assertThat(m.from()).isEqualTo("us-east");
      assertThat(m.to()).isEqualTo("us-west");
      assertThat(m.share()).isCloseTo(0.375, within(1e-12));
    });
    assertThat(east.overloads()).singleElement().satisfies(o -> {
      assertThat(o.endpoint()).isEqualTo("us-west");
      assertThat(o.share()).isCloseTo(0.5, within(1e-12));
    });
    // --fail-each: the two health checks, one case each; failing hc-us-east is failing the endpoint.
    assertThat(r.failures()).extracting(f -> String.join("+", f.failed()))
        .containsExactly("us-east", "hc-us-east", "hc-us-west");
    assertThat(r.failures().get(1).distribution()).isEqualTo(east.distribution());
    assertThat(r.failures().get(2).overloads()).isEmpty();
  }

  @Test
  void run_populationWeighsCountriesAndNetworks() throws IOException {
    Population population = Population.parse("pop.csv", "key,share\nDE,3\nUS,1\n10.128.0.0/10,1\n");
    SimulationReport r = Simulation.builder(policy(1)).networks(geo::forEachNetwork).population(population)
        .build().run();

    // DE 3 of 5; 10.128.0.0/10 1 of 5; the rest of US (10.192.0.0/10 and 2001:db8::/32) 1 of 5; FR nothing.
    Map<String, Double> overall = r.distribution().overall().endpoints();
    assertThat(overall.get("eu")).isCloseTo(0.6, within(1e-12));
    assertThat(overall.get("us-east")).isCloseTo(0.4 * 0.75, within(1e-12));
    assertThat(r.distribution().countries()).doesNotContainKey("FR").containsKey("DE");
    assertThat(r.networks()).isEqualTo(5); // 10.128.0.0/9 split at the population entry
  }

  @Test
  void overlay_tableRowsReplaceTheDatabaseWhereTheyLie() throws IOException {
    CidrGeoLocator table = CidrGeoLocator.builder()
        .add("10.0.0.0/10", ClientLocation.ofCodes("NA", "US", null, null))
        .build();
    List<String> seen = new ArrayList<>();
    Simulation.overlay(table, geo::forEachNetwork).forEachNetwork((InetAddress a, int p, ClientLocation l) ->
        seen.add(a.getHostAddress() + "/" + p + " " + l.country().orElse("-")));

    assertThat(seen).startsWith("10.0.0.0/10 US", "10.64.0.0/10 DE", "10.128.0.0/9 US");
  }

  private static List<Invariant> invariants(String json) throws IOException {
    return Invariant.parse("test", new ObjectMapper().readTree(json));
  }

  @Test
  void run_invariantThatHoldsIsCheckedInEveryCaseItCovers() throws IOException {
    SimulationReport r = Simulation.builder(policy(1)).networks(geo::forEachNetwork)
        .invariants(invariants("[{\"id\": \"eu-stays\", \"where\": {\"continent\": \"EU\"}, "
            + "\"only\": [\"eu*\"], \"failing\": \"each\"}]"))
        .build().run();

    assertThat(r.invariants()).singleElement().satisfies(i -> {
      assertThat(i.holds()).isTrue();
      assertThat(i.casesChecked()).isEqualTo(3); // the baseline, hc-us-east failing, hc-us-west failing
    });
    assertThat(r.invariantsHold()).isTrue();
    assertThat(r.failures()).hasSize(2); // the rehearsal the invariant asked for
  }

  @Test
  void run_failingInvariantsGiveTheirCounterexample() throws IOException {
    SimulationReport r = Simulation.builder(policy(1)).networks(geo::forEachNetwork)
        .invariants(invariants("[{\"id\": \"no-west-for-us\", \"where\": {\"country\": \"US\"}, "
            + "\"never\": [\"us-west\"]},"
            + "{\"id\": \"west-capacity\", \"maxShare\": {\"us-w*\": 0.3}, \"failing\": \"each\"}]"))
        .build().run();

    assertThat(r.invariantsHold()).isFalse();
    Simulation.Counterexample west = r.invariants().get(0).counterexample().orElseThrow();
    assertThat(west.failed()).isEmpty();
    assertThat(west.network()).contains("10.128.0.0/9");
    assertThat(west.location()).contains("NA US/WA 47.61,-122.33");
    assertThat(west.detail()).startsWith("answered by us-west (25.0 % of its clients)")
        .contains("12.5 % of all clients are in violation");
    assertThat(String.join("\n", west.trace())).contains("endpoint us-west").doesNotContain("endpoint us-east");
    Simulation.Counterexample capacity = r.invariants().get(1).counterexample().orElseThrow();
    assertThat(capacity.failed()).containsExactly("hc-us-east");
    assertThat(capacity.detail()).isEqualTo("us-west takes 50.0 % of all clients, more than 30.0 % (us-w*)");
    assertThat(r.invariants().get(1).casesChecked()).isEqualTo(2);
    assertThat(r.text()).contains("Invariants: 0 hold, 2 fail", "FAILS no-west-for-us", "network:  10.128.0.0/9");
  }

  @Test
  void parse_reportsEveryProblemWithItsPath() {
    assertThatThrownBy(() -> invariants("[{\"id\": \"x\"}, {\"only\": [], \"failing\": \"always\", "
        + "\"colour\": 1}, {\"maxShare\": {\"a\": 2}}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/invariants/0: states nothing")
        .hasMessageContaining("/invariants/1/colour: unknown member")
        .hasMessageContaining("/invariants/1/only: must be a non-empty array")
        .hasMessageContaining("/invariants/1/failing: must be none, each or pairs but was 'always'")
        .hasMessageContaining("/invariants/2/maxShare/a: must be a number from 0 to 1");
  }

  @Test
  void run_latencyTableRowsSplitNetworks() throws IOException {
    PolicyDocument d = PolicyDocument.builder().recordType(RecordType.A)
        .endpoint("east", Endpoint.value("192.0.2.1"))
        .endpoint("ireland", Endpoint.value("192.0.2.2"))
        .rule("root", LatencyRule.of(LatencyEntry.of("us-east-1", Target.endpoint("east")),
            LatencyEntry.of("eu-west-1", Target.endpoint("ireland"))))
        .startRule("root").build();
    CompiledPolicy p = PolicyEvaluator.builder().build().compile(d, "www.example.com");
    LatencyTable measured = LatencyTables.chain(
        CsvLatencyTable.parse("10.0.0.0/10,us-east-1,5\n10.0.0.0/10,eu-west-1,50\n"),
        EstimatedLatencyTable.builtIn());

    SimulationReport r = Simulation.builder(p).networks(geo::forEachNetwork).latencyTable(measured).build().run();

    // Half of Germany (10.0.0.0/10) measures us-east-1 nearer; the other half and France are estimated: Ireland.
    assertThat(r.networks()).isEqualTo(5);
    assertThat(r.distribution().countries().get("DE").endpoints().get("east")).isCloseTo(0.5, within(1e-12));
    assertThat(r.distribution().countries().get("FR").endpoints()).containsOnlyKeys("ireland");
  }

  @Test
  void cidrForEachNetwork_nestedRowsAreVisitedOnceEach() {
    ClientLocation outer = ClientLocation.ofCodes("EU", "DE", null, null);
    ClientLocation inner = ClientLocation.ofCodes("EU", "FR", null, null);
    CidrGeoLocator table = CidrGeoLocator.builder().add("10.0.0.0/8", outer).add("10.1.0.0/16", inner).build();
    List<String> seen = new ArrayList<>();
    double[] addresses = new double[1];
    table.forEachNetwork((a, p, l) -> {
      seen.add(a.getHostAddress() + "/" + p + " " + l.country().orElseThrow());
      addresses[0] += Math.pow(2, 32 - p);
    });

    assertThat(seen).containsExactly("10.0.0.0/16 DE", "10.2.0.0/15 DE", "10.4.0.0/14 DE", "10.8.0.0/13 DE",
        "10.16.0.0/12 DE", "10.32.0.0/11 DE", "10.64.0.0/10 DE", "10.128.0.0/9 DE", "10.1.0.0/16 FR");
    assertThat(addresses[0]).isEqualTo(Math.pow(2, 24));
  }

  @Test
  void percent_smallSharesKeepTheirDigits() {
    assertThat(SimulationReport.percent(0.124)).isEqualTo("12.4 %");
    assertThat(SimulationReport.percent(0.0004)).isEqualTo("0.04 %");
    assertThat(SimulationReport.percent(0.00000004)).isEqualTo("<0.01 %");
    assertThat(SimulationReport.percent(0)).isEqualTo("0.0 %");
  }

  @Test
  void build_refusesUnknownFailuresAndCapacities() {
    assertThatThrownBy(() -> Simulation.builder(policy(1)).networks(geo::forEachNetwork).fail(List.of("nope"))
        .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
    assertThatThrownBy(() -> Simulation.builder(policy(1)).networks(geo::forEachNetwork).capacity("nope", 0.5)
        .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'");
  }
}
