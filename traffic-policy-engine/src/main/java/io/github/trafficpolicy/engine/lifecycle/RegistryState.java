package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.PolicyRecord;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable snapshot of a registry: every traffic policy with its versions (in creation order) and every policy
 * record (in creation order), plus a generation number that grows by one with every change. The registry swaps
 * whole snapshots atomically, so a reader sees either all of a change or none of it.
 *
 * <p>A snapshot is always consistent: every record is bound to an existing version whose record type is the
 * record's type.
 */
public final class RegistryState {
  private static final RegistryState EMPTY = new RegistryState(0, ImmutableMap.of(), ImmutableMap.of());

  private final long generation;
  private final ImmutableMap<String, ManagedPolicy> policies;
  private final ImmutableMap<String, ManagedRecord> records;

  RegistryState(long generation, Map<String, ManagedPolicy> policies, Map<String, ManagedRecord> records) {
    this(generation, ImmutableMap.copyOf(checkNotNull(policies, "policies")),
        ImmutableMap.copyOf(checkNotNull(records, "records")), null);
  }

  /** Checks {@code checked} records, or every policy and record when null. */
  private RegistryState(long generation, ImmutableMap<String, ManagedPolicy> policies,
                        ImmutableMap<String, ManagedRecord> records, @Nullable Collection<ManagedRecord> checked) {
    checkArgument(generation >= 0, "generation must not be negative but was %s", generation);
    this.generation = generation;
    this.policies = policies;
    this.records = records;
    if (checked == null) {
      for (Map.Entry<String, ManagedPolicy> e : this.policies.entrySet()) {
        checkArgument(e.getKey().equals(e.getValue().id()), "policy %s is keyed as %s", e.getValue().id(),
            e.getKey());
      }
      for (Map.Entry<String, ManagedRecord> e : this.records.entrySet()) {
        checkArgument(e.getKey().equals(e.getValue().name()), "record %s is keyed as %s", e.getValue().name(),
            e.getKey());
        check(e.getValue());
      }
    } else {
      checked.forEach(this::check);
    }
  }

  private void check(ManagedRecord r) {
    PolicyVersion v = version(r.current()).orElseThrow(() -> new IllegalArgumentException(
        "record " + r.name() + " is bound to " + r.current() + ", which does not exist"));
    checkArgument(v.type() == r.type(), "record %s has type %s but %s has type %s", r.name(), r.type(),
        r.current(), v.type());
  }

  /**
   * This state with {@code put} records replacing those of their names in place (or added last, in order) and the
   * {@code deleted} names removed; policies unchanged. One pass over the records; only the put records are
   * checked (the others were checked when they entered).
   */
  RegistryState withRecordChanges(Collection<ManagedRecord> put, Set<String> deleted) {
    Map<String, ManagedRecord> replacing = new HashMap<>();
    put.forEach(r -> replacing.put(r.name(), r));
    ImmutableMap.Builder<String, ManagedRecord> b = ImmutableMap.builderWithExpectedSize(records.size() + put.size());
    for (Map.Entry<String, ManagedRecord> e : records.entrySet()) {
      if (!deleted.isEmpty() && deleted.contains(e.getKey())) {
        continue;
      }
      ManagedRecord r = replacing.isEmpty() ? null : replacing.remove(e.getKey());
      b.put(e.getKey(), r != null ? r : e.getValue());
    }
    for (ManagedRecord r : put) {
      if (replacing.remove(r.name()) != null) {
        b.put(r.name(), r);
      }
    }
    return new RegistryState(generation, policies, b.buildOrThrow(), put);
  }

  /** The empty registry (generation 0). */
  public static RegistryState empty() {
    return EMPTY;
  }

  /** How many changes led to this state; each change adds one. */
  public long generation() {
    return generation;
  }

  /** Every policy, in creation order. */
  public ImmutableList<ManagedPolicy> policies() {
    return policies.values().asList();
  }

  /** The policy with this ID, if any. */
  public Optional<ManagedPolicy> policy(String id) {
    return Optional.ofNullable(policies.get(id));
  }

  /** The policy with this name, if any. */
  public Optional<ManagedPolicy> policyNamed(String name) {
    return policies.values().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The referenced version, if it exists. */
  public Optional<PolicyVersion> version(PolicyRef ref) {
    return policy(ref.policyId()).flatMap(p -> p.version(ref.version()));
  }

  /** Every policy record, in creation order. */
  public ImmutableList<ManagedRecord> records() {
    return records.values().asList();
  }

  /** The record with this DNS name (with or without the trailing dot, any case), if any. */
  public Optional<ManagedRecord> record(String name) {
    return Optional.ofNullable(records.get(PolicyRecord.absolute(name)));
  }

  /** The records of a hosted zone (with or without the trailing dot, any case). */
  public ImmutableList<ManagedRecord> recordsInZone(String zone) {
    String z = PolicyRecord.absolute(zone);
    return records.values().stream().filter(r -> r.zone().equals(z)).collect(ImmutableList.toImmutableList());
  }

  /** The records bound to any version of a policy. */
  public ImmutableList<ManagedRecord> recordsOfPolicy(String policyId) {
    return records.values().stream()
        .filter(r -> r.current().policyId().equals(policyId))
        .collect(ImmutableList.toImmutableList());
  }

  /** The records bound to exactly this version. */
  public ImmutableList<ManagedRecord> recordsUsing(PolicyRef version) {
    return records.values().stream()
        .filter(r -> r.current().equals(version))
        .collect(ImmutableList.toImmutableList());
  }

  /** Where {@code value} (an endpoint value or a health-check ID) is used, across all policies and versions. */
  public ImmutableList<Usage> usages(String value) {
    return UsageFinder.find(this, checkNotNull(value, "value"));
  }

  /** The records and the policy versions they are bound to, as a server serves them. */
  public ServingSnapshot servingSnapshot() {
    return ServingSnapshot.of(this);
  }

  /** Same content, another generation. */
  RegistryState withGeneration(long newGeneration) {
    return new RegistryState(newGeneration, policies, records, List.of());
  }

  /** Whether two states hold the same policies and records (ignores the generation). */
  boolean sameContent(RegistryState other) {
    return policies.equals(other.policies) && records.equals(other.records)
        && policies.keySet().asList().equals(other.policies.keySet().asList())
        && records.keySet().asList().equals(other.records.keySet().asList());
  }

  ImmutableMap<String, ManagedPolicy> policyMap() {
    return policies;
  }

  ImmutableMap<String, ManagedRecord> recordMap() {
    return records;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RegistryState s && generation == s.generation && sameContent(s);
  }

  @Override
  public int hashCode() {
    return Objects.hash(generation, policies, records);
  }

  @Override
  public String toString() {
    return "RegistryState{generation=" + generation + ", " + policies.size() + " policies, " + records.size()
        + " records}";
  }
}
