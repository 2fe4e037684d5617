package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Target;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

final class UsageTest {
  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final TrafficPolicyRegistry registry = TrafficPolicyRegistry.builder().codec(codec)
      .idGenerator(seq()).build();

  private static Supplier<String> seq() {
    AtomicInteger n = new AtomicInteger();
    return () -> "p" + n.incrementAndGet();
  }

  private static PolicyDocument mx() {
    return PolicyDocument.builder().recordType(RecordType.MX).startRule("geo")
        .endpoint("us", Endpoint.value("10 mail-us.example.com."))
        .endpoint("eu", Endpoint.value("10 mail-eu.example.com."))
        .rule("geo", GeolocationRule.of(
            GeolocationEntry.country("US", Target.endpoint("us"))
                .withHealth(Optional.empty(), Optional.of(HealthCheckId.of("HC-MAIL"))),
            GeolocationEntry.defaultLocation(Target.endpoint("eu"))))
        .build();
  }

  private static PolicyDocument failover(String hc) {
    return PolicyDocument.builder().recordType(RecordType.A).startRule("fo/main")
        .endpoint("p", Endpoint.value("192.0.2.1"))
        .endpoint("s", Endpoint.value("192.0.2.2"))
        .rule("fo/main", new FailoverRule(
            new FailoverEntry(Target.endpoint("p"), Optional.of(false), Optional.of(HealthCheckId.of(hc))),
            FailoverEntry.of(Target.endpoint("s"))))
        .build();
  }

  @Test
  void usages_endpointValue_acrossPoliciesVersionsWithRecords() {
    String web = registry.createPolicy("web", TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"),
        Optional.empty()).id();
    registry.createPolicyVersion(web, TestDocuments.weightedA("192.0.2.5", "192.0.2.2", "hc-1"), Optional.empty());
    String fo = registry.createPolicy("fo", failover("hc-9"), Optional.empty()).id();
    registry.createPolicy("other", TestDocuments.singleA("192.0.2.10"), Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, web, 2);
    registry.createRecord("example.com", "fo.example.com", 60, fo, 1);

    assertThat(registry.usages("192.0.2.1"))
        .extracting(Usage::version, Usage::policyName, Usage::kind, Usage::path, Usage::records)
        .containsExactly(
            tuple(PolicyRef.of(web, 1), "web", Usage.Kind.ENDPOINT_VALUE, "/Endpoints/first/Value",
                List.of()),
            tuple(PolicyRef.of(fo, 1), "fo", Usage.Kind.ENDPOINT_VALUE, "/Endpoints/p/Value",
                List.of("fo.example.com.")));
    assertThat(registry.usages("192.0.2.2")).extracting(Usage::version)
        .containsExactly(PolicyRef.of(web, 1), PolicyRef.of(web, 2), PolicyRef.of(fo, 1));
    assertThat(registry.usages("192.0.2.99")).isEmpty();
  }

  @Test
  void usages_healthCheck_givesEntryPathsWithEscapedRuleIds() {
    registry.createPolicy("web", TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"), Optional.empty());
    registry.createPolicy("fo", failover("hc-1"), Optional.empty());
    registry.createPolicy("mx", mx(), Optional.empty());

    assertThat(registry.usages("HC-1")).extracting(Usage::kind, Usage::path, Usage::value).containsExactly(
        tuple(Usage.Kind.HEALTH_CHECK, "/Rules/split/Items/0/HealthCheck", "hc-1"),
        tuple(Usage.Kind.HEALTH_CHECK, "/Rules/fo~1main/Primary/HealthCheck", "hc-1"));
    assertThat(registry.usages("hc-mail")).extracting(Usage::path)
        .containsExactly("/Rules/geo/Locations/0/HealthCheck");
  }

  @Test
  void usages_hostName_matchesAFieldOfRecordDataIgnoringCaseAndDot() {
    registry.createPolicy("mx", mx(), Optional.empty());

    assertThat(registry.usages("Mail-EU.example.com")).extracting(Usage::path, Usage::value)
        .containsExactly(tuple("/Endpoints/eu/Value", "10 mail-eu.example.com."));
    assertThat(registry.usages("10")).hasSize(2);
    assertThat(registry.usages("mail")).isEmpty();
    assertThat(registry.usages("  ")).isEmpty();
  }
}
