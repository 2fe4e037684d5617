package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code traffic-policy simulate} over a geo table of two equal IPv4 halves, Germany and the United States: every
 * share is known by construction.
 */
final class SimulateCommandTest {
  @TempDir Path dir;
  private Path v1;
  private Path v2;
  private Path table;

  /** EU → eu; NA → us-east 3 : us-west 1; version 2 first sends Germany to us-east. */
  private static String policy(boolean germanyToUsEast) {
    return """
        {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "root",
         "Endpoints": {"eu": {"Type": "value", "Value": "192.0.2.1"},
                       "us-east": {"Type": "value", "Value": "192.0.2.2"},
                       "us-west": {"Type": "value", "Value": "192.0.2.3"}},
         "Rules": {
           "root": {"RuleType": "geo", "Locations": [
             %s
             {"Continent": "EU", "EndpointReference": "eu"},
             {"Continent": "NA", "RuleReference": "na"},
             {"IsDefault": true, "EndpointReference": "eu"}]},
           "na": {"RuleType": "weighted", "Items": [
             {"EndpointReference": "us-east", "Weight": "3", "HealthCheck": "hc-east"},
             {"EndpointReference": "us-west", "Weight": "1", "HealthCheck": "hc-west"}]}}}
        """.formatted(germanyToUsEast ? "{\"Country\": \"DE\", \"EndpointReference\": \"us-east\"}," : "");
  }

  @BeforeEach
  void files() throws IOException {
    v1 = Files.writeString(dir.resolve("v1.json"), policy(false));
    v2 = Files.writeString(dir.resolve("v2.json"), policy(true));
    table = Files.writeString(dir.resolve("geo.csv"), """
        network,continent,country,subdivision,latitude,longitude
        10.0.0.0/9,EU,DE,,52.52,13.40
        10.128.0.0/9,NA,US,WA,47.61,-122.33
        """);
  }

