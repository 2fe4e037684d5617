package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.trafficpolicy.dns.AuthoritativeServer;
import io.github.trafficpolicy.dns.Catalog;
import io.github.trafficpolicy.dns.Zone;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code traffic-policy evaluate}, in-process, on the shared documents (the expected endpoints follow their
 * {@code *.expect.json} files and the locations of the test GeoIP database, make-test-mmdb.pl).
 */
final class EvaluateCommandTest {
  @TempDir static Path dir;
  private static Path geoLatencyFailover;
  private static Path failover;
  private static Path mxNoDefault;
  private static Path cityDb;

  @BeforeAll
  static void fixtures() {
    CliRun.copySharedPolicies(dir);
    geoLatencyFailover = dir.resolve("04-geo-latency-failover.json");
    failover = dir.resolve("02-failover-health.json");
    mxNoDefault = dir.resolve("09-mx-geo-no-default.json");
    cityDb = CliRun.copy("/geoip/city.mmdb", dir);
  }

  @Test
  void evaluate_givenLocation_printsAnswer() {
    CliRun r = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(),
        "--continent", "NA", "--country", "US", "--subdivision", "WA");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("outcome:   answer", "rcode:     NOERROR", "endpoints: usw2-primary-elb")
        .doesNotContain("trace:");
  }

  @Test
  void evaluate_explain_addsTheTrace() {
    CliRun r = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(), "--explain",
        "--continent", "NA", "--country", "US", "--subdivision", "WA");

    assertThat(r.out()).contains("trace:", "enter rule geo-root", "enter rule usw2-failover");
  }

  @Test
  void evaluate_json_printsEveryMember() throws IOException {
    CliRun r = CliRun.run("evaluate", "--policy", failover.toString(), "--json",
        "--health", "3f1c2a70-5b7e-4c1d-9a01-0000000002a1=UNHEALTHY");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    List<String> names = new ArrayList<>();
    json.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("outcome", "rcode", "endpoints", "answer", "ttl", "ecsScope", "trace",
        "aliasTargets");
    assertThat(json.get("outcome").asText()).isEqualTo("ANSWER");
    assertThat(json.get("rcode").asText()).isEqualTo("NOERROR");
    assertThat(json.get("endpoints").get(0).asText()).isEqualTo("backup-web");
    assertThat(json.get("answer").get(0).asText()).isEqualTo("198.51.100.21");
    assertThat(json.get("ttl").asLong()).isEqualTo(60);
    assertThat(json.get("trace").size()).isPositive();
  }

  @Test
  void evaluate_cnameAndMxTargets_printedAbsoluteWithTheFinalDotAsServed() throws IOException {
    Path cname = dir.resolve("08-cname-latency-weighted.json");
    CliRun text = CliRun.run("evaluate", "--policy", cname.toString(), "--record-name", "api.example.com",
        "--latency", "us-east-1=10", "--latency", "eu-central-1=90");
    CliRun json = CliRun.run("evaluate", "--policy", cname.toString(), "--record-name", "api.example.com",
        "--latency", "us-east-1=10", "--latency", "eu-central-1=90", "--json");
    CliRun mx = CliRun.run("evaluate", "--policy", mxNoDefault.toString(), "--record-name", "example.com",
        "--continent", "NA", "--country", "US");

    assertThat(text.exitCode()).as(text.err()).isZero();
    // The document writes the targets without a final dot; in zone-file text that would be a relative name.
    assertThat(text.out()).containsPattern("answer:    api\\.example\\.com\\. 60 IN CNAME api-(blue|green)-\\d+"
        + "\\.us-east-1\\.elb\\.amazonaws\\.com\\.\\n");
    assertThat(new ObjectMapper().readTree(json.out()).get("answer").get(0).asText()).endsWith(".amazonaws.com.");
    assertThat(mx.out()).contains("IN MX 10 mx.na.example.net.");
  }

  @Test
  void evaluate_geoipDatabase_locatesTheClientAndScopesTheAnswerToItsNetwork() {
    CliRun washington = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(),
        "--geoip-db", cityDb.toString(), "--client-ip", "192.0.2.7");
    CliRun germany = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(),
        "--geoip-db", cityDb.toString(), "--client-ip", "198.51.100.1/32");

    assertThat(washington.out()).contains("endpoints: usw2-primary-elb", "ecs scope: /24");
    assertThat(germany.out()).contains("endpoints: eu-web", "answer:    www.example.com. 60 IN A 198.51.100.40",
        "ecs scope: /25");
  }

  @Test
  void evaluate_ipv6ClientInUsButNotWashington_goesByEstimatedLatencyToTheNearerRegion() {
    // 2001:db8::/33 is New York in the test database: us-east-1 is nearer than us-west-2.
    CliRun r = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(),
        "--geoip-db", cityDb.toString(), "--client-ip", "2001:db8::1");

    assertThat(r.out()).contains("endpoints: use1-primary-elb");
  }

  @Test
  void evaluate_latencyOptions_decideTheLatencyRule() {
    CliRun east = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(), "--country", "US",
        "--latency", "us-west-2=90", "--latency", "us-east-1=10");
    CliRun west = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(), "--country", "US",
        "--latency", "us-west-2=10", "--latency", "us-east-1=90");

    assertThat(east.out()).contains("endpoints: use1-primary-elb");
    assertThat(west.out()).contains("endpoints: usw2-primary-elb");
  }

  @Test
  void evaluate_latencyTable_isUsedForTheClientNetwork() throws IOException {
    Path table = Files.writeString(dir.resolve("latency.csv"),
        "network,region,milliseconds\n192.0.2.0/24,us-west-2,90\n192.0.2.0/24,us-east-1,10\n");

    CliRun r = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(), "--country", "US",
        "--client-ip", "192.0.2.9", "--latency-table", table.toString());

    assertThat(r.out()).contains("endpoints: use1-primary-elb");
  }

  @Test
  void evaluate_geoTable_overridesTheDatabase() throws IOException {
    Path table = Files.writeString(dir.resolve("overrides.csv"), "192.0.2.0/28,EU,DE\n");

    CliRun r = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(), "--geo-table", table.toString(),
        "--geoip-db", cityDb.toString(), "--client-ip", "192.0.2.7");

    assertThat(r.out()).contains("endpoints: eu-web", "ecs scope: /28");
  }

  @Test
  void evaluate_aliasTable_answersWithTheTargetsAddresses() throws IOException {
    Path aliases = Files.writeString(dir.resolve("aliases.csv"),
        "value,address\nweb-usw2-a-1111111111.us-west-2.elb.amazonaws.com,192.0.2.50\n");

    CliRun r = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(), "--alias-table", aliases.toString(),
        "--country", "US", "--subdivision", "WA");

    assertThat(r.out()).contains("endpoints: usw2-primary-elb", "answer:    www.example.com. 60 IN A 192.0.2.50");
  }

  @Test
  void evaluate_noMatchingLocation_printsNoData() {
    CliRun r = CliRun.run("evaluate", "--policy", mxNoDefault.toString(), "--record-name", "example.com",
        "--continent", "AS", "--country", "JP");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("outcome:   no data", "endpoints: -").doesNotContain("answer:  ");
  }

  @Test
  void evaluate_invalidPolicy_exits1WithTheProblems() {
    CliRun r = CliRun.run("evaluate", "--policy", dir.resolve("missing.json").toString());
    Path invalid = CliRun.copy("/route53-policies/invalid/dangling-start-rule.json", dir);
    CliRun dangling = CliRun.run("evaluate", "--policy", invalid.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(dangling.exitCode()).isEqualTo(1);
    assertThat(dangling.err()).contains("/StartRule");
  }

  @Test
  void evaluate_invalidGeoTable_exits1ListingTheBadLines() throws IOException {
    Path table = Files.writeString(dir.resolve("bad-geo.csv"), "192.0.2.0/24,XX\nnope\n");

    CliRun r = CliRun.run("evaluate", "--policy", failover.toString(), "--geo-table", table.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("2 bad lines", "bad-geo.csv:1:", "bad-geo.csv:2:");
  }

  @Test
  void evaluate_unreadableTables_exit1NamingTheFile() throws IOException {
    Path missing = dir.resolve("no-such-latency.csv");
    Path directory = Files.createDirectories(dir.resolve("a-directory.csv"));

    CliRun noFile = CliRun.run("evaluate", "--policy", failover.toString(), "--latency-table", missing.toString());
    CliRun notFile = CliRun.run("evaluate", "--policy", failover.toString(), "--geo-table", directory.toString());

    assertThat(noFile.exitCode()).isEqualTo(1);
    assertThat(noFile.err()).contains(missing + ": cannot read: no such file");
    assertThat(notFile.exitCode()).isEqualTo(1);
    assertThat(notFile.err()).contains(directory + ": cannot read: ");
  }

  @Test
  void evaluate_usageErrors_exit2() {
    assertThat(CliRun.run("evaluate", "--policy", failover.toString(), "--client-ip", "300.1.2.3").exitCode())
        .isEqualTo(2);
    assertThat(CliRun.run("evaluate", "--policy", failover.toString(), "--latitude", "10").exitCode()).isEqualTo(2);
    assertThat(CliRun.run("evaluate", "--policy", failover.toString(), "--continent", "XX").exitCode()).isEqualTo(2);
    assertThat(CliRun.run("evaluate", "--policy", failover.toString(), "--health", "x=SICK").exitCode()).isEqualTo(2);
    assertThat(CliRun.run("evaluate").exitCode()).isEqualTo(2);
  }

  @Test
  void evaluateAndSimulate_refuseAnUnknownStatus_namingTheCheck() {
    for (String option : new String[] {"--health", "--target-health"}) {
      CliRun evaluate = CliRun.run("evaluate", "--policy", failover.toString(), option, "web=UNKNOWN");
      assertThat(evaluate.exitCode()).as("evaluate " + option).isEqualTo(2);
      assertThat(evaluate.err()).contains("status of web must be HEALTHY or UNHEALTHY");
      CliRun simulate = CliRun.run("simulate", "--policy", failover.toString(), "--geo-table",
          failover.toString(), option, "web=UNKNOWN");
      assertThat(simulate.exitCode()).as("simulate " + option).isEqualTo(2);
      assertThat(simulate.err()).contains("status of web must be HEALTHY or UNHEALTHY");
    }
  }

  @Test
  void evaluate_help_exits0() {
    CliRun r = CliRun.run("evaluate", "--help");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--geoip-db", "--latency-table", "--target-health", "--explain", "--json");
  }

  @Test
  void evaluate_resolver_answersWithTheLookedUpAddressesAndSaysWhereFrom() throws IOException {
    String zone = new String(EvaluateCommandTest.class.getClassLoader()
        .getResourceAsStream("aliases/amazonaws.com.zone").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try (AuthoritativeServer upstream = AuthoritativeServer.builder(Catalog.builder()
        .zone(Zone.parse("amazonaws.com", zone)).build()).listen(new InetSocketAddress("127.0.0.1", 0)).build()
        .start()) {
      CliRun r = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(), "--explain",
          "--resolver", "127.0.0.1:" + upstream.port(), "--continent", "NA", "--country", "US", "--subdivision", "WA");

      assertThat(r.exitCode()).as(r.err()).isZero();
      assertThat(r.out()).contains("endpoints: usw2-primary-elb",
          "answer:    www.example.com. 60 IN A 192.0.2.101", "answer:    www.example.com. 60 IN A 192.0.2.102",
          "alias:     usw2-primary-elb: dualstack.web-usw2-a-1111111111.us-west-2.elb.amazonaws.com A "
              + "192.0.2.101 192.0.2.102 (fresh, TTL 60 s; dualstack.web-usw2-a-1111111111.us-west-2.elb.amazonaws.com"
              + " from 127.0.0.1:" + upstream.port() + ")",
          "endpoint usw2-primary-elb: elastic-load-balancer dualstack.web-usw2-a-1111111111.us-west-2.elb.amazonaws.com: "
              + "alias, dualstack.web-usw2-a-1111111111.us-west-2.elb.amazonaws.com A 192.0.2.101 192.0.2.102 (fresh");
    }
  }

  @Test
  void evaluate_resolverNotAnAddress_usageError() {
    CliRun r = CliRun.run("evaluate", "--policy", geoLatencyFailover.toString(), "--resolver", "dns.example:53");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("'dns.example:53' is not an IP address and port");
  }
}
