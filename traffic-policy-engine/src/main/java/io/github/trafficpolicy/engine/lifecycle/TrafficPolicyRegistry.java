package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.api.internal.IoMessages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic policies with numbered, immutable versions and the policy records bound to them: Route 53's traffic
 * policy and traffic policy instance API as a library.
 *
 * <p><b>State.</b> {@link #state()} is an immutable {@link RegistryState}; every change builds a complete new
 * state and swaps it in atomically, so readers never block and never see half a change. Listeners
 * ({@link #addListener}) receive every new state in order; a DNS server serves {@link RegistryState#servingSnapshot()}.
 *
 * <p><b>Errors.</b> Every operation either succeeds completely or throws {@link RegistryException} with Route 53's
 * error name ({@link RegistryError}) and changes nothing; bulk updates check every record before changing any.
 *
 * <p><b>Persistence.</b> With a {@linkplain Builder#directory directory} every change is written crash-safely
 * before it is published (see the README for the layout); changes made by other processes are picked up by
 * {@link #reloadIfChanged()} or {@link #watch}; a change on disk that fails validation is refused and the running
 * state stays. With {@linkplain Builder#etcd etcd} several processes on several machines share the registry: every
 * change is one etcd transaction guarded by the revision it was computed over, and {@link #watch} applies every
 * change committed elsewhere, in order. Without either the registry lives in memory.
 *
 * <p><b>IDs.</b> New policies get a random (version 4) UUID, 36 characters like Route 53's IDs, checked against
 * the IDs in use.
 *
 * <p>Thread-safe: changes are serialized; reads are lock-free.
 */
public final class TrafficPolicyRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(TrafficPolicyRegistry.class);

  private final DocumentCodec codec;
  private final Supplier<String> ids;
  private final Optional<RegistryStore> store;
  private final AtomicReference<RegistryState> state;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final CopyOnWriteArrayList<Consumer<? super RegistryState>> listeners = new CopyOnWriteArrayList<>();
  private final RegistryStore.Host host = new RegistryStore.Host() {
    @Override
    public RegistryState current() {
      return state();
    }

    @Override
    public void publish(RegistryState next) {
      TrafficPolicyRegistry.this.publish(next);
    }

    @Override
    public ReentrantLock lock() {
      return writeLock;
    }
  };

  private TrafficPolicyRegistry(Builder b) throws IOException {
    this.codec = checkNotNull(b.codec, "codec is not set");
    this.ids = b.ids;
    if (b.directory != null) {
      this.store = Optional.of(new DirectoryRegistryStore(new DirectoryStore(b.directory, b.faults, b.journalFloor),
          codec));
    } else if (b.etcd != null) {
      this.store = Optional.of(EtcdStores.open(b.etcd, codec));
    } else {
      this.store = Optional.empty();
    }
    this.state = new AtomicReference<>(store.map(RegistryStore::initial).orElse(RegistryState.empty()));
  }

  /** A builder; call {@link Builder#codec} (and {@link Builder#directory} or {@link Builder#etcd} to persist). */
  public static Builder builder() {
    return new Builder();
  }

  /** The current state; never blocks. */
  public RegistryState state() {
    return checkNotNull(state.get());
  }

  /** The directory the registry persists to, if any. */
  public Optional<Path> directory() {
    return store.flatMap(RegistryStore::directory);
  }

  /** Whether the registry persists (to a directory or etcd) and so can follow other writers' changes. */
  public boolean persistent() {
    return store.isPresent();
  }

  /** Where the registry persists: a directory, or an {@code etcd://} URI; "memory" in memory. */
  public String location() {
    return store.map(RegistryStore::describe).orElse("memory");
  }

  /**
   * Why the registry's store cannot be reached right now (etcd unreachable: the registry keeps its last state and
   * writes fail), or empty when it can (always, for a directory or in memory).
   */
  public Optional<String> storeUnavailable() {
    return store.flatMap(RegistryStore::unavailable);
  }

  /**
   * Stops following the store and releases its connection (etcd); the state stays readable, changes fail. A no-op
   * for a directory or in memory.
   */
  public void close() {
    store.ifPresent(RegistryStore::close);
  }

  // ---------------------------------------------------------------- traffic policies

  /**
   * Creates a traffic policy with version 1 from a document's text (stored exactly as given). Errors:
   * {@code InvalidTrafficPolicyDocument}, {@code TrafficPolicyAlreadyExists}, {@code InvalidInput}.
   */
  public PolicyVersion createPolicy(String name, String documentText, Optional<String> comment) {
    checkNotNull(name, "name");
    checkNotNull(comment, "comment (use Optional.empty())");
    Changes.Doc doc = Changes.parse(codec, checkNotNull(documentText, "documentText"));
    return createPolicy(name, doc, comment);
  }

  /** Creates a traffic policy with version 1 from a document (stored as its source text, or as the codec writes it). */
  public PolicyVersion createPolicy(String name, PolicyDocument document, Optional<String> comment) {
    checkNotNull(name, "name");
    checkNotNull(comment, "comment (use Optional.empty())");
    return createPolicy(name, Changes.of(codec, checkNotNull(document, "document")), comment);
  }

  private PolicyVersion createPolicy(String name, Changes.Doc doc, Optional<String> comment) {
    AtomicReference<String> id = new AtomicReference<>("");
    RegistryState next = change(s -> {
      id.set(newId(s));
      return Changes.createPolicy(s, checkNotNull(id.get()), name, doc, comment);
    });
    return next.version(PolicyRef.of(checkNotNull(id.get()), 1)).orElseThrow();
  }

  /**
   * Creates the next version of a policy from a document's text: number {@code lastVersion + 1}, never one used
   * before. Errors: {@code NoSuchTrafficPolicy}, {@code InvalidTrafficPolicyDocument},
   * {@code TooManyTrafficPolicyVersionsForCurrentPolicy}, {@code InvalidInput}.
   */
  public PolicyVersion createPolicyVersion(String policyId, String documentText, Optional<String> comment) {
    checkNotNull(policyId, "policyId");
    checkNotNull(comment, "comment (use Optional.empty())");
    return createVersion(policyId, Changes.parse(codec, checkNotNull(documentText, "documentText")), comment);
  }

  /** Creates the next version of a policy from a document. */
  public PolicyVersion createPolicyVersion(String policyId, PolicyDocument document, Optional<String> comment) {
    checkNotNull(policyId, "policyId");
    checkNotNull(comment, "comment (use Optional.empty())");
    return createVersion(policyId, Changes.of(codec, checkNotNull(document, "document")), comment);
  }

  private PolicyVersion createVersion(String policyId, Changes.Doc doc, Optional<String> comment) {
    RegistryState next = change(s -> Changes.createVersion(s, policyId, doc, comment));
    return next.policy(policyId).orElseThrow().latest();
  }

  /** The latest version of a policy. Errors: {@code NoSuchTrafficPolicy}. */
  public PolicyVersion getPolicy(String policyId) {
    return Changes.policy(state(), checkNotNull(policyId, "policyId")).latest();
  }

  /** One version of a policy. Errors: {@code NoSuchTrafficPolicy}, {@code InvalidInput}. */
  public PolicyVersion getPolicy(String policyId, int version) {
    return Changes.version(state(), Changes.ref(checkNotNull(policyId, "policyId"), version));
  }

  /** The latest version of every policy, in creation order (Route 53's {@code ListTrafficPolicies}). */
  public ImmutableList<PolicyVersion> listPolicies() {
    return state().policies().stream().map(ManagedPolicy::latest).collect(ImmutableList.toImmutableList());
  }

  /** Every existing version of a policy in numeric order. Errors: {@code NoSuchTrafficPolicy}. */
  public ImmutableList<PolicyVersion> listPolicyVersions(String policyId) {
    return Changes.policy(state(), checkNotNull(policyId, "policyId")).versions().values().asList();
  }

  /** Sets (or, with empty, removes) a version's comment. Errors: {@code NoSuchTrafficPolicy}, {@code InvalidInput}. */
  public PolicyVersion updatePolicyComment(String policyId, int version, Optional<String> comment) {
    checkNotNull(comment, "comment (use Optional.empty())");
    PolicyRef ref = Changes.ref(checkNotNull(policyId, "policyId"), version);
    return change(s -> Changes.updateComment(s, ref, comment)).version(ref).orElseThrow();
  }

  /**
   * Deletes one version; deleting the last remaining version deletes the policy. Its number is never reused.
   * Errors: {@code NoSuchTrafficPolicy}, {@code TrafficPolicyInUse} (a record is bound to it).
   */
  public void deletePolicyVersion(String policyId, int version) {
    PolicyRef ref = Changes.ref(checkNotNull(policyId, "policyId"), version);
    change(s -> Changes.deleteVersion(s, ref));
  }

  /** Deletes a policy with all its versions. Errors: {@code NoSuchTrafficPolicy}, {@code TrafficPolicyInUse}. */
  public void deletePolicy(String policyId) {
    checkNotNull(policyId, "policyId");
    change(s -> Changes.deletePolicy(s, policyId));
  }

  // ---------------------------------------------------------------- policy records

  /**
   * Creates a policy record: {@code name} in {@code zone} answered by a policy version with {@code ttl}. Errors:
   * {@code NoSuchTrafficPolicy}, {@code TrafficPolicyInstanceAlreadyExists}, {@code InvalidInput}.
   */
  public ManagedRecord createRecord(String zone, String name, long ttl, String policyId, int version) {
    checkNotNull(zone, "zone");
    checkNotNull(name, "name");
    PolicyRef ref = Changes.ref(checkNotNull(policyId, "policyId"), version);
    String key = Changes.absoluteName(name);
    return change(s -> Changes.createRecord(s, zone, name, ttl, ref)).record(key).orElseThrow();
  }

  /**
   * Binds a record to another version of its policy (roll forward or back) and/or sets its TTL; an empty argument
   * keeps the current value. The old version joins the record's history. Errors: {@code NoSuchTrafficPolicyInstance},
   * {@code NoSuchTrafficPolicy}, {@code ConflictingTypes}, {@code InvalidInput}.
   */
  public ManagedRecord updateRecord(String name, Optional<Integer> version, OptionalLong ttl) {
    checkNotNull(version, "version (use Optional.empty())");
    checkNotNull(ttl, "ttl (use OptionalLong.empty())");
    String key = Changes.absoluteName(checkNotNull(name, "name"));
    return change(s -> {
      Optional<PolicyRef> to = version.map(v -> Changes.ref(Changes.record(s, key).current().policyId(), v));
      return Changes.updateRecord(s, key, to, ttl);
    }).record(key).orElseThrow();
  }

  /**
   * Binds a record to a version of any policy (Route 53's {@code UpdateTrafficPolicyInstance}, which may switch
   * policies as long as the record type stays) and/or sets its TTL.
   */
  public ManagedRecord updateRecord(String name, PolicyRef to, OptionalLong ttl) {
    checkNotNull(to, "to");
    checkNotNull(ttl, "ttl (use OptionalLong.empty())");
    String key = Changes.absoluteName(checkNotNull(name, "name"));
    return change(s -> Changes.updateRecord(s, key, Optional.of(to), ttl)).record(key).orElseThrow();
  }

  /**
   * Binds every named record to {@code to} atomically: each record is checked first and, if any fails (unknown
   * record, other type), none changes. Returns the updated records.
   */
  public ImmutableList<ManagedRecord> updateRecords(Collection<String> names, PolicyRef to) {
    checkNotNull(to, "to");
    ImmutableList<String> keys = checkNotNull(names, "names").stream()
        .map(Changes::absoluteName)
        .distinct()
        .collect(ImmutableList.toImmutableList());
    RegistryState next = change(s -> Changes.updateRecords(s, keys, to));
    return keys.stream().map(k -> next.record(k).orElseThrow()).collect(ImmutableList.toImmutableList());
  }

  /**
   * Binds every record of a policy (whatever version it is on) to {@code version} of that policy atomically.
   * Errors: {@code NoSuchTrafficPolicy}, {@code ConflictingTypes} (nothing changes).
   */
  public ImmutableList<ManagedRecord> updateAllRecords(String policyId, int version) {
    PolicyRef to = Changes.ref(checkNotNull(policyId, "policyId"), version);
    AtomicReference<List<String>> names = new AtomicReference<>(List.of());
    RegistryState next = change(s -> {
      Changes.version(s, to);
      names.set(s.recordsOfPolicy(policyId).stream().map(ManagedRecord::name).toList());
      return Changes.updateRecords(s, checkNotNull(names.get()), to);
    });
    return checkNotNull(names.get()).stream().map(k -> next.record(k).orElseThrow()).collect(ImmutableList.toImmutableList());
  }

  /**
   * Creates or updates many policy records in one atomic change (one write to disk): a record whose name is new is
   * created; an existing one is bound to the given version with the given TTL (the zone must stay; the old version
   * joins its history). Every record is checked before anything changes: if any cannot be put, none is, and the
   * {@link RegistryException} lists each failing record with its position (1-based) and Route 53 error
   * ({@link #checkRecords} gives them one by one). Returns the records as stored, in the given order.
   */
  public ImmutableList<ManagedRecord> putRecords(List<PolicyRecord> records) {
    ImmutableList<PolicyRecord> given = ImmutableList.copyOf(checkNotNull(records, "records"));
    RegistryState next = change(s -> Changes.putRecords(s, given));
    return given.stream().map(r -> next.record(r.name()).orElseThrow()).collect(ImmutableList.toImmutableList());
  }

  /**
   * Why {@link #putRecords} would refuse each of {@code records} against the current state, by index in
   * {@code records} (in order); empty when all of them can be put now.
   */
  public ImmutableMap<Integer, RegistryException> checkRecords(List<PolicyRecord> records) {
    return ImmutableMap.copyOf(Changes.checkPut(state(), ImmutableList.copyOf(checkNotNull(records, "records"))));
  }

  /**
   * Binds a record back to the version it had before its last version change (repeatable, up to
   * {@link ManagedRecord#MAX_HISTORY} steps). Errors: {@code NoSuchTrafficPolicyInstance}, {@code InvalidInput}
   * (no earlier version), {@code NoSuchTrafficPolicy} (that version has been deleted).
   */
  public ManagedRecord rollbackRecord(String name) {
    String key = Changes.absoluteName(checkNotNull(name, "name"));
    return change(s -> Changes.rollback(s, key)).record(key).orElseThrow();
  }

  /** Deletes a policy record. Errors: {@code NoSuchTrafficPolicyInstance}. */
  public void deleteRecord(String name) {
    String key = Changes.absoluteName(checkNotNull(name, "name"));
    change(s -> Changes.deleteRecord(s, key));
  }

  /** A policy record by name. Errors: {@code NoSuchTrafficPolicyInstance}. */
  public ManagedRecord getRecord(String name) {
    return Changes.record(state(), checkNotNull(name, "name"));
  }

  /** Every record, in creation order. */
  public ImmutableList<ManagedRecord> listRecords() {
    return state().records();
  }

  /** The records of a hosted zone. */
  public ImmutableList<ManagedRecord> listRecordsByZone(String zone) {
    return state().recordsInZone(Changes.absoluteName(checkNotNull(zone, "zone")));
  }

  /** The records bound to any version of a policy. Errors: {@code NoSuchTrafficPolicy}. */
  public ImmutableList<ManagedRecord> listRecordsByPolicy(String policyId) {
    RegistryState s = state();
    Changes.policy(s, checkNotNull(policyId, "policyId"));
    return s.recordsOfPolicy(policyId);
  }

  /** The records bound to one version. Errors: {@code NoSuchTrafficPolicy}. */
  public ImmutableList<ManagedRecord> listRecordsByPolicy(String policyId, int version) {
    RegistryState s = state();
    PolicyRef ref = Changes.ref(checkNotNull(policyId, "policyId"), version);
    Changes.version(s, ref);
    return s.recordsUsing(ref);
  }

  /** Where an endpoint value or health-check ID is used, across every policy version, with the bound records. */
  public ImmutableList<Usage> usages(String value) {
    return state().usages(checkNotNull(value, "value"));
  }

  // ---------------------------------------------------------------- listening and reloading

  /** A registration that {@link #close()} ends. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Calls {@code listener} with every new state, in order, on the thread that made the change (or reloaded it).
   * The listener should be quick; an exception it throws is logged and ignored.
   */
  public Subscription addListener(Consumer<? super RegistryState> listener) {
    checkNotNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /**
   * Loads the directory again if another writer changed it since this registry last read or wrote it. Checking is
   * cheap (a {@code stat} of {@code registry.json} and of the journal) when nothing changed. A changed directory
   * whose content is invalid is {@linkplain ReloadResult.Status#REFUSED refused}: the state stays, and the same
   * content is reported only once. In memory, always {@code UNCHANGED}.
   */
  public ReloadResult reloadIfChanged() {
    return store.isEmpty() ? ReloadResult.unchanged(state()) : store.get().reloadIfChanged(host);
  }

  /**
   * Follows changes by other writers, passing every result but {@code UNCHANGED} to {@code onReload} (for example
   * to log refused changes): a directory is checked every {@code interval} on a daemon thread
   * ({@link #reloadIfChanged()}); etcd is watched (every committed change is applied in order on one daemon thread,
   * and {@code interval} is how often etcd's reachability and revision are checked besides). Closing the
   * subscription stops following. In memory, nothing to follow.
   */
  public Subscription watch(Duration interval, Consumer<? super ReloadResult> onReload) {
    checkNotNull(interval, "interval");
    checkNotNull(onReload, "onReload");
    checkArgument(!interval.isNegative() && !interval.isZero(), "interval must be positive but was %s", interval);
    if (store.isEmpty()) {
      return () -> { };
    }
    return store.get().follow(host, interval, onReload);
  }

  // ---------------------------------------------------------------- internals

  /**
   * Applies {@code change} to the current state (first re-read from the store if another writer changed it) under
   * the write lock, commits the result to the store (if persistent), publishes it and returns it.
   */
  private RegistryState change(UnaryOperator<RegistryState> change) {
    writeLock.lock();
    try {
      if (store.isEmpty()) {
        RegistryState base = state();
        RegistryState next = change.apply(base).withGeneration(base.generation() + 1);
        publish(next);
        return next;
      }
      return store.get().change(host, change);
    } catch (IOException e) {
      // A plain IOException (etcd's) says everything in its message; a file system one needs its type.
      throw new RegistryException(RegistryError.INVALID_INPUT, "cannot write the registry: "
          + (e.getClass() == IOException.class ? e.getMessage() : e.toString()), e);
    } finally {
      writeLock.unlock();
    }
  }

  private void publish(RegistryState next) {
    state.set(next);
    for (Consumer<? super RegistryState> l : listeners) {
      try {
        l.accept(next);
      } catch (RuntimeException e) {
        LOG.warn("registry listener failed", e);
      }
    }
  }

  private String newId(RegistryState s) {
    for (int attempt = 0; attempt < 100; attempt++) {
      String id = ids.get();
      if (s.policy(id).isEmpty()) {
        return id;
      }
    }
    throw new RegistryException(RegistryError.INVALID_INPUT, "the ID generator keeps returning IDs in use");
  }

  /** Builds a {@link TrafficPolicyRegistry}. */
  public static final class Builder {
    private @Nullable DocumentCodec codec;
    private @Nullable Path directory;
    private @Nullable EtcdSettings etcd;
    private Supplier<String> ids = () -> UUID.randomUUID().toString();
    private DirectoryStore.Faults faults = DirectoryStore.Faults.NONE;
    private long journalFloor = DirectoryStore.JOURNAL_FLOOR;

    private Builder() {}

    /** How documents are read and written (e.g. {@link DocumentCodec#json()}). */
    public Builder codec(DocumentCodec codec) {
      this.codec = checkNotNull(codec, "codec");
      return this;
    }

    /** Persist to this directory (created if missing; its existing content is loaded). Default: in memory. */
    public Builder directory(Path directory) {
      this.directory = checkNotNull(directory, "directory");
      this.etcd = null;
      return this;
    }

    /**
     * Persist to etcd v3 (needs {@code io.etcd:jetcd-core} on the class path): several servers and command-line
     * tools on several machines then share one registry. See the README for the keys and guarantees.
     */
    public Builder etcd(EtcdSettings etcd) {
      this.etcd = checkNotNull(etcd, "etcd");
      this.directory = null;
      return this;
    }

    /**
     * Persist to {@code location}: an {@code etcd://HOST:PORT[,HOST:PORT...]/PREFIX} URI, or else a directory path.
     * A location with another URI scheme ({@code http://...}) is refused with {@link IllegalArgumentException}
     * rather than taken for a directory.
     */
    public Builder location(String location) {
      Optional<EtcdSettings> etcd = EtcdSettings.ofLocation(checkNotNull(location, "location"));
      return etcd.isPresent() ? etcd(etcd.get()) : directory(Path.of(location));
    }

    /**
     * Where new policy IDs come from (default: random UUIDs). IDs must be 1 to 36 letters, digits and '-'; an ID
     * in use is skipped.
     */
    public Builder idGenerator(Supplier<String> ids) {
      this.ids = checkNotNull(ids, "ids");
      return this;
    }

    /** Test hook: the size of {@code registry.json} from which record changes go to the journal. */
    Builder journalFloor(long bytes) {
      checkArgument(bytes >= 0, "bytes must not be negative");
      this.journalFloor = bytes;
      return this;
    }

    /** Test hook: simulated crashes during commits. */
    Builder faults(DirectoryStore.Faults faults) {
      this.faults = checkNotNull(faults, "faults");
      return this;
    }

    /**
     * The registry. With a directory or etcd, loads it; throws {@code RegistryException} ({@code InvalidInput}) when
     * its content is invalid and {@link java.io.UncheckedIOException} when it cannot be read (etcd unreachable for
     * longer than {@link EtcdSettings#startupWait}).
     */
    public TrafficPolicyRegistry build() {
      try {
        return new TrafficPolicyRegistry(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the registry in "
            + (directory != null ? directory.toString() : String.valueOf(etcd)) + ": " + IoMessages.describe(e), e);
      }
    }
  }
}
