package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.GeoproximityRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.LatencyRule;
import io.github.trafficpolicy.api.MultivalueAnswerRule;
import io.github.trafficpolicy.api.MultivalueEntry;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

final class PolicyDiagramTest {

  private static FailoverRule failover(String primary, String secondary, String hcPrimary) {
    return new FailoverRule(
        new FailoverEntry(Target.endpoint(primary), Optional.of(false), Optional.of(HealthCheckId.of(hcPrimary))),
        new FailoverEntry(Target.endpoint(secondary), Optional.of(false), Optional.empty()));
  }

  /** Like the shared test policy 04: geo → latency → failover, with usw2-failover referenced twice. */
  static PolicyDocument geoLatencyFailover() {
    return PolicyDocument.builder()
        .recordType(RecordType.A)
        .startRule("geo-root")
        .endpoint("usw2-primary-elb", Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "web-usw2-a.elb.amazonaws.com"))
        .endpoint("usw2-secondary-elb", Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "web-usw2-b.elb.amazonaws.com"))
        .endpoint("use1-primary-elb", Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "web-use1-a.elb.amazonaws.com"))
        .endpoint("use1-secondary-elb", Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "web-use1-b.elb.amazonaws.com"))
        .endpoint("eu-web", Endpoint.value("198.51.100.40"))
        .endpoint("sorry-page", Endpoint.s3Website("www.example.com", "us-east-1"))
        .rule("geo-root", GeolocationRule.of(
            GeolocationEntry.subdivision("US", "WA", Target.rule("usw2-failover")).withHealth(Optional.of(true),
                Optional.empty()),
            GeolocationEntry.country("US", Target.rule("us-latency")).withHealth(Optional.of(true), Optional.empty()),
            GeolocationEntry.continent("EU", Target.endpoint("eu-web"))
                .withHealth(Optional.empty(), Optional.of(HealthCheckId.of("hc-eu"))),
            GeolocationEntry.defaultLocation(Target.endpoint("sorry-page"))))
        .rule("us-latency", LatencyRule.of(
            new LatencyEntry(Target.rule("usw2-failover"), "us-west-2", Optional.of(true), Optional.empty()),
            new LatencyEntry(Target.rule("use1-failover"), "us-east-1", Optional.of(true), Optional.empty())))
        .rule("usw2-failover", failover("usw2-primary-elb", "usw2-secondary-elb", "hc-w"))
        .rule("use1-failover", failover("use1-primary-elb", "use1-secondary-elb", "hc-e"))
        .build();
  }

  private static int count(String text, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void mermaid_everyRuleAndEndpointOnce_sharedRuleHasTwoParents() {
    String m = PolicyDiagram.mermaid(geoLatencyFailover());

    assertThat(m).startsWith("flowchart LR\n");
    assertThat(m).contains("  start([\"Start<br/>A record\"])\n");
    for (String rule : List.of("geo-root", "us-latency", "usw2-failover", "use1-failover")) {
      assertThat(count(m, "^  r\\d\\{\\{\"" + Pattern.quote(rule) + "<br/>")).as(rule).isEqualTo(1);
    }
    for (String ep : List.of("usw2-primary-elb", "usw2-secondary-elb", "use1-primary-elb", "use1-secondary-elb",
        "eu-web", "sorry-page")) {
      assertThat(count(m, "^  e\\d\\[\"" + Pattern.quote(ep) + "<br/>")).as(ep).isEqualTo(1);
    }
    assertThat(count(m, "-->")).isEqualTo(1 + 4 + 2 + 2 + 2);
    assertThat(count(m, "-->(\\|\"[^\"]*\"\\|)? r2$")).as("edges into usw2-failover").isEqualTo(2);
    assertThat(m).doesNotContain("classDef unreachable");
  }

  @Test
  void mermaid_edgesCarryLocationsRegionsHealthChecks() {
    String m = PolicyDiagram.mermaid(geoLatencyFailover());

    assertThat(m).contains("  start --> r0\n")
        .contains("  r0 -->|\"US-WA<br/>evaluate target health\"| r2\n")
        .contains("  r0 -->|\"US<br/>evaluate target health\"| r1\n")
        .contains("  r0 -->|\"continent EU<br/>health check hc-eu\"| e4\n")
        .contains("  r0 -->|\"default\"| e5\n")
        .contains("  r1 -->|\"us-west-2<br/>evaluate target health\"| r2\n")
        .contains("  r2 -->|\"primary<br/>health check hc-w\"| e0\n")
        .contains("  r2 -->|\"secondary\"| e1\n")
        .contains("e5[\"sorry-page<br/>s3-website: www.example.com<br/>region us-east-1\"]")
        .contains("r0{{\"geo-root<br/>geolocation rule\"}}");
  }

  @Test
  void dot_sameGraphWithWeightsAndBias() {
    PolicyDocument doc = PolicyDocument.builder()
        .recordType(RecordType.A)
        .startRule("w")
        .endpoint("a", Endpoint.value("192.0.2.1"))
        .endpoint("b", Endpoint.value("192.0.2.2"))
        .endpoint("c", Endpoint.value("192.0.2.3"))
        .rule("w", WeightedRule.of(WeightedEntry.of(10, Target.rule("gp")), WeightedEntry.of(0, Target.rule("mv"))))
        .rule("gp", GeoproximityRule.of(
            new GeoproximityEntry(Target.endpoint("a"), new GeoproximityLocation.Region("aws:route53:us-east-1"), 25,
                Optional.empty(), Optional.empty()),
            new GeoproximityEntry(Target.endpoint("b"), GeoproximityLocation.Coordinate.of("51.50", "-0.16"), -10,
                Optional.empty(), Optional.empty())))
        .rule("mv", MultivalueAnswerRule.of(MultivalueEntry.of("a"), MultivalueEntry.of("c", "hc-c")))
        .build();

    String d = PolicyDiagram.dot(doc);

    assertThat(d).startsWith("digraph policy {\n").endsWith("}\n");
    assertThat(d).contains("  r0 [label=\"w\\nweighted rule\", shape=hexagon];")
        .contains("  e2 [label=\"c\\nvalue: 192.0.2.3\", shape=box];")
        .contains("  r0 -> r1 [label=\"weight 10\"];")
        .contains("  r0 -> r2 [label=\"weight 0\"];")
        .contains("  r1 -> e0 [label=\"us-east-1, bias +25\"];")
        .contains("  r1 -> e1 [label=\"51.50, -0.16, bias -10\"];")
        .contains("  r2 -> e2 [label=\"value 2\\nhealth check hc-c\"];");
    assertThat(count(d, " -> ")).isEqualTo(1 + 2 + 2 + 2);
  }

  @Test
  void unreachableRules_areDashed_andQuotesEscaped() {
    PolicyDocument doc = PolicyDocument.builder()
        .recordType(RecordType.TXT)
        .startEndpoint("t")
        .endpoint("t", Endpoint.value("\"v=spf1 -all\""))
        .endpoint("u", Endpoint.value("\"unused\""))
        .rule("lost", WeightedRule.of(WeightedEntry.of(1, Target.endpoint("u"))))
        .build();

    String m = PolicyDiagram.mermaid(doc);
    String d = PolicyDiagram.dot(doc);

    assertThat(m).contains("e0[\"t<br/>value: #quot;v=spf1 -all#quot;\"]")
        .contains("  class r0,e1 unreachable\n");
    assertThat(d).contains("e0 [label=\"t\\nvalue: \\\"v=spf1 -all\\\"\", shape=box];")
        .contains("r0 [label=\"lost\\nweighted rule\", shape=hexagon, style=dashed];")
        .contains("e1 [label=\"u\\nvalue: \\\"unused\\\"\", shape=box, style=dashed];");
  }

  @Test
  void format_parse_acceptsAnyCase() {
    assertThat(PolicyDiagram.Format.parse("Mermaid")).isEqualTo(PolicyDiagram.Format.MERMAID);
    assertThat(PolicyDiagram.Format.parse("dot")).isEqualTo(PolicyDiagram.Format.DOT);
  }
}
