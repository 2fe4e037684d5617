package io.github.trafficpolicy.engine;

import static io.github.trafficpolicy.engine.Fixtures.endpoint;
import static io.github.trafficpolicy.engine.Fixtures.hc;
import static io.github.trafficpolicy.engine.Fixtures.query;
import static io.github.trafficpolicy.engine.Fixtures.up;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.engine.EvaluatorSettings.AllUnhealthy;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class FailoverTest {

  private static final PolicyDocument CHECKED = Fixtures.single(new FailoverRule(
      new FailoverEntry(Target.endpoint("a"), Optional.of(false), hc("p")),
      new FailoverEntry(Target.endpoint("b"), Optional.of(false), hc("s"))));

  @ParameterizedTest(name = "primary {0}, secondary {1} -> {2} (fail open), {3} (fail closed)")
  @CsvSource({
      "true,  true,  a, a",
      "true,  false, a, a",
      "false, true,  b, b",
      "false, false, a, NODATA"})
  void evaluate_truthTable(boolean primary, boolean secondary, String failOpen, String failClosed) {
    HealthSnapshot h = Fixtures.health(Map.of("p", up(primary), "s", up(secondary)));
    assertThat(endpoint(Fixtures.compile(CHECKED).evaluate(query(h)))).isEqualTo(failOpen);
    EvaluatorSettings closed = EvaluatorSettings.builder().allUnhealthy(AllUnhealthy.FAIL_CLOSED).build();
    assertThat(endpoint(Fixtures.compile(CHECKED, closed).evaluate(query(h)))).isEqualTo(failClosed);
  }

  @Test
  void evaluate_secondaryWithoutCheck_returnedWheneverPrimaryIsDown() {
    PolicyDocument d = Fixtures.single(new FailoverRule(
        new FailoverEntry(Target.endpoint("a"), Optional.empty(), hc("p")), FailoverEntry.of(Target.endpoint("b"))));
    assertThat(endpoint(Fixtures.compile(d).evaluate(query(Fixtures.health(Map.of("p", HealthStatus.UNHEALTHY))))))
        .isEqualTo("b");
  }

  @Test
  void evaluate_unknownCheckStatus_followsSetting() {
    HealthSnapshot h = HealthSnapshot.empty();
    assertThat(endpoint(Fixtures.compile(CHECKED).evaluate(query(h)))).isEqualTo("a");
    EvaluatorSettings pessimistic = EvaluatorSettings.builder().unknownHealth(HealthStatus.UNHEALTHY).build();
    HealthSnapshot secondaryUp = Fixtures.health(Map.of("s", HealthStatus.HEALTHY));
    assertThat(endpoint(Fixtures.compile(CHECKED, pessimistic).evaluate(query(secondaryUp)))).isEqualTo("b");
  }

  @Test
  void evaluate_healthFromEvaluatorSupplier_whenQueryHasNone() {
    HealthRegistry registry = new HealthRegistry();
    CompiledPolicy p = PolicyEvaluator.builder().health(registry).build().compile(CHECKED, "www.example.com");
    Query q = Query.builder(Fixtures.CLIENT).location(ClientLocation.UNKNOWN).build();
    assertThat(endpoint(p.evaluate(q))).isEqualTo("a");
    registry.setCheck("p", HealthStatus.UNHEALTHY);
    assertThat(endpoint(p.evaluate(q))).isEqualTo("b");
    registry.setCheck("p", HealthStatus.HEALTHY);
    assertThat(endpoint(p.evaluate(q))).isEqualTo("a");
  }

  @Test
  void evaluate_answer_carriesRecordDataTtlAndBinding() {
    PolicyBinding binding = new PolicyBinding("pol-1", 3, "www.example.com", 300);
    Answer a = PolicyEvaluator.builder().build().compile(CHECKED, binding).evaluate(query(HealthSnapshot.empty()));
    assertThat(a.outcome()).isEqualTo(Outcome.ANSWER);
    assertThat(a.records()).extracting(r -> r.presentation()).containsExactly("192.0.2.1");
    assertThat(a.ttl()).isEqualTo(300);
    assertThat(a.policyId()).isEqualTo("pol-1");
    assertThat(a.policyVersion()).isEqualTo(3);
    assertThat(a.ecsScope()).isZero();
    assertThat(a.trace().steps()).isEmpty();
  }
}
