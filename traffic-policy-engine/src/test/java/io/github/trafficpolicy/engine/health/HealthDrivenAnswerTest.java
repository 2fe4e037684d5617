package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.Query;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The library end to end: checks defined in code feed a {@link HealthRegistry} that a {@link PolicyEvaluator} reads,
 * so a failover policy's answer follows a real endpoint going down and coming back, after exactly the threshold.
 */
final class HealthDrivenAnswerTest {
  private static final Query QUERY = Query.of(ClientSubnet.parse("198.51.100.0/24"));

  private static CompiledPolicy failover(HealthRegistry registry, String primaryCheck) {
    PolicyDocument document = PolicyDocument.builder().recordType(RecordType.A)
        .endpoint("primary", Endpoint.value("192.0.2.1"))
        .endpoint("secondary", Endpoint.value("192.0.2.2"))
        .rule("site", new FailoverRule(
            new FailoverEntry(Target.endpoint("primary"), Optional.of(false),
                Optional.of(HealthCheckId.of(primaryCheck))),
            FailoverEntry.of(Target.endpoint("secondary"))))
        .startRule("site")
        .build();
    return PolicyEvaluator.builder().health(registry).build().compile(document, "www.example.com");
  }

  private static String answer(CompiledPolicy policy) {
    Answer a = policy.evaluate(QUERY);
    return a.endpoints().get(0).value();
  }

  private static void round(HealthChecker checker) throws Exception {
    checker.runOnce().get(30, TimeUnit.SECONDS);
  }

  @Test
  void evaluate_primaryEndpointGoesDownAndRecovers_answerFollowsAfterExactlyTheThreshold() throws Exception {
    HealthRegistry registry = new HealthRegistry();
    CompiledPolicy policy = failover(registry, "web-primary");
    try (TestHttpServer server = TestHttpServer.http();
        HealthChecker checker = HealthChecker.builder(registry)
            .check(EndpointHealthCheck.builder("web-primary", HealthCheckType.HTTP).target("127.0.0.1")
                .port(server.port()).resourcePath("/health").failureThreshold(3)
                .responseTimeout(Duration.ofSeconds(5)).build())
            .build()) {
      assertThat(answer(policy)).as("unknown counts as healthy by default").isEqualTo("primary");
      round(checker);
      assertThat(answer(policy)).isEqualTo("primary");

      server.status.set(503);
      round(checker);
      assertThat(answer(policy)).as("1 failure").isEqualTo("primary");
      round(checker);
      assertThat(answer(policy)).as("2 failures").isEqualTo("primary");
      round(checker);
      assertThat(answer(policy)).as("3 failures").isEqualTo("secondary");

      server.status.set(200);
      round(checker);
      round(checker);
      assertThat(answer(policy)).as("2 successes").isEqualTo("secondary");
      round(checker);
      assertThat(answer(policy)).as("3 successes").isEqualTo("primary");
    }
  }

  @Test
  void evaluate_calculatedCheckOverTwoServers_answerFollowsTheCalculation() throws Exception {
    HealthRegistry registry = new HealthRegistry();
    CompiledPolicy policy = failover(registry, "pool");
    try (TestHttpServer a = TestHttpServer.http();
        TestHttpServer b = TestHttpServer.http();
        HealthChecker checker = HealthChecker.builder(registry)
            .check(EndpointHealthCheck.builder("a", HealthCheckType.HTTP).target("127.0.0.1").port(a.port())
                .failureThreshold(1).build())
            .check(EndpointHealthCheck.builder("b", HealthCheckType.HTTP).target("127.0.0.1").port(b.port())
                .failureThreshold(1).build())
            .check(CalculatedHealthCheck.of("pool", 1, List.of("a", "b")))
            .build()) {
      round(checker);
      assertThat(answer(policy)).isEqualTo("primary");
      a.status.set(500);
      round(checker);
      assertThat(answer(policy)).as("one of two still up").isEqualTo("primary");
      b.status.set(500);
      round(checker);
      assertThat(answer(policy)).as("none up").isEqualTo("secondary");
      b.status.set(200);
      round(checker);
      assertThat(answer(policy)).isEqualTo("primary");
    }
  }
}
