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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * <p><b>Driving it.</b> {@link #start()} probes every check at its interval until {@link #stop()}; {@link #runOnce()}
 * and {@link #probeNow} probe on demand (tests drive rounds with them instead of waiting for intervals). Thread-safe.
 */
public final class HealthChecker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

  private final HealthRegistry registry;
  private final ImmutableMap<HealthCheckId, Entry> entries;
  private final ImmutableListMultimap<HealthCheckId, Entry> parents;
  private final Clock clock;
  private final ScheduledThreadPoolExecutor scheduler;
  private final AsynchronousChannelGroup group;
  private final ExecutorService resolver;
  private final Prober prober;
  private final ProbeLimiter limiter;
  private final boolean logTransitions;
  private final Object lock = new Object();
  private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
  private boolean initialized;
  private boolean closed;

  private HealthChecker(Builder b, ImmutableList<HealthCheck> checks) {
    this.registry = b.registry;
    this.clock = b.clock;
    this.logTransitions = b.logTransitions;
    ImmutableMap.Builder<HealthCheckId, Entry> byId = ImmutableMap.builder();
    for (HealthCheck check : checks) {
      int threshold = check instanceof EndpointHealthCheck e ? e.failureThreshold() : 1;
      byId.put(check.id(), new Entry(check, new CheckState(check, threshold)));
    }
    this.entries = byId.build();
    ImmutableListMultimap.Builder<HealthCheckId, Entry> parentsOf = ImmutableListMultimap.builder();
    for (Entry e : entries.values()) {
      if (e.check instanceof CalculatedHealthCheck c) {
        c.children().forEach(child -> parentsOf.put(child, e));
      }
    }
    this.parents = parentsOf.build();
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

  /** The registry this checker publishes to. */
  public HealthRegistry registry() {
    return registry;
  }

  /** The check definitions, in the order given. */
  public ImmutableList<HealthCheck> checks() {
    return entries.values().stream().map(e -> e.check).collect(ImmutableList.toImmutableList());
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
      if (!schedules.isEmpty()) {
        return;
      }
      for (Entry e : entries.values()) {
        if (e.check instanceof EndpointHealthCheck check && !check.disabled()) {
          long interval = check.requestInterval().toNanos();
          schedules.add(scheduler.scheduleAtFixedRate(() -> probeQuietly(e),
              initialDelayNanos(check.id(), check.requestInterval()), interval, TimeUnit.NANOSECONDS));
        }
      }
    }
  }

  /** Stops the periodic probes (probes in flight still complete and count); {@link #start()} resumes them. */
  public void stop() {
    synchronized (lock) {
      schedules.forEach(s -> s.cancel(false));
      schedules.clear();
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
    for (Entry e : entries.values()) {
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
    Entry e = entries.get(checkNotNull(id, "id"));
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
      entries.forEach((id, e) -> b.put(id, e.state.metrics()));
      return b.build();
    }
  }

  /** The metrics of one check, empty when no check has this ID. */
  public Optional<HealthCheckMetrics> metrics(HealthCheckId id) {
    Entry e = entries.get(checkNotNull(id, "id"));
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
      schedules.forEach(s -> s.cancel(false));
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
      probe(e);
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
      f.whenComplete((m, error) -> {
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
    Map<HealthCheckId, HealthStatus> statuses = new LinkedHashMap<>();
    for (Entry e : entries.values()) {
      if (e.check instanceof CalculatedHealthCheck c) {
        recompute(e, c);
      }
      statuses.put(e.check.id(), e.state.status());
    }
    registry.setChecks(statuses);
  }

  private HealthCheckMetrics apply(Entry e, ProbeResult result) {
    synchronized (lock) {
      if (closed) {
        return e.state.metrics();
      }
      Map<HealthCheckId, HealthStatus> changes = new LinkedHashMap<>();
      if (e.state.record(result)) {
        changes.put(e.check.id(), e.state.status());
        Set<HealthCheckId> seen = new HashSet<>();
        for (Entry parent : parents.get(e.check.id())) {
          if (seen.add(parent.check.id()) && recompute(parent, (CalculatedHealthCheck) parent.check)) {
            changes.put(parent.check.id(), parent.state.status());
          }
        }
        if (logTransitions) {
          changes.forEach((id, status) -> LOG.info("health check {} is now {} ({})", id, status,
              entries.get(id).state.metrics().lastResult().map(ProbeResult::reason).orElse("")));
        }
        registry.setChecks(changes);
      }
      return e.state.metrics();
    }
  }

  /** Recomputes a calculated check from its children's statuses; true when its status changed. */
  private boolean recompute(Entry e, CalculatedHealthCheck c) {
    int healthy = 0;
    int unknown = 0;
    for (HealthCheckId child : c.children()) {
      HealthStatus s = entries.get(child).state.status();
      if (s == HealthStatus.HEALTHY) {
        healthy++;
      } else if (s == HealthStatus.UNKNOWN) {
        unknown++;
      }
    }
    HealthStatus raw;
    if (healthy >= c.healthThreshold()) {
      raw = HealthStatus.HEALTHY;
    } else if (healthy + unknown >= c.healthThreshold()) {
      return false; // still undecided: the unknown children could go either way
    } else {
      raw = HealthStatus.UNHEALTHY;
    }
    String reason = healthy + " of " + c.children().size() + " children healthy"
        + (unknown > 0 ? ", " + unknown + " unknown" : "") + " (threshold " + c.healthThreshold() + ")";
    return e.state.set(raw, new ProbeResult(raw == HealthStatus.HEALTHY, reason, Duration.ZERO, clock.instant()));
  }

  private static ThreadFactory threads(String nameFormat) {
    return new ThreadFactoryBuilder().setNameFormat(nameFormat).setDaemon(true).build();
  }

  /** The state of one check; {@code inFlight} is guarded by the entry itself, the state by the checker's lock. */
  private static final class Entry {
    final HealthCheck check;
    final CheckState state;
    CompletableFuture<HealthCheckMetrics> inFlight;

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
