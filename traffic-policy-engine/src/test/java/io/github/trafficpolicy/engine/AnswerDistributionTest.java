package io.github.trafficpolicy.engine;

import static io.github.trafficpolicy.engine.Fixtures.endpoint;
import static io.github.trafficpolicy.engine.Fixtures.hc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.MultivalueAnswerRule;
import io.github.trafficpolicy.api.MultivalueEntry;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import io.github.trafficpolicy.testing.PolicyGenerator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class AnswerDistributionTest {

  private static WeightedEntry item(String target, int weight, boolean rule) {
    return new WeightedEntry(rule ? Target.rule(target) : Target.endpoint(target), weight, Optional.empty(),
        rule ? Optional.empty() : hc(target));
  }

  private static HealthSnapshot down(String... ids) {
    HealthSnapshot.Builder b = HealthSnapshot.builder();
    for (String id : ids) {
      b.check(id, HealthStatus.UNHEALTHY);
    }
    return b.build();
  }

  private static Map<String, Double> shares(CompiledPolicy p, HealthSnapshot h) {
    AnswerDistribution d = AnswerDistribution.of(p, Fixtures.query(h));
    Map<String, Double> out = new HashMap<>();
    d.endpointShares().forEach((e, s) -> out.put(e.value(), s));
    if (d.noDataProbability() > 0) {
      out.put("NODATA", d.noDataProbability());
    }
    return out;
  }

  /** Shares over many hashed client keys: what the exact distribution must agree with. */
  private static Map<String, Double> sampled(CompiledPolicy p, HealthSnapshot h, int clients) {
    Map<String, Double> out = new HashMap<>();
    for (int i = 0; i < clients; i++) {
      Answer a = p.evaluate(Query.builder(WeightedTest.client(i)).location(ClientLocation.UNKNOWN).health(h).build());
      for (EndpointId e : a.endpoints()) {
        out.merge(e.value(), 1.0 / clients / a.endpoints().size(), Double::sum);
      }
      if (a.endpoints().isEmpty()) {
        out.merge(endpoint(a), 1.0 / clients, Double::sum);
      }
    }
    return out;
  }

  @Test
  void weighted_sharesAreTheWeights() {
    CompiledPolicy p = Fixtures.compile(Fixtures.single(WeightedRule.of(item("a", 3, false), item("b", 1, false))));

    assertThat(shares(p, HealthSnapshot.empty())).containsOnlyKeys("a", "b")
        .hasEntrySatisfying("a", v -> assertThat(v).isCloseTo(0.75, within(1e-12)))
        .hasEntrySatisfying("b", v -> assertThat(v).isCloseTo(0.25, within(1e-12)));
  }

  @Test
  void weighted_unhealthyEntriesShareOutInProportionToTheRest() {
    PolicyDocument d = Fixtures.single(WeightedRule.of(item("a", 2, false), item("b", 1, false),
        item("c", 1, false), item("d", 0, false)));
    CompiledPolicy p = Fixtures.compile(d);

    Map<String, Double> aDown = shares(p, down("a"));
    assertThat(aDown.get("b")).isCloseTo(0.5, within(1e-12));
    assertThat(aDown.get("c")).isCloseTo(0.5, within(1e-12));
    assertThat(shares(p, down("a", "b", "c"))).containsOnlyKeys("d");
    // Nothing healthy: fail open by weight alone (the zero-weight standby last).
    Map<String, Double> allDown = shares(p, down("a", "b", "c", "d"));
    assertThat(allDown.get("a")).isCloseTo(0.5, within(1e-12));
    assertThat(allDown).doesNotContainKey("d");
  }

  @Test
  void weighted_nestedRulesMultiply() {
    PolicyDocument d = Fixtures.doc()
        .rule("inner", WeightedRule.of(item("a", 1, false), item("b", 3, false)))
        .rule("root", WeightedRule.of(item("inner", 1, true), item("c", 1, false)))
        .startRule("root").build();
    CompiledPolicy p = Fixtures.compile(d);

    Map<String, Double> s = shares(p, HealthSnapshot.empty());
    assertThat(s.get("a")).isCloseTo(0.125, within(1e-12));
    assertThat(s.get("b")).isCloseTo(0.375, within(1e-12));
    assertThat(s.get("c")).isCloseTo(0.5, within(1e-12));
    // The inner rule with nothing healthy has no healthy record: the root sends everyone to c.
    assertThat(shares(p, down("a", "b"))).containsOnlyKeys("c");
  }

  @Test
  void weighted_exactSharesAgreeWithHashedClients() {
    PolicyDocument d = Fixtures.doc()
        .rule("inner", WeightedRule.of(item("a", 5, false), item("b", 2, false), item("e", 0, false)))
        .rule("root", WeightedRule.of(item("inner", 3, true), item("c", 1, false), item("f", 2, false)))
        .startRule("root").build();
    CompiledPolicy p = Fixtures.compile(d);
    for (HealthSnapshot h : List.of(HealthSnapshot.empty(), down("a"), down("c"), down("a", "b"))) {
      Map<String, Double> exact = shares(p, h);
      Map<String, Double> sampled = sampled(p, h, 60_000);
      assertThat(exact.keySet()).as("%s", h).isEqualTo(sampled.keySet());
      exact.forEach((e, s) -> assertThat(sampled.get(e)).as("%s under %s", e, h).isCloseTo(s, within(0.012)));
      assertThat(exact.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1, within(1e-12));
    }
  }

  /** The answers of a distribution in words, for comparing two. */
  private static List<String> described(AnswerDistribution d) {
    List<String> out = new ArrayList<>();
    for (AnswerDistribution.Share s : d.shares()) {
      out.add(PolicyEvaluatorProperties.describe(s.answer()) + " @ " + String.format("%.12f", s.probability()));
    }
    return out;
  }

  @Test
  void healthInputs_aStatusOutsideThemNeverChangesTheDistribution() {
    SplittableRandom seeds = new SplittableRandom(0x5EED_2026L + 18);
    int outside = 0;
    for (int t = 0; t < 400; t++) {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      PolicyGenerator g = new PolicyGenerator(r);
      PolicyDocument d = g.document();
      CompiledPolicy p = Fixtures.compile(d);
      List<String> inputs = new ArrayList<>();
      d.rules().values().forEach(rule -> rule.entries().forEach(e -> e.healthCheck()
          .ifPresent(h -> inputs.add("check:" + h.value()))));
      d.endpoints().forEach((id, e) -> inputs.add("target:" + id.value()));
      for (int q = 0; q < 6; q++) {
        HealthSnapshot health = PolicyEvaluatorProperties.randomHealth(g, d, r);
        Query query = PolicyEvaluatorProperties.randomQuery(r, health, false);
        AnswerDistribution before = AnswerDistribution.of(p, query);
        assertThat(before.shares().stream().mapToDouble(AnswerDistribution.Share::probability).sum())
            .as("seed %s", seed).isCloseTo(1, within(1e-9));
        for (String input : inputs) {
          String id = input.substring(input.indexOf(':') + 1);
          HealthSnapshot.Builder flipped = health.toBuilder();
          if (input.startsWith("check:")) {
            flipped.check(id, health.check(HealthCheckId.of(id)) == HealthStatus.UNHEALTHY
                ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY);
          } else {
            flipped.target(id, health.target(EndpointId.of(id)) == HealthStatus.UNHEALTHY
                ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY);
          }
          AnswerDistribution after = AnswerDistribution.of(p, new Query(query.client(), query.location(),
              query.latency(), Optional.of(flipped.build()), false));
          if (!before.healthInputs().contains(input)) {
            outside++;
            assertThat(described(after)).as("seed %s, %s flipped outside %s, query %s, document %s", seed, input,
                before.healthInputs(), query, d.rules()).isEqualTo(described(before));
          }
        }
      }
    }
    assertThat(outside).as("flips outside the inputs (the property is exercised)").isGreaterThan(1000);
  }

  @Test
  void multivalue_eachPoolItemGetsAnEqualShare() {
    List<MultivalueEntry> items = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String e = String.valueOf((char) ('a' + i));
      items.add(MultivalueEntry.of(e, e));
    }
    CompiledPolicy p = Fixtures.compile(Fixtures.single(MultivalueAnswerRule.of(items)));

    Map<String, Double> all = shares(p, HealthSnapshot.empty());
    assertThat(all).hasSize(10);
    all.values().forEach(v -> assertThat(v).isCloseTo(0.1, within(1e-12)));
    Map<String, Double> twoDown = shares(p, down("a", "b"));
    assertThat(twoDown).hasSize(8).doesNotContainKeys("a", "b");
    twoDown.values().forEach(v -> assertThat(v).isCloseTo(0.125, within(1e-12)));
    // Ten items above the maximum of eight: hashed subsets agree on average.
    Map<String, Double> sampled = sampled(p, HealthSnapshot.empty(), 20_000);
    sampled.values().forEach(v -> assertThat(v).isCloseTo(0.1, within(0.01)));
  }

  @Test
  void of_tracesEachAnswerAndEvaluatesOtherImplementationsOnce() {
    CompiledPolicy p = Fixtures.compile(Fixtures.single(WeightedRule.of(item("a", 1, false), item("b", 1, false))));
    AnswerDistribution d = AnswerDistribution.of(p,
        Query.builder(Fixtures.CLIENT).location(ClientLocation.UNKNOWN).trace(true).build());
    assertThat(d.shares()).hasSize(2).allSatisfy(s -> assertThat(String.join("\n", s.answer().trace().lines()))
        .contains("-> endpoint " + s.answer().endpoints().get(0)));

    CompiledPolicy other = new CompiledPolicy() {
      @Override
      public PolicyDocument document() {
        return p.document();
      }

      @Override
      public PolicyBinding binding() {
        return p.binding();
      }

      @Override
      public Answer evaluate(Query query) {
        return p.evaluate(query);
      }
    };
    assertThat(AnswerDistribution.of(other, Fixtures.query(HealthSnapshot.empty())).shares()).hasSize(1);
  }
}
