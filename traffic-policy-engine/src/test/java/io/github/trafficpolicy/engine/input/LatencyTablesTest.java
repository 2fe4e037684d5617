package io.github.trafficpolicy.engine.input;

import static io.github.trafficpolicy.engine.input.MaxMindGeoLocatorTest.ip;
import static io.github.trafficpolicy.engine.input.MaxMindGeoLocatorTest.mapped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.LatencyTable;
import io.github.trafficpolicy.engine.RegionCoordinates;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CsvLatencyTable}, {@link EstimatedLatencyTable}, {@link LatencyTables} and {@link ClientLatency#of}. */
final class LatencyTablesTest {
  private static final ClientLocation NOWHERE = ClientLocation.UNKNOWN;
  private static final Coordinates DUBLIN = new Coordinates(53.35, -6.26);
  private static final Coordinates NEW_YORK = new Coordinates(40.71, -74.01);

  private final CsvLatencyTable table = CsvLatencyTable.parse("""
      # measured last week
      network,region,milliseconds
      192.0.2.0/24,us-east-1,12
      192.0.2.0/24,aws:route53:eu-west-1,85.5
      192.0.2.64/26,eu-west-1,30
      2001:db8::/32,ap-northeast-1,140
      """);

  @Test
  void csv_clientInNetwork_getsItsRegionsOnly() {
    ClientLatency latency = table.forClient(ip("192.0.2.1"), NOWHERE);

    assertThat(latency.millis("us-east-1")).hasValue(12);
    assertThat(latency.millis("aws:route53:eu-west-1")).hasValue(85.5);
    assertThat(latency.millis("ap-northeast-1")).isEmpty();
    assertThat(latency.prefixLength()).isEqualTo(26);
  }

  @Test
  void csv_longestPrefixWins_withoutInheritingTheCoveringNetworksRegions() {
    ClientLatency latency = table.forClient(ip("192.0.2.70"), NOWHERE);

    assertThat(latency.millis("eu-west-1")).hasValue(30);
    assertThat(latency.millis("us-east-1")).isEmpty();
    assertThat(latency.prefixLength()).isEqualTo(26);
  }

  @Test
  void csv_ipv6AndMappedAndUnknownClients() {
    assertThat(table.forClient(ip("2001:db8:5::1"), NOWHERE).millis("ap-northeast-1")).hasValue(140);
    assertThat(table.forClient(mapped("192.0.2.1"), NOWHERE).prefixLength()).isEqualTo(96 + 26);
    ClientLatency unknown = table.forClient(ip("10.0.0.1"), NOWHERE);
    assertThat(unknown.millis("us-east-1")).isEmpty();
    assertThat(unknown.prefixLength()).isEqualTo(1);
  }

  @Test
  void csv_badLines_reportsEveryOne() {
    InvalidTableException e = catchThrowableOfType(InvalidTableException.class, () -> CsvLatencyTable.parse("""
        192.0.2.0/24,us-east-1,12
        192.0.2.0/24,us-east-1,13
        192.0.2.0/24,US East,13
        192.0.2.0/24,eu-west-1,-1
        192.0.2.0/24,eu-west-2
        192.0.3.0/23,eu-west-1,5
        """));

    assertThat(e.problems()).extracting(InvalidTableException.LineProblem::line).containsExactly(2, 3, 4, 5, 6);
    assertThat(e.getMessage())
        .contains(":2: network 192.0.2.0/24 has region us-east-1 more than once")
        .contains(":3: 'US East' is not a region or local zone code")
        .contains(":4: milliseconds must be a number, not negative, but was '-1'")
        .contains(":5: expected 3 fields")
        .contains(":6: '192.0.3.0/23' has bits set past the prefix length");
  }

  @Test
  void estimate_followsTheDocumentedFormula() {
    LatencyTable estimate = EstimatedLatencyTable.builtIn();
    Coordinates usEast1 = RegionCoordinates.builtIn().find("us-east-1").orElseThrow();

    ClientLatency latency = estimate.forClient(ip("192.0.2.1"), ClientLocation.of(null, null, null, NEW_YORK));

    assertThat(latency.millis("us-east-1").getAsDouble())
        .isCloseTo(5 + NEW_YORK.distanceKm(usEast1) / 100, within(1e-9));
    assertThat(latency.millis("aws:route53:us-east-1")).isEqualTo(latency.millis("us-east-1"));
    assertThat(latency.prefixLength()).isZero();
  }

  @Test
  void estimate_nearerRegionIsFaster() {
    ClientLatency fromDublin = EstimatedLatencyTable.builtIn()
        .forClient(ip("192.0.2.1"), ClientLocation.of(null, null, null, DUBLIN));

    assertThat(fromDublin.millis("eu-west-1").getAsDouble()).isLessThan(fromDublin.millis("us-east-1").getAsDouble());
    assertThat(fromDublin.millis("us-east-1").getAsDouble())
        .isLessThan(fromDublin.millis("ap-southeast-2").getAsDouble());
  }

  @Test
  void estimate_unknownCoordinatesOrRegion_hasNoData() {
    ClientLatency noCoordinates = EstimatedLatencyTable.builtIn()
        .forClient(ip("192.0.2.1"), ClientLocation.of("EU", "IE", null, null));
    ClientLatency dublin = EstimatedLatencyTable.builtIn()
        .forClient(ip("192.0.2.1"), ClientLocation.of(null, null, null, DUBLIN));

    assertThat(noCoordinates.millis("eu-west-1")).isEmpty();
    assertThat(dublin.millis("xx-nowhere-9")).isEmpty();
  }

  @Test
  void estimate_overriddenCoordinates_areUsed() {
    EstimatedLatencyTable moved = EstimatedLatencyTable.withOverrides(Map.of("eu-west-1", DUBLIN));

    assertThat(moved.forClient(ip("192.0.2.1"), ClientLocation.of(null, null, null, DUBLIN)).millis("eu-west-1"))
        .hasValue(EstimatedLatencyTable.BASE_MILLIS);
  }

  @Test
  void chain_tableFirstPerRegion_estimateForTheRest() {
    LatencyTable chain = LatencyTables.chain(table, EstimatedLatencyTable.builtIn());
    ClientLocation inDublin = ClientLocation.of(null, null, null, DUBLIN);

    ClientLatency latency = chain.forClient(ip("192.0.2.1"), inDublin);

    assertThat(latency.millis("us-east-1")).hasValue(12);
    assertThat(latency.millis("ap-northeast-1"))
        .isEqualTo(EstimatedLatencyTable.builtIn().forClient(ip("192.0.2.1"), inDublin).millis("ap-northeast-1"));
    assertThat(latency.prefixLength()).isEqualTo(26);
  }

  @Test
  void fixed_ofMap_answersItsRegionsAndRefusesBadFigures() {
    ClientLatency fixed = ClientLatency.of(Map.of("aws:route53:us-west-2", 20, "us-east-1", 70.5), 0);

    assertThat(fixed.millis("us-west-2")).hasValue(20);
    assertThat(fixed.millis("us-east-1")).hasValue(70.5);
    assertThat(fixed.millis("eu-west-1")).isEmpty();
    assertThat(ClientLatency.none().millis("us-east-1")).isEmpty();
    assertThatThrownBy(() -> ClientLatency.of(Map.of("us-east-1", -3), 0)).hasMessageContaining("-3");
  }
}
