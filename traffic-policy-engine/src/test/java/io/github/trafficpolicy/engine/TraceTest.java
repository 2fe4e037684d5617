package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class TraceTest {
  private static final String POLICY = """
      {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "geo-root",
       "Endpoints": {"eu": {"Type": "value", "Value": "198.51.100.1"},
                     "us-a": {"Type": "value", "Value": "192.0.2.1"},
                     "us-b": {"Type": "value", "Value": "192.0.2.2"}},
       "Rules": {
         "geo-root": {"RuleType": "geo", "Locations": [
            {"Continent": "EU", "EndpointReference": "eu"},
            {"Country": "US", "RuleReference": "us-split", "EvaluateTargetHealth": true},
            {"IsDefault": true, "EndpointReference": "eu", "HealthCheck": "hc-default"}]},
         "us-split": {"RuleType": "weighted", "Items": [
            {"EndpointReference": "us-a", "Weight": "3", "HealthCheck": "hc-a"},
            {"EndpointReference": "us-b", "Weight": "1", "HealthCheck": "hc-b"},
            {"EndpointReference": "eu", "Weight": "0"}]}}}
      """;

  private static final PolicyDocument DOC = PolicyDocumentJson.read(POLICY);

  @Test
  void evaluate_traceOff_recordsNothing() {
    Answer a = Fixtures.compile(DOC).evaluate(Fixtures.query(ClientLocation.of("NA", "US", null, null),
        HealthSnapshot.empty()));
    assertThat(a.trace()).isSameAs(Trace.empty());
  }

  @Test
  void evaluate_traceOn_explainsEveryDecision() {
    HealthSnapshot h = Fixtures.health(Map.of("hc-a", HealthStatus.UNHEALTHY));
    Query q = Query.builder(ClientSubnet.parse("192.0.2.0/24")).location(ClientLocation.of("NA", "US", "WA", null))
        .health(h).trace(true).build();
    Answer a = Fixtures.compile(DOC).evaluate(q);
    assertThat(a.trace().lines()).containsExactly(
        "enter rule geo-root (geo): client NA/US/WA (given by the query)",
        "  no match continent EU -> endpoint eu: does not contain the client",
        "  choose US -> rule us-split: most specific location that contains the client (country)",
        "  enter rule us-split (weighted): client key 192.0.2.0/24",
        "    skip weight 3 -> endpoint us-a: health check hc-a UNHEALTHY",
        "    skip weight 0 -> endpoint eu: zero weight: standby while a non-zero item is available",
        a.trace().lines().get(6),
        "    endpoint us-b: value 192.0.2.2");
    assertThat(a.trace().lines().get(6))
        .startsWith("    choose weight 1 -> endpoint us-b: weight 1 of 4 (25.0%), rendezvous score ")
        .endsWith(" for client key 192.0.2.0/24");
    TraceStep choose = a.trace().steps().get(6);
    assertThat(choose.kind()).isEqualTo(TraceStep.Kind.CHOOSE);
    assertThat(choose.rule()).isEqualTo("us-split");
    assertThat(choose.entry()).isEqualTo(1);
    assertThat(a.trace().toString()).isEqualTo(String.join("\n", a.trace().lines()));
  }

  @Test
  void evaluate_failOpen_isTraced() {
    HealthSnapshot h = Fixtures.health(Map.of("hc-a", HealthStatus.UNHEALTHY, "hc-b", HealthStatus.UNHEALTHY,
        "hc-default", HealthStatus.UNHEALTHY));
    Query q = Query.builder(ClientSubnet.parse("192.0.2.0/24")).location(ClientLocation.of("AS", "JP", null, null))
        .health(h).trace(true).build();
    Answer a = Fixtures.compile(DOC).evaluate(q);
    assertThat(a.trace().lines()).containsExactly(
        "enter rule geo-root (geo): client AS/JP (given by the query)",
        "  no match continent EU -> endpoint eu: does not contain the client",
        "  no match US -> rule us-split: does not contain the client",
        "  skip default -> endpoint eu: health check hc-default UNHEALTHY",
        "fail open geo-root: no healthy entry: every entry is treated as healthy and chosen by the routing policy "
            + "alone",
        "  choose default -> endpoint eu: no applicable location is healthy: the smallest area that contains the "
            + "client (default)",
        "  endpoint eu: value 198.51.100.1");
  }
}
