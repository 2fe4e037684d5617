package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.PolicyProgram;
import io.github.trafficpolicy.engine.Query;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

final class ServingSnapshotTest {
  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final TrafficPolicyRegistry registry = TrafficPolicyRegistry.builder().codec(codec)
      .idGenerator(() -> "web").build();

  /** A compiled policy that is never evaluated: it only carries its document and binding. */
  private record Compiled(PolicyDocument document, PolicyBinding binding) implements CompiledPolicy {
    @Override
    public Answer evaluate(Query query) {
      throw new AssertionError("not evaluated in this test");
    }
  }

  @Test
  void of_mapsEveryRecordToItsVersionAndBinding() {
    String id = registry.createPolicy("web", TestDocuments.singleA("192.0.2.1"), Optional.empty()).id();
    registry.createPolicyVersion(id, TestDocuments.singleA("192.0.2.2"), Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    registry.createRecord("example.com", "api.example.com", 30, id, 2);

    ServingSnapshot snapshot = registry.state().servingSnapshot();

    assertThat(snapshot.generation()).isEqualTo(registry.state().generation());
    assertThat(snapshot.records().keySet()).containsExactly("www.example.com.", "api.example.com.");
    ServingSnapshot.Served api = snapshot.record("API.example.com").orElseThrow();
    assertThat(api.version().document()).isEqualTo(TestDocuments.singleA("192.0.2.2"));
    assertThat(api.binding()).isEqualTo(new PolicyBinding(id, 2, "api.example.com.", 30));
    assertThat(snapshot.record("nope.example.com")).isEmpty();
  }

  @Test
  void compile_unchangedBindingsAndDocuments_reusesPreviousPolicies() {
    String id = registry.createPolicy("web", TestDocuments.singleA("192.0.2.1"), Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    registry.createRecord("example.com", "api.example.com", 60, id, 1);
    ServingSnapshot before = registry.state().servingSnapshot();
    Map<String, CompiledPolicy> previous = ImmutableMap.of(
        "www.example.com.", new Compiled(TestDocuments.singleA("192.0.2.1"),
            before.record("www.example.com").orElseThrow().binding()),
        "api.example.com.", new Compiled(TestDocuments.singleA("192.0.2.1"),
            before.record("api.example.com").orElseThrow().binding()));
    registry.createPolicyVersion(id, TestDocuments.singleA("192.0.2.1"), Optional.empty());

    ImmutableMap<String, CompiledPolicy> compiled =
        registry.state().servingSnapshot().compile(PolicyEvaluator.builder().build(), previous);

    assertThat(compiled.get("www.example.com.")).isSameAs(previous.get("www.example.com."));
    assertThat(compiled.get("api.example.com.")).isSameAs(previous.get("api.example.com."));
  }

  @Test
  void compile_recordsOfOneVersionShareOneProgram_aTtlChangeCompilesNothing() {
    String id = registry.createPolicy("web", TestDocuments.singleA("192.0.2.1"), Optional.empty()).id();
    registry.createPolicyVersion(id, TestDocuments.singleA("192.0.2.2"), Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    registry.createRecord("example.com", "api.example.com", 30, id, 1);
    registry.createRecord("example.com", "img.example.com", 60, id, 2);
    PolicyEvaluator evaluator = PolicyEvaluator.builder().build();
    ImmutableMap<String, CompiledPolicy> before = registry.state().servingSnapshot().compile(evaluator);

    PolicyProgram v1 = before.get("www.example.com.").program().orElseThrow();
    assertThat(before.get("api.example.com.").program()).containsSame(v1);
    assertThat(before.get("img.example.com.").program().orElseThrow()).isNotSameAs(v1);
    Answer www = before.get("www.example.com.").evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24")));
    Answer api = before.get("api.example.com.").evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24")));
    assertThat(www.ttl()).isEqualTo(60);
    assertThat(api.ttl()).isEqualTo(30);
    assertThat(api.records()).isEqualTo(www.records());

    registry.updateRecord("api.example.com", Optional.empty(), OptionalLong.of(300));
    registry.updateRecord("img.example.com", Optional.of(1), OptionalLong.empty());
    ImmutableMap<String, CompiledPolicy> after = registry.state().servingSnapshot().compile(evaluator, before);

    assertThat(after.get("www.example.com.")).isSameAs(before.get("www.example.com."));
    assertThat(after.get("api.example.com.").binding()).isEqualTo(new PolicyBinding(id, 1, "api.example.com.", 300));
    assertThat(after.get("api.example.com.").program()).containsSame(v1);
    assertThat(after.get("img.example.com.").program()).containsSame(v1);
  }

  @Test
  void compile_changedRecordsAreCompiledAgain_othersReused() {
    String id = registry.createPolicy("web", TestDocuments.singleA("192.0.2.1"), Optional.empty()).id();
    registry.createPolicyVersion(id, TestDocuments.singleA("192.0.2.2"), Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    registry.createRecord("example.com", "api.example.com", 60, id, 1);
    PolicyEvaluator evaluator = PolicyEvaluator.builder().build();
    ImmutableMap<String, CompiledPolicy> before = registry.state().servingSnapshot().compile(evaluator);

    registry.updateRecord("api.example.com", Optional.of(2), OptionalLong.empty());
    ImmutableMap<String, CompiledPolicy> after = registry.state().servingSnapshot().compile(evaluator, before);

    assertThat(before.get("api.example.com.").binding()).isEqualTo(new PolicyBinding(id, 1, "api.example.com.", 60));
    assertThat(after.get("www.example.com.")).isSameAs(before.get("www.example.com."));
    assertThat(after.get("api.example.com.").binding()).isEqualTo(new PolicyBinding(id, 2, "api.example.com.", 60));
    assertThat(after.get("api.example.com.").document()).isEqualTo(TestDocuments.singleA("192.0.2.2"));
  }

  @Test
  void servedBinding_followsVersionAndTtlChanges() {
    String id = registry.createPolicy("web", TestDocuments.singleA("192.0.2.1"), Optional.empty()).id();
    registry.createPolicyVersion(id, TestDocuments.singleA("192.0.2.2"), Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    PolicyBinding before = registry.state().servingSnapshot().record("www.example.com").orElseThrow().binding();

    registry.updateRecord("www.example.com", Optional.of(2), OptionalLong.of(5));
    PolicyBinding after = registry.state().servingSnapshot().record("www.example.com").orElseThrow().binding();

    assertThat(before).isEqualTo(new PolicyBinding(id, 1, "www.example.com.", 60));
    assertThat(after).isEqualTo(new PolicyBinding(id, 2, "www.example.com.", 5));
  }
}
