package io.github.trafficpolicy.engine.lifecycle;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry in etcd v3 (through jetcd). Keys, all under {@code /PREFIX/}:
 *
 * <pre>
 * /PREFIX/registry.json          the metadata, exactly as registry.json of a directory registry
 * /PREFIX/policies/ID/N.json     the document of version N of policy ID, byte for byte as it was given
 * /PREFIX/changes/ID            one key per change committed in the last minutes (see below), under a lease
 * /PREFIX/health/CHECK/VANTAGE  shared health ({@link EtcdHealthShare}); not the registry's, ignored here
 * </pre>
 *
 * <p><b>Changes.</b> A change is computed over the latest metadata this store knows (revision {@code R}) and
 * committed in one etcd transaction: if the metadata's mod revision is still {@code R}, put the new metadata, the new
 * documents and a key naming the change's random ID, and delete the documents of deleted versions; else read the
 * metadata as it is (and whether that change key exists). A writer that lost the race computes the change again over the state it read and retries, so two
 * writers on two machines never lose each other's change, version numbers stay dense and never reused, and an update
 * of many records is one transaction: all or nothing. When etcd does not answer in time the outcome is unknown; the
 * store then looks for its change key: there means the change was committed (whatever other writers committed
 * after it), absent means it was not (and it is retried over the newer state), and an unreadable etcd fails the
 * change with a message saying it is unconfirmed. Change keys live under a lease of {@link #CHANGE_KEY_TTL_SECONDS}
 * (one lease per store, renewed by granting a new one halfway), so they do not accumulate.
 *
 * <p><b>Following.</b> A watch on the prefix delivers every committed change in revision order; each one is read
 * (documents from the same revision, or from the current state when a version is unchanged) and published on one
 * daemon thread, never on a query thread. A metadata revision that is not newer than the one applied is skipped (a
 * writer has published its own commit already); one that cannot be read is refused, logged once, and the last good
 * state stays. Besides the watch, the store asks etcd for the metadata's revision every follow interval: this tells
 * whether etcd is reachable (logged when it stops and starts being, {@link #unavailable()}), and catches up when the
 * watch missed something (a watch that broke off is opened again from the last revision applied).
 *
 * <p><b>Opening.</b> The store reads the whole prefix at one revision. While etcd is unreachable it retries for
 * {@link EtcdSettings#startupWait()}, logging each attempt, then fails: a server does not start from a guess.
 */
final class EtcdStore implements RegistryStore {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdStore.class);
  static final String METADATA = "registry.json";
  static final String CHANGES = "changes/";
  /** How long a change key lives: far longer than any request timeout. */
  static final long CHANGE_KEY_TTL_SECONDS = 600;
  /** How often a change is computed again after losing a race before it fails. */
  static final int MAX_ATTEMPTS = 64;

  private final EtcdSettings settings;
  private final DocumentCodec codec;
  private final Client client;
  private final KV kv;
  private final String prefix;
  private final ByteSequence prefixKey;
  private final ByteSequence metadataKey;
  /** The lease change keys are put under (0: none yet) and when it was granted (System.nanoTime()). */
  private long lease;
  private long leaseGranted;
  private final RegistryState initial;
  /** Applies watched changes and reachability checks in order. */
  private final ScheduledExecutorService follower;
  /** The mod revision of the metadata the current state came from (0: none yet); guarded by the host's lock. */
  private long appliedRevision;
  /** The mod revision of metadata refused (reported once); guarded by the host's lock. */
  private long refusedRevision;
  /** The last etcd revision the watch delivered or a read saw (the watch resumes after it); follower thread. */
  private volatile long seenRevision;
  private volatile Optional<String> unavailable = Optional.empty();
  private volatile Watch.@Nullable Watcher watcher;
  private volatile boolean closed;
  /** Whether a watch should be kept open (between {@link #follow} and closing its subscription); follower thread. */
  private boolean following;

  /** The metadata at one revision, and whether the change key asked about was there. */
  private record Snapshot(RegistryState state, long metadataRevision, long revision, boolean changeCommitted) {}

  private EtcdStore(EtcdSettings settings, DocumentCodec codec, Client client) throws IOException {
    this.settings = settings;
    this.codec = codec;
    this.client = client;
    this.kv = client.getKVClient();
    this.prefix = "/" + settings.prefix() + "/";
    this.prefixKey = bytes(prefix);
    this.metadataKey = bytes(prefix + METADATA);
    this.follower = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "traffic-policy-registry-etcd");
      t.setDaemon(true);
      return t;
    });
    Snapshot first = openWaiting();
    this.initial = first.state();
    this.appliedRevision = first.metadataRevision();
    this.seenRevision = first.revision();
  }

  /** A jetcd client for {@code settings}: its endpoints, credentials, TLS and timeout. */
  static Client client(EtcdSettings settings) throws IOException {
    ClientBuilder b = Client.builder()
        .endpoints(settings.endpointUrls().toArray(String[]::new))
        .connectTimeout(settings.timeout())
        // jetcd retries a request that etcd did not take (unavailable) with backoff, within the request timeout.
        .retryChronoUnit(java.time.temporal.ChronoUnit.MILLIS)
        .retryDelay(50)
        .retryMaxDelay(Math.max(100, settings.timeout().toMillis() / 4))
        .retryMaxDuration(settings.timeout().compareTo(Duration.ofMillis(200)) > 0 ? settings.timeout()
            : Duration.ofMillis(200))
        .keepaliveTime(Duration.ofSeconds(10))
        .keepaliveTimeout(Duration.ofSeconds(5));
    if (settings.user().isPresent()) {
      b.user(bytes(settings.user().get())).password(bytes(settings.password().orElseThrow()));
    }
    if (settings.trustedCa().isPresent()) {
      b.sslContext(ssl -> {
        ssl.trustManager(settings.trustedCa().get().toFile());
        if (settings.clientCertificate().isPresent()) {
          ssl.keyManager(settings.clientCertificate().get().toFile(), settings.clientKey().orElseThrow().toFile());
        }
      });
    }
    return b.build();
  }

  static EtcdStore open(EtcdSettings settings, DocumentCodec codec) throws IOException {
    Client client = client(settings);
    try {
      return new EtcdStore(settings, codec, client);
    } catch (IOException | RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /** Reads the registry, retrying for the startup wait while etcd is unreachable. */
  private Snapshot openWaiting() throws IOException {
    long deadline = System.nanoTime() + settings.startupWait().toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        return readAll();
      } catch (Refused e) {
        throw e; // a refusal does not go away by waiting
      } catch (IOException e) {
        // gRPC takes a TLS mismatch for an unreachable server: look before waiting for it
        Optional<String> insecure = EtcdTlsProbe.diagnose(settings);
        if (insecure.isPresent()) {
          throw new IOException(insecure.get(), e);
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new IOException("etcd at " + settings.uri() + " is unreachable: " + e.getMessage(), e);
        }
        LOG.warn("waiting for etcd at {} (attempt {}): {}", settings.uri(), attempt, e.getMessage());
        try {
          Thread.sleep(Math.min(1000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while waiting for etcd at " + settings.uri(), ie);
        }
      } catch (IllegalArgumentException e) {
        throw new RegistryException(RegistryError.INVALID_INPUT,
            "the registry in " + settings.uri() + " is invalid: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public RegistryState initial() {
    return initial;
  }

  @Override
  public String describe() {
    return settings.uri();
  }

  @Override
  public Optional<String> unavailable() {
    return unavailable;
  }

  // ---------------------------------------------------------------- changes

  @Override
  public RegistryState change(Host host, UnaryOperator<RegistryState> change) throws IOException {
    ByteSequence changeKey = bytes(prefix + CHANGES + UUID.randomUUID());
    RegistryState base = host.current();
    long baseRevision = appliedRevision;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      RegistryState next = change.apply(base).withGeneration(base.generation() + 1);
      long changeLease;
      try {
        changeLease = changeLease();
      } catch (IOException e) {
        unreachable(e);
        throw new IOException("etcd at " + settings.uri() + " is unreachable: " + e.getMessage(), e);
      }
      Cmp unchanged = baseRevision == 0 ? new Cmp(metadataKey, Cmp.Op.EQUAL, CmpTarget.version(0))
          : new Cmp(metadataKey, Cmp.Op.EQUAL, CmpTarget.modRevision(baseRevision));
      CompletableFuture<TxnResponse> txn = kv.txn()
          .If(unchanged)
          .Then(writes(base, next, changeKey, changeLease).toArray(Op[]::new))
          .Else(Op.get(metadataKey, GetOption.DEFAULT), Op.get(changeKey, GetOption.DEFAULT))
          .commit();
      Snapshot now;
      try {
        TxnResponse r = await(txn);
        reachable();
        if (r.isSucceeded()) {
          appliedRevision = r.getHeader().getRevision();
          host.publish(next);
          return next;
        }
        now = snapshot(r.getGetResponses().get(0), r.getGetResponses().get(1), host.current());
      } catch (Refused e) {
        throw new IOException(e.getMessage() + "; the change is not committed", e); // etcd did not execute it
      } catch (IOException e) {
        // The outcome is unknown: read what is there now. (A lease etcd no longer knows fails every transaction:
        // the next attempt takes a new one.)
        lease = 0;
        try {
          now = readMetadata(host.current(), changeKey);
        } catch (IllegalArgumentException again) {
          throw invalid(again);
        } catch (IOException again) {
          unreachable(again);
          throw new IOException("etcd at " + settings.uri() + " did not confirm the change (" + e.getMessage()
              + ") and cannot be read now (" + again.getMessage() + "): the change may or may not be committed", e);
        }
      } catch (IllegalArgumentException e) {
        throw invalid(e);
      }
      if (now.changeCommitted()) {
        // Our own commit (sent before and confirmed now), perhaps with other writers' changes after it.
        apply(host, now);
        return now.state();
      }
      apply(host, now);
      base = now.state();
      baseRevision = now.metadataRevision();
      if (attempt > 2) {
        sleepQuietly(ThreadLocalRandom.current().nextInt(1, 5 * attempt));
      }
    }
    throw new IOException("gave up after " + MAX_ATTEMPTS + " attempts: other writers kept changing the registry in "
        + settings.uri());
  }

  /** The operations committing {@code next} over {@code base}. */
  private List<Op> writes(RegistryState base, RegistryState next, ByteSequence changeKey, long changeLease) {
    List<Op> ops = new ArrayList<>();
    ops.add(Op.put(metadataKey, ByteSequence.from(RegistryJson.write(next)), PutOption.DEFAULT));
    ops.add(Op.put(changeKey, ByteSequence.EMPTY, PutOption.builder().withLeaseId(changeLease).build()));
    for (ManagedPolicy p : next.policies()) {
      for (PolicyVersion v : p.versions().values()) {
        if (base.version(v.ref()).isEmpty()) {
          ops.add(Op.put(documentKey(p.id(), v.version()), bytes(v.documentText()), PutOption.DEFAULT));
        }
      }
    }
    for (ManagedPolicy p : base.policies()) {
      if (next.policy(p.id()).isEmpty()) {
        ops.add(Op.delete(bytes(prefix + "policies/" + p.id() + "/"),
            DeleteOption.builder().isPrefix(true).build()));
        continue;
      }
      for (PolicyVersion v : p.versions().values()) {
        if (next.version(v.ref()).isEmpty()) {
          ops.add(Op.delete(documentKey(p.id(), v.version()), DeleteOption.DEFAULT));
        }
      }
    }
    return ops;
  }

  /**
   * The lease for change keys: granted once, and again when half its time has passed (the host's lock is held, so
   * one change at a time asks).
   */
  private long changeLease() throws IOException {
    if (lease == 0 || System.nanoTime() - leaseGranted > TimeUnit.SECONDS.toNanos(CHANGE_KEY_TTL_SECONDS / 2)) {
      long granted = System.nanoTime();
      lease = await(client.getLeaseClient().grant(CHANGE_KEY_TTL_SECONDS)).getID();
      leaseGranted = granted;
    }
    return lease;
  }

  private RegistryException invalid(IllegalArgumentException e) {
    return new RegistryException(RegistryError.INVALID_INPUT,
        "the registry in " + settings.uri() + " is invalid, refusing to change it: " + e.getMessage(), e);
  }

  // ---------------------------------------------------------------- following

  @Override
  public ReloadResult reloadIfChanged(Host host) {
    Snapshot now;
    try {
      now = readMetadata(host.current());
      reachable();
    } catch (IOException e) {
      unreachable(e);
      return ReloadResult.refused(host.current(), "cannot read the registry in " + settings.uri() + ": "
          + e.getMessage());
    } catch (IllegalArgumentException e) {
      return refuse(host, e, -1);
    }
    host.lock().lock();
    try {
      return apply(host, now) ? ReloadResult.reloaded(host.current()) : ReloadResult.unchanged(host.current());
    } finally {
      host.lock().unlock();
    }
  }

  @Override
  public TrafficPolicyRegistry.Subscription follow(Host host, Duration interval,
                                                   Consumer<? super ReloadResult> onReload) {
    Runnable check = () -> {
      if (closed) {
        return;
      }
      long revision;
      long header;
      try {
        GetResponse r = await(kv.get(metadataKey, GetOption.builder().withKeysOnly(true).build()));
        reachable();
        revision = r.getKvs().isEmpty() ? 0 : r.getKvs().get(0).getModRevision();
        header = r.getHeader().getRevision();
      } catch (IOException e) {
        unreachable(e);
        return;
      }
      boolean behind;
      host.lock().lock();
      try {
        behind = revision > appliedRevision && revision != refusedRevision;
      } finally {
        host.lock().unlock();
      }
      if (behind) {
        report(onReload, reloadIfChanged(host));
      } else {
        // Nothing up to this revision is missing: a watch opened again starts after it (past any compaction).
        seenRevision = Math.max(seenRevision, header);
      }
      Watch.Watcher w = watcher;
      if (following && (w == null || w.isClosed())) {
        startWatch(host, onReload);
      }
    };
    onFollower(() -> startWatch(host, onReload));
    ScheduledFuture<?> checks = follower.scheduleWithFixedDelay(check, interval.toNanos(), interval.toNanos(),
        TimeUnit.NANOSECONDS);
    return () -> {
      checks.cancel(false);
      onFollower(() -> {
        following = false;
        Watch.Watcher w = watcher;
        if (w != null) {
          w.close();
        }
      });
    };
  }

  /** Runs {@code task} on the follower thread, unless the store is closed. */
  private void onFollower(Runnable task) {
    if (closed) {
      return;
    }
    try {
      follower.execute(task);
    } catch (RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void startWatch(Host host, Consumer<? super ReloadResult> onReload) {
    if (closed) {
      return;
    }
    following = true;
    Watch.Watcher old = watcher;
    if (old != null) {
      old.close();
    }
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(seenRevision + 1).build();
    // A watch that breaks off (etcd compacted past it, or gave up) is opened again by the next reachability check,
    // after reading what it missed: no tight loop while etcd is down.
    watcher = client.getWatchClient().watch(prefixKey, option, Watch.listener(
        response -> onFollower(() -> onWatch(host, response, onReload)),
        error -> onFollower(() -> {
          if (following) {
            LOG.warn("etcd watch on {} broke off after revision {} ({}); catching up", settings.uri(),
                seenRevision, error.toString());
            Watch.Watcher broken = watcher;
            watcher = null;
            if (broken != null) {
              broken.close();
            }
          }
        })));
  }

  /** Applies the metadata of one watch response (the last put of it: every change is complete in its revision). */
  private void onWatch(Host host, WatchResponse response, Consumer<? super ReloadResult> onReload) {
    if (closed) {
      return;
    }
    KeyValue metadata = null;
    Map<String, String> documents = new HashMap<>();
    long revision = seenRevision;
    for (WatchEvent e : response.getEvents()) {
      KeyValue kv = e.getKeyValue();
      revision = Math.max(revision, kv.getModRevision());
      if (e.getEventType() != WatchEvent.EventType.PUT) {
        continue;
      }
      String key = kv.getKey().toString(StandardCharsets.UTF_8);
      if (key.equals(prefix + METADATA)) {
        metadata = kv;
      } else if (key.startsWith(prefix + "policies/")) {
        try {
          documents.put(key.substring(prefix.length()), decode(kv.getValue()));
        } catch (CharacterCodingException ex) {
          documents.put(key.substring(prefix.length()), "\uFFFD");
        }
      }
    }
    seenRevision = Math.max(seenRevision, revision);
    if (metadata == null) {
      return;
    }
    host.lock().lock();
    try {
      if (metadata.getModRevision() <= appliedRevision || metadata.getModRevision() == refusedRevision) {
        return;
      }
      Snapshot s;
      try {
        s = new Snapshot(read(metadata, documents, host.current()), metadata.getModRevision(),
            metadata.getModRevision(), false);
      } catch (IOException e) {
        // A document could not be read now (etcd going away): not a verdict on the change; the next check
        // catches up.
        unreachable(e);
        return;
      } catch (IllegalArgumentException | RegistryException e) {
        report(onReload, refuse(host, e, metadata.getModRevision()));
        return;
      }
      if (apply(host, s)) {
        report(onReload, ReloadResult.reloaded(host.current()));
      }
    } finally {
      host.lock().unlock();
    }
  }

  private static void report(Consumer<? super ReloadResult> onReload, ReloadResult r) {
    if (r.status() != ReloadResult.Status.UNCHANGED) {
      try {
        onReload.accept(r);
      } catch (RuntimeException e) {
        LOG.warn("registry reload listener failed", e);
      }
    }
  }

  /** Publishes {@code s} if it is newer than the applied state (the caller holds the host's lock); whether it was. */
  private boolean apply(Host host, Snapshot s) {
    host.lock().lock();
    try {
      if (s.metadataRevision() <= appliedRevision) {
        return false;
      }
      appliedRevision = s.metadataRevision();
      refusedRevision = 0;
      if (!s.state().equals(host.current())) {
        host.publish(s.state());
        return true;
      }
      return false;
    } finally {
      host.lock().unlock();
    }
  }

  private ReloadResult refuse(Host host, Exception e, long revision) {
    host.lock().lock();
    try {
      if (revision > 0 && revision == refusedRevision) {
        return ReloadResult.unchanged(host.current());
      }
      refusedRevision = revision;
      return ReloadResult.refused(host.current(), "the registry in " + settings.uri() + " is invalid: "
          + e.getMessage());
    } finally {
      host.lock().unlock();
    }
  }

  private void reachable() {
    Optional<String> was = unavailable;
    if (was.isPresent()) {
      unavailable = Optional.empty();
      LOG.info("etcd at {} is reachable again", settings.uri());
    }
  }

  private void unreachable(IOException e) {
    if (closed) {
      return;
    }
    boolean first = unavailable.isEmpty();
    unavailable = Optional.of("etcd at " + settings.uri() + " is unreachable: " + e.getMessage());
    if (first) {
      LOG.warn("{}; still serving the last state applied, writes fail until it is back", unavailable.get());
    }
  }

  // ---------------------------------------------------------------- reading

  /** Everything under the prefix at one revision. */
  private Snapshot readAll() throws IOException {
    GetResponse r = await(kv.get(prefixKey, GetOption.builder().isPrefix(true).build()));
    KeyValue metadata = null;
    Map<String, String> documents = new HashMap<>();
    for (KeyValue kv : r.getKvs()) {
      String key = kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length());
      if (key.equals(METADATA)) {
        metadata = kv;
      } else if (key.startsWith("policies/")) {
        documents.put(key, decode(kv.getValue()));
      }
    }
    long revision = r.getHeader().getRevision();
    if (metadata == null) {
      return new Snapshot(RegistryState.empty(), 0, revision, false);
    }
    return new Snapshot(read(metadata, documents, RegistryState.empty()), metadata.getModRevision(), revision,
        false);
  }

  /**
   * The metadata now (documents from {@code current} where unchanged, else read) and whether {@code changeKey} is
   * there, at one revision.
   */
  private Snapshot readMetadata(RegistryState current) throws IOException {
    GetResponse metadata = await(kv.get(metadataKey, GetOption.DEFAULT));
    if (metadata.getKvs().isEmpty()) {
      return new Snapshot(RegistryState.empty(), 0, metadata.getHeader().getRevision(), false);
    }
    KeyValue kv = metadata.getKvs().get(0);
    return new Snapshot(read(kv, Map.of(), current), kv.getModRevision(), metadata.getHeader().getRevision(), false);
  }

  /** As {@link #readMetadata(RegistryState)}, and whether {@code changeKey} is there, at the same revision. */
  private Snapshot readMetadata(RegistryState current, ByteSequence changeKey) throws IOException {
    CompletableFuture<TxnResponse> both = kv.txn()
        .Then(Op.get(metadataKey, GetOption.DEFAULT), Op.get(changeKey, GetOption.DEFAULT))
        .commit();
    TxnResponse r = await(both);
    return snapshot(r.getGetResponses().get(0), r.getGetResponses().get(1), current);
  }

  private Snapshot snapshot(GetResponse metadata, GetResponse changeKey, RegistryState current)
      throws IOException {
    boolean change = !changeKey.getKvs().isEmpty();
    long revision = metadata.getHeader().getRevision();
    if (metadata.getKvs().isEmpty()) {
      return new Snapshot(RegistryState.empty(), 0, revision, change);
    }
    KeyValue kv = metadata.getKvs().get(0);
    return new Snapshot(read(kv, Map.of(), current), kv.getModRevision(), revision, change);
  }

  /**
   * The state in {@code metadata}: each version's document from {@code documents} (by relative path), else from
   * {@code current} when it has that version, else read at the metadata's revision. The metadata names each
   * document's SHA-256, so a document that does not match is refused.
   */
  private RegistryState read(KeyValue metadata, Map<String, String> documents, RegistryState current)
      throws IOException {
    long revision = metadata.getModRevision();
    return RegistryJson.read(metadata.getValue().getBytes(), codec, (id, version, sha) -> {
      String path = RegistryJson.documentPath(id, version);
      String text = documents.get(path);
      if (text != null) {
        return text;
      }
      Optional<PolicyVersion> known = current.version(PolicyRef.of(id, version));
      if (known.isPresent() && RegistryJson.sha256(known.get().documentText()).equals(sha)) {
        return known.get().documentText();
      }
      GetResponse r = await(kv.get(bytes(prefix + path), GetOption.builder().withRevision(revision).build()));
      if (r.getKvs().isEmpty()) {
        throw new IllegalArgumentException("policy " + id + " version " + version + ": " + path + " is missing");
      }
      return decode(r.getKvs().get(0).getValue());
    });
  }

  private ByteSequence documentKey(String policyId, int version) {
    return bytes(prefix + RegistryJson.documentPath(policyId, version));
  }

  /** The result of an etcd request within the timeout; an {@link IOException} saying why not. */
  private <T> T await(CompletableFuture<T> future) throws IOException {
    return await(future, settings);
  }

  /** The result of an etcd request within {@code settings}' timeout; an {@link IOException} saying why not. */
  static <T> T await(CompletableFuture<T> future, EtcdSettings settings) throws IOException {
    try {
      return future.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IOException("no answer within " + settings.timeout().toMillis() + " ms", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      Optional<String> refused = refusal(cause, settings);
      if (refused.isPresent()) {
        throw new Refused(refused.get(), cause);
      }
      throw new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** etcd refused a request: wrong credentials or no permission. Waiting does not help; retrying neither. */
  static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** What etcd's refusal of a request (an error {@code cause} names) means for {@code settings}, if it is one. */
  static Optional<String> refusal(Throwable cause, EtcdSettings settings) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = cause; c != null; c = c.getCause()) {
      all.append(c.getMessage()).append('\n');
    }
    String why = all.toString();
    String at = "etcd at " + settings.uri();
    String user = settings.user().map(u -> "the user '" + u + "'").orElse("");
    if (why.contains("etcdserver: authentication failed") || why.contains("etcdserver: user name not found")) {
      return Optional.of(at + " refused " + (user.isEmpty() ? "the client" : user)
          + ": authentication failed (wrong user name or password)");
    }
    if (why.contains("etcdserver: permission denied")) {
      return Optional.of(user.isEmpty()
          ? at + " refused access to /" + settings.prefix() + "/: permission denied (etcd has authentication on: "
              + "name a user and its password)"
          : at + " refused " + user + " access to /" + settings.prefix() + "/: permission denied (a role of the "
              + "user must grant readwrite on the prefix)");
    }
    if (why.contains("etcdserver: invalid auth token") || why.contains("etcdserver: authentication is not enabled")
        || why.contains("etcdserver: user name is empty")) {
      return Optional.of(at + " refused " + (user.isEmpty() ? "the client" : user) + ": "
          + why.substring(why.indexOf("etcdserver: ") + 12).lines().findFirst().orElse(""));
    }
    return Optional.empty();
  }

  private static String decode(ByteSequence bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes.getBytes()))
        .toString();
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    follower.shutdownNow();
    Watch.Watcher w = watcher;
    if (w != null) {
      w.close();
    }
    client.close();
  }

  @Override
  public String toString() {
    return "EtcdStore{" + settings + "}";
  }
}
