package io.github.trafficpolicy.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class PolicyTestRunnerTest {
  private static final String POLICY = """
      {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "split",
       "Endpoints": {"a": {"Type": "value", "Value": "192.0.2.1"}, "b": {"Type": "value", "Value": "192.0.2.2"}},
       "Rules": {"split": {"RuleType": "weighted", "Items": [
          {"EndpointReference": "a", "Weight": "3", "HealthCheck": "hc-a"},
          {"EndpointReference": "b", "Weight": "1"}]}}}
      """;

  private static PolicyTestFile file(String cases) {
    String text = "{\"policy\": \"p.json\", \"policyRecordName\": \"www.example.com\", \"cases\": [" + cases + "]}";
    return PolicyTestFile.parse("t.expect.json", text, Map.of("p.json", POLICY)::get);
  }

  @Test
  void run_passingAndFailingCases_reportsExpectedActualAndTrace() {
    PolicyTestFile f = file("""
        {"id": "shares", "client": {}, "expect": {"endpointDistribution": {"a": 0.75, "b": 0.25}}},
        {"id": "a-down", "client": {}, "healthChecks": {"hc-a": "UNHEALTHY"},
         "expect": {"endpoint": "b", "answer": ["192.0.2.2"]}},
        {"id": "wrong", "client": {}, "healthChecks": {"hc-a": "UNHEALTHY"}, "expect": {"endpoint": "a"}},
        {"id": "wrong-shares", "client": {}, "expect": {"endpointDistribution": {"a": 0.5, "b": 0.5}}}
        """);
    PolicyTestRunner.FileResult r = PolicyTestRunner.withDefaults().run(f);
    assertThat(r.cases()).extracting(PolicyTestRunner.CaseResult::passed).containsExactly(true, true, false, false);
    assertThat(r.passed()).isEqualTo(2);
    PolicyTestRunner.CaseResult wrong = r.cases().get(2);
    assertThat(wrong.expected()).isEqualTo("NOERROR endpoint a");
    assertThat(wrong.actual()).isEqualTo("endpoint b [192.0.2.2]");
    assertThat(wrong.trace()).contains("skip weight 3 -> endpoint a: health check hc-a UNHEALTHY");
    assertThat(wrong.toString()).startsWith("FAIL t.expect.json#wrong").contains("expected: NOERROR endpoint a")
        .contains("actual:   endpoint b").contains("trace:");
    assertThat(r.cases().get(3).failures()).anyMatch(s -> s.startsWith("share of a is 0.7"));
    assertThat(r.toString()).endsWith("t.expect.json: 2 passed, 2 failed");
  }

  @Test
  void run_distribution_usesAtLeastTenThousandClients() {
    assertThat(PolicyTestRunner.withDefaults().distributionClients()).isGreaterThanOrEqualTo(10_000);
    assertThatThrownBy(() -> PolicyTestRunner.withDefaults().withDistributionClients(9_999))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void run_caseHealth_overridesTheEvaluatorsHealth() {
    PolicyTestFile f = file("""
        {"id": "unlisted-is-healthy", "client": {}, "expect": {"endpointDistribution": {"a": 0.75, "b": 0.25}}}
        """);
    HealthRegistry registry = new HealthRegistry();
    registry.setCheck("hc-a", HealthStatus.UNHEALTHY);
    PolicyEvaluator evaluator = PolicyEvaluator.builder().health(registry).build();
    assertThat(PolicyTestRunner.using(evaluator).run(f).failed()).isZero();
  }

  @Test
  void parse_badFile_namesTheJsonPath() {
    assertThatThrownBy(() -> file("{\"id\": \"x\", \"expect\": {\"endpoint\": \"a\", \"noAnswer\": true}}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/cases/0/expect")
        .hasMessageContaining("exactly one");
    assertThatThrownBy(() -> file("{\"id\": \"x\", \"healthChecks\": {\"hc-a\": \"DOWN\"}, \"expect\": {\"endpoint\": \"a\"}}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/cases/0/healthChecks/hc-a");
    assertThatThrownBy(() -> PolicyTestFile.parse("t", "{\"policy\": \"p.json\", \"cases\": []}",
        name -> "{\"AWSPolicyFormatVersion\": \"2015-10-01\"}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/policy");
    assertThatThrownBy(() -> PolicyTestFile.parse("t", "not json", name -> POLICY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON (line 1, column 4)");
  }
}
