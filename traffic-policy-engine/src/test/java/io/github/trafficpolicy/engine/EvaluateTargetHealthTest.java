package io.github.trafficpolicy.engine;

import static io.github.trafficpolicy.engine.Fixtures.endpoint;
import static io.github.trafficpolicy.engine.Fixtures.hc;
import static io.github.trafficpolicy.engine.Fixtures.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Target;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code EvaluateTargetHealth} on rule references and on alias endpoints: true, false and omitted. */
final class EvaluateTargetHealthTest {

  private static Optional<Boolean> eth(String written) {
    return written.equals("omitted") ? Optional.empty() : Optional.of(Boolean.parseBoolean(written));
  }

  /** Parent failover: Primary → rule inner (failover c/d, both checked), Secondary → b. */
  private static PolicyDocument nested(String eth) {
    return Fixtures.doc()
        .rule("inner", new FailoverRule(new FailoverEntry(Target.endpoint("c"), Optional.empty(), hc("c")),
            new FailoverEntry(Target.endpoint("d"), Optional.empty(), hc("d"))))
        .rule("root", new FailoverRule(new FailoverEntry(Target.rule("inner"), eth(eth), Optional.empty()),
            FailoverEntry.of(Target.endpoint("b"))))
        .startRule("root").build();
  }

  @ParameterizedTest(name = "ETH {0}, default {1}, inner c={2} d={3} -> {4}")
  @CsvSource({
      "true,    true,  true,  true,  c",
      "true,    true,  false, true,  d",
      "true,    true,  false, false, b",
      "false,   true,  false, false, c",
      "false,   true,  false, true,  d",
      "omitted, true,  false, false, b",
      "omitted, false, false, false, c",
      "true,    false, false, false, b"})
  void evaluate_ruleReference(String eth, boolean defaultEth, boolean c, boolean d, String expected) {
    EvaluatorSettings s = EvaluatorSettings.builder().evaluateTargetHealthDefault(defaultEth).build();
    HealthSnapshot h = Fixtures.health(Map.of("c", Fixtures.up(c), "d", Fixtures.up(d)));
    assertThat(endpoint(Fixtures.compile(nested(eth), s).evaluate(query(h)))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "ETH {0}, default {1}, target {2}, unknown counts {3} -> {4}")
  @CsvSource({
      "true,    true,  HEALTHY,   HEALTHY,   elb1",
      "true,    true,  UNHEALTHY, HEALTHY,   elb2",
      "false,   true,  UNHEALTHY, HEALTHY,   elb1",
      "omitted, true,  UNHEALTHY, HEALTHY,   elb2",
      "omitted, false, UNHEALTHY, HEALTHY,   elb1",
      "true,    true,  UNKNOWN,   HEALTHY,   elb1",
      "true,    true,  UNKNOWN,   UNHEALTHY, elb2"})
  void evaluate_aliasEndpoint(String eth, boolean defaultEth, HealthStatus target, HealthStatus unknown,
      String expected) {
    PolicyDocument d = Fixtures.docWithAliases()
        .rule("root", new FailoverRule(new FailoverEntry(Target.endpoint("elb1"), eth(eth), Optional.empty()),
            new FailoverEntry(Target.endpoint("elb2"), Optional.of(false), Optional.empty())))
        .startRule("root").build();
    EvaluatorSettings s =
        EvaluatorSettings.builder().evaluateTargetHealthDefault(defaultEth).unknownHealth(unknown).build();
    HealthSnapshot h = target == HealthStatus.UNKNOWN ? HealthSnapshot.empty()
        : HealthSnapshot.builder().target("elb1", target).build();
    assertThat(endpoint(Fixtures.compile(d, s).evaluate(query(h)))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "ETH true on value endpoint ignores target health ({0})")
  @CsvSource({"HEALTHY", "UNHEALTHY"})
  void evaluate_valueEndpoint_hasNoTargetHealth(HealthStatus status) {
    PolicyDocument d = Fixtures.single(new FailoverRule(
        new FailoverEntry(Target.endpoint("a"), Optional.of(true), Optional.empty()),
        FailoverEntry.of(Target.endpoint("b"))));
    HealthSnapshot h = HealthSnapshot.builder().target("a", status).build();
    assertThat(endpoint(Fixtures.compile(d).evaluate(query(h)))).isEqualTo("a");
  }

  @ParameterizedTest(name = "fail closed, ETH {0}, inner all down -> {1}")
  @CsvSource({"true, b", "false, b"})
  void evaluate_failClosedBranch_parentMovesOn(String eth, String expected) {
    EvaluatorSettings s = EvaluatorSettings.builder()
        .allUnhealthy(EvaluatorSettings.AllUnhealthy.FAIL_CLOSED).build();
    HealthSnapshot h = Fixtures.health(Map.of("c", HealthStatus.UNHEALTHY, "d", HealthStatus.UNHEALTHY));
    assertThat(endpoint(Fixtures.compile(nested(eth), s).evaluate(query(h)))).isEqualTo(expected);
  }
}
