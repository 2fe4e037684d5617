package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a server serves for one {@link RegistryState}: every policy record with the policy version bound to it.
 * A server compiles a snapshot ({@link #compile}) into a table of {@link CompiledPolicy} by record name and swaps
 * its whole serving table atomically when the registry publishes a new state, so each query is answered entirely
 * from the old table or entirely from the new one. Each compiled policy's {@link PolicyBinding} carries the policy
 * ID and version, so every answer can be traced to the version that produced it.
 */
public final class ServingSnapshot {
  private final long generation;
  private final ImmutableMap<String, Served> records;

  /** One record to serve: the record and the version it is bound to. */
  public record Served(ManagedRecord record, PolicyVersion version) {
    public Served {
      checkNotNull(record, "record");
      checkNotNull(version, "version");
    }

    /** The binding to compile the version's document for: policy ID, version, record name and TTL. */
    public PolicyBinding binding() {
      return PolicyBinding.of(version.policy(), record.record());
    }
  }

  private ServingSnapshot(long generation, ImmutableMap<String, Served> records) {
    this.generation = generation;
    this.records = records;
  }

  /** The snapshot of a registry state. */
  public static ServingSnapshot of(RegistryState state) {
    checkNotNull(state, "state");
    ImmutableMap.Builder<String, Served> b = ImmutableMap.builder();
    for (ManagedRecord r : state.records()) {
      b.put(r.name(), new Served(r, state.version(r.current()).orElseThrow()));
    }
    return new ServingSnapshot(state.generation(), b.buildOrThrow());
  }

  /** The generation of the registry state this was taken from. */
  public long generation() {
    return generation;
  }

  /** Every record to serve by name (lower case, trailing dot), in creation order. */
  public ImmutableMap<String, Served> records() {
    return records;
  }

  /** The record served at {@code name} (any case, with or without the trailing dot), if any. */
  public Optional<Served> record(String name) {
    return Optional.ofNullable(records.get(PolicyRecord.absolute(name)));
  }

  /** Compiles every record with {@code evaluator}. */
  public ImmutableMap<String, CompiledPolicy> compile(PolicyEvaluator evaluator) {
    return compile(evaluator, ImmutableMap.of());
  }

  /**
   * Compiles every record with {@code evaluator}, reusing a policy of {@code previous} (the table being replaced)
   * when its binding and document are unchanged, so a swap only compiles what changed.
   */
  public ImmutableMap<String, CompiledPolicy> compile(PolicyEvaluator evaluator,
                                                      Map<String, CompiledPolicy> previous) {
    checkNotNull(evaluator, "evaluator");
    checkNotNull(previous, "previous");
    Map<String, CompiledPolicy> out = new LinkedHashMap<>();
    for (Map.Entry<String, Served> e : records.entrySet()) {
      Served s = e.getValue();
      PolicyBinding binding = s.binding();
      CompiledPolicy old = previous.get(e.getKey());
      if (old != null && old.binding().equals(binding) && old.document().equals(s.version().document())) {
        out.put(e.getKey(), old);
      } else {
        out.put(e.getKey(), evaluator.compile(s.version().document(), binding));
      }
    }
    return ImmutableMap.copyOf(out);
  }

  @Override
  public String toString() {
    return "ServingSnapshot{generation=" + generation + ", " + records.size() + " records}";
  }
}
