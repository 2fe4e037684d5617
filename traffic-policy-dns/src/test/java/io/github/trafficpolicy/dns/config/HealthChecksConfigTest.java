package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.health.CalculatedHealthCheck;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class HealthChecksConfigTest {
  private static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();

  private static List<HealthCheck> parse(String json) throws Exception {
    return HealthChecksConfig.parse(MAPPER.readTree(json), "/healthChecks");
  }

  private static List<String> problems(String json) throws Exception {
    JsonNode node = MAPPER.readTree(json);
    try {
      HealthChecksConfig.parse(node, "/healthChecks");
    } catch (InvalidHealthChecksException e) {
      return e.problems();
    }
    throw new AssertionError("expected problems in " + json);
  }

  @Test
  void parse_everySetting_buildsTheDefinitions() throws Exception {
    List<HealthCheck> checks = parse("""
        [
          // an HTTPS string match with every setting
          {"id": "web", "type": "HTTPS_STR_MATCH", "target": "192.0.2.10", "port": 8443, "resourcePath": "/health",
           "hostHeader": "www.example.com", "searchString": "OK", "requestIntervalSeconds": 0.5,
           "failureThreshold": 2, "connectTimeoutSeconds": 1.5, "responseTimeoutSeconds": 3, "inverted": true,
           "disabled": false},
          {"id": "db", "type": "TCP", "target": "db.example.com", "port": 5432},
          {"id": "site", "type": "CALCULATED", "healthThreshold": 1, "childHealthChecks": ["web", "db"]}
        ]""");

    EndpointHealthCheck expectedWeb = EndpointHealthCheck.builder("web", HealthCheckType.HTTPS_STR_MATCH)
        .target("192.0.2.10").port(8443).resourcePath("/health").hostHeader("www.example.com").searchString("OK")
        .requestInterval(Duration.ofMillis(500)).failureThreshold(2).connectTimeout(Duration.ofMillis(1500))
        .responseTimeout(Duration.ofSeconds(3)).inverted(true).build();
    assertThat(checks).containsExactly(
        expectedWeb,
        EndpointHealthCheck.builder("db", HealthCheckType.TCP).target("db.example.com").port(5432).build(),
        CalculatedHealthCheck.of("site", 1, List.of("web", "db")));
  }

  @Test
  void parse_defaults_areRoute53s() throws Exception {
    EndpointHealthCheck c = (EndpointHealthCheck) parse("[{\"id\": \"a\", \"type\": \"http\", \"target\": \"x.test\"}]")
        .get(0);
    assertThat(c.port()).isEqualTo(80);
    assertThat(c.resourcePath()).contains("/");
    assertThat(c.requestInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.failureThreshold()).isEqualTo(3);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.responseTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.hostHeader()).isEqualTo(Optional.empty());
  }

  @Test
  void parse_invalidDefinitions_listEveryProblemWithItsPath() throws Exception {
    List<String> problems = problems("""
        [
          {"id": "a", "type": "HTTP", "target": "192.0.2.1", "port": 0, "failureThreshold": 11},
          {"id": "b", "type": "PING", "target": "192.0.2.1"},
          {"id": "c", "type": "TCP", "target": "not a host", "searchString": "x"},
          {"type": "HTTP_STR_MATCH", "target": "192.0.2.1", "resourcePath": "health", "colour": "red"},
          {"id": "a", "type": "TCP", "target": "192.0.2.1", "port": 1, "requestIntervalSeconds": 0,
           "inverted": "yes"},
          {"id": "calc", "type": "CALCULATED", "healthThreshold": 300, "childHealthChecks": ["a", "a", "calc"]},
          {"id": "outer", "type": "CALCULATED", "healthThreshold": 1, "childHealthChecks": ["calc", "ghost"]},
          "not an object"
        ]""");

    assertThat(problems).containsExactly(
        "/healthChecks/0/port: must be 1..65535 but was 0",
        "/healthChecks/0/failureThreshold: must be 1..10 but was 11",
        "/healthChecks/1/type: must be one of HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, CALCULATED but was"
            + " \"PING\"",
        "/healthChecks/1/target: unknown member (known: [id, type, inverted, disabled, target, port, "
            + "requestIntervalSeconds, failureThreshold, connectTimeoutSeconds, responseTimeoutSeconds, resourcePath, "
            + "hostHeader, searchString, healthThreshold, childHealthChecks])",
        "/healthChecks/2/searchString: does not apply to type TCP",
        "/healthChecks/2/target: must be an IP address or a host name but was 'not a host'",
        "/healthChecks/2/port: required for TCP checks",
        "/healthChecks/3/id: required",
        "/healthChecks/3/colour: unknown member (known: [id, type, inverted, disabled, target, port, "
            + "requestIntervalSeconds, failureThreshold, connectTimeoutSeconds, responseTimeoutSeconds, resourcePath, "
            + "hostHeader, searchString, healthThreshold, childHealthChecks])",
        "/healthChecks/3/resourcePath: must start with '/' and have no spaces or control characters but was 'health'",
        "/healthChecks/3/searchString: required",
        "/healthChecks/4/id: duplicate health check ID 'a' (first defined at /healthChecks/0)",
        "/healthChecks/4/inverted: must be true or false but was \"yes\"",
        "/healthChecks/4/requestIntervalSeconds: must be a number of seconds above 0 and at most 86400 but was 0",
        "/healthChecks/5/healthThreshold: must be 0..256 but was 300",
        "/healthChecks/5/childHealthChecks/1: 'a' is listed twice",
        "/healthChecks/5/childHealthChecks/2: a check cannot be its own child",
        "/healthChecks/7: must be a health check object but was string",
        "/healthChecks/6/childHealthChecks/0: 'calc' is a calculated check (calculated checks cannot nest)",
        "/healthChecks/6/childHealthChecks/1: no health check 'ghost' is defined");
  }

  @Test
  void parse_notAnArray_isAProblem_missingIsNone() throws Exception {
    assertThat(problems("{\"id\": \"a\"}")).containsExactly(
        "/healthChecks: must be an array of health check objects but was object");
    assertThat(HealthChecksConfig.parse(MissingNode.getInstance(), "/healthChecks")).isEmpty();
  }

  @Test
  void read_configFile_readsOnlyTheHealthChecksMember(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("serve.json");
    Files.writeString(file, """
        {
          // other members belong to the server and are not looked at here
          "listen": ["127.0.0.1:5353"], "zones": "whatever",
          "healthChecks": [ {"id": "a", "type": "TCP", "target": "127.0.0.1", "port": 1}, ],
        }""");
    assertThat(HealthChecksConfig.read(file)).extracting(HealthCheck::id).containsExactly(HealthCheckId.of("a"));
  }

  @Test
  void read_badFiles_throwWithThePlace(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("none.json");
    assertThatThrownBy(() -> HealthChecksConfig.read(missing)).isInstanceOf(InvalidHealthChecksException.class)
        .hasMessageContaining("none.json: cannot read");
    Path notJson = Files.writeString(dir.resolve("bad.json"), "{ \"healthChecks\": [ }");
    assertThatThrownBy(() -> HealthChecksConfig.read(notJson)).hasMessageContaining("bad.json: not valid JSON (line 1");
    Path noMember = Files.writeString(dir.resolve("empty.json"), "{}");
    assertThatThrownBy(() -> HealthChecksConfig.read(noMember))
        .hasMessage("/healthChecks: missing: the configuration defines no health checks");
  }
}
