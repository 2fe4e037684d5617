package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.testing.PolicyGenerator;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Records bound to one policy version through one {@link PolicyProgram}: they share the compiled program and still
 * answer with their own name and TTL, exactly as if each had been compiled on its own.
 */
final class PolicyProgramTest {
  /** Answers an alias endpoint with an address derived from the record name asked at, so the name shows. */
  private static final AliasResolver BY_NAME = (endpoint, type, recordName) -> ImmutableList.of(RecordData.parse(
      RecordType.A, "198.51.100." + (1 + Math.floorMod(recordName.hashCode(), 250))));

  @Test
  void bind_sharesTheProgram_answersCarryTheRecordsOwnNameAndTtl() {
    PolicyEvaluator evaluator = PolicyEvaluator.builder().aliasResolver(BY_NAME).build();
    PolicyDocument d = Fixtures.docWithAliases().startEndpoint("elb1").build();
    CompiledPolicy www = evaluator.compile(d, new PolicyBinding("web", 3, "www.example.com.", 60));
    CompiledPolicy api = www.program().orElseThrow().bind("api.example.com.", 300);

    assertThat(api.program()).containsSame(www.program().orElseThrow());
    assertThat(api.document()).isSameAs(www.document());
    assertThat(api.binding()).isEqualTo(new PolicyBinding("web", 3, "api.example.com.", 300));
    Answer a = api.evaluate(Query.of(Fixtures.CLIENT));
    Answer w = www.evaluate(Query.of(Fixtures.CLIENT));
    assertThat(a.ttl()).isEqualTo(300);
    assertThat(w.ttl()).isEqualTo(60);
    assertThat(a.policyId()).isEqualTo("web");
    assertThat(a.policyVersion()).isEqualTo(3);
    assertThat(a.records()).isEqualTo(BY_NAME.resolve(d.endpoints().values().iterator().next(), RecordType.A,
        "api.example.com."));
    assertThat(a.records()).isNotEqualTo(w.records());
  }

  @Test
  void bind_onGeneratedPolicies_answersEqualThoseOfASeparateCompilation() {
    SplittableRandom seeds = new SplittableRandom(0x5EED_2026L + 20);
    for (int t = 0; t < 200; t++) {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      PolicyGenerator g = new PolicyGenerator(r);
      PolicyDocument d = g.document();
      PolicyEvaluator evaluator = PolicyEvaluator.builder().aliasResolver(BY_NAME).build();
      CompiledPolicy first = evaluator.compile(d, new PolicyBinding("p", 2, "first.example.com.", 30));
      CompiledPolicy bound = first.program().orElseThrow().bind("other.example.com.", 120);
      CompiledPolicy alone = evaluator.compile(d, new PolicyBinding("p", 2, "other.example.com.", 120));
      HealthSnapshot health = PolicyEvaluatorProperties.randomHealth(g, d, r);
      for (int q = 0; q < 10; q++) {
        Query query = PolicyEvaluatorProperties.randomQuery(r, health, q % 2 == 0);
        Answer b = bound.evaluate(query);
        Answer s = alone.evaluate(query);
        assertThat(b.outcome() + " " + b.endpoints() + " " + b.records() + " ttl " + b.ttl() + " scope "
            + b.ecsScope() + " " + b.policyId() + " v" + b.policyVersion() + "\n" + b.trace())
            .as("seed %s, query %s", seed, query)
            .isEqualTo(s.outcome() + " " + s.endpoints() + " " + s.records() + " ttl " + s.ttl() + " scope "
                + s.ecsScope() + " " + s.policyId() + " v" + s.policyVersion() + "\n" + s.trace());
      }
    }
  }

  @Test
  void bind_badTtl_refused() {
    CompiledPolicy www = PolicyEvaluator.builder().build()
        .compile(Fixtures.doc().startEndpoint("a").build(), new PolicyBinding("web", 1, "www.example.com.", 60));
    assertThatThrownBy(() -> www.program().orElseThrow().bind("api.example.com.", -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
  }
}
