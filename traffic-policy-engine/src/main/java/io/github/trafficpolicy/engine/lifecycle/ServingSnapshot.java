package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.PolicyProgram;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
   * when its binding and document are unchanged, so a swap only compiles what changed. Each policy version is
   * compiled at most once: every record bound to it shares one {@link PolicyProgram} (taken from {@code previous}
   * when a record there was bound to the same version and document), so the table costs one compiled program per
   * version plus a small binding per record.
   */
  public ImmutableMap<String, CompiledPolicy> compile(PolicyEvaluator evaluator,
                                                      Map<String, CompiledPolicy> previous) {
    checkNotNull(evaluator, "evaluator");
    checkNotNull(previous, "previous");
    Map<PolicyRef, PolicyProgram> reusable = new HashMap<>();
    for (CompiledPolicy old : previous.values()) {
      old.program().ifPresent(p -> reusable.putIfAbsent(PolicyRef.of(p.policyId(), p.policyVersion()), p));
    }
    Map<PolicyRef, PolicyProgram> programs = new HashMap<>();
    SameDocuments same = new SameDocuments();
    ImmutableMap.Builder<String, CompiledPolicy> out = ImmutableMap.builderWithExpectedSize(records.size());
    for (Map.Entry<String, Served> e : records.entrySet()) {
      Served s = e.getValue();
      PolicyBinding binding = s.binding();
      PolicyDocument document = s.version().document();
      CompiledPolicy old = previous.get(e.getKey());
      if (old != null && old.binding().equals(binding) && same.test(old.document(), document)) {
        out.put(e.getKey(), old);
        continue;
      }
      PolicyRef ref = s.record().current();
      PolicyProgram program = programs.get(ref);
      if (program == null) {
        PolicyProgram candidate = reusable.get(ref);
        if (candidate != null && same.test(candidate.document(), document)) {
          program = candidate;
          programs.put(ref, program);
        }
      }
      if (program != null) {
        out.put(e.getKey(), program.bind(binding.recordName(), binding.ttl()));
        continue;
      }
      CompiledPolicy compiled = evaluator.compile(document, binding);
      compiled.program().ifPresent(p -> programs.put(ref, p));
      out.put(e.getKey(), compiled);
    }
    return out.buildOrThrow();
  }

  /**
   * Document equality, remembered per pair of instances: after a registry is reloaded from disk every version's
   * document is a new (equal) instance, and all the records of a version share it, so each pair is compared once.
   */
  private static final class SameDocuments {
    @SuppressWarnings("IdentityHashMapUsage") // an identity memo of document comparisons
    private final Map<PolicyDocument, Map<PolicyDocument, Boolean>> known = new IdentityHashMap<>();

    @SuppressWarnings("ReferenceEquality") // an identity memo of document comparisons
    boolean test(PolicyDocument a, PolicyDocument b) {
      return a == b || known.computeIfAbsent(a, k -> new IdentityHashMap<>()).computeIfAbsent(b, a::equals);
    }
  }

  @Override
  public String toString() {
    return "ServingSnapshot{generation=" + generation + ", " + records.size() + " records}";
  }
}
