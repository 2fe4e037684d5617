package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.testing.PolicyGenerator;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The memos — client-independent group health per snapshot ({@link HealthView#groupHealthy}), orders reused per
 * location instance ({@link Evaluation#order}) — against evaluation without them, on generated policies, settings,
 * health snapshots and queries (seeded; a failure names the seed and the case). Queries share a small set of location
 * instances, so one scratch sees the same location again with other clients, prefixes, latency data and health.
 * Also each query evaluated repeatedly (the kept first pick of a reused order must leave the rule exactly where a
 * fresh pick would, so moving on from an unusable first pick finds the same next entry).
 */
final class EvaluationMemoTest {
  /** One generated policy (from {@code seed}) compiled twice, with and without the memos. */
  private record Case(long seed, SplittableRandom random, PolicyGenerator generator, PolicyDocument document,
      EvaluatorSettings settings, CompiledPolicyImpl memo, CompiledPolicyImpl plain) {
    static Case draw(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      PolicyGenerator g = new PolicyGenerator(r);
      PolicyDocument d = g.document();
      EvaluatorSettings settings = randomSettings(r);
      PolicyEvaluator evaluator = PolicyEvaluator.builder().settings(settings).build();
      PolicyBinding binding = PolicyBinding.standalone("www.example.com");
      return new Case(seed, r, g, d, settings, new CompiledPolicyImpl(d, binding, evaluator, true),
          new CompiledPolicyImpl(d, binding, evaluator, false));
    }
  }

  @Test
  void evaluate_memoized_sameAnswersTracesAndGroupHealthAsWithoutMemos() {
    SplittableRandom seeds = new SplittableRandom(0x5EED_2026L + 7);
    for (int t = 0; t < 300; t++) {
      Case c = Case.draw(seeds.nextLong());
      SplittableRandom r = c.random();
      PolicyDocument d = c.document();
      for (int h = 0; h < 3; h++) {
        HealthSnapshot health = PolicyEvaluatorProperties.randomHealth(c.generator(), d, r);
        for (int q = 0; q < 8; q++) {
          Query query = PolicyEvaluatorProperties.randomQuery(r, health, q % 2 == 0);
          Answer a = c.memo().evaluate(query);
          Answer b = c.plain().evaluate(query);
          assertThat(PolicyEvaluatorProperties.describe(a))
              .as("seed %s, settings %s, query %s, document %s", c.seed(), c.settings(), query, d.rules())
              .isEqualTo(PolicyEvaluatorProperties.describe(b));
          assertThat(a.trace().toString()).as("seed %s, query %s", c.seed(), query)
              .isEqualTo(b.trace().toString());
          boolean[][] memoGroups = c.memo().groupHealth(query);
          boolean[][] plainGroups = c.plain().groupHealth(query);
          for (int k = 0; k < 2; k++) {
            assertThat(memoGroups[k]).as("seed %s, %s, query %s, document %s", c.seed(),
                k == 0 ? "group has a healthy record" : "group has data", query, d.rules())
                .containsExactly(plainGroups[k]);
          }
        }
      }
    }
  }

  @Test
  void evaluate_sameQueryRepeatedAndQueriesSharingOneLocation_sameAnswersAsWithoutMemos() {
    SplittableRandom seeds = new SplittableRandom(0x5EED_2026L + 11);
    for (int t = 0; t < 300; t++) {
      Case c = Case.draw(seeds.nextLong());
      SplittableRandom r = c.random();
      PolicyDocument d = c.document();
      // One location instance for every query of the policy: each query after the first reuses the orders (and first
      // picks) cached by the earlier ones, under its own client subnet, latency data and health snapshot.
      HealthSnapshot firstHealth = PolicyEvaluatorProperties.randomHealth(c.generator(), d, r);
      Optional<ClientLocation> shared = PolicyEvaluatorProperties.randomQuery(r, firstHealth, false).location();
      for (int q = 0; q < 12; q++) {
        HealthSnapshot health = q == 0 ? firstHealth : PolicyEvaluatorProperties.randomHealth(c.generator(), d, r);
        Query drawn = PolicyEvaluatorProperties.randomQuery(r, health, r.nextInt(4) == 0);
        Query query = new Query(drawn.client(), shared, drawn.latency(), drawn.health(), drawn.trace());
        Answer expected = c.plain().evaluate(query);
        for (int again = 0; again < 3; again++) {
          Answer a = c.memo().evaluate(query);
          assertThat(PolicyEvaluatorProperties.describe(a))
              .as("seed %s, query %d evaluated %d times, settings %s, query %s, document %s", c.seed(), q, again + 1,
                  c.settings(), query, d.rules())
              .isEqualTo(PolicyEvaluatorProperties.describe(expected));
          assertThat(a.trace().toString()).as("seed %s, query %s", c.seed(), query)
              .isEqualTo(expected.trace().toString());
          // The same query untraced right after (a traced one picks afresh; an untraced one uses the kept pick).
          Query flipped = new Query(query.client(), query.location(), query.latency(), query.health(), !query.trace());
          assertThat(PolicyEvaluatorProperties.describe(c.memo().evaluate(flipped)))
              .as("seed %s, query %d flipped to trace=%s, query %s, document %s", c.seed(), q, flipped.trace(), query,
                  d.rules())
              .isEqualTo(PolicyEvaluatorProperties.describe(expected));
        }
      }
    }
  }

  private static EvaluatorSettings randomSettings(SplittableRandom r) {
    EvaluatorSettings.UnknownLocation[] unknown = EvaluatorSettings.UnknownLocation.values();
    return EvaluatorSettings.builder()
        .evaluateTargetHealthDefault(r.nextBoolean())
        .allUnhealthy(r.nextBoolean() ? EvaluatorSettings.AllUnhealthy.FAIL_OPEN
            : EvaluatorSettings.AllUnhealthy.FAIL_CLOSED)
        .unknownHealth(r.nextBoolean() ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY)
        .unknownLatencyLocation(unknown[r.nextInt(unknown.length)])
        .unknownGeoproximityLocation(unknown[r.nextInt(unknown.length)])
        .build();
  }
}
