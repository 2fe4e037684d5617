package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health from several vantage points: each server's {@link HealthChecker} is one vantage point, and every server
 * decides each check from the results of all of them, as Route 53 does with its checkers in several regions.
 *
 * <p><b>The rule.</b> An endpoint check is {@code HEALTHY} when <em>more than</em> {@code healthyShare} of the
 * vantage points that have decided (their own status, after their own failure threshold, is not {@code UNKNOWN})
 * see it healthy, else {@code UNHEALTHY} ({@link #aggregate}); with the default share of 0.18, 1 healthy of 3 is
 * healthy (33 % &gt; 18 %) and 0 of 3 is not; with 0.5, 1 of 3 and 1 of 2 are not. Inversion applies to the
 * aggregate, and calculated checks follow their children's aggregates; a disabled check is healthy (then inverted)
 * as anywhere. While no vantage point has decided, the local checker's own status is used.
 *
 * <p><b>Wiring.</b> The local checker publishes to its own {@link HealthRegistry} (its own view), never to the
 * serving one. This class hears each of its results ({@link HealthChecker.Listener}), records it as this vantage
 * point's, hands it to the {@link Publisher} (which shares it, e.g. in etcd: {@code EtcdHealthShare} in the
 * lifecycle package) and publishes every aggregate that changes to the serving registry the evaluator reads. The
 * other vantage points' results arrive through {@link #replaceRemote}, {@link #remoteResult} and
 * {@link #remoteGone}, called by whatever follows the shared store (on its own thread; never a query thread: a
 * query only reads the serving registry's snapshot).
 *
 * <p><b>Disconnected.</b> Until {@link #connected(boolean, String)} says the shared store is reachable, and whenever
 * it says it is not, every status served is the local checker's own (logged once per change); the aggregate resumes
 * when it is back, from the results read again then. Thread-safe.
 */
public final class SharedHealth {
  private static final Logger LOG = LoggerFactory.getLogger(SharedHealth.class);
  /** Route 53's share: a check is healthy when more than 18 % of its checkers report it healthy. */
  public static final double DEFAULT_HEALTHY_SHARE = 0.18;

  private final HealthChecker checker;
  private final HealthRegistry own;
  private final HealthRegistry serving;
  private final String vantage;
  private final double healthyShare;
  private final Clock clock;
  private final Object lock = new Object();
  /** Every vantage point's latest result per endpoint check, this one's included; guarded by the lock. */
  private final Map<HealthCheckId, Map<String, VantageResult>> results = new HashMap<>();
  /** The status last served per check (calculated checks keep theirs while undecided); guarded by the lock. */
  private final Map<HealthCheckId, HealthStatus> served = new HashMap<>();
  private final AtomicLong disconnects = new AtomicLong();
  private volatile Publisher publisher = Publisher.NONE;
  private volatile boolean connected;
  private volatile String disconnectedWhy = "not connected yet";

  /**
   * Shares what this vantage point sees: {@link #publish} a result, {@link #withdraw} a check no longer defined.
   * Called on the checker's threads: must not block.
   */
  public interface Publisher {
    /** Publishes nothing (a vantage point alone). */
    Publisher NONE = new Publisher() {
      @Override
      public void publish(HealthCheckId check, VantageResult result) {}

      @Override
      public void withdraw(HealthCheckId check) {}
    };

    /** Shares this vantage point's latest result of {@code check}. */
    void publish(HealthCheckId check, VantageResult result);

    /** Withdraws this vantage point's result of {@code check} (the check was deleted). */
    void withdraw(HealthCheckId check);
  }

  /**
   * One check as this server sees it now.
   *
   * @param status the status served
   * @param vantages every vantage point's latest result by vantage ID (empty for calculated and disabled checks)
   * @param healthy how many of them see the endpoint healthy
   * @param decided how many of them count (have decided)
   */
  public record CheckView(HealthStatus status, ImmutableSortedMap<String, VantageResult> vantages, int healthy,
                          int decided) {}

  private SharedHealth(HealthChecker checker, HealthRegistry serving, String vantage, double healthyShare,
                       Clock clock) {
    this.checker = checker;
    this.own = checker.registry();
    this.serving = serving;
    this.vantage = vantage;
    this.healthyShare = healthyShare;
    this.clock = clock;
  }

  /**
   * Aggregates what {@code checker} (publishing to a registry of its own) sees with what other vantage points see,
   * into {@code serving}, from now on. Until {@link #connected(boolean, String)} is called with true, {@code
   * serving} follows the checker's own statuses.
   *
   * @param healthyShare a check is healthy when more than this share of the vantage points see it healthy: 0 (one
   *     is enough) up to, but not including, 1
   * @throws IllegalArgumentException when the checker publishes to {@code serving} itself, or a bad argument
   */
  public static SharedHealth attach(HealthChecker checker, HealthRegistry serving, String vantage,
                                    double healthyShare) {
    return attach(checker, serving, vantage, healthyShare, Clock.systemUTC());
  }

  static SharedHealth attach(HealthChecker checker, HealthRegistry serving, String vantage, double healthyShare,
                             Clock clock) {
    checkNotNull(checker, "checker");
    checkNotNull(serving, "serving");
    checkArgument(checker.registry() != serving,
        "the checker must publish to a registry of its own, not to the serving one");
    VantageResult.checkVantage(vantage);
    checkHealthyShare(healthyShare);
    SharedHealth shared = new SharedHealth(checker, serving, vantage, healthyShare, checkNotNull(clock, "clock"));
    checker.addListener(new HealthChecker.Listener() {
      @Override
      public void probed(EndpointHealthCheck check, ProbeResult result) {
        shared.localResult(check, result);
      }

      @Override
      public void checksChanged(ImmutableList<HealthCheck> checks) {
        shared.checksChanged(checks);
      }
    });
    shared.own.addListener(snapshot -> shared.recomputeAll());
    shared.recomputeAll();
    return shared;
  }

  /** Checks a healthy share: 0 up to, but not including, 1; returns it. */
  public static double checkHealthyShare(double share) {
    checkArgument(share >= 0 && share < 1, "the healthy share must be at least 0 and below 1 but was %s", share);
    return share;
  }

  /**
   * The rule: {@code HEALTHY} when more than {@code healthyShare} of the vantage points that have decided see the
   * endpoint healthy, else {@code UNHEALTHY}; empty when none has decided. Inversion is not applied.
   */
  public static Optional<HealthStatus> aggregate(Collection<VantageResult> results, double healthyShare) {
    int decided = 0;
    int healthy = 0;
    for (VantageResult r : results) {
      if (r.decided()) {
        decided++;
        if (r.healthy()) {
          healthy++;
        }
      }
    }
    if (decided == 0) {
      return Optional.empty();
    }
    // healthy / decided > share, without rounding trouble at the exact boundary (1 of 2 at 0.5 is not more)
    return Optional.of(healthy > healthyShare * decided ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY);
  }

  /**
   * The statuses served from {@code results} (every vantage point's, by check) alone: each endpoint check's
   * {@linkplain #aggregate aggregate} then its inversion, each calculated check from its children's; {@code UNKNOWN}
   * where nothing decides (no vantage point has decided, or a calculated check's unknown children could go either
   * way). A disabled check is healthy, then inverted. For reports: a server also falls back to its own checker.
   */
  public static ImmutableMap<HealthCheckId, HealthStatus> statuses(Collection<? extends HealthCheck> checks,
      Map<HealthCheckId, ? extends Collection<VantageResult>> results, double healthyShare, Instant now) {
    Map<HealthCheckId, HealthStatus> out = new LinkedHashMap<>();
    for (HealthCheck c : checks) {
      if (c instanceof EndpointHealthCheck) {
        out.put(c.id(), c.disabled() ? inverted(c, HealthStatus.HEALTHY)
            : inverted(c, Optional.ofNullable(results.get(c.id())).flatMap(rs -> aggregate(rs, healthyShare))
                .orElse(HealthStatus.UNKNOWN)));
      }
    }
    for (HealthCheck c : checks) {
      if (c instanceof CalculatedHealthCheck calc) {
        out.put(c.id(), c.disabled() ? inverted(c, HealthStatus.HEALTHY)
            : calc.decide(id -> out.getOrDefault(id, HealthStatus.UNKNOWN), now)
                .map(r -> inverted(c, r.success() ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY))
                .orElse(HealthStatus.UNKNOWN));
      }
    }
    ImmutableMap.Builder<HealthCheckId, HealthStatus> b = ImmutableMap.builder();
    checks.forEach(c -> b.put(c.id(), checkNotNull(out.get(c.id()), c.id())));
    return b.build();
  }

  /** This vantage point's ID. */
  public String vantage() {
    return vantage;
  }

  /** The share of vantage points that must be exceeded for a check to be healthy. */
  public double healthyShare() {
    return healthyShare;
  }

  /** The local checker. */
  public HealthChecker checker() {
    return checker;
  }

  /** Sets who shares this vantage point's results from now on ({@link #localResults()} has the latest ones). */
  public void publisher(Publisher publisher) {
    this.publisher = checkNotNull(publisher, "publisher");
  }

  /** This vantage point's latest result per endpoint check. */
  public ImmutableMap<HealthCheckId, VantageResult> localResults() {
    synchronized (lock) {
      ImmutableMap.Builder<HealthCheckId, VantageResult> b = ImmutableMap.builder();
      results.forEach((id, byVantage) -> {
        VantageResult r = byVantage.get(vantage);
        if (r != null) {
          b.put(id, r);
        }
      });
      return b.build();
    }
  }

  /** Whether the aggregate is in force (the shared store is reachable); else the local statuses are served. */
  public boolean connected() {
    return connected;
  }

  /** Why the aggregate is not in force, empty when it is. */
  public Optional<String> disconnectedWhy() {
    return connected ? Optional.empty() : Optional.of(disconnectedWhy);
  }

  /** How many times the shared store became unreachable after having been reachable. */
  public long disconnects() {
    return disconnects.get();
  }

  /**
   * Says whether the shared store is reachable. Unreachable: the local checker's own statuses are served from now
   * on. Reachable: call {@link #replaceRemote} first with what was read, then this; the aggregate is served again.
   */
  public void connected(boolean reachable, String why) {
    synchronized (lock) {
      if (connected == reachable) {
        return;
      }
      connected = reachable;
      if (reachable) {
        LOG.info("shared health: the other vantage points are reachable{}; serving the aggregate of those with "
            + "results ({} now) ({})", disconnects.get() == 0 ? "" : " again", vantageCount(), why);
      } else {
        disconnectedWhy = why;
        disconnects.incrementAndGet();
        LOG.warn("shared health: the other vantage points are unreachable ({}); serving this vantage point's own "
            + "results until they are back", why);
      }
      publishAll();
    }
  }

  /** Replaces every other vantage point's results by {@code remote} (read whole from the shared store). */
  public void replaceRemote(Map<HealthCheckId, ? extends Collection<VantageResult>> remote) {
    checkNotNull(remote, "remote");
    synchronized (lock) {
      for (Map<String, VantageResult> byVantage : results.values()) {
        byVantage.keySet().removeIf(v -> !v.equals(vantage));
      }
      remote.forEach((id, rs) -> rs.forEach(r -> {
        if (!r.vantage().equals(vantage)) {
          results.computeIfAbsent(id, k -> new TreeMap<>()).put(r.vantage(), r);
        }
      }));
      results.values().removeIf(Map::isEmpty);
      publishAll();
    }
  }

  /** Another vantage point's latest result of {@code check} (this vantage point's own are ignored: it has them). */
  public void remoteResult(HealthCheckId check, VantageResult result) {
    checkNotNull(check, "check");
    checkNotNull(result, "result");
    if (result.vantage().equals(vantage)) {
      return;
    }
    synchronized (lock) {
      results.computeIfAbsent(check, k -> new TreeMap<>()).put(result.vantage(), result);
      publish(check);
    }
  }

  /** Another vantage point's result of {@code check} is gone (its lease expired, or it withdrew it). */
  public void remoteGone(HealthCheckId check, String otherVantage) {
    checkNotNull(check, "check");
    if (otherVantage.equals(vantage)) {
      return;
    }
    synchronized (lock) {
      Map<String, VantageResult> byVantage = results.get(check);
      if (byVantage != null && byVantage.remove(otherVantage) != null) {
        if (byVantage.isEmpty()) {
          results.remove(check);
        }
        publish(check);
      }
    }
  }

  /** Every defined check as this server sees it now, in definition order. */
  public ImmutableMap<HealthCheckId, CheckView> view() {
    ImmutableList<HealthCheck> checks = checker.checks();
    synchronized (lock) {
      ImmutableMap.Builder<HealthCheckId, CheckView> b = ImmutableMap.builder();
      for (HealthCheck c : checks) {
        Map<String, VantageResult> byVantage = results.getOrDefault(c.id(), Map.of());
        int healthy = 0;
        int decided = 0;
        for (VantageResult r : byVantage.values()) {
          decided += r.decided() ? 1 : 0;
          healthy += r.healthy() ? 1 : 0;
        }
        b.put(c.id(), new CheckView(serving.current().check(c.id()), ImmutableSortedMap.copyOf(byVantage), healthy,
            decided));
      }
      return b.build();
    }
  }

  /** The distinct vantage points with a result now, this one included once it has one. */
  public int vantageCount() {
    synchronized (lock) {
      return (int) results.values().stream().flatMap(m -> m.keySet().stream()).distinct().count();
    }
  }

  // ------------------------------------------------------------------------------------------------ internals

  private void localResult(EndpointHealthCheck check, ProbeResult result) {
    // On the checker's thread, under its lock (so the status read is the one this result left).
    HealthStatus status = checker.metrics(check.id()).map(HealthCheckMetrics::status).orElse(HealthStatus.UNKNOWN);
    VantageResult mine = new VantageResult(vantage, uninverted(check, status), result.reason(), result.at(),
        result.latency());
    synchronized (lock) {
      if (checker.check(check.id()).orElse(null) != check) {
        return; // replaced or deleted meanwhile
      }
      results.computeIfAbsent(check.id(), k -> new TreeMap<>()).put(vantage, mine);
      publish(check.id());
    }
    try {
      publisher.publish(check.id(), mine);
    } catch (RuntimeException e) {
      LOG.warn("shared health: publishing the result of {} failed", check.id(), e);
    }
  }

  private void checksChanged(ImmutableList<HealthCheck> checks) {
    Map<HealthCheckId, HealthCheck> byId = new LinkedHashMap<>();
    checks.forEach(c -> byId.put(c.id(), c));
    List<HealthCheckId> withdrawn = new ArrayList<>();
    synchronized (lock) {
      for (Map.Entry<HealthCheckId, Map<String, VantageResult>> e : results.entrySet()) {
        HealthCheck now = byId.get(e.getKey());
        if (!(now instanceof EndpointHealthCheck) || now.disabled()) {
          if (e.getValue().remove(vantage) != null) {
            withdrawn.add(e.getKey());
          }
        }
      }
      results.values().removeIf(Map::isEmpty);
      Set<HealthCheckId> gone = new HashSet<>(served.keySet());
      gone.removeAll(byId.keySet());
      if (!gone.isEmpty()) {
        served.keySet().removeAll(gone);
        serving.update(b -> {
          gone.forEach(b::removeCheck);
          return b;
        });
      }
      publishAll();
    }
    for (HealthCheckId id : withdrawn) {
      try {
        publisher.withdraw(id);
      } catch (RuntimeException e) {
        LOG.warn("shared health: withdrawing the result of {} failed", id, e);
      }
    }
  }

  private void recomputeAll() {
    synchronized (lock) {
      publishAll();
    }
  }

  /** Serves every check's status anew (the caller holds the lock). */
  private void publishAll() {
    Map<HealthCheckId, HealthStatus> changes = new LinkedHashMap<>();
    ImmutableList<HealthCheck> checks = checker.checks();
    for (HealthCheck c : checks) {
      if (c instanceof EndpointHealthCheck) {
        decide(c, changes);
      }
    }
    for (HealthCheck c : checks) {
      if (c instanceof CalculatedHealthCheck) {
        decide(c, changes);
      }
    }
    serve(changes);
  }

  /** Serves {@code id}'s status anew, and its calculated parents' (the caller holds the lock). */
  private void publish(HealthCheckId id) {
    Optional<HealthCheck> check = checker.check(id);
    if (check.isEmpty()) {
      return;
    }
    Map<HealthCheckId, HealthStatus> changes = new LinkedHashMap<>();
    decide(check.get(), changes);
    for (HealthCheck c : checker.checks()) {
      if (c instanceof CalculatedHealthCheck calc && calc.children().contains(id)) {
        decide(c, changes);
      }
    }
    serve(changes);
  }

  private void serve(Map<HealthCheckId, HealthStatus> changes) {
    if (!changes.isEmpty()) {
      serving.setChecks(changes);
    }
  }

  /** Decides one check's status; adds it to {@code changes} when it differs from the one served. */
  private void decide(HealthCheck c, Map<HealthCheckId, HealthStatus> changes) {
    HealthStatus status = statusOf(c);
    if (served.get(c.id()) != status || serving.current().check(c.id()) != status) {
      served.put(c.id(), status);
      changes.put(c.id(), status);
    }
  }

  private HealthStatus statusOf(HealthCheck c) {
    HealthStatus local = own.current().check(c.id());
    if (!connected || c.disabled()) {
      return local;
    }
    if (c instanceof CalculatedHealthCheck calc) {
      Optional<ProbeResult> decided = calc.decide(child -> served.getOrDefault(child, HealthStatus.UNKNOWN),
          clock.instant());
      if (decided.isEmpty()) {
        return served.getOrDefault(c.id(), HealthStatus.UNKNOWN);
      }
      return inverted(c, decided.get().success() ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY);
    }
    Optional<HealthStatus> aggregate = aggregate(results.getOrDefault(c.id(), Map.of()).values(), healthyShare);
    return aggregate.map(a -> inverted(c, a)).orElse(local);
  }

  private static HealthStatus inverted(HealthCheck c, HealthStatus raw) {
    if (!c.inverted() || raw == HealthStatus.UNKNOWN) {
      return raw;
    }
    return raw == HealthStatus.HEALTHY ? HealthStatus.UNHEALTHY : HealthStatus.HEALTHY;
  }

  /** A status published after inversion, before it (inversion is its own inverse). */
  private static HealthStatus uninverted(HealthCheck c, HealthStatus published) {
    return inverted(c, published);
  }
}
