package io.github.trafficpolicy.dns.console;

import static io.github.trafficpolicy.dns.console.ConsoleFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every JSON operation of the console, with its errors, over HTTP as the UI calls them. */
class ConsoleApiTest {
  /** Failover: primary (health-checked) → geolocation (France → eu, else us); secondary → backup. */
  static final String FAILOVER_GEO = """
      {
        "AWSPolicyFormatVersion": "2015-10-01",
        "RecordType": "A",
        "StartRule": "fo",
        "Endpoints": {
          "eu": {"Type": "value", "Value": "198.51.100.10"},
          "us": {"Type": "value", "Value": "192.0.2.10"},
          "backup": {"Type": "value", "Value": "203.0.113.99"}
        },
        "Rules": {
          "fo": {
            "RuleType": "failover",
            "Primary": {"RuleReference": "geo", "HealthCheck": "hc-primary"},
            "Secondary": {"EndpointReference": "backup"}
          },
          "geo": {
            "RuleType": "geo",
            "Locations": [
              {"EndpointReference": "eu", "Country": "FR"},
              {"EndpointReference": "us", "IsDefault": true}
            ]
          }
        }
      }
      """;

  /** Geoproximity: London and New York, New York with a bias of 50. */
  static final String GEOPROXIMITY = """
      {
        "AWSPolicyFormatVersion": "2015-10-01",
        "RecordType": "A",
        "StartRule": "near",
        "Endpoints": {
          "london": {"Type": "value", "Value": "198.51.100.20"},
          "newyork": {"Type": "value", "Value": "192.0.2.20"}
        },
        "Rules": {
          "near": {
            "RuleType": "geoproximity",
            "GeoproximityLocations": [
              {"EndpointReference": "london", "Latitude": "51.50", "Longitude": "-0.12"},
              {"EndpointReference": "newyork", "Latitude": "40.71", "Longitude": "-74.00", "Bias": "50"}
            ]
          }
        }
      }
      """;

  private final HealthRegistry health = new HealthRegistry();
  private ConsoleFixture console;
  private ConsoleFixture.Session admin;

