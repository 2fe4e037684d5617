package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Route53Exception;
import software.amazon.awssdk.services.route53.model.TrafficPolicy;

/**
 * The project's corpus of Route 53 policy documents (the api module's test data) through the AWS SDK: every valid
 * one comes back byte for byte, with its record type; every invalid one is {@code InvalidTrafficPolicyDocument}
 * naming a JSON path.
 */
final class ApiDocumentsTest {
  private static final String DIR = "route53-policies/";
  private static ApiFixture api;
  private static Route53Client r53;

  @BeforeAll
  static void start() throws IOException {
    api = ApiFixture.inMemory();
    r53 = api.admin();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ApiDocumentsTest.class.getClassLoader().getResourceAsStream(DIR + name)) {
      assertThat(in).as(DIR + name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"01-start-endpoint-only", "02-failover-health", "04-geo-latency-failover",
      "05-multivalue-aaaa", "06-geoproximity-2015-bias", "08-cname-latency-weighted", "09-mx-geo-no-default"})
  void validDocument_roundTripsByteForByte(String name) throws IOException {
    String document = resource(name + ".json");
    TrafficPolicy created = r53.createTrafficPolicy(b -> b.name(name).document(document)).trafficPolicy();
    TrafficPolicy got = r53.getTrafficPolicy(b -> b.id(created.id()).version(1)).trafficPolicy();
    assertThat(got.document()).isEqualTo(document);
    assertThat(got.typeAsString()).isEqualTo(api.registry.getPolicy(created.id(), 1).type().toString());
    assertThat(r53.listTrafficPolicyVersions(b -> b.id(created.id())).trafficPolicies().get(0).document())
        .isEqualTo(document);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bias-out-of-range", "cname-with-elb-endpoint", "dangling-start-rule",
      "geo-continent-with-country", "latitude-three-decimals", "multivalue-rule-reference", "weight-out-of-range"})
  void invalidDocument_isInvalidTrafficPolicyDocument_withItsPath(String name) throws IOException {
    String document = resource("invalid/" + name + ".json");
    Route53Exception e = ApiFixture.refused(() -> r53.createTrafficPolicy(b -> b.name(name).document(document)));
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidTrafficPolicyDocument");
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorMessage()).containsPattern("\\s/[A-Za-z]");
    assertThat(api.registry.state().policyNamed(name)).isEmpty();
  }
}
