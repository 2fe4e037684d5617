package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import io.github.trafficpolicy.testing.PolicyGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class CompiledPolicyTest {

  @Test
  void evaluate_startEndpoint_answersWithoutDependingOnTheClient() {
    PolicyDocument d = Fixtures.doc().startEndpoint("c").build();
    Answer a = Fixtures.compile(d).evaluate(Query.of(ClientSubnet.parse("203.0.113.9")));
    assertThat(Fixtures.endpoint(a)).isEqualTo("c");
    assertThat(a.records()).extracting(RecordData::presentation).containsExactly("192.0.2.3");
    assertThat(a.ecsScope()).isZero();
  }

  @Test
  void evaluate_aliasEndpoint_askedOfTheAliasResolver() {
    PolicyDocument d = Fixtures.docWithAliases().startEndpoint("elb1").build();
    RecordData address = RecordData.parse(RecordType.A, "203.0.113.80");
    AliasResolver resolver = (endpoint, type, name) ->
        endpoint.value().startsWith("dualstack.one") && type == RecordType.A && name.equals("www.example.com")
            ? ImmutableList.of(address) : ImmutableList.of();
    Answer a = PolicyEvaluator.builder().aliasResolver(resolver).build().compile(d, "www.example.com")
        .evaluate(Query.of(Fixtures.CLIENT));
    assertThat(Fixtures.endpoint(a)).isEqualTo("elb1");
    assertThat(a.records()).containsExactly(address);
  }

  @Test
  void evaluate_fromManyThreads_givesTheSameAnswersAsOneThread() throws Exception {
    PolicyDocument d = new PolicyGenerator(new SplittableRandom(11)).document(RecordType.A,
        io.github.trafficpolicy.api.FormatVersion.V2015_10_01);
    CompiledPolicy p = PolicyEvaluator.builder().build().compile(d, "www.example.com");
    List<Query> queries = new ArrayList<>();
    List<List<?>> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      Query q = Query.builder(WeightedTest.client(i)).location(ClientLocation.of("EU", "DE", null,
          new Coordinates(50, 8))).build();
      queries.add(q);
      expected.add(p.evaluate(q).endpoints());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          for (int round = 0; round < 20; round++) {
            for (int i = 0; i < queries.size(); i++) {
              if (!p.evaluate(queries.get(i)).endpoints().equals(expected.get(i))) {
                return false;
              }
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void evaluate_reentrantFromTheGeoLocator_isIndependent() {
    PolicyDocument d = Fixtures.doc().rule("split", WeightedRule.of(WeightedEntry.of(1, Target.endpoint("a")),
            WeightedEntry.of(1, Target.endpoint("b"))))
        .rule("root", GeolocationRule.of(GeolocationEntry.country("US", Target.rule("split")),
            GeolocationEntry.defaultLocation(Target.endpoint("c"))))
        .startRule("root").build();
    AtomicReference<CompiledPolicy> self = new AtomicReference<>();
    AtomicBoolean inside = new AtomicBoolean();
    List<Answer> inner = new ArrayList<>();
    GeoLocator reentrant = address -> {
      if (inside.get()) {
        return new GeoLookup(ClientLocation.of("NA", "US", null, null), 20);
      }
      inside.set(true);
      try {
        inner.add(self.get().evaluate(Query.of(ClientSubnet.parse("198.51.100.0/24"))));
      } finally {
        inside.set(false);
      }
      return new GeoLookup(ClientLocation.of("AS", "JP", null, null), 16);
    };
    self.set(PolicyEvaluator.builder().geoLocator(reentrant).build().compile(d, "www.example.com"));
    Answer outer = self.get().evaluate(Query.of(ClientSubnet.parse("203.0.113.0/24")));
    assertThat(Fixtures.endpoint(outer)).isEqualTo("c");
    assertThat(outer.ecsScope()).isEqualTo(16);
    assertThat(inner).hasSize(1);
    assertThat(Fixtures.endpoint(inner.get(0))).isIn("a", "b");
    assertThat(inner.get(0).ecsScope()).isEqualTo(24);
  }

  @Test
  void compile_documentWithCycleOrBadData_isRejected() {
    assertThatThrownBy(() -> Fixtures.compile(Fixtures.doc()
        .rule("x", new FailoverRule(FailoverEntry.of(Target.rule("y")), FailoverEntry.of(Target.endpoint("a"))))
        .rule("y", new FailoverRule(FailoverEntry.of(Target.rule("x")), FailoverEntry.of(Target.endpoint("a"))))
        .startRule("x").build())).isInstanceOf(RuntimeException.class).hasMessageContaining("cycle");
  }

  @Test
  void toString_namesPolicyAndSize() {
    CompiledPolicy p = PolicyEvaluator.builder().build()
        .compile(Fixtures.doc().startEndpoint("a").build(), new PolicyBinding("pol", 2, "www.example.com", 60));
    assertThat(p.toString()).contains("pol v2").contains("10 endpoints");
    assertThat(p.binding().policyVersion()).isEqualTo(2);
  }
}
