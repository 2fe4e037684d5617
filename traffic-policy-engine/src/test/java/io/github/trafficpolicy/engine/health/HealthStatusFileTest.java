package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class HealthStatusFileTest {

  private static HealthSnapshot parse(String text) {
    return HealthStatusFile.parse(text.getBytes(StandardCharsets.UTF_8), "health.json");
  }

  private static List<String> problems(String text) {
    return List.of(catchThrowableOfType(() -> parse(text), IllegalArgumentException.class).getMessage()
        .split("\n"));
  }

  @Test
  void parse_checksAndTargetsWithComments_everyStatus() {
    HealthSnapshot s = parse("""
        { // written by the deploy tool
          "checks": { "hc-a": "UNHEALTHY", "hc-b": "HEALTHY", "hc-c": "UNKNOWN", },
          "targets": { "lb": "UNHEALTHY" }
        }""");

    assertThat(s.check(HealthCheckId.of("hc-a"))).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(s.check(HealthCheckId.of("hc-b"))).isEqualTo(HealthStatus.HEALTHY);
    assertThat(s.check(HealthCheckId.of("hc-c"))).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(s.target(EndpointId.of("lb"))).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void parse_badContent_everyProblemWithItsPointer() {
    assertThat(problems("""
        { "checks": { "a": "DOWN", "b": 1 }, "targets": [], "other": {} }"""))
        .containsExactly("health.json: /checks/a: must be HEALTHY, UNHEALTHY or UNKNOWN but was \"DOWN\"",
            "health.json: /checks/b: must be HEALTHY, UNHEALTHY or UNKNOWN but was 1",
            "health.json: /targets: must be an object of id -> HEALTHY|UNHEALTHY|UNKNOWN",
            "health.json: /other: unknown key (known: checks, targets)");
  }

  @Test
  void parse_notJsonOrDuplicate_placeWithoutParserInternals() {
    assertThat(problems("{ \"checks\": { \"a\": HEALTHY } }")).singleElement().asString()
        .startsWith("health.json: not valid JSON (line 1, column").doesNotContain("Source");
    assertThat(problems("{ \"checks\": { \"a\": \"HEALTHY\", \"a\": \"UNHEALTHY\" } }")).singleElement().asString()
        .contains("not valid JSON", "Duplicate field 'a'");
    assertThat(problems("[]")).containsExactly("health.json: must be an object with \"checks\" and \"targets\"");
  }

  @Test
  void apply_setsOnlyItsOwnIds_dropsWhatItNoLongerLists_leavesProbedIdsAlone() {
    HealthRegistry registry = new HealthRegistry();
    HealthStatusFile file = HealthStatusFile.publishing(registry, Set.of(HealthCheckId.of("probed")));
    registry.setCheck("probed", HealthStatus.UNHEALTHY);
    registry.setCheck("other-source", HealthStatus.UNHEALTHY);

    file.apply(parse("{ \"checks\": { \"a\": \"UNHEALTHY\" }, \"targets\": { \"lb\": \"UNHEALTHY\" } }"));
    List<HealthCheckId> ignored = file.apply(parse("{ \"checks\": { \"probed\": \"HEALTHY\", \"b\": \"HEALTHY\" } }"));

    HealthSnapshot now = registry.current();
    assertThat(ignored).containsExactly(HealthCheckId.of("probed"));
    assertThat(now.check(HealthCheckId.of("probed"))).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(now.check(HealthCheckId.of("other-source"))).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(now.check(HealthCheckId.of("a"))).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(now.check(HealthCheckId.of("b"))).isEqualTo(HealthStatus.HEALTHY);
    assertThat(now.target(EndpointId.of("lb"))).isEqualTo(HealthStatus.UNKNOWN);
  }
}
