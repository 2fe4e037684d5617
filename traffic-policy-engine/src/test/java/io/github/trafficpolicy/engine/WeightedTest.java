package io.github.trafficpolicy.engine;

import static io.github.trafficpolicy.engine.Fixtures.endpoint;
import static io.github.trafficpolicy.engine.Fixtures.hc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class WeightedTest {

  private static WeightedEntry item(String endpoint, int weight) {
    return new WeightedEntry(Target.endpoint(endpoint), weight, Optional.empty(), hc(endpoint));
  }

  static ClientSubnet client(int i) {
    try {
      return new ClientSubnet(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 0}), 24);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static HealthSnapshot down(String... ids) {
    HealthSnapshot.Builder b = HealthSnapshot.builder();
    for (String id : ids) {
      b.check(id, HealthStatus.UNHEALTHY);
    }
    return b.build();
  }

  private static Query query(ClientSubnet c, HealthSnapshot h) {
    return Query.builder(c).location(ClientLocation.UNKNOWN).health(h).build();
  }

  private static Map<String, Double> shares(CompiledPolicy p, HealthSnapshot h, int clients) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < clients; i++) {
      counts.merge(endpoint(p.evaluate(query(client(i), h))), 1, Integer::sum);
    }
    Map<String, Double> shares = new HashMap<>();
    counts.forEach((k, v) -> shares.put(k, v / (double) clients));
    return shares;
  }

  @ParameterizedTest(name = "a:1 b:0, unhealthy [{0}] -> {1}")
  @CsvSource({"'', a", "a, b", "b, a", "a b, a"})
  void evaluate_zeroWeightIsStandby(String unhealthy, String expected) {
    PolicyDocument d = Fixtures.single(WeightedRule.of(item("a", 1), item("b", 0)));
    CompiledPolicy p = Fixtures.compile(d);
    HealthSnapshot h = unhealthy.isEmpty() ? HealthSnapshot.empty() : down(unhealthy.split(" "));
    for (int i = 0; i < 50; i++) {
      assertThat(endpoint(p.evaluate(query(client(i), h)))).isEqualTo(expected);
    }
  }

  @Test
  void evaluate_sharesConvergeToWeights() {
    CompiledPolicy p = Fixtures.compile(Fixtures.single(WeightedRule.of(item("a", 1), item("b", 3), item("c", 0))));
    Map<String, Double> s = shares(p, HealthSnapshot.empty(), 20_000);
    assertThat(s.getOrDefault("a", 0.0)).isCloseTo(0.25, within(0.02));
    assertThat(s.getOrDefault("b", 0.0)).isCloseTo(0.75, within(0.02));
    assertThat(s).doesNotContainKey("c");
  }

  @Test
  void evaluate_allZeroWeights_equalShares() {
    CompiledPolicy p = Fixtures.compile(Fixtures.single(WeightedRule.of(item("a", 0), item("b", 0), item("c", 0))));
    Map<String, Double> s = shares(p, HealthSnapshot.empty(), 15_000);
    assertThat(s.get("a")).isCloseTo(1 / 3.0, within(0.02));
    assertThat(s.get("b")).isCloseTo(1 / 3.0, within(0.02));
    assertThat(s.get("c")).isCloseTo(1 / 3.0, within(0.02));
  }

  @Test
  void evaluate_unhealthyEntry_movesOnlyItsOwnClients() {
    CompiledPolicy p = Fixtures.compile(Fixtures.single(WeightedRule.of(item("a", 1), item("b", 1), item("c", 2))));
    int moved = 0;
    for (int i = 0; i < 5_000; i++) {
      String before = endpoint(p.evaluate(query(client(i), HealthSnapshot.empty())));
      String after = endpoint(p.evaluate(query(client(i), down("b"))));
      if (!before.equals("b")) {
        assertThat(after).as("client %s", client(i)).isEqualTo(before);
      } else {
        assertThat(after).isIn("a", "c");
        moved++;
      }
    }
    assertThat(moved).isBetween(1_000, 1_500);
  }

  @Test
  void evaluate_sameKeySubnet_sameAnswerAndScope24() {
    CompiledPolicy p = Fixtures.compile(Fixtures.single(WeightedRule.of(item("a", 1), item("b", 1), item("c", 1))));
    for (int i = 0; i < 200; i++) {
      String base = "10." + (i >> 8) + "." + (i & 255) + ".";
      Answer one = p.evaluate(query(ClientSubnet.parse(base + "1"), HealthSnapshot.empty()));
      Answer two = p.evaluate(query(ClientSubnet.parse(base + "254"), HealthSnapshot.empty()));
      assertThat(one.endpoints()).isEqualTo(two.endpoints());
      assertThat(one.ecsScope()).isEqualTo(24);
    }
    Answer v6 = p.evaluate(query(ClientSubnet.parse("2001:db8:1:2:3::1"), HealthSnapshot.empty()));
    assertThat(v6.ecsScope()).isEqualTo(56);
    Answer wide = p.evaluate(query(ClientSubnet.parse("10.1.0.0/16"), HealthSnapshot.empty()));
    assertThat(wide.ecsScope()).isEqualTo(16);
  }

  @Test
  void evaluate_choiceIsTheDocumentedRendezvousWinner() {
    EvaluatorSettings s = EvaluatorSettings.builder().seed(42).build();
    PolicyDocument d = Fixtures.single(WeightedRule.of(item("a", 10), item("b", 30), item("c", 60)));
    CompiledPolicy p = PolicyEvaluator.builder().settings(s).build()
        .compile(d, new PolicyBinding("pol", 1, "www.example.com", 60));
    String[] ids = {"a", "b", "c"};
    int[] weights = {10, 30, 60};
    for (int i = 0; i < 300; i++) {
      ClientSubnet c = client(i);
      long ck = ReferenceHash.clientKeyV4(c.address().getAddress(), 24);
      String best = null;
      double bestScore = Double.POSITIVE_INFINITY;
      for (int k = 0; k < 3; k++) {
        long ek = ReferenceHash.entryKey(42, "pol", "root", "endpoint:" + ids[k], 0);
        double score = -Math.log(ReferenceHash.uniform(ReferenceHash.absorb(ek, ck))) / weights[k];
        if (score < bestScore) {
          bestScore = score;
          best = ids[k];
        }
      }
      assertThat(endpoint(p.evaluate(query(c, HealthSnapshot.empty())))).as("client %s", c).isEqualTo(best);
    }
  }

  @Test
  void evaluate_seed_reshufflesClients() {
    PolicyDocument d = Fixtures.single(WeightedRule.of(item("a", 1), item("b", 1)));
    CompiledPolicy zero = Fixtures.compile(d);
    CompiledPolicy seven = Fixtures.compile(d, EvaluatorSettings.builder().seed(7).build());
    int differ = 0;
    for (int i = 0; i < 1_000; i++) {
      if (!endpoint(zero.evaluate(query(client(i), HealthSnapshot.empty())))
          .equals(endpoint(seven.evaluate(query(client(i), HealthSnapshot.empty()))))) {
        differ++;
      }
    }
    assertThat(differ).isBetween(400, 600);
  }
}
