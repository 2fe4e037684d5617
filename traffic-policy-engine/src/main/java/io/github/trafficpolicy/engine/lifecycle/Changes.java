package io.github.trafficpolicy.engine.lifecycle;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.api.TrafficPolicy;
import io.github.trafficpolicy.api.internal.IoMessages;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The registry's changes as pure functions from one state to the next (same generation; the registry numbers
 * them). Each either returns the complete new state or throws {@link RegistryException} having changed nothing.
 */
final class Changes {
  /** Policy IDs name directories, so they are restricted to letters, digits and '-' (at most 36, like Route 53). */
  static final Pattern POLICY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,35}");

  private Changes() {}

  /** A parsed document and its exact text. */
  record Doc(PolicyDocument document, String text) {}

  static Doc parse(DocumentCodec codec, String text) {
    if (text.isEmpty()) {
      throw new RegistryException(RegistryError.INVALID_INPUT, "the document is empty");
    }
    try {
      return new Doc(codec.read(text), text);
    } catch (InvalidPolicyException e) {
      throw RegistryException.invalidDocument("the document is invalid", e.problems());
    }
  }

  static Doc of(DocumentCodec codec, PolicyDocument document) {
    return new Doc(document, document.sourceText().orElseGet(() -> codec.write(document)));
  }

  static RegistryState createPolicy(RegistryState s, String id, String name, Doc doc, Optional<String> comment) {
    checkName(name);
    checkComment(comment);
    if (!POLICY_ID.matcher(id).matches()) {
      throw new RegistryException(RegistryError.INVALID_INPUT, "policy ID '" + id + "' is not 1 to 36 letters, "
          + "digits and '-'");
    }
    if (s.policy(id).isPresent()) {
      throw new RegistryException(RegistryError.INVALID_INPUT, "policy ID " + id + " is taken");
    }
    if (s.policyNamed(name).isPresent()) {
      throw new RegistryException(RegistryError.TRAFFIC_POLICY_ALREADY_EXISTS,
          "a traffic policy named '" + name + "' exists: " + s.policyNamed(name).get().id());
    }
    PolicyVersion v = new PolicyVersion(new TrafficPolicy(id, 1, name, comment, doc.document()), doc.text());
    Map<String, ManagedPolicy> policies = new LinkedHashMap<>(s.policyMap());
    policies.put(id, new ManagedPolicy(id, name, 1, ImmutableSortedMap.of(1, v)));
    return new RegistryState(s.generation(), policies, s.recordMap());
  }

  static RegistryState createVersion(RegistryState s, String id, Doc doc, Optional<String> comment) {
    checkComment(comment);
    ManagedPolicy p = policy(s, id);
    if (p.lastVersion() >= TrafficPolicy.MAX_VERSION) {
      throw new RegistryException(RegistryError.TOO_MANY_TRAFFIC_POLICY_VERSIONS_FOR_CURRENT_POLICY,
          "policy " + id + " has had " + TrafficPolicy.MAX_VERSION + " versions; copy the document into a new "
              + "policy");
    }
    int n = p.lastVersion() + 1;
    PolicyVersion v = new PolicyVersion(new TrafficPolicy(id, n, p.name(), comment, doc.document()), doc.text());
    ImmutableSortedMap<Integer, PolicyVersion> versions =
        ImmutableSortedMap.<Integer, PolicyVersion>naturalOrder().putAll(p.versions()).put(n, v).build();
    return withPolicy(s, new ManagedPolicy(id, p.name(), n, versions));
  }

  static RegistryState updateComment(RegistryState s, PolicyRef ref, Optional<String> comment) {
    checkComment(comment);
    ManagedPolicy p = policy(s, ref.policyId());
    PolicyVersion v = version(s, ref);
    Map<Integer, PolicyVersion> versions = new LinkedHashMap<>(p.versions());
    versions.put(ref.version(), v.withComment(comment));
    return withPolicy(s, new ManagedPolicy(p.id(), p.name(), p.lastVersion(), ImmutableSortedMap.copyOf(versions)));
  }

  /** Deletes one version; deleting a policy's last version deletes the policy. */
  static RegistryState deleteVersion(RegistryState s, PolicyRef ref) {
    ManagedPolicy p = policy(s, ref.policyId());
    version(s, ref);
    ImmutableList<ManagedRecord> users = s.recordsUsing(ref);
    if (!users.isEmpty()) {
      throw new RegistryException(RegistryError.TRAFFIC_POLICY_IN_USE,
          "version " + ref.version() + " of policy " + ref.policyId() + " is used by " + names(users));
    }
    Map<Integer, PolicyVersion> versions = new LinkedHashMap<>(p.versions());
    versions.remove(ref.version());
    Map<String, ManagedPolicy> policies = new LinkedHashMap<>(s.policyMap());
    if (versions.isEmpty()) {
      policies.remove(p.id());
    } else {
      policies.put(p.id(), new ManagedPolicy(p.id(), p.name(), p.lastVersion(), ImmutableSortedMap.copyOf(versions)));
    }
    return new RegistryState(s.generation(), policies, s.recordMap());
  }

  /** Deletes every version of a policy. */
  static RegistryState deletePolicy(RegistryState s, String id) {
    ManagedPolicy p = policy(s, id);
    ImmutableList<ManagedRecord> users = s.recordsOfPolicy(id);
    if (!users.isEmpty()) {
      throw new RegistryException(RegistryError.TRAFFIC_POLICY_IN_USE,
          "policy " + id + " is used by " + names(users));
    }
    Map<String, ManagedPolicy> policies = new LinkedHashMap<>(s.policyMap());
    policies.remove(p.id());
    return new RegistryState(s.generation(), policies, s.recordMap());
  }

  static RegistryState createRecord(RegistryState s, String zone, String name, long ttl, PolicyRef ref) {
    PolicyRecord record;
    try {
      record = new PolicyRecord(zone, name, ttl, ref.policyId(), ref.version());
    } catch (IllegalArgumentException e) {
      throw new RegistryException(RegistryError.INVALID_INPUT, IoMessages.message(e), e);
    }
    PolicyVersion v = version(s, ref);
    if (s.record(record.name()).isPresent()) {
      throw new RegistryException(RegistryError.TRAFFIC_POLICY_INSTANCE_ALREADY_EXISTS,
          "a policy record named " + record.name() + " exists");
    }
    return s.withRecordChanges(List.of(new ManagedRecord(record, v.type(), ImmutableList.of())), Set.of());
  }

  /** Binds one record to {@code to} (its own version when empty) with {@code ttl} (its own when empty). */
  static RegistryState updateRecord(RegistryState s, String name, Optional<PolicyRef> to, OptionalLong ttl) {
    ManagedRecord r = record(s, name);
    PolicyRef target = to.orElse(r.current());
    long newTtl = ttl.orElse(r.ttl());
    checkTtl(newTtl);
    checkType(r, version(s, target));
    return withRecord(s, r.moveTo(target, newTtl));
  }

  /** Binds every named record to {@code to}: all of them change or none (every record is checked first). */
  static RegistryState updateRecords(RegistryState s, Collection<String> names, PolicyRef to) {
    PolicyVersion v = version(s, to);
    Set<String> unique = new LinkedHashSet<>();
    for (String n : names) {
      unique.add(absoluteName(n));
    }
    List<ManagedRecord> moved = new ArrayList<>();
    for (String n : unique) {
      ManagedRecord r = record(s, n);
      checkType(r, v);
      moved.add(r.moveTo(to, r.ttl()));
    }
    return s.withRecordChanges(moved, Set.of());
  }

  /**
   * Why each of {@code records} cannot be put (created, or bound to its version with its TTL): by index in
   * {@code records}, in order; empty when all can.
   */
  static Map<Integer, RegistryException> checkPut(RegistryState s, List<PolicyRecord> records) {
    Map<Integer, RegistryException> problems = new TreeMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      PolicyRecord r = records.get(i);
      Integer first = seen.putIfAbsent(r.name(), i);
      try {
        if (first != null) {
          throw new RegistryException(RegistryError.INVALID_INPUT,
              r.name() + " is given twice (first as record " + (first + 1) + ")");
        }
        put(s, r);
      } catch (RegistryException e) {
        problems.put(i, e);
      }
    }
    return problems;
  }

  /**
   * Puts every record: a new name is created, an existing one bound to the given version with the given TTL (its
   * zone stays; its old version joins its history). All of them change or none: the exception lists every record
   * that cannot be put with its position (1-based) in {@code records}.
   */
  static RegistryState putRecords(RegistryState s, List<PolicyRecord> records) {
    Map<Integer, RegistryException> problems = checkPut(s, records);
    if (!problems.isEmpty()) {
      StringBuilder b = new StringBuilder();
      b.append(problems.size()).append(" of ").append(records.size()).append(" records cannot be put, none changed:");
      problems.forEach((i, e) -> b.append("\n  record ").append(i + 1).append(" (").append(records.get(i).name())
          .append("): ").append(e.getMessage()));
      RegistryError error = problems.size() == 1 ? problems.values().iterator().next().error()
          : RegistryError.INVALID_INPUT;
      throw new RegistryException(error, b.toString());
    }
    List<ManagedRecord> put = new ArrayList<>(records.size());
    for (PolicyRecord r : records) {
      put.add(put(s, r));
    }
    return s.withRecordChanges(put, Set.of());
  }

  /** {@code r} as it would be after a put into {@code s}. */
  private static ManagedRecord put(RegistryState s, PolicyRecord r) {
    PolicyRef ref = ref(r.policyId(), r.policyVersion());
    PolicyVersion v = version(s, ref);
    Optional<ManagedRecord> existing = s.record(r.name());
    if (existing.isEmpty()) {
      return new ManagedRecord(r, v.type(), ImmutableList.of());
    }
    ManagedRecord m = existing.get();
    if (!m.zone().equals(r.hostedZone())) {
      throw new RegistryException(RegistryError.INVALID_INPUT, "policy record " + m.name() + " is in zone "
          + m.zone() + ", not " + r.hostedZone() + " (delete it to move it to another zone)");
    }
    checkType(m, v);
    return m.moveTo(ref, r.ttl());
  }

  static RegistryState rollback(RegistryState s, String name) {
    ManagedRecord r = record(s, name);
    PolicyRef to = r.previous().orElseThrow(() -> new RegistryException(RegistryError.INVALID_INPUT,
        "policy record " + r.name() + " has no earlier version to roll back to"));
    PolicyVersion v = s.version(to).orElseThrow(() -> new RegistryException(RegistryError.NO_SUCH_TRAFFIC_POLICY,
        "policy record " + r.name() + " was on " + to + " before, which has been deleted"));
    checkType(r, v);
    return withRecord(s, r.rolledBack());
  }

  static RegistryState deleteRecord(RegistryState s, String name) {
    ManagedRecord r = record(s, name);
    return s.withRecordChanges(List.of(), Set.of(r.name()));
  }

  static ManagedPolicy policy(RegistryState s, String id) {
    return s.policy(id).orElseThrow(() -> new RegistryException(RegistryError.NO_SUCH_TRAFFIC_POLICY,
        "no traffic policy with ID " + id));
  }

  static PolicyVersion version(RegistryState s, PolicyRef ref) {
    ManagedPolicy p = policy(s, ref.policyId());
    return p.version(ref.version()).orElseThrow(() -> new RegistryException(RegistryError.NO_SUCH_TRAFFIC_POLICY,
        "traffic policy " + ref.policyId() + " has no version " + ref.version()));
  }

  static ManagedRecord record(RegistryState s, String name) {
    String n = absoluteName(name);
    return s.record(n).orElseThrow(() -> new RegistryException(RegistryError.NO_SUCH_TRAFFIC_POLICY_INSTANCE,
        "no policy record named " + n));
  }

  static PolicyRef ref(String policyId, int version) {
    if (version < 1 || version > TrafficPolicy.MAX_VERSION) {
      throw new RegistryException(RegistryError.INVALID_INPUT, "version must be in [1, 1000] but was " + version);
    }
    if (policyId.isEmpty()) {
      throw new RegistryException(RegistryError.INVALID_INPUT, "the policy ID is empty");
    }
    return PolicyRef.of(policyId, version);
  }

  static String absoluteName(String name) {
    try {
      return PolicyRecord.absolute(name);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(RegistryError.INVALID_INPUT, IoMessages.message(e), e);
    }
  }

  private static void checkType(ManagedRecord r, PolicyVersion v) {
    if (v.type() != r.type()) {
      throw new RegistryException(RegistryError.CONFLICTING_TYPES, "policy record " + r.name() + " has type "
          + r.type() + " but version " + v.version() + " of policy " + v.id() + " has type " + v.type());
    }
  }

  private static void checkTtl(long ttl) {
    if (ttl < 0 || ttl > PolicyRecord.MAX_TTL) {
      throw new RegistryException(RegistryError.INVALID_INPUT, "TTL must be in [0, 2147483647] but was " + ttl);
    }
  }

  private static void checkName(String name) {
    if (name.isBlank() || name.length() > 512) {
      throw new RegistryException(RegistryError.INVALID_INPUT,
          "a policy name must have 1 to 512 characters, not all blank");
    }
  }

  private static void checkComment(Optional<String> comment) {
    if (comment.map(String::length).orElse(0) > 1024) {
      throw new RegistryException(RegistryError.INVALID_INPUT, "a comment must have at most 1024 characters");
    }
  }

  private static RegistryState withPolicy(RegistryState s, ManagedPolicy p) {
    Map<String, ManagedPolicy> policies = new LinkedHashMap<>(s.policyMap());
    policies.put(p.id(), p);
    return new RegistryState(s.generation(), policies, s.recordMap());
  }

  private static RegistryState withRecord(RegistryState s, ManagedRecord r) {
    return s.withRecordChanges(List.of(r), Set.of());
  }

  private static String names(Collection<ManagedRecord> records) {
    StringBuilder b = new StringBuilder();
    int shown = 0;
    for (ManagedRecord r : records) {
      if (shown == 5) {
        b.append(" and ").append(records.size() - shown).append(" more");
        break;
      }
      b.append(shown == 0 ? "" : ", ").append(r.name());
      shown++;
    }
    return (records.size() == 1 ? "policy record " : "policy records ") + b;
  }
}
