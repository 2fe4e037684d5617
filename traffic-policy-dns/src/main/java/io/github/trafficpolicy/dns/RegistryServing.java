package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.engine.AliasTargetCheck;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.RegistryState;
import io.github.trafficpolicy.engine.lifecycle.ReloadResult;
import io.github.trafficpolicy.engine.lifecycle.ServingSnapshot;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every policy record of a {@link TrafficPolicyRegistry} from a {@link QueryHandler}, following the registry.
 *
 * <p>For each registry state the records' policy versions are compiled (reusing the compiled policies of records
 * whose binding and document did not change, and compiling each policy version once: every record bound to it
 * shares its {@link io.github.trafficpolicy.engine.PolicyProgram}) into a new {@link Catalog} together with the
 * fixed zones and policy records, and the handler {@linkplain QueryHandler#replaceCatalog switches} to it atomically: every query is
 * answered entirely from the old catalog or entirely from the new one, and none fails while switching. A state that
 * cannot be served (a record outside every zone, beside a static record of its type, a document that does not
 * compile) is refused: the handler keeps the last catalog that could be served, and the refusal is logged. Changes
 * by other processes (the {@code traffic-policy policy|record} commands) arrive through {@link #watch}. Every
 * answer carries its policy ID and version in the query log.
 *
 * <p>Thread-safe; compiling happens on the thread that changed or reloaded the registry, never on query threads.
 */
public final class RegistryServing implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryServing.class);

  private final TrafficPolicyRegistry registry;
  private final PolicyEvaluator evaluator;
  private final ImmutableList<Zone> zones;
  private final ImmutableList<CompiledPolicy> fixed;
  private final Consumer<String> info;
  private final Consumer<String> warn;
  private final LongAdder swaps = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private volatile Duration aliasWait = Duration.ofSeconds(5);
  private final Object lock = new Object();
  private final List<AutoCloseable> subscriptions = new ArrayList<>();
  /** Guarded by lock. */
  private Served current;
  /** Guarded by lock. */
  private Optional<QueryHandler> handler = Optional.empty();

  /** A catalog and the registry generation and compiled registry records it was built from. */
  private record Served(RegistryState state, ImmutableMap<String, CompiledPolicy> compiled, Catalog catalog) {
    long generation() {
      return state.generation();
    }
  }

  private RegistryServing(TrafficPolicyRegistry registry, PolicyEvaluator evaluator, List<Zone> zones,
                          List<CompiledPolicy> fixed, Consumer<String> info, Consumer<String> warn) {
    this.registry = registry;
    this.evaluator = evaluator;
    this.zones = ImmutableList.copyOf(zones);
    this.fixed = ImmutableList.copyOf(fixed);
    this.info = info;
    this.warn = warn;
    RegistryState state = registry.state();
    this.current = build(state, ImmutableMap.of(), null);
  }

  /**
   * Prepares to serve {@code registry}'s records inside {@code zones}, next to the {@code fixed} policy records (for
   * example those of a configuration file). Builds the first catalog from the registry's current state.
   *
   * @throws IllegalArgumentException listing every problem, one per line, when the current state cannot be served
   */
  public static RegistryServing create(TrafficPolicyRegistry registry, PolicyEvaluator evaluator, List<Zone> zones,
                                       List<CompiledPolicy> fixed, Consumer<String> log) {
    checkNotNull(registry, "registry");
    checkNotNull(evaluator, "evaluator");
    checkNotNull(zones, "zones");
    checkNotNull(fixed, "fixed");
    checkNotNull(log, "log");
    return new RegistryServing(registry, evaluator, zones, fixed, log, log);
  }

  /**
   * As {@link #create(TrafficPolicyRegistry, PolicyEvaluator, List, List, Consumer)}, reporting through SLF4J
   * (logger {@code io.github.trafficpolicy.dns.RegistryServing}): generations served at INFO; refusals and
   * alias targets without addresses at WARN, each on one line.
   */
  public static RegistryServing create(TrafficPolicyRegistry registry, PolicyEvaluator evaluator, List<Zone> zones,
                                       List<CompiledPolicy> fixed) {
    checkNotNull(registry, "registry");
    checkNotNull(evaluator, "evaluator");
    checkNotNull(zones, "zones");
    checkNotNull(fixed, "fixed");
    return new RegistryServing(registry, evaluator, zones, fixed, LOG::info,
        message -> LOG.warn(message.replace("\n  ", "; ")));
  }

  /** The registry served. */
  public TrafficPolicyRegistry registry() {
    return registry;
  }

  /** The catalog of the last registry state that could be served. */
  public Catalog catalog() {
    synchronized (lock) {
      return current.catalog();
    }
  }

  /**
   * How long a new registry state waits for the first lookup of the alias targets its new records use before it is
   * served (default 5 s); targets still without addresses then are logged.
   */
  public void aliasTargetWait(Duration wait) {
    checkNotNull(wait, "wait");
    checkArgument(!wait.isNegative(), "wait must not be negative but was %s", wait);
    this.aliasWait = wait;
  }

  /** The compiled policies of the registry's records in the served catalog (not the fixed ones). */
  public ImmutableList<CompiledPolicy> registryPolicies() {
    synchronized (lock) {
      return current.compiled().values().asList();
    }
  }

  /** Catalogs swapped in for a new registry generation since this was created (for metrics). */
  long swapCount() {
    return swaps.sum();
  }

  /** Registry generations and changes refused since this was created (for metrics). */
  long refusedCount() {
    return refused.sum();
  }

  /**
   * Whether the registry's store cannot be reached right now (etcd down: the catalog of the last state applied keeps
   * serving, writes fail); never for a directory.
   */
  public boolean storeUnavailable() {
    return registry.storeUnavailable().isPresent();
  }

  /** The registry generation the served catalog was built from. */
  public long servedGeneration() {
    synchronized (lock) {
      return current.generation();
    }
  }

  /**
   * From now on, switches {@code handler} to a new catalog whenever the registry publishes a new state (and once
   * now, to the current catalog). At most one handler.
   */
  public void serveWith(QueryHandler queryHandler) {
    checkNotNull(queryHandler, "queryHandler");
    synchronized (lock) {
      checkState(handler.isEmpty(), "already serving a handler");
      handler = Optional.of(queryHandler);
      queryHandler.replaceCatalog(current.catalog());
    }
    subscriptions.add(registry.addListener(this::onState));
  }

  /**
   * Follows changes by other processes: a registry directory is checked every {@code interval} (one {@code stat}
   * when nothing changed); an etcd registry is watched, and checked for reachability every {@code interval}. A
   * change that fails the registry's validation is refused and logged.
   */
  public void watch(Duration interval) {
    checkArgument(registry.persistent(), "an in-memory registry has nothing to watch");
    subscriptions.add(registry.watch(interval, r -> {
      if (r.status() == ReloadResult.Status.REFUSED) {
        refused.increment();
        warn.accept("registry change refused, still serving generation " + servedGeneration() + ": "
            + r.problem().orElse(""));
      }
    }));
  }

  /** Stops following the registry (the handler keeps its last catalog). */
  @Override
  public void close() {
    for (AutoCloseable s : subscriptions) {
      try {
        s.close();
      } catch (Exception e) {
        warn.accept("cannot stop following the registry: " + e);
      }
    }
    subscriptions.clear();
  }

  private void onState(RegistryState state) {
    synchronized (lock) {
      if (state.equals(current.state())) {
        return;
      }
      Served next;
      try {
        next = build(state, current.compiled(), current.catalog());
      } catch (IllegalArgumentException e) {
        refused.increment();
        warn.accept("registry generation " + state.generation() + " refused, still serving generation "
            + current.generation() + ":\n  " + e.getMessage().replace("\n", "\n  "));
        return;
      }
      reportAliasTargets(next, current.compiled());
      current = next;
      handler.ifPresent(h -> h.replaceCatalog(next.catalog()));
      swaps.increment();
      int n = next.compiled().size();
      info.accept("registry generation " + state.generation() + ": serving " + n + " policy record"
          + (n == 1 ? "" : "s") + " from the registry");
    }
  }

  /**
   * Gives the alias targets of newly compiled records a bounded time for their first lookup before they serve, and
   * logs each alias endpoint still without addresses.
   */
  private void reportAliasTargets(Served next, ImmutableMap<String, CompiledPolicy> previous) {
    List<CompiledPolicy> added = new ArrayList<>();
    next.compiled().forEach((name, p) -> {
      if (previous.get(name) != p) {
        added.add(p);
      }
    });
    if (added.isEmpty()) {
      return;
    }
    try {
      AliasTargetCheck.unresolved(evaluator.aliasResolver(), added, aliasWait)
          .forEach(line -> warn.accept("registry generation " + next.generation() + ": " + line));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The catalog for {@code state}; throws {@link IllegalArgumentException} listing why it cannot be served. */
  private Served build(RegistryState state, ImmutableMap<String, CompiledPolicy> previous, Catalog replaced) {
    ServingSnapshot snapshot = state.servingSnapshot();
    ImmutableMap<String, CompiledPolicy> compiled;
    try {
      compiled = snapshot.compile(evaluator, previous);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot compile a policy record: " + e.getMessage(), e);
    }
    Catalog.Builder b = Catalog.builder();
    if (replaced != null) {
      b.reusingNamesOf(replaced);
    }
    zones.forEach(b::zone);
    fixed.forEach(b::policyRecord);
    compiled.values().forEach(b::policyRecord);
    return new Served(state, compiled, b.build());
  }
}