  @BeforeEach
  void start() throws IOException {
    console = new ConsoleFixture(TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).build(),
        PolicyEvaluator.builder().health(health).build());
    admin = console.admin();
  }

  @AfterEach
  void stop() {
    console.close();
  }

  private JsonNode ok(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
    return parse(r.body());
  }

  private JsonNode refused(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode e = parse(r.body()).get("error");
    assertThat(e.get("code").asText()).as(r.body()).isEqualTo(code);
    assertThat(e.get("message").asText()).isNotBlank();
    assertThat(e.get("problems").isArray()).isTrue();
    return e;
  }

  private String create(String name, String document) {
    return ok(admin.post("policies", Map.of("name", name, "document", document, "comment", "first")), 201)
        .get("id").asText();
  }

  @Test
  void policiesAreCreatedListedAndReadWithTheirExactText() {
    JsonNode created = ok(admin.post("policies", Map.of("name", "www", "document", FAILOVER_GEO,
        "comment", "first")), 201);
    String id = created.get("id").asText();
    assertThat(created.get("version").asInt()).isEqualTo(1);
    JsonNode second = ok(admin.post("policies/" + id + "/versions", Map.of("document", parse(GEOPROXIMITY),
        "comment", "near")), 201);
    assertThat(second.get("version").asInt()).isEqualTo(2);
    ok(admin.post("records", Map.of("zone", "example.com", "name", "www.example.com", "ttl", 60,
        "policyId", id, "version", 1)), 201);

    JsonNode list = ok(admin.get("policies"), 200).get("policies");
    assertThat(list).hasSize(1);
    JsonNode p = list.get(0);
    assertThat(p.get("id").asText()).isEqualTo(id);
    assertThat(p.get("name").asText()).isEqualTo("www");
    assertThat(p.get("type").asText()).isEqualTo("A");
    assertThat(p.get("latestVersion").asInt()).isEqualTo(2);
    assertThat(p.get("versions").get(0).get("records").asInt()).isEqualTo(1);
    assertThat(p.get("versions").get(0).get("comment").asText()).isEqualTo("first");
    assertThat(p.get("versions").get(1).get("records").asInt()).isZero();

    JsonNode v1 = ok(admin.get("policies/" + id + "/versions/1"), 200);
    assertThat(v1.get("documentText").asText()).isEqualTo(FAILOVER_GEO);
    assertThat(v1.get("document")).isEqualTo(parse(FAILOVER_GEO));
    assertThat(v1.get("records").get(0).get("name").asText()).isEqualTo("www.example.com.");
    JsonNode v2 = ok(admin.get("policies/" + id + "/versions/2"), 200);
    assertThat(v2.get("document")).isEqualTo(parse(GEOPROXIMITY));
    assertThat(v2.get("comment").asText()).isEqualTo("near");

    assertThat(console.audit).hasSize(3).allSatisfy(line -> {
      JsonNode l = parse(line);
      assertThat(l.get("via").asText()).isEqualTo("console");
      assertThat(l.get("accessKeyId").asText()).isEqualTo(ConsoleFixture.ADMIN_ID);
    });
    assertThat(console.audit).extracting(line -> parse(line).get("action").asText())
        .containsExactly("CreateTrafficPolicy", "CreateTrafficPolicyVersion", "CreateTrafficPolicyInstance");
  }

  @Test
  void anInvalidDocumentIsRefusedWithEveryProblemAtItsJsonPointerAndNothingIsCreated() {
    String bad = FAILOVER_GEO.replace("\"EndpointReference\": \"backup\"", "\"EndpointReference\": \"nowhere\"")
        .replace("\"Country\": \"FR\"", "\"Country\": \"France\"");

    JsonNode e = refused(admin.post("policies", Map.of("name", "www", "document", bad)), 400,
        "InvalidTrafficPolicyDocument");

    List<String> paths = new ArrayList<>();
    e.get("problems").forEach(p -> {
      paths.add(p.get("path").asText());
      assertThat(p.get("severity").asText()).isIn("ERROR", "WARNING");
      assertThat(p.get("code").asText()).isNotBlank();
    });
    assertThat(paths).anyMatch(p -> p.startsWith("/Rules/fo/Secondary"))
        .anyMatch(p -> p.startsWith("/Rules/geo/Locations/0"));
    assertThat(console.registry.listPolicies()).isEmpty();
    assertThat(console.audit).isEmpty();
  }

  @Test
  void validateAnswersProblemsLiveForObjectsTextAndBrokenJson() {
    JsonNode good = ok(admin.post("validate", Map.of("document", parse(FAILOVER_GEO))), 200);
    assertThat(good.get("valid").asBoolean()).isTrue();
    assertThat(good.get("type").asText()).isEqualTo("A");

    JsonNode bad = ok(admin.post("validate", Map.of("document",
        FAILOVER_GEO.replace("\"Value\": \"192.0.2.10\"", "\"Value\": \"not-an-address\""))), 200);
    assertThat(bad.get("valid").asBoolean()).isFalse();
    assertThat(bad.get("problems")).anySatisfy(p ->
        assertThat(p.get("path").asText()).isEqualTo("/Endpoints/us/Value"));

    JsonNode broken = ok(admin.post("validate", Map.of("document", "{\"RecordType\": ")), 200);
    assertThat(broken.get("valid").asBoolean()).isFalse();
    assertThat(broken.get("problems")).isNotEmpty();

    refused(admin.post("validate", Map.of("document", 42)), 400, "InvalidInput");
    refused(admin.post("validate", Map.of()), 400, "InvalidInput");
  }

  @Test
  void diffNamesTheJsonChangesAndTheNodesAddedRemovedAndChanged() {
    String id = create("www", FAILOVER_GEO);
    String next = FAILOVER_GEO.replace("\"Value\": \"198.51.100.10\"", "\"Value\": \"198.51.100.77\"")
        .replace("{\"EndpointReference\": \"eu\", \"Country\": \"FR\"},",
            "{\"EndpointReference\": \"eu\", \"Country\": \"FR\"},\n"
                + "{\"EndpointReference\": \"eu\", \"Country\": \"DE\"},")
        .replace("\"backup\": {\"Type\": \"value\", \"Value\": \"203.0.113.99\"}",
            "\"spare\": {\"Type\": \"value\", \"Value\": \"203.0.113.99\"}")
        .replace("\"EndpointReference\": \"backup\"", "\"EndpointReference\": \"spare\"");
    ok(admin.post("policies/" + id + "/versions", Map.of("document", next)), 201);

    JsonNode d = ok(admin.get("policies/" + id + "/diff?from=1&to=2"), 200);

    assertThat(d.get("from").get("version").asInt()).isEqualTo(1);
    assertThat(d.get("to").get("document")).isEqualTo(parse(next));
    assertThat(d.get("changes")).anySatisfy(c -> {
      assertThat(c.get("path").asText()).isEqualTo("/Endpoints/eu/Value");
      assertThat(c.get("op").asText()).isEqualTo("replace");
      assertThat(c.get("before").asText()).isEqualTo("198.51.100.10");
      assertThat(c.get("after").asText()).isEqualTo("198.51.100.77");
    });
    assertThat(d.get("changes")).anySatisfy(c -> {
      assertThat(c.get("path").asText()).isEqualTo("/Endpoints/backup");
      assertThat(c.get("op").asText()).isEqualTo("remove");
    });
    assertThat(texts(d.at("/nodes/added"))).contains("endpoint:spare", "rule:geo/Locations/2");
    assertThat(texts(d.at("/nodes/removed"))).containsExactly("endpoint:backup");
    assertThat(texts(d.at("/nodes/changed"))).contains("endpoint:eu", "rule:geo/Locations/1", "rule:fo/Secondary")
        .doesNotContain("endpoint:us");

    refused(admin.get("policies/" + id + "/diff?from=1"), 400, "InvalidInput");
    refused(admin.get("policies/" + id + "/diff?from=1&to=9"), 404, "NoSuchTrafficPolicy");
  }

  @Test
  void recordsAreCreatedListedMovedRolledBackAndDeleted() {
    String id = create("www", FAILOVER_GEO);
    ok(admin.post("policies/" + id + "/versions", Map.of("document", FAILOVER_GEO.replace("192.0.2.10", "192.0.2.11"))),
        201);
    JsonNode r = ok(admin.post("records", Map.of("zone", "example.com", "name", "www.example.com", "ttl", 60,
        "policyId", id, "version", 1)), 201);
    assertThat(r.get("name").asText()).isEqualTo("www.example.com.");
    assertThat(r.get("zone").asText()).isEqualTo("example.com.");
    assertThat(r.get("type").asText()).isEqualTo("A");
    assertThat(r.get("history")).isEmpty();
    ok(admin.post("records", Map.of("zone", "example.com", "name", "api.example.com", "ttl", 30,
        "policyId", id, "version", 1)), 201);
    ok(admin.post("records", Map.of("zone", "example.org", "name", "www.example.org", "ttl", 30,
        "policyId", id, "version", 2)), 201);

    refused(admin.post("records", Map.of("zone", "example.net", "name", "www.example.net", "ttl", 60,
        "policyId", id, "version", 1)), 404, "NoSuchHostedZone");
    refused(admin.post("records", Map.of("zone", "example.com", "name", "www.example.com", "ttl", 60,
        "policyId", id, "version", 1)), 409, "TrafficPolicyInstanceAlreadyExists");
    refused(admin.post("records", Map.of("zone", "example.com", "name", "x.example.com", "ttl", -1,
        "policyId", id, "version", 1)), 400, "InvalidInput");

    JsonNode zones = ok(admin.get("zones"), 200).get("zones");
    assertThat(zones).hasSize(2);
    assertThat(zones.get(0).get("name").asText()).isEqualTo("example.com.");
    assertThat(zones.get(0).get("records").asInt()).isEqualTo(2);
    assertThat(zones.get(1).get("records").asInt()).isEqualTo(1);
    assertThat(names(ok(admin.get("records?zone=example.org"), 200))).containsExactly("www.example.org.");
    assertThat(names(ok(admin.get("records?policyId=" + id + "&version=1"), 200)))
        .containsExactly("www.example.com.", "api.example.com.");
    assertThat(names(ok(admin.get("records"), 200))).hasSize(3);
    refused(admin.get("records?version=1"), 400, "InvalidInput");

    // Several by name, with a new TTL.
    JsonNode moved = ok(admin.post("records/update", Map.of("names", List.of("www.example.com",
        "api.example.com."), "policyId", id, "version", 2, "ttl", 120)), 200);
    assertThat(moved.get("records")).allSatisfy(m -> {
      assertThat(m.get("version").asInt()).isEqualTo(2);
      assertThat(m.get("ttl").asInt()).isEqualTo(120);
      assertThat(m.get("history").get(0).get("version").asInt()).isEqualTo(1);
    });
    // All or nothing: one unknown name moves none.
    refused(admin.post("records/update", Map.of("names", List.of("www.example.com", "nope.example.com"),
        "policyId", id, "version", 1)), 404, "NoSuchTrafficPolicyInstance");
    assertThat(console.registry.getRecord("www.example.com").current().version()).isEqualTo(2);
    // Every record of the policy.
    JsonNode all = ok(admin.post("records/update", Map.of("all", true, "policyId", id, "version", 1)), 200);
    assertThat(all.get("records")).hasSize(3).allSatisfy(m -> assertThat(m.get("version").asInt()).isEqualTo(1));
    refused(admin.post("records/update", Map.of("all", true, "names", List.of("www.example.com"), "policyId", id,
        "version", 1)), 400, "InvalidInput");

    JsonNode back = ok(admin.post("records/www.example.com./rollback", Map.of()), 200);
    assertThat(back.get("version").asInt()).isEqualTo(2);
    assertThat(back.get("history")).hasSize(1);
    assertThat(ok(admin.get("records/www.example.com."), 200).get("version").asInt()).isEqualTo(2);

    assertThat(admin.delete("records/api.example.com.").statusCode()).isEqualTo(204);
    refused(admin.get("records/api.example.com."), 404, "NoSuchTrafficPolicyInstance");
    refused(admin.delete("records/api.example.com."), 404, "NoSuchTrafficPolicyInstance");

    assertThat(console.audit).extracting(line -> parse(line).get("action").asText())
        .contains("UpdateTrafficPolicyInstance", "RollbackTrafficPolicyInstance", "DeleteTrafficPolicyInstance");
  }

  @Test
  void usagesFindEndpointValuesAndHealthChecksWithTheirNodes() {
    String id = create("www", FAILOVER_GEO);
    ok(admin.post("records", Map.of("zone", "example.com", "name", "www.example.com", "ttl", 60,
        "policyId", id, "version", 1)), 201);

    JsonNode value = ok(admin.get("usages?value=198.51.100.10"), 200).get("usages");
    assertThat(value).hasSize(1);
    JsonNode u = value.get(0);
    assertThat(u.get("policyId").asText()).isEqualTo(id);
    assertThat(u.get("policyName").asText()).isEqualTo("www");
    assertThat(u.get("version").asInt()).isEqualTo(1);
    assertThat(u.get("kind").asText()).isEqualTo("endpoint");
    assertThat(u.get("path").asText()).isEqualTo("/Endpoints/eu/Value");
    assertThat(u.get("nodeId").asText()).isEqualTo("endpoint:eu");
    assertThat(texts(u.get("records"))).containsExactly("www.example.com.");

    JsonNode check = ok(admin.get("usages?value=hc-primary"), 200).get("usages").get(0);
    assertThat(check.get("kind").asText()).isEqualTo("healthCheck");
    assertThat(check.get("path").asText()).isEqualTo("/Rules/fo/Primary/HealthCheck");
    assertThat(check.get("nodeId").asText()).isEqualTo("rule:fo/Primary");

    assertThat(ok(admin.get("usages?value=192.0.2.254"), 200).get("usages")).isEmpty();
    refused(admin.get("usages"), 400, "InvalidInput");
  }

  @Test
  void replaceMakesNewVersionsAndMovesTheChosenRecordsAllOrNothing() {
    String a = create("a", FAILOVER_GEO);
    String b = create("b", FAILOVER_GEO.replace("203.0.113.99", "203.0.113.98"));
    for (String[] rec : new String[][] {{"www.example.com", a}, {"api.example.com", b}, {"old.example.com", b}}) {
      ok(admin.post("records", Map.of("zone", "example.com", "name", rec[0], "ttl", 60, "policyId", rec[1],
          "version", 1)), 201);
    }
    List<Map<String, Object>> versions = List.of(Map.of("policyId", a, "version", 1),
        Map.of("policyId", b, "version", 1));

    // A replacement that makes the documents invalid changes nothing.
    refused(admin.post("replace", Map.of("value", "198.51.100.10", "replacement", "not-an-ip",
        "versions", versions, "records", List.of("www.example.com"))), 400, "InvalidTrafficPolicyDocument");
    // A record of a policy not being replaced in: nothing either.
    String c = create("c", GEOPROXIMITY);
    ok(admin.post("records", Map.of("zone", "example.org", "name", "near.example.org", "ttl", 60,
        "policyId", c, "version", 1)), 201);
    refused(admin.post("replace", Map.of("value", "198.51.100.10", "replacement", "198.51.100.11",
        "versions", versions, "records", List.of("near.example.org"))), 400, "InvalidInput");
    assertThat(console.registry.listPolicyVersions(a)).hasSize(1);
    assertThat(console.registry.listPolicyVersions(b)).hasSize(1);

    JsonNode r = ok(admin.post("replace", Map.of("value", "198.51.100.10", "replacement", "198.51.100.11",
        "versions", versions, "comment", "eu moved", "records", List.of("www.example.com", "api.example.com"))),
        200);

    assertThat(r.get("created")).hasSize(2).allSatisfy(x -> {
      assertThat(x.get("fromVersion").asInt()).isEqualTo(1);
      assertThat(x.get("version").asInt()).isEqualTo(2);
      assertThat(x.get("replacements").asInt()).isEqualTo(1);
    });
    assertThat(console.registry.getPolicy(a, 2).document().endpoints().toString()).contains("198.51.100.11")
        .doesNotContain("198.51.100.10");
    assertThat(console.registry.getPolicy(b, 2).comment()).contains("eu moved");
    assertThat(names(r)).containsExactly("www.example.com.", "api.example.com.");
    assertThat(console.registry.getRecord("www.example.com").current().version()).isEqualTo(2);
    assertThat(console.registry.getRecord("api.example.com").current().version()).isEqualTo(2);
    assertThat(console.registry.getRecord("old.example.com").current().version()).isEqualTo(1);
    assertThat(ok(admin.get("usages?value=198.51.100.10"), 200).get("usages")).hasSize(2)
        .allSatisfy(x -> assertThat(x.get("version").asInt()).isEqualTo(1));

    refused(admin.post("replace", Map.of("value", "192.0.2.254", "replacement", "192.0.2.253",
        "versions", List.of(Map.of("policyId", a, "version", 2)))), 400, "InvalidInput");
  }

  @Test
  void tryItEvaluatesWithTheTraceOnTheNodesAndThePathTaken() {
    String id = create("www", FAILOVER_GEO);

    JsonNode fr = ok(admin.post("try", Map.of("policyId", id, "version", 1,
        "client", Map.of("country", "FR"))), 200);
    assertThat(fr.get("outcome").asText()).isEqualTo("ANSWER");
    assertThat(texts(fr.get("answer"))).containsExactly("198.51.100.10");
    assertThat(texts(fr.get("endpoints"))).containsExactly("eu");
    assertThat(fr.at("/location/country").asText()).isEqualTo("FR");
    assertThat(texts(fr.get("pathNodes"))).containsExactly("rule:fo", "rule:fo/Primary", "rule:geo",
        "rule:geo/Locations/0", "endpoint:eu");
    assertThat(fr.get("trace")).anySatisfy(t -> {
      assertThat(t.get("nodeId").asText()).isEqualTo("rule:geo/Locations/0");
      assertThat(t.get("path").asText()).isEqualTo("/Rules/geo/Locations/0");
      assertThat(t.get("message").asText()).startsWith("choose");
    });

    JsonNode failed = ok(admin.post("try", Map.of("policyId", id, "version", 1,
        "client", Map.of("country", "FR"), "health", Map.of("hc-primary", "UNHEALTHY"))), 200);
    assertThat(texts(failed.get("answer"))).containsExactly("203.0.113.99");
    assertThat(texts(failed.get("pathNodes"))).containsExactly("rule:fo", "rule:fo/Secondary", "endpoint:backup");

    // The server's own health applies unless overridden.
    health.setCheck("hc-primary", HealthStatus.UNHEALTHY);
    JsonNode served = ok(admin.post("try", Map.of("policyId", id, "version", 1, "client", Map.of())), 200);
    assertThat(texts(served.get("endpoints"))).containsExactly("backup");
    JsonNode overridden = ok(admin.post("try", Map.of("document", parse(FAILOVER_GEO),
        "client", Map.of("address", "192.0.2.1/24", "continent", "NA"), "health", Map.of("hc-primary", "HEALTHY"))),
        200);
    assertThat(texts(overridden.get("endpoints"))).containsExactly("us");

    refused(admin.post("try", Map.of("policyId", id, "version", 1, "client", Map.of("address", "300.1.2.3"))), 400,
        "InvalidInput");
    refused(admin.post("try", Map.of("policyId", id, "version", 1, "client", Map.of("country", "France"))), 400,
        "InvalidInput");
    refused(admin.post("try", Map.of("policyId", id, "version", 1, "health", Map.of("hc-primary", "SICK"))), 400,
        "InvalidInput");
    refused(admin.post("try", Map.of("policyId", id, "version", 7)), 404, "NoSuchTrafficPolicy");
    refused(admin.post("try", Map.of("document", "{}")), 400, "InvalidTrafficPolicyDocument");
  }

  @Test
  void healthListsEveryCheckWithItsStatusSourceAndUsers() {
    String id = create("www", FAILOVER_GEO);
    JsonNode unknown = ok(admin.get("health"), 200).get("checks");
    assertThat(unknown).hasSize(1);
    JsonNode c = unknown.get(0);
    assertThat(c.get("id").asText()).isEqualTo("hc-primary");
    assertThat(c.get("status").asText()).isEqualTo("UNKNOWN");
    assertThat(c.get("source").asText()).isEqualTo("unknown");
    assertThat(c.get("lastResult").isNull()).isTrue();
    assertThat(c.at("/usedBy/0/policyId").asText()).isEqualTo(id);
    assertThat(texts(c.at("/usedBy/0/nodeIds"))).containsExactly("rule:fo/Primary");

    health.setCheck("hc-primary", HealthStatus.UNHEALTHY);
    health.setCheck("hc-other", HealthStatus.HEALTHY);
    JsonNode set = ok(admin.get("health"), 200).get("checks");
    assertThat(set).hasSize(2);
    assertThat(set).anySatisfy(x -> {
      assertThat(x.get("id").asText()).isEqualTo("hc-primary");
      assertThat(x.get("status").asText()).isEqualTo("UNHEALTHY");
      assertThat(x.get("source").asText()).isEqualTo("file");
    });
  }

  @Test
  void theMapGivesEachCountryItsEntryAndEachGridCellItsGeoproximityWinner() {
    String geo = create("geo", FAILOVER_GEO);
    JsonNode rules = ok(admin.get("map?policyId=" + geo + "&version=1"), 200).get("rules");
    assertThat(rules).hasSize(1);
    JsonNode g = rules.get(0);
    assertThat(g.get("nodeId").asText()).isEqualTo("rule:geo");
    assertThat(g.get("type").asText()).isEqualTo("geolocation");
    assertThat(g.at("/countries/FR/nodeId").asText()).isEqualTo("rule:geo/Locations/0");
    assertThat(texts(g.at("/countries/FR/endpoints"))).containsExactly("eu");
    assertThat(g.at("/countries/JP/nodeId").asText()).isEqualTo("rule:geo/Locations/1");
    assertThat(g.get("countries").size()).isGreaterThanOrEqualTo(249);

    String near = create("near", GEOPROXIMITY);
    JsonNode p = ok(admin.get("map?policyId=" + near + "&version=1"), 200).get("rules").get(0);
    assertThat(p.get("type").asText()).isEqualTo("geoproximity");
    assertThat(p.get("regions")).hasSize(2);
    assertThat(p.at("/regions/1/nodeId").asText()).isEqualTo("rule:near/GeoproximityLocations/1");
    assertThat(p.at("/regions/1/bias").asInt()).isEqualTo(50);
    assertThat(p.at("/regions/0/latitude").asDouble()).isEqualTo(51.5);
    JsonNode grid = p.get("grid");
    assertThat(grid.get("cols").asInt()).isEqualTo(180);
    assertThat(grid.get("rows").asInt()).isEqualTo(90);
    assertThat(grid.get("cells")).hasSize(180 * 90);
    assertThat(cell(grid, 51, 0)).isEqualTo(0);
    assertThat(cell(grid, 40, -74)).isEqualTo(1);
    // The bias pushes New York's reach past the middle of the Atlantic: at 30° W it still wins.
    assertThat(cell(grid, 45, -30)).isEqualTo(1);

    refused(admin.get("map?policyId=" + near), 400, "InvalidInput");
  }

  private static int cell(JsonNode grid, double lat, double lon) {
    int row = (int) ((90 - lat) / 2);
    int col = (int) ((lon + 180) / 2);
    return grid.get("cells").get(row * 180 + col).asInt();
  }

  @Test
  void policyContentThatLooksLikeHtmlComesBackAsJsonText() {
    String evil = "<img src=x onerror=alert(1)>";
    String doc = FAILOVER_GEO.replace("\"geo\": {", "\"" + evil + "\": {")
        .replace("\"RuleReference\": \"geo\"", "\"RuleReference\": \"" + evil + "\"");
    JsonNode created = ok(admin.post("policies", Map.of("name", evil, "document", doc, "comment", evil)), 201);
    String id = created.get("id").asText();

    HttpResponse<String> r = admin.get("policies/" + id + "/versions/1");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    JsonNode v = ok(r, 200);
    assertThat(v.get("name").asText()).isEqualTo(evil);
    assertThat(v.get("comment").asText()).isEqualTo(evil);
    assertThat(v.at("/document/Rules").has(evil)).isTrue();
    assertThat(v.at("/document/Rules/fo/Primary/RuleReference").asText()).isEqualTo(evil);
    JsonNode tried = ok(admin.post("try", Map.of("policyId", id, "version", 1, "client", Map.of("country", "FR"))),
        200);
    assertThat(texts(tried.get("pathNodes"))).contains("rule:" + evil, "rule:" + evil + "/Locations/0");
  }

  @Test
  void badRequestsGetClearErrorsAndChangeNothing() {
    String id = create("www", FAILOVER_GEO);
    List<HttpResponse<String>> bad = List.of(
        admin.post("policies", "[1, 2]"),
        admin.post("policies", "{\"name\": 5, \"document\": {}}"),
        admin.post("policies", Map.of("document", parse(FAILOVER_GEO))),
        admin.post("policies", Map.of("name", "x")),
        admin.post("policies/" + id + "/versions", Map.of("document", List.of())),
        admin.post("records", Map.of("zone", "example.com", "name", "a.example.com", "ttl", "60", "policyId", id,
            "version", 1)),
        admin.post("records", Map.of("zone", "example.com", "name", "a.example.com", "ttl", 60, "policyId", id,
            "version", 0)),
        admin.post("records/update", Map.of("names", List.of(), "policyId", id, "version", 1)),
        admin.post("records/update", Map.of("names", "www", "policyId", id, "version", 1)),
        admin.post("replace", Map.of("value", "x", "replacement", "y", "versions", List.of())),
        admin.get("policies/" + id + "/versions/abc"),
        admin.get("policies/" + id + "/versions/0"));
    for (HttpResponse<String> r : bad) {
      refused(r, 400, "InvalidInput");
    }
    refused(admin.post("policies", Map.of("name", "www", "document", FAILOVER_GEO)), 409,
        "TrafficPolicyAlreadyExists");
    refused(admin.get("policies/no-such-id/versions/1"), 404, "NoSuchTrafficPolicy");
    refused(admin.post("records/nope.example.com./rollback", Map.of()), 404, "NoSuchTrafficPolicyInstance");
    refused(admin.get("nothing/here"), 404, "NotFound");
    HttpResponse<String> method = console.send(admin.write("zones").PUT(HttpRequest.BodyPublishers.ofString("{}"))
        .build());
    refused(method, 405, "MethodNotAllowed");
    assertThat(method.headers().firstValue("Allow")).contains("GET");
    HttpResponse<String> huge = console.send(admin.write("validate").POST(HttpRequest.BodyPublishers.ofString(
        "{\"document\": \"" + "x".repeat((1 << 20) + 10) + "\"}")).build());
    refused(huge, 413, "InvalidInput");

    assertThat(console.registry.listPolicies()).hasSize(1);
    assertThat(console.registry.listPolicyVersions(id)).hasSize(1);
    assertThat(console.registry.listRecords()).isEmpty();
    assertThat(console.audit).hasSize(1);
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }

  private static List<String> names(JsonNode recordsResponse) {
    return StreamSupport.stream(recordsResponse.get("records").spliterator(), false)
        .map(r -> r.get("name").asText()).toList();
  }
}
