package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.api.RecordType;
import java.util.Optional;

/**
 * A policy record in the registry: the {@link PolicyRecord} (zone, name, TTL, policy version), its type (the bound
 * version's {@code RecordType}, which updates must keep) and the policy versions it was bound to before, oldest
 * first. {@code rollback} returns to the last entry of the history. At most {@link #MAX_HISTORY} entries are kept.
 */
public record ManagedRecord(PolicyRecord record, RecordType type, ImmutableList<PolicyRef> history) {
  /** How many earlier versions a record remembers. */
  public static final int MAX_HISTORY = 100;

  public ManagedRecord {
    checkNotNull(record, "record");
    checkNotNull(type, "type");
    history = ImmutableList.copyOf(checkNotNull(history, "history"));
    checkArgument(history.size() <= MAX_HISTORY, "history of %s has %s entries, more than %s", record.name(),
        history.size(), MAX_HISTORY);
  }

  /** The DNS name (lower case, trailing dot). */
  public String name() {
    return record.name();
  }

  /** The hosted zone (lower case, trailing dot). */
  public String zone() {
    return record.hostedZone();
  }

  /** The TTL of the record's answers. */
  public long ttl() {
    return record.ttl();
  }

  /** The policy version the record is bound to now. */
  public PolicyRef current() {
    return PolicyRef.of(record.policyId(), record.policyVersion());
  }

  /** The version the record had before the current one, if any. */
  public Optional<PolicyRef> previous() {
    return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
  }

  /** This record bound to {@code to} with {@code ttl}; when the version changes the current one joins the history. */
  ManagedRecord moveTo(PolicyRef to, long ttl) {
    PolicyRecord moved = new PolicyRecord(zone(), name(), ttl, to.policyId(), to.version());
    if (to.equals(current())) {
      return new ManagedRecord(moved, type, history);
    }
    ImmutableList.Builder<PolicyRef> h = ImmutableList.builder();
    int skip = Math.max(0, history.size() + 1 - MAX_HISTORY);
    h.addAll(history.subList(skip, history.size()));
    h.add(current());
    return new ManagedRecord(moved, type, h.build());
  }

  /** This record bound back to its previous version, which leaves the history. */
  ManagedRecord rolledBack() {
    PolicyRef to = previous().orElseThrow();
    return new ManagedRecord(new PolicyRecord(zone(), name(), ttl(), to.policyId(), to.version()), type,
        history.subList(0, history.size() - 1));
  }
}
