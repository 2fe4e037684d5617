package io.github.trafficpolicy.dns;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.Outcome;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.Query;
import io.github.trafficpolicy.engine.Trace;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A compiled policy whose answer is a function of the query, for handler tests: it records every query it is
 * asked, so tests can check which client the handler passed.
 */
final class FakePolicy implements CompiledPolicy {
  /** What to answer: record values (empty for no data) and the ECS scope. */
  record Reply(List<String> values, int scope) {}

  private final PolicyDocument document;
  private final PolicyBinding binding;
  private final Function<Query, Reply> answers;
  final List<Query> queries = new CopyOnWriteArrayList<>();

  FakePolicy(String name, RecordType type, long ttl, Function<Query, Reply> answers) {
    this.document = PolicyDocument.builder().recordType(type)
        .endpoint("e", Endpoint.value(type == RecordType.AAAA ? "2001:db8::1" : type == RecordType.TXT
            ? "\"x\"" : "192.0.2.1"))
        .startEndpoint("e").build();
    this.binding = new PolicyBinding("fake-policy", 3, name, ttl);
    this.answers = answers;
  }

  /** An A policy answering {@code value} with {@code scope} for everyone. */
  static FakePolicy constant(String name, String value, int scope) {
    return new FakePolicy(name, RecordType.A, 60, q -> new Reply(List.of(value), scope));
  }

  @Override
  public PolicyDocument document() {
    return document;
  }

  @Override
  public PolicyBinding binding() {
    return binding;
  }

  @Override
  public Answer evaluate(Query query) {
    queries.add(query);
    Reply r = answers.apply(query);
    RecordType type = document.recordType();
    ImmutableList<RecordData> records =
        r.values().stream().map(v -> RecordData.parse(type, v)).collect(ImmutableList.toImmutableList());
    ImmutableList<EndpointId> endpoints = r.values().isEmpty() ? ImmutableList.of() : ImmutableList.of(
        EndpointId.of("e"));
    return new Answer(r.values().isEmpty() ? Outcome.NO_DATA : Outcome.ANSWER, type, endpoints, records,
        binding.ttl(), r.scope(), binding.policyId(), binding.policyVersion(), Trace.empty());
  }
}
