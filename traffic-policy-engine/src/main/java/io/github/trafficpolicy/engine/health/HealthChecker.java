package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableMap;
import com.google.common.hash.Hashing;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes health checks continuously and keeps a {@link HealthRegistry} current: every status change (after the
 * failure threshold, inversion and calculated checks) publishes a new {@link HealthSnapshot} at once, so a
 * {@link io.github.trafficpolicy.engine.PolicyEvaluator} reading that registry answers from it on the next query.
 *
 * <pre>{@code
 * HealthRegistry health = new HealthRegistry();
 * try (HealthChecker checker = HealthChecker.builder(health)
 *     .check(EndpointHealthCheck.builder("web-1", HealthCheckType.HTTP).target("192.0.2.10").resourcePath("/health").build())
 *     .check(EndpointHealthCheck.builder("web-2", HealthCheckType.TCP).target("192.0.2.11").port(443).build())
 *     .check(CalculatedHealthCheck.of("web", 1, List.of("web-1", "web-2")))
 *     .build()) {
 *   checker.start();
 *   PolicyEvaluator evaluator = PolicyEvaluator.builder().health(health).build();
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Resources.</b> Thousands of checks share a small fixed set of threads; there is no thread per check. Probes
 * are scheduled on one {@link ScheduledThreadPoolExecutor} (default 1 thread) that also enforces every timeout, and
 * their I/O is asynchronous: {@link java.nio.channels.AsynchronousSocketChannel}s in one
 * {@link AsynchronousChannelGroup} (default 2 threads), with TLS done by an {@link javax.net.ssl.SSLEngine}. Host
 * names are resolved on a small pool (default 2 threads), IP literals are not resolved at all. This, rather than the
 * JDK {@code HttpClient}, because a probe must control what {@code HttpClient} does not let it: connect to one
 * address while sending another {@code Host} header and SNI name (Route 53 semantics), separate connect and
 * response deadlines, read at most the first 5,120 body bytes, and never pool connections — each probe opens one
 * connection and closes it on every path (result, failure, timeout, {@link #close()}). At most
 * {@code maxConcurrentProbes} connections are open at once; further probes wait their turn. First probes are spread
 * over one interval by a deterministic jitter (a hash of the ID), so checks sharing an interval do not fire together.
 *
 * <p><b>Statuses.</b> Every check starts {@link HealthStatus#UNKNOWN} (how the evaluator counts that is its own
 * setting). A first success makes it {@code HEALTHY}; any other change needs {@code failureThreshold} consecutive
 * results the other way, in both directions. Disabled checks are never probed and are {@code HEALTHY} (then
 * inverted, if inverted). Calculated checks follow their children at once (see {@link CalculatedHealthCheck}).
 *
 * <p><b>Changing the checks while running.</b> {@link #put}, {@link #remove} and {@link #reconfigure} add, replace and
 * delete checks at run time. Each change is checked whole first (a calculated check's children must stay defined
 * endpoint checks; nothing changes when it is refused) and takes effect at once: a new, re-targeted or re-enabled
 * check is probed straight away and then at its interval, a deleted check is no longer probed, and every status the
 * change alters — a deleted check's, a calculated parent's, an inversion's — is published in one new snapshot. A
 * probe still in flight for a replaced or deleted definition completes, closes its connection and is then ignored: a
 * result always counts for the definition that was probed. A replaced check keeps its status when the new
 * definition probes the same endpoint the same way (type, target, port, path, host header, search string); a
 * re-targeted one keeps its published status until its own results decide it (so a policy does not see it unknown
 * meanwhile).
 *
 * <p><b>Driving it.</b> {@link #start()} probes every check at its interval until {@link #stop()}; {@link #runOnce()}
 * and {@link #probeNow} probe on demand (tests drive rounds with them instead of waiting for intervals).
 * {@link #addListener} hears every probe result applied and every change of the checks. Thread-safe.
 */
public final class HealthChecker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

  private final HealthRegistry registry;
  /** The checks and who their parents are, replaced whole under {@link #lock}; read without it. */
  private volatile Topology topology;
  private final Clock clock;
  private final ScheduledThreadPoolExecutor scheduler;
  private final AsynchronousChannelGroup group;
  private final ExecutorService resolver;
  private final Prober prober;
  private final ProbeLimiter limiter;
  private final boolean logTransitions;
  private final Object lock = new Object();
  private final Map<HealthCheckId, ScheduledFuture<?>> schedules = new HashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private boolean started;
  private boolean initialized;
  private boolean closed;

  private HealthChecker(Builder b, ImmutableList<HealthCheck> checks) {
    this.registry = b.registry;
    this.clock = b.clock;
    this.logTransitions = b.logTransitions;
    Map<HealthCheckId, Entry> byId = new LinkedHashMap<>();
    for (HealthCheck check : checks) {
      byId.put(check.id(), new Entry(check, new CheckState(check, thresholdOf(check))));
    }
    this.topology = Topology.of(byId);
    this.scheduler = new ScheduledThreadPoolExecutor(b.schedulerThreads, threads("health-scheduler-%d"));
    this.scheduler.setRemoveOnCancelPolicy(true);
    this.scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    // Host-name lookups: a bounded queue (a probe whose lookup cannot even be queued fails at once, saying so), and
    // a queued lookup is taken out again when its probe's deadline passes (Prober).
    this.resolver = new ThreadPoolExecutor(b.resolverThreads, b.resolverThreads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(b.resolverQueue), threads("health-resolver-%d"), new ThreadPoolExecutor.AbortPolicy());
    try {
      this.group = AsynchronousChannelGroup.withFixedThreadPool(b.ioThreads, threads("health-io-%d"));
    } catch (IOException e) {
      scheduler.shutdownNow();
      resolver.shutdownNow();
      throw new UncheckedIOException("cannot create the I/O thread pool", e);
    }
    this.prober = new Prober(group, scheduler, resolver, b.hostResolver, b.ticker, clock);
    this.limiter = new ProbeLimiter(b.maxConcurrentProbes, scheduler);
  }

  /** A builder publishing to {@code registry}. */
  public static Builder builder(HealthRegistry registry) {
    return new Builder(registry);
  }

  /**
   * Hears what a {@link HealthChecker} does. Called on the checker's threads, after the change is published; must
   * be quick and must not throw (a listener that throws is logged and the others are still called).
   */
  public interface Listener {
    /** An endpoint check's probe result was applied (results of replaced or deleted definitions are not). */
    default void probed(EndpointHealthCheck check, ProbeResult result) {}

    /** The set of checks changed ({@link #put}, {@link #remove}, {@link #reconfigure}): all of them, in order. */
    default void checksChanged(ImmutableList<HealthCheck> checks) {}
  }

  /** The registry this checker publishes to. */
  public HealthRegistry registry() {
    return registry;
  }

  /** The check definitions, in the order given (checks added later come last). */
  public ImmutableList<HealthCheck> checks() {
    return topology.entries.values().stream().map(e -> e.check).collect(ImmutableList.toImmutableList());
  }

  /** The current definition of one check, empty when no check has this ID. */
  public Optional<HealthCheck> check(HealthCheckId id) {
    Entry e = topology.entries.get(checkNotNull(id, "id"));
    return e == null ? Optional.empty() : Optional.of(e.check);
  }

  /** Calls {@code listener} for every probe result applied and every change of the checks from now on. */
  public void addListener(Listener listener) {
    listeners.add(checkNotNull(listener, "listener"));
  }

  /**
   * Publishes the initial statuses and probes every enabled endpoint check at its interval, the first probe after a
   * deterministic jitter within one interval. Does nothing when already started.
   *
   * @throws IllegalStateException when closed
   */
  public void start() {
    synchronized (lock) {
      checkState(!closed, "the health checker is closed");
      initialize();
      if (started) {
        return;
      }
      started = true;
      topology.entries.values().forEach(this::schedule);
    }
  }

  /** Stops the periodic probes (probes in flight still complete and count); {@link #start()} resumes them. */
  public void stop() {
    synchronized (lock) {
      started = false;
      schedules.values().forEach(s -> s.cancel(false));
      schedules.clear();
    }
  }

  /**
   * Adds {@code check}, or replaces the check with its ID, at once (see the class comment).
   *
   * @return the snapshot published with the change (the current one when nothing changed)
   * @throws IllegalArgumentException when the checks would be inconsistent (a calculated check naming a child that
   *     is not defined or is calculated), listing every problem; nothing changes
   * @throws IllegalStateException when closed
   */
  public HealthSnapshot put(HealthCheck check) {
    checkNotNull(check, "check");
    synchronized (lock) {
      Map<HealthCheckId, HealthCheck> next = definitions();
      next.put(check.id(), check);
      return replace(next.values());
    }
  }

  /**
   * Deletes the check with this ID at once: it is no longer probed and its status leaves the snapshot (a policy
   * naming it sees it {@code UNKNOWN}).
   *
   * @return the snapshot published with the change, or the current one when no check has this ID
   * @throws IllegalArgumentException when a calculated check has it as a child; nothing changes
   * @throws IllegalStateException when closed
   */
  public HealthSnapshot remove(HealthCheckId id) {
    checkNotNull(id, "id");
    synchronized (lock) {
      Map<HealthCheckId, HealthCheck> next = definitions();
      if (next.remove(id) == null) {
        return registry.current();
      }
      return replace(next.values());
    }
  }

  /**
   * Makes {@code checks} the whole set at once: checks not listed are deleted, new ones added, changed ones replaced
   * (see the class comment), all published in one snapshot.
   *
   * @return the snapshot published with the change (the current one when nothing changed)
   * @throws IllegalArgumentException listing every problem (duplicate IDs, children not defined or calculated);
   *     nothing changes
   * @throws IllegalStateException when closed
   */
  public HealthSnapshot reconfigure(Collection<? extends HealthCheck> checks) {
    checkNotNull(checks, "checks");
    synchronized (lock) {
      return replace(ImmutableList.copyOf(checks));
    }
  }

  private Map<HealthCheckId, HealthCheck> definitions() {
    Map<HealthCheckId, HealthCheck> defs = new LinkedHashMap<>();
    topology.entries.forEach((id, e) -> defs.put(id, e.check));
    return defs;
  }

  /** Swaps in {@code checks} (the caller holds the lock). */
  private HealthSnapshot replace(Collection<? extends HealthCheck> checks) {
    checkState(!closed, "the health checker is closed");
    List<HealthCheck> all = ImmutableList.copyOf(checks);
    List<String> problems = Builder.problems(all);
    checkArgument(problems.isEmpty(), "invalid health checks:%n  %s", String.join("\n  ", problems));
    Topology old = topology;
    Map<HealthCheckId, HealthStatus> was = new HashMap<>();
    old.entries.forEach((id, e) -> was.put(id, e.state.status()));
    Map<HealthCheckId, Entry> byId = new LinkedHashMap<>();
    List<Entry> probeAtOnce = new ArrayList<>();
    boolean changed = all.size() != old.entries.size();
    for (HealthCheck check : all) {
      Entry before = old.entries.get(check.id());
      if (before != null && before.check.equals(check)) {
        byId.put(check.id(), before);
        continue;
      }
      changed = true;
      Entry e = new Entry(check, continued(before, check));
      byId.put(check.id(), e);
      if (before == null || !sameProbe(before.check, check) || (before.check.disabled() && !check.disabled())) {
        probeAtOnce.add(e); // new, re-targeted or enabled again: its status is known without waiting an interval
      }
    }
    if (!changed) {
      return registry.current();
    }
    Topology next = Topology.of(byId);
    topology = next;
    Map<HealthCheckId, HealthStatus> statuses = new LinkedHashMap<>();
    Set<HealthCheckId> removed = new HashSet<>(old.entries.keySet());
    removed.removeAll(byId.keySet());
    for (Entry e : next.entries.values()) {
      if (e.check instanceof CalculatedHealthCheck c) {
        recompute(next, e, c);
      }
      if (was.get(e.check.id()) != e.state.status()) {
        statuses.put(e.check.id(), e.state.status());
      }
    }
    for (HealthCheckId id : removed) {
      ScheduledFuture<?> s = schedules.remove(id);
      if (s != null) {
        s.cancel(false);
      }
    }
    for (Entry e : next.entries.values()) {
      Entry before = old.entries.get(e.check.id());
      if (started && before != e) {
        ScheduledFuture<?> s = schedules.remove(e.check.id());
        if (s != null) {
          s.cancel(false);
        }
        schedule(e);
      }
    }
    HealthSnapshot published = registry.current();
    if (initialized) {
      published = registry.update(b -> {
        removed.forEach(b::removeCheck);
        statuses.forEach(b::check);
        return b;
      });
    }
    LOG.info("health checks changed: {} now ({} added or changed, {} deleted)", next.entries.size(),
        next.entries.values().stream().filter(e -> old.entries.get(e.check.id()) != e).count(), removed.size());
    ImmutableList<HealthCheck> now = checks();
    for (Listener l : listeners) {
      try {
        l.checksChanged(now);
      } catch (RuntimeException ex) {
        LOG.warn("a health checker listener failed", ex);
      }
    }
    if (started) {
      probeAtOnce.stream().filter(e -> e.check instanceof EndpointHealthCheck c && !c.disabled())
          .forEach(this::probeQuietly);
    }
    return published;
  }

  /** The state of {@code check} replacing {@code before} (a fresh one for a new check or a changed kind). */
  private CheckState continued(@Nullable Entry before, HealthCheck check) {
    int threshold = thresholdOf(check);
    if (before == null || before.check.type().probesEndpoint() != check.type().probesEndpoint()) {
      return new CheckState(check, threshold);
    }
    if (before.check instanceof CalculatedHealthCheck b && check instanceof CalculatedHealthCheck c
        && (b.healthThreshold() != c.healthThreshold() || !b.children().equals(c.children()))) {
      return new CheckState(check, threshold); // decided again from the new children at once
    }
    return before.state.continuedAs(check, threshold, sameProbe(before.check, check), clock.instant());
  }

  /** Whether two definitions probe the same endpoint the same way (so earlier results still count). */
  private static boolean sameProbe(HealthCheck a, HealthCheck b) {
    if (a instanceof EndpointHealthCheck x && b instanceof EndpointHealthCheck y) {
      return x.type() == y.type() && x.target().equals(y.target()) && x.port() == y.port()
          && x.resourcePath().equals(y.resourcePath()) && x.hostHeader().equals(y.hostHeader())
          && x.searchString().equals(y.searchString());
    }
    return a instanceof CalculatedHealthCheck && b instanceof CalculatedHealthCheck;
  }

  private static int thresholdOf(HealthCheck check) {
    return check instanceof EndpointHealthCheck e ? e.failureThreshold() : 1;
  }

  /** Schedules the periodic probes of {@code e} if it is an enabled endpoint check (the caller holds the lock). */
  private void schedule(Entry e) {
    if (e.check instanceof EndpointHealthCheck check && !check.disabled()) {
      long interval = check.requestInterval().toNanos();
      schedules.put(check.id(), scheduler.scheduleAtFixedRate(() -> probeQuietly(e),
          initialDelayNanos(check.id(), check.requestInterval()), interval, TimeUnit.NANOSECONDS));
    }
  }

  /**
   * Probes every enabled endpoint check now (a check whose probe is in flight is not probed twice: its probe is
   * awaited), applies the results and completes with the registry's snapshot once all are applied.
   *
   * @throws IllegalStateException when closed
   */
  public CompletableFuture<HealthSnapshot> runOnce() {
    List<CompletableFuture<HealthCheckMetrics>> all = new ArrayList<>();
    synchronized (lock) {
      checkState(!closed, "the health checker is closed");
      initialize();
    }
    for (Entry e : topology.entries.values()) {
      if (e.check instanceof EndpointHealthCheck check && !check.disabled()) {
        all.add(probe(e));
      }
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> registry.current());
  }

  /**
   * Probes one check now and completes with its metrics once the result is applied. A disabled or calculated check
   * is not probed: its current metrics are returned.
   *
   * @throws IllegalArgumentException when no check has this ID
   * @throws IllegalStateException when closed
   */
  public CompletableFuture<HealthCheckMetrics> probeNow(HealthCheckId id) {
    Entry e = topology.entries.get(checkNotNull(id, "id"));
    checkArgument(e != null, "no health check %s", id);
    synchronized (lock) {
      checkState(!closed, "the health checker is closed");
      initialize();
    }
    if (e.check instanceof EndpointHealthCheck check && !check.disabled()) {
      return probe(e);
    }
    return CompletableFuture.completedFuture(metricsOf(e));
  }

  /** {@link #probeNow(HealthCheckId)} by ID string. */
  public CompletableFuture<HealthCheckMetrics> probeNow(String id) {
    return probeNow(HealthCheckId.of(id));
  }

  /** The metrics of every check, in definition order. */
  public ImmutableMap<HealthCheckId, HealthCheckMetrics> metrics() {
    synchronized (lock) {
      ImmutableMap.Builder<HealthCheckId, HealthCheckMetrics> b = ImmutableMap.builder();
      topology.entries.forEach((id, e) -> b.put(id, e.state.metrics()));
      return b.build();
    }
  }

  /** The metrics of one check, empty when no check has this ID. */
  public Optional<HealthCheckMetrics> metrics(HealthCheckId id) {
    Entry e = topology.entries.get(checkNotNull(id, "id"));
    return e == null ? Optional.empty() : Optional.of(metricsOf(e));
  }

  /** Connections currently open by probes (at most {@code maxConcurrentProbes}; 0 when idle). */
  public int openConnections() {
    return prober.openChannels();
  }

  /** The most connections that were open at once, for tests. */
  int peakOpenConnections() {
    return prober.peakOpenChannels();
  }

  /** Tasks waiting on the scheduler (periodic probes and pending deadlines), for tests. */
  int scheduledTasks() {
    return scheduler.getQueue().size();
  }

  /** Stops probing, fails the probes in flight, closes every connection and ends the checker's threads. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      started = false;
      schedules.values().forEach(s -> s.cancel(false));
      schedules.clear();
    }
    limiter.cancelWaiting();
    prober.abortAll();
    scheduler.shutdownNow();
    resolver.shutdownNow();
    group.shutdown();
    try {
      if (!group.awaitTermination(5, TimeUnit.SECONDS)) {
        group.shutdownNow();
      }
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
      resolver.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.warn("closing the health check I/O pool failed", e);
    }
  }

  /** The first probe's delay: a deterministic fraction of the interval taken from a hash of the ID. */
  static long initialDelayNanos(HealthCheckId id, Duration interval) {
    long hash = Hashing.murmur3_32_fixed().hashString(id.value(), StandardCharsets.UTF_8).asInt() & 0xffffffffL;
    double fraction = hash / (double) (1L << 32);
    return (long) (fraction * interval.toNanos());
  }

  private HealthCheckMetrics metricsOf(Entry e) {
    synchronized (lock) {
      return e.state.metrics();
    }
  }

  private void probeQuietly(Entry e) {
    try {
      // The probe applies its own result (and a failed probe is a result): nothing to wait for here.
      CompletableFuture<HealthCheckMetrics> unused = probe(e);
    } catch (RuntimeException ex) {
      // a periodic task that throws is never run again; keep probing
      LOG.warn("scheduling a probe of {} failed", e.check.id(), ex);
    }
  }

  private CompletableFuture<HealthCheckMetrics> probe(Entry e) {
    EndpointHealthCheck check = (EndpointHealthCheck) e.check;
    synchronized (e) {
      if (e.inFlight != null) {
        return e.inFlight;
      }
      CompletableFuture<HealthCheckMetrics> f = limiter.submit(() -> prober.probe(check))
          .thenApply(result -> apply(e, result));
      e.inFlight = f;
      CompletableFuture<HealthCheckMetrics> unused = f.whenComplete((m, error) -> {
        synchronized (e) {
          if (e.inFlight == f) {
            e.inFlight = null;
          }
        }
      });
      return f;
    }
  }

  /** Publishes the initial statuses (unknown, or decided by disabling and calculation), once. */
  private void initialize() {
    if (initialized) {
      return;
    }
    initialized = true;
    Topology t = topology;
    Map<HealthCheckId, HealthStatus> statuses = new LinkedHashMap<>();
    for (Entry e : t.entries.values()) {
      if (e.check instanceof CalculatedHealthCheck c) {
        recompute(t, e, c);
      }
      statuses.put(e.check.id(), e.state.status());
    }
    registry.setChecks(statuses);
  }

  private HealthCheckMetrics apply(Entry e, ProbeResult result) {
    synchronized (lock) {
      Topology t = topology;
      if (closed || t.entries.get(e.check.id()) != e) {
        // closed, or a result for a definition replaced or deleted meanwhile: it says nothing about the current one
        return e.state.metrics();
      }
      Map<HealthCheckId, HealthStatus> changes = new LinkedHashMap<>();
      if (e.state.record(result)) {
        changes.put(e.check.id(), e.state.status());
        Set<HealthCheckId> seen = new HashSet<>();
        for (Entry parent : t.parents.get(e.check.id())) {
          if (seen.add(parent.check.id()) && recompute(t, parent, (CalculatedHealthCheck) parent.check)) {
            changes.put(parent.check.id(), parent.state.status());
          }
        }
        if (logTransitions) {
          changes.forEach((id, status) -> LOG.info("health check {} is now {} ({})", id, status,
              checkNotNull(t.entries.get(id)).state.metrics().lastResult().map(ProbeResult::reason).orElse("")));
        }
        registry.setChecks(changes);
      }
      HealthCheckMetrics metrics = e.state.metrics();
      for (Listener l : listeners) {
        try {
          l.probed((EndpointHealthCheck) e.check, result);
        } catch (RuntimeException ex) {
          LOG.warn("a health checker listener failed", ex);
        }
      }
      return metrics;
    }
  }

  /** Recomputes a calculated check from its children's statuses in {@code t}; true when its status changed. */
  private boolean recompute(Topology t, Entry e, CalculatedHealthCheck c) {
    Optional<ProbeResult> decided = c.decide(child -> checkNotNull(t.entries.get(child), child).state.status(), clock.instant());
    if (decided.isEmpty()) {
      return false; // still undecided: the unknown children could go either way
    }
    ProbeResult r = decided.get();
    return e.state.set(r.success() ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY, r);
  }

  private static ThreadFactory threads(String nameFormat) {
    return new ThreadFactoryBuilder().setNameFormat(nameFormat).setDaemon(true).build();
  }

  /** The checks by ID (in definition order) and the calculated checks that have each as a child. */
  private record Topology(ImmutableMap<HealthCheckId, Entry> entries,
                          ImmutableListMultimap<HealthCheckId, Entry> parents) {
    static Topology of(Map<HealthCheckId, Entry> byId) {
      ImmutableMap<HealthCheckId, Entry> entries = ImmutableMap.copyOf(byId);
      ImmutableListMultimap.Builder<HealthCheckId, Entry> parentsOf = ImmutableListMultimap.builder();
      for (Entry e : entries.values()) {
        if (e.check instanceof CalculatedHealthCheck c) {
          c.children().forEach(child -> parentsOf.put(child, e));
        }
      }
      return new Topology(entries, parentsOf.build());
    }
  }

  /**
   * One definition of a check and its state; {@code inFlight} is guarded by the entry itself, the state by the
   * checker's lock. A replaced definition gets a new entry, so a result can always tell which definition it is for.
   */
  private static final class Entry {
    final HealthCheck check;
    final CheckState state;
    @Nullable CompletableFuture<HealthCheckMetrics> inFlight;

    Entry(HealthCheck check, CheckState state) {
      this.check = check;
      this.state = state;
    }
  }

  /** Builds a {@link HealthChecker}. */
  public static final class Builder {
    private final HealthRegistry registry;
    private final List<HealthCheck> checks = new ArrayList<>();
    private int schedulerThreads = 1;
    private int ioThreads = 2;
    private int resolverThreads = 2;
    private int resolverQueue = 256;
    private int maxConcurrentProbes = 256;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.systemTicker();
    private HostResolver hostResolver = HostResolver.SYSTEM;
    private boolean logTransitions = true;

    private Builder(HealthRegistry registry) {
      this.registry = checkNotNull(registry, "registry");
    }

    /** Adds a check. */
    public Builder check(HealthCheck check) {
      checks.add(checkNotNull(check, "check"));
      return this;
    }

    /** Adds checks. */
    public Builder checks(Iterable<? extends HealthCheck> checks) {
      checkNotNull(checks, "checks").forEach(this::check);
      return this;
    }

    /** Threads that schedule probes and enforce timeouts (default 1). */
    public Builder schedulerThreads(int threads) {
      checkArgument(threads >= 1 && threads <= 64, "schedulerThreads must be 1..64 but was %s", threads);
      this.schedulerThreads = threads;
      return this;
    }

    /** Threads that complete socket I/O (default 2). */
    public Builder ioThreads(int threads) {
      checkArgument(threads >= 1 && threads <= 64, "ioThreads must be 1..64 but was %s", threads);
      this.ioThreads = threads;
      return this;
    }

    /** Threads that resolve host names (default 2; IP literals need none). */
    public Builder resolverThreads(int threads) {
      checkArgument(threads >= 1 && threads <= 64, "resolverThreads must be 1..64 but was %s", threads);
      this.resolverThreads = threads;
      return this;
    }

    /** How host-name targets are resolved (default {@link HostResolver#SYSTEM}). */
    public Builder hostResolver(HostResolver resolver) {
      this.hostResolver = checkNotNull(resolver, "resolver");
      return this;
    }

    /**
     * How many host-name lookups may wait for a resolver thread (default 256). A probe whose lookup finds the queue
     * full fails at once ("host-name lookups backed up"); a queued lookup is dropped when its probe times out.
     */
    public Builder resolverQueue(int lookups) {
      checkArgument(lookups >= 1 && lookups <= 100_000, "resolverQueue must be 1..100000 but was %s", lookups);
      this.resolverQueue = lookups;
      return this;
    }

    /** The most probes (open connections) at once (default 256); further probes wait. */
    public Builder maxConcurrentProbes(int max) {
      checkArgument(max >= 1 && max <= 65_536, "maxConcurrentProbes must be 1..65536 but was %s", max);
      this.maxConcurrentProbes = max;
      return this;
    }

    /** The clock for result and change times (default the system clock, UTC). */
    public Builder clock(Clock clock) {
      this.clock = checkNotNull(clock, "clock");
      return this;
    }

    /** The time source for latencies (default the system ticker). */
    public Builder ticker(Ticker ticker) {
      this.ticker = checkNotNull(ticker, "ticker");
      return this;
    }

    /** Whether each status change is logged at INFO through SLF4J (default true). */
    public Builder logTransitions(boolean logTransitions) {
      this.logTransitions = logTransitions;
      return this;
    }

    /**
     * The checker (not started).
     *
     * @throws IllegalArgumentException listing every problem: duplicate IDs, children that are not defined, children
     *     that are calculated checks
     */
    public HealthChecker build() {
      ImmutableList<HealthCheck> all = ImmutableList.copyOf(checks);
      List<String> problems = problems(all);
      checkArgument(problems.isEmpty(), "invalid health checks:%n  %s", String.join("\n  ", problems));
      return new HealthChecker(this, all);
    }

    /** The cross-check problems of a set of definitions (each definition is valid on its own). */
    static List<String> problems(List<HealthCheck> checks) {
      List<String> problems = new ArrayList<>();
      Map<HealthCheckId, HealthCheck> byId = new LinkedHashMap<>();
      for (HealthCheck c : checks) {
        if (byId.putIfAbsent(c.id(), c) != null) {
          problems.add("duplicate health check ID " + c.id());
        }
      }
      for (HealthCheck c : checks) {
        if (c instanceof CalculatedHealthCheck calc) {
          for (HealthCheckId child : calc.children()) {
            HealthCheck target = byId.get(child);
            if (target == null) {
              problems.add(calc.id() + ": child " + child + " is not defined");
            } else if (target instanceof CalculatedHealthCheck) {
              problems.add(calc.id() + ": child " + child + " is a calculated check (calculated checks cannot nest)");
            }
          }
        }
      }
      return problems;
    }
  }
}