  private static JsonNode json(CliRun r) throws IOException {
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void simulate_json_givesExactShares() throws IOException {
    CliRun r = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(), "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode endpoints = json(r).get("distribution").get("endpoints");
    assertThat(endpoints.get("eu").doubleValue()).isCloseTo(0.5, within(1e-12));
    assertThat(endpoints.get("us-east").doubleValue()).isCloseTo(0.375, within(1e-12));
    assertThat(endpoints.get("us-west").doubleValue()).isCloseTo(0.125, within(1e-12));
    assertThat(json(r).get("weighting").textValue()).contains("equal per address", "IPv4 only");
  }

  @Test
  void simulate_against_printsTheVerdict() {
    CliRun r = CliRun.run("simulate", "--policy", v2.toString(), "--against", v1.toString(),
        "--geo-table", table.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("50.0 % of clients change endpoint: 50.0 % eu → us-east")
        .contains("DE    50.0 % of clients (100.0 % of the country's)")
        .contains("Simulation of " + v2 + " (compared with " + v1 + ")");
  }

  @Test
  void simulate_changedNetworks_listsEveryNetworkThatMoves() throws IOException {
    Path changed = dir.resolve("changed.csv");

    CliRun r = CliRun.run("simulate", "--policy", v2.toString(), "--against", v1.toString(),
        "--geo-table", table.toString(), "--changed-networks", changed.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(Files.readAllLines(changed)).containsExactly("network,location,share,from,to",
        "10.0.0.0/9,\"EU DE 52.52,13.40\",0.500000000,eu,us-east");
  }

  @Test
  void simulate_againstVersion_readsTheRegistry() {
    Path registry = dir.resolve("registry");
    CliRun created = CliRun.run("policy", "create", "--name", "web", "--document", v1.toString(), "--registry",
        registry.toString(), "--json");
    assertThat(created.exitCode()).as(created.err()).isZero();
    String id = created.out().replaceAll("(?s).*\"id\" : \"([^\"]+)\".*", "$1");

    CliRun r = CliRun.run("simulate", "--policy", v2.toString(), "--against-version", id + ":1",
        "--registry", registry.toString(), "--geo-table", table.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("compared with " + id + " v1").contains("50.0 % eu → us-east");
  }

  /** {@code --against-version} takes the registry commands' etcd options (user, TLS), checked as they check them. */
  @Test
  void simulate_againstVersion_takesTheEtcdOptions() throws IOException {
    CliRun onDirectory = CliRun.run("simulate", "--policy", v2.toString(), "--against-version", "web:1",
        "--registry", dir.toString(), "--etcd-user", "bob", "--geo-table", table.toString());
    Path cert = Files.writeString(dir.resolve("client.pem"), "not read: the key is missing\n");
    CliRun certWithoutKey = CliRun.run("simulate", "--policy", v2.toString(), "--against-version", "web:1",
        "--registry", "etcd://127.0.0.1:1/tp", "--etcd-cert", cert.toString(), "--geo-table", table.toString());

    assertThat(onDirectory.exitCode()).isEqualTo(1);
    assertThat(onDirectory.err()).contains("the --etcd-* options go with an etcd registry");
    assertThat(certWithoutKey.exitCode()).isEqualTo(1);
    assertThat(certWithoutKey.err()).contains("--etcd-cert and --etcd-key go together");
  }

  @Test
  void simulate_failEachWithCapacity_exit1NamingTheOverloadedEndpoint() throws IOException {
    Path capacity = Files.writeString(dir.resolve("capacity.csv"), "endpoint,share\nus-west,30%\neu,0.6\n");

    CliRun r = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(), "--fail-each",
        "--capacity", capacity.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("fail hc-east: 37.5 % of clients change endpoint: 37.5 % us-east → us-west")
        .contains("OVER CAPACITY: us-west 50.0 % > 30.0 %")
        .contains("fail hc-west: 12.5 % of clients change endpoint: 12.5 % us-west → us-east");
  }

  @Test
  void simulate_html_writesOneSelfContainedPage() throws IOException {
    Path html = dir.resolve("report.html");

    CliRun r = CliRun.run("simulate", "--policy", v2.toString(), "--against", v1.toString(), "--geo-table",
        table.toString(), "--html", html.toString(), "--csv");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("section,case,scope,key,endpoint,share\n")
        .contains("move,diff,overall,eu,us-east,0.500000");
    String page = Files.readString(html);
    assertThat(page).contains("<svg", "Map: who moves", "50.0 % of clients change endpoint")
        .doesNotContain("src=", "href=", "<script", "<link");
  }

  @Test
  void simulate_invariants_exit1WithTheCounterexample() throws IOException {
    Path holds = Files.writeString(dir.resolve("holds.expect.json"), """
        {"policy": "v1.json", "cases": [],
         "invariants": [{"id": "eu-stays", "where": {"continent": "EU"}, "only": ["eu"], "failing": "pairs"}]}
        """);
    Path fails = Files.writeString(dir.resolve("fails.expect.json"), """
        {"policy": "v1.json", "cases": [],
         "invariants": [{"id": "us-always-east", "where": {"country": "US"}, "only": ["us-east"],
                         "failing": "each"}]}
        """);

    CliRun ok = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(),
        "--invariants", holds.toString());
    CliRun bad = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(),
        "--invariants", holds.toString(), "--invariants", fails.toString());

    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("Invariants: 1 hold, 0 fail", "holds eu-stays (4 cases checked)");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.out()).contains("FAILS us-always-east", "counterexample: baseline health",
        "network:  10.128.0.0/9", "answered by us-west (25.0 % of its clients)", "trace:");
  }

  @Test
  void simulate_invariantsInATestFileWithComments_readAsTestDoes() throws IOException {
    Path commented = Files.writeString(dir.resolve("commented.expect.json"), """
        // a policy test file, as the README writes them
        {"policy": "v1.json", "cases": [],
         "invariants": [{"id": "eu-stays", "where": {"continent": "EU"}, "only": ["eu"]}, ], }
        """);
    Path broken = Files.writeString(dir.resolve("broken.expect.json"), "{\"invariants\": [x]}");

    CliRun ok = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(),
        "--invariants", commented.toString());
    CliRun bad = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(),
        "--invariants", broken.toString());

    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("holds eu-stays");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err()).contains("not valid JSON (line 1, column").doesNotContain("Source")
        .doesNotContain("REDACTED");
  }

  @Test
  void simulate_badInputs() throws IOException {
    assertThat(CliRun.run("simulate", "--policy", v1.toString()).exitCode()).isEqualTo(2);
    CliRun unknown = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(),
        "--fail", "nope");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("'nope' is neither a health check nor an endpoint");
    CliRun none = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(),
        "--invariants", v1.toString());
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.err()).contains("no \"invariants\" to check");
    Path badCapacity = Files.writeString(dir.resolve("bad.csv"), "us-west,150%\n");
    CliRun capacity = CliRun.run("simulate", "--policy", v1.toString(), "--geo-table", table.toString(),
        "--capacity", badCapacity.toString());
    assertThat(capacity.exitCode()).isEqualTo(1);
    assertThat(capacity.err()).contains("bad.csv:1:").contains("150%");
  }
}
