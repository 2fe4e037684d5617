package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.MultivalueAnswerRule;
import io.github.trafficpolicy.api.MultivalueEntry;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.engine.EvaluatorSettings.AllUnhealthy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class MultivalueTest {
  private static final String[] IDS = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};

  private static PolicyDocument items(int n) {
    List<MultivalueEntry> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(MultivalueEntry.of(IDS[i], "hc-" + IDS[i]));
    }
    return Fixtures.single(MultivalueAnswerRule.of(l));
  }

  private static HealthSnapshot down(String... ids) {
    HealthSnapshot.Builder b = HealthSnapshot.builder();
    for (String id : ids) {
      b.check("hc-" + id, HealthStatus.UNHEALTHY);
    }
    return b.build();
  }

  private static List<String> ids(Answer a) {
    List<String> out = new ArrayList<>();
    for (EndpointId e : a.endpoints()) {
      out.add(e.value());
    }
    return out;
  }

  private static Answer run(CompiledPolicy p, int client, HealthSnapshot h) {
    return p.evaluate(Query.builder(WeightedTest.client(client)).location(ClientLocation.UNKNOWN).health(h).build());
  }

  @Test
  void evaluate_eightOrFewerItemsAllHealthy_answersAllInOrder() {
    Answer a = run(Fixtures.compile(items(5)), 0, HealthSnapshot.empty());
    assertThat(ids(a)).containsExactly("a", "b", "c", "d", "e");
    assertThat(a.records()).extracting(r -> r.presentation())
        .containsExactly("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5");
    assertThat(a.ecsScope()).isZero();
  }

  @Test
  void evaluate_someUnhealthy_answersExactlyTheHealthy() {
    Answer a = run(Fixtures.compile(items(10)), 0, down("a", "b", "c", "d"));
    assertThat(ids(a)).containsExactly("e", "f", "g", "h", "i", "j");
    assertThat(a.ecsScope()).isZero();
  }

  @Test
  void evaluate_moreThanEightHealthy_answersADeterministicEightPerClient() {
    CompiledPolicy p = Fixtures.compile(items(10));
    Set<String> seen = new HashSet<>();
    Set<List<String>> combinations = new HashSet<>();
    for (int c = 0; c < 500; c++) {
      Answer a = run(p, c, HealthSnapshot.empty());
      assertThat(ids(a)).hasSize(8).doesNotHaveDuplicates();
      assertThat(run(Fixtures.compile(items(10)), c, HealthSnapshot.empty()).endpoints()).isEqualTo(a.endpoints());
      assertThat(a.ecsScope()).isEqualTo(24);
      seen.addAll(ids(a));
      combinations.add(ids(a));
    }
    assertThat(seen).hasSize(10);
    assertThat(combinations.size()).isGreaterThan(30);
  }

  @Test
  void evaluate_noneHealthy_failOpenAnswersEightOfAll() {
    Answer a = run(Fixtures.compile(items(10)), 3, down(IDS));
    assertThat(ids(a)).hasSize(8).doesNotHaveDuplicates();
  }

  @Test
  void evaluate_noneHealthy_failClosedAnswersNothing() {
    EvaluatorSettings closed = EvaluatorSettings.builder().allUnhealthy(AllUnhealthy.FAIL_CLOSED).build();
    assertThat(run(Fixtures.compile(items(4), closed), 3, down("a", "b", "c", "d")).outcome())
        .isEqualTo(Outcome.NO_DATA);
  }

  @Test
  void evaluate_maximumSetting_limitsTheAnswer() {
    EvaluatorSettings three = EvaluatorSettings.builder().multivalueMaximum(3).build();
    assertThat(ids(run(Fixtures.compile(items(6), three), 1, HealthSnapshot.empty()))).hasSize(3);
    assertThat(ids(run(Fixtures.compile(items(6), three), 1, down("a", "b", "c", "d"))))
        .containsExactly("e", "f");
  }

  @Test
  void evaluate_oneItemGoesDown_othersStayInTheClientsAnswer() {
    CompiledPolicy p = Fixtures.compile(items(10));
    for (int c = 0; c < 200; c++) {
      List<String> before = ids(run(p, c, HealthSnapshot.empty()));
      List<String> after = ids(run(p, c, down(before.get(0))));
      List<String> kept = new ArrayList<>(before.subList(1, before.size()));
      assertThat(after).containsAll(kept).hasSize(8);
    }
  }
}
