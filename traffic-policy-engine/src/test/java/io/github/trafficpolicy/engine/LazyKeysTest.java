package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.GeoproximityRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import io.github.trafficpolicy.engine.EvaluatorSettings.BiasFormula;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Pending (lazily computed) keys of geoproximity and weighted rules give exactly the eager order: the same entries in
 * the same sequence with bit-identical keys (bounds always below, upper bounds above the exact key), over seeded random rules with near ties (neighbouring locations,
 * repeated biases) and ties (equal weights, zero weights).
 */
final class LazyKeysTest {
  private static final long SEED = 20261126L;
  private static final int CASES = 400;

  @Test
  void geoproximity_pendingKeys_giveTheEagerOrder() {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int c = 0; c < CASES; c++) {
      int n = random.nextInt(1, 13);
      double[][] places = new double[3][];
      for (int p = 0; p < places.length; p++) {
        places[p] = new double[] {random.nextDouble(-89, 89), random.nextDouble(-179, 179)};
      }
      List<GeoproximityEntry> entries = new ArrayList<>();
      StringBuilder what = new StringBuilder();
      for (int i = 0; i < n; i++) {
        // Some entries sit next to each other (near ties, a document allows no duplicate location) or at the
        // client, biases repeat.
        double[] shared = places[random.nextInt(places.length)];
        double[] at = random.nextInt(3) == 0 ? new double[] {shared[0] + i * 0.01, shared[1]}
            : new double[] {random.nextDouble(-89, 89), random.nextDouble(-179, 179)};
        int bias = random.nextInt(3) == 0 ? 0 : random.nextInt(-99, 100);
        String lat = String.format(java.util.Locale.ROOT, "%.2f", at[0]);
        String lon = String.format(java.util.Locale.ROOT, "%.2f", at[1]);
        entries.add(new GeoproximityEntry(Target.endpoint("e" + i),
            GeoproximityLocation.Coordinate.of(lat, lon), bias, Optional.empty(), Optional.<HealthCheckId>empty()));
        what.append(' ').append(lat).append(',').append(lon).append('/').append(bias);
      }
      BiasFormula formula = random.nextBoolean() ? BiasFormula.ROUTE53 : BiasFormula.LINEAR;
      double[] client = random.nextInt(4) == 0 ? places[0]
          : new double[] {random.nextDouble(-90, 90), random.nextDouble(-180, 180)};
      CompiledPolicyImpl policy = compile(document(n, GeoproximityRule.of(entries)),
          EvaluatorSettings.builder().bias(formula).build());
      Query query = Query.builder(ClientSubnet.parse("192.0.2.0/24"))
          .location(ClientLocation.of("NA", "US", null, new Coordinates(client[0], client[1]))).build();
      assertSameOrder(policy, query, "seed " + SEED + " case " + c + " " + formula + " client " + client[0] + ","
          + client[1] + " entries" + what);
    }
  }

  @Test
  void weighted_pendingKeys_giveTheEagerOrder() {
    SplittableRandom random = new SplittableRandom(SEED + 1);
    for (int c = 0; c < CASES; c++) {
      int n = random.nextInt(1, 13);
      List<WeightedEntry> entries = new ArrayList<>();
      StringBuilder what = new StringBuilder();
      for (int i = 0; i < n; i++) {
        int weight = random.nextInt(3) == 0 ? 0 : random.nextInt(3) == 0 ? 10 : random.nextInt(1, 256);
        entries.add(WeightedEntry.of(weight, Target.endpoint("e" + i)));
        what.append(' ').append(weight);
      }
      String subnet = random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + ".0/24";
      CompiledPolicyImpl policy = compile(document(n, WeightedRule.of(entries)), EvaluatorSettings.defaults());
      Query query = Query.of(ClientSubnet.parse(subnet));
      assertSameOrder(policy, query, "seed " + (SEED + 1) + " case " + c + " client " + subnet + " weights" + what);
    }
  }

  /** Walks the full (tier, key, index) order eagerly and with pending keys and compares the two. */
  private static void assertSameOrder(CompiledPolicyImpl policy, Query query, String what) {
    CompiledRule rule = policy.rules[0];
    assertThat(rule.lazyKeys()).as(what).isEqualTo(rule.n > 1 || rule instanceof CompiledRule.Geoproximity);
    Evaluation ev = new Evaluation(policy);
    ev.begin(query, new HealthView(HealthSnapshot.empty(), new HealthCheckId[0], new EndpointId[0],
        HealthStatus.HEALTHY));
    double[] eagerKeys = new double[rule.n];
    int[] eagerTiers = new int[rule.n];
    int eagerCount = rule.order(ev, eagerKeys, eagerTiers);
    Evaluation.Level level = new Evaluation.Level(rule.n);
    double[] keys = level.keys;
    int[] tiers = level.tiers;
    boolean[] pending = level.pending;
    double[] input = level.input;
    int count = rule.order(ev, keys, tiers, pending, input);
    assertThat(count).as(what).isEqualTo(eagerCount);
    assertThat(tiers).as(what).isEqualTo(eagerTiers);
    List<String> eager = new ArrayList<>();
    List<String> lazy = new ArrayList<>();
    int pt = Integer.MIN_VALUE;
    double pk = Double.NEGATIVE_INFINITY;
    int pi = -1;
    int i;
    while ((i = rule.next(eagerKeys, eagerTiers, pt, pk, pi)) >= 0) {
      eager.add(i + ":" + eagerTiers[i] + ":" + eagerKeys[i]);
      pt = eagerTiers[i];
      pk = eagerKeys[i];
      pi = i;
    }
    for (int j = 0; j < rule.n; j++) {
      assertThat(!pending[j] || keys[j] <= rule.exactKey(ev, j, input[j])).as(what + " bound of " + j).isTrue();
    }
    pt = Integer.MIN_VALUE;
    pi = -1;
    while ((i = rule.nextExact(ev, level, pt, pi)) >= 0) {
      // A pick certain to come first may keep its bound; its key is what an exact computation gives.
      assertThat(!pending[i] || rule.upperKey(ev, i, input[i]) >= rule.exactKey(ev, i, input[i])).as(what).isTrue();
      lazy.add(i + ":" + tiers[i] + ":" + (pending[i] ? rule.exactKey(ev, i, input[i]) : keys[i]));
      pt = tiers[i];
      pi = i;
    }
    ev.end();
    assertThat(lazy).as(what).isEqualTo(eager).hasSize(eagerCount);
  }

  private static PolicyDocument document(int endpoints, io.github.trafficpolicy.api.Rule rule) {
    PolicyDocument.Builder doc = PolicyDocument.builder().formatVersion(FormatVersion.V2015_10_01)
        .recordType(RecordType.A).startRule("r");
    for (int e = 0; e < endpoints; e++) {
      doc.endpoint("e" + e, Endpoint.value("198.18.0." + e));
    }
    return doc.rule("r", rule).build();
  }

  private static CompiledPolicyImpl compile(PolicyDocument document, EvaluatorSettings settings) {
    return (CompiledPolicyImpl) PolicyEvaluator.builder().settings(settings).build()
        .compile(document, PolicyBinding.standalone("www.example.com"));
  }
}
