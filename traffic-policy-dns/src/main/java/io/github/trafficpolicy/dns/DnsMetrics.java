package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.AliasResolver;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckMetrics;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.ProbeFailure;
import io.github.trafficpolicy.engine.health.ProbeResult;
import io.github.trafficpolicy.engine.health.SharedHealth;
import io.github.trafficpolicy.engine.input.DnsAliasResolver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Micrometer meter binders for the server's parts: bind them to the application's {@link MeterRegistry} ({@code
 * DnsMetrics.queryHandler(server.handler()).bindTo(registry)}); {@code traffic-policy serve} binds them all to the
 * Prometheus registry of its {@code "metrics"} endpoint. The meters read the counters the parts keep anyway
 * (functions evaluated when the registry is read): binding adds no work per query. Counters count from when the
 * part was built and survive catalog and registry swaps. Needs {@code io.micrometer:micrometer-core} on the class
 * path (an optional dependency of this module).
 */
public final class DnsMetrics {
  /** The prefix of every meter name ({@code traffic_policy_…} in Prometheus). */
  public static final String PREFIX = "traffic.policy.";

  /** The response codes the server writes, each given its own series even before its first reply. */
  private static final int[] RCODES = {Rcode.NOERROR, Rcode.FORMERR, Rcode.SERVFAIL, Rcode.NXDOMAIN, Rcode.NOTIMP,
      Rcode.REFUSED, Rcode.BADVERS};

  private DnsMetrics() {}

  /**
   * A query handler's meters: {@code traffic.policy.dns.queries} (received, including dropped), {@code
   * …dns.dropped}, {@code …dns.responses} by {@code rcode}, {@code …dns.policy.answers} and {@code
   * …dns.policy.nodata} by policy {@code record} (every record served so far, including ones a later catalog
   * dropped), and the gauge {@code …dns.cache.entries} (whole-reply and policy-answer cache entries).
   */
  public static MeterBinder queryHandler(QueryHandler handler) {
    checkNotNull(handler, "handler");
    return registry -> {
      FunctionCounter.builder(PREFIX + "dns.queries", handler, QueryHandler::queryCount)
          .description("DNS queries received, including dropped ones").register(registry);
      FunctionCounter.builder(PREFIX + "dns.dropped", handler, QueryHandler::droppedCount)
          .description("DNS datagrams given no reply (malformed, a response, or too long)").register(registry);
      for (int i = 0; i < QueryHandler.rcodeSlots(); i++) {
        if (contains(RCODES, i) || handler.rcodeCount(i) > 0) {
          int rcode = i;
          FunctionCounter.builder(PREFIX + "dns.responses", handler, h -> h.rcodeCount(rcode))
              .description("DNS replies by response code").tag("rcode", Rcode.string(rcode)).register(registry);
        }
      }
      handler.policyRecordNames(name -> policyRecord(registry, handler, name))
          .forEach(name -> policyRecord(registry, handler, name));
      handler.policyEndpoints((policy, endpoint) -> endpoint(registry, handler, policy, endpoint))
          .forEach((policy, endpoints) -> endpoints.forEach(e -> endpoint(registry, handler, policy, e)));
      Gauge.builder(PREFIX + "dns.cache.entries", handler, h -> h.cacheSize())
          .description("Rendered static replies held in the static reply table").register(registry);
      for (int i = 0; i <= QueryHandler.TYPES.length; i++) {
        int slot = i;
        String type = i < QueryHandler.TYPES.length ? Type.string(QueryHandler.TYPES[i]) : "other";
        FunctionCounter.builder(PREFIX + "dns.queries.by.type", handler, h -> h.typeCount(slot))
            .description("DNS queries by question type (the common types, then every other as 'other')")
            .tag("type", type).register(registry);
      }
      for (boolean tcp : new boolean[] {false, true}) {
        FunctionCounter.builder(PREFIX + "dns.queries.by.transport", handler, h -> h.transportCount(tcp))
            .description("DNS queries by transport").tag("transport", tcp ? "tcp" : "udp").register(registry);
      }
      FunctionCounter.builder(PREFIX + "dns.truncated", handler, QueryHandler::truncatedCount)
          .description("Replies sent with TC set (too large for UDP, or slipped by rate limiting)")
          .register(registry);
      FunctionCounter.builder(PREFIX + "dns.static.replies", handler, QueryHandler::staticHits)
          .description("Static questions answered from the static reply table, or rendered afresh")
          .tag("result", "hit").register(registry);
      FunctionCounter.builder(PREFIX + "dns.static.replies", handler, QueryHandler::staticMisses)
          .description("Static questions answered from the static reply table, or rendered afresh")
          .tag("result", "miss").register(registry);
      FunctionCounter.builder(PREFIX + "dns.internal.errors", handler, QueryHandler::internalErrors)
          .description("Queries answered SERVFAIL because of an internal error (each is logged, at most one a "
              + "minute)").register(registry);
    };
  }

  private static void endpoint(MeterRegistry registry, QueryHandler handler, String policy, EndpointId endpoint) {
    FunctionCounter.builder(PREFIX + "dns.endpoint.answers", handler, h -> h.endpointAnswers(policy, endpoint))
        .description("Policy answers that included an endpoint, per policy (all its records and versions)")
        .tag("policy", policy).tag("endpoint", endpoint.value()).register(registry);
  }

  private static void policyRecord(MeterRegistry registry, QueryHandler handler, String name) {
    FunctionCounter.builder(PREFIX + "dns.policy.answers", handler, h -> h.policyAnswers(name))
        .description("Queries answered with a policy record's answer").tag("record", name).register(registry);
    FunctionCounter.builder(PREFIX + "dns.policy.nodata", handler, h -> h.policyNoData(name))
        .description("Queries for a policy record whose policy had nothing (NODATA)").tag("record", name)
        .register(registry);
  }

  private static boolean contains(int[] values, int v) {
    for (int x : values) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }

  /**
   * A registry-following server's meters: the gauge {@code traffic.policy.registry.generation} (the registry
   * generation served), and the counters {@code …registry.swaps} (catalogs swapped in for a new generation) and
   * {@code …registry.refused} (generations or changes refused, the last good one still served).
   */
  public static MeterBinder registryServing(RegistryServing serving) {
    checkNotNull(serving, "serving");
    return registry -> {
      Gauge.builder(PREFIX + "registry.generation", serving, RegistryServing::servedGeneration)
          .description("The registry generation being served").register(registry);
      FunctionCounter.builder(PREFIX + "registry.swaps", serving, RegistryServing::swapCount)
          .description("Registry generations swapped in").register(registry);
      FunctionCounter.builder(PREFIX + "registry.refused", serving, RegistryServing::refusedCount)
          .description("Registry generations or changes refused (the last good one kept)").register(registry);
      Gauge.builder(PREFIX + "registry.store.unavailable", serving, s -> s.storeUnavailable() ? 1 : 0)
          .description("1 while the registry's store (etcd) cannot be reached: the last state applied is served and"
              + " writes fail; else 0").register(registry);
    };
  }

  /**
   * A health checker's meters. Per {@code check}: the gauge {@code traffic.policy.health.check.status} (1 healthy, 0
   * unhealthy, -1 not yet known), the counter {@code …health.check.transitions} (published status changes), the
   * gauges {@code …health.check.last.probe.seconds} (the latest probe's latency) and {@code
   * …health.check.last.probe.success} (1 or 0; -1 before the first probe), the timer {@code
   * …health.probe.duration} (every probe's latency, as a histogram with fixed buckets from 5 ms to 10 s, see {@link
   * #PROBE_BUCKETS}) and the counter {@code …health.probe.failures} by {@code reason} (a {@link ProbeFailure}
   * label: {@code timeout}, {@code connection_refused}, {@code connection_error}, {@code bad_status}, {@code
   * bad_response}, {@code string_mismatch}, {@code tls}, {@code dns}, {@code other}; a series appears with its first
   * failure). Per endpoint check, {@code …health.endpoint.status} with {@code check}, {@code type} and {@code
   * endpoint} ({@code target:port}): the same value as the check's status, labelled with what it probes. And {@code
   * …health.checks} by {@code status} ({@code healthy}, {@code unhealthy}, {@code unknown}): how many checks are in
   * each. The meters follow the checker: a check added at run time gets its meters, a deleted one's are removed.
   *
   * <p>Cardinality: at most 13 + 9 series per check (the histogram's 11 buckets, count and sum; the 9 reasons only
   * once seen) plus 3, so bounded by the number of checks, which the operator defines.
   */
  public static MeterBinder healthChecker(HealthChecker checker) {
    checkNotNull(checker, "checker");
    return registry -> {
      HealthMeters meters = new HealthMeters(registry, checker);
      for (HealthStatus s : HealthStatus.values()) {
        Gauge.builder(PREFIX + "health.checks", checker, k -> k.metrics().values().stream()
                .filter(m -> m.status() == s).count())
            .description("Health checks in each status").tag("status", s.name().toLowerCase(java.util.Locale.ROOT))
            .register(registry);
      }
      meters.follow(checker.checks());
      checker.addListener(meters);
    };
  }

  /** The most vantage points per check given a series of their own (the rest are counted, not labelled). */
  public static final int MAX_VANTAGES_PER_CHECK = 32;

  /**
   * Shared health's meters ({@link SharedHealth}): {@code traffic.policy.health.shared.connected} (1 while the other
   * vantage points are reachable and the aggregate is served, 0 while this server serves its own results), the
   * counter {@code …health.shared.disconnects}, {@code …health.shared.vantages} (vantage points with a result now).
   * Per {@code check}: {@code …health.check.served.status} (the status served: 1 healthy, 0 unhealthy, -1 unknown;
   * {@code …health.check.status} is this server's own checker's), {@code …health.check.vantages.healthy} and
   * {@code …health.check.vantages.decided} (how many vantage points see it healthy, how many count). Per {@code
   * check} and {@code vantage}: {@code …health.vantage.status} (that vantage point's own status, before inversion)
   * and {@code …health.vantage.result.age.seconds} (how old its latest result is). Cardinality: 5 series per check
   * plus 2 per vantage point and check, at most {@value #MAX_VANTAGES_PER_CHECK} vantage points per check (the
   * first by ID); the per-check series come and go with the checks and vantage points. Call {@link
   * SharedHealthMeters#refresh()} before each scrape.
   */
  public static SharedHealthMeters sharedHealth(SharedHealth shared) {
    return new SharedHealthMeters(checkNotNull(shared, "shared"));
  }

  /** The meters of {@link #sharedHealth}; {@link #refresh()} reads the vantage points' results again. */
  public static final class SharedHealthMeters implements MeterBinder {
    private final SharedHealth shared;
    private volatile List<MultiGauge> gauges = List.of();

    private SharedHealthMeters(SharedHealth shared) {
      this.shared = shared;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
      Gauge.builder(PREFIX + "health.shared.connected", shared, s -> s.connected() ? 1 : 0)
          .description("1 while the aggregate of every vantage point is served, 0 while this server's own results"
              + " are (the shared store unreachable)").register(registry);
      FunctionCounter.builder(PREFIX + "health.shared.disconnects", shared, SharedHealth::disconnects)
          .description("Times the other vantage points became unreachable").register(registry);
      Gauge.builder(PREFIX + "health.shared.vantages", shared, SharedHealth::vantageCount)
          .description("Vantage points with a result now").register(registry);
      gauges = List.of(
          MultiGauge.builder(PREFIX + "health.check.served.status")
              .description("Health check status served (aggregate): 1 healthy, 0 unhealthy, -1 unknown")
              .register(registry),
          MultiGauge.builder(PREFIX + "health.check.vantages.healthy")
              .description("Vantage points seeing the check healthy").register(registry),
          MultiGauge.builder(PREFIX + "health.check.vantages.decided")
              .description("Vantage points whose result counts").register(registry),
          MultiGauge.builder(PREFIX + "health.vantage.status")
              .description("Each vantage point's own status (before inversion): 1 healthy, 0 unhealthy, -1 unknown")
              .register(registry),
          MultiGauge.builder(PREFIX + "health.vantage.result.age.seconds")
              .description("Age of each vantage point's latest result").register(registry));
      refresh();
    }

    /** Reads the vantage points' results again (series of checks and vantage points gone are removed). */
    public void refresh() {
      List<MultiGauge> g = gauges;
      if (g.isEmpty()) {
        return;
      }
      java.time.Instant now = java.time.Instant.now();
      List<MultiGauge.Row<?>> served = new java.util.ArrayList<>();
      List<MultiGauge.Row<?>> healthy = new java.util.ArrayList<>();
      List<MultiGauge.Row<?>> decided = new java.util.ArrayList<>();
      List<MultiGauge.Row<?>> status = new java.util.ArrayList<>();
      List<MultiGauge.Row<?>> age = new java.util.ArrayList<>();
      shared.view().forEach((id, view) -> {
        Tags check = Tags.of("check", id.value());
        served.add(MultiGauge.Row.of(check, value(view.status())));
        healthy.add(MultiGauge.Row.of(check, view.healthy()));
        decided.add(MultiGauge.Row.of(check, view.decided()));
        view.vantages().values().stream().limit(MAX_VANTAGES_PER_CHECK).forEach(r -> {
          Tags tags = check.and("vantage", r.vantage());
          status.add(MultiGauge.Row.of(tags, value(r.status())));
          age.add(MultiGauge.Row.of(tags, Math.max(0, Duration.between(r.at(), now).toMillis() / 1e3)));
        });
      });
      g.get(0).register(served, true);
      g.get(1).register(healthy, true);
      g.get(2).register(decided, true);
      g.get(3).register(status, true);
      g.get(4).register(age, true);
    }

    private static double value(HealthStatus s) {
      return s == HealthStatus.HEALTHY ? 1 : s == HealthStatus.UNHEALTHY ? 0 : -1;
    }
  }

  /** The buckets of {@code traffic.policy.health.probe.duration}: 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5, 10 s. */
  public static final List<Duration> PROBE_BUCKETS = List.of(Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10));

  /** The per-check meters of one checker in one registry, following its changes. */
  private static final class HealthMeters implements HealthChecker.Listener {
    private final MeterRegistry registry;
    private final HealthChecker checker;
    /** The definition each check's meters were made for, and those meters. */
    private final Map<HealthCheckId, HealthCheck> definitions = new ConcurrentHashMap<>();
    private final Map<HealthCheckId, List<Meter>> meters = new ConcurrentHashMap<>();
    private final Map<HealthCheckId, Timer> timers = new ConcurrentHashMap<>();

    HealthMeters(MeterRegistry registry, HealthChecker checker) {
      this.registry = registry;
      this.checker = checker;
    }

    @Override
    public void probed(EndpointHealthCheck check, ProbeResult result) {
      Timer t = timers.get(check.id());
      if (t != null) {
        t.record(result.latency());
      }
      if (!result.success()) {
        Counter failures = Counter.builder(PREFIX + "health.probe.failures")
            .description("Failed probes by reason").tag("check", check.id().value())
            .tag("reason", ProbeFailure.of(result).label()).register(registry);
        failures.increment();
        meters.computeIfPresent(check.id(), (id, list) -> {
          if (!list.contains(failures)) {
            list.add(failures);
          }
          return list;
        });
      }
    }

    @Override
    public void checksChanged(ImmutableList<HealthCheck> checks) {
      follow(checks);
    }

    /** Registers the meters of new or changed checks and removes those of deleted or changed ones. */
    synchronized void follow(List<HealthCheck> checks) {
      Map<HealthCheckId, HealthCheck> now = new LinkedHashMap<>();
      checks.forEach(c -> now.put(c.id(), c));
      for (HealthCheckId id : List.copyOf(definitions.keySet())) {
        HealthCheck before = checkNotNull(definitions.get(id), id);
        HealthCheck after = now.get(id);
        if (after == null || !endpointOf(after).equals(endpointOf(before)) || after.type() != before.type()) {
          meters.getOrDefault(id, List.of()).forEach(registry::remove);
          meters.remove(id);
          timers.remove(id);
          definitions.remove(id);
        }
      }
      for (HealthCheck c : now.values()) {
        if (!definitions.containsKey(c.id())) {
          register(c);
        }
      }
    }

    private void register(HealthCheck c) {
      String id = c.id().value();
      HealthCheckId key = c.id();
      List<Meter> list = new java.util.concurrent.CopyOnWriteArrayList<>();
      list.add(Gauge.builder(PREFIX + "health.check.status", checker, k -> status(k, key))
          .description("Published health check status: 1 healthy, 0 unhealthy, -1 unknown").tag("check", id)
          .register(registry));
      list.add(FunctionCounter.builder(PREFIX + "health.check.transitions", checker,
              k -> k.metrics(key).map(HealthCheckMetrics::transitions).orElse(0L))
          .description("Published health check status changes").tag("check", id).register(registry));
      list.add(Gauge.builder(PREFIX + "health.check.last.probe.seconds", checker,
              k -> last(k, key).map(r -> r.latency().toNanos() / 1e9).orElse(Double.NaN))
          .description("Latency of the latest probe").tag("check", id).register(registry));
      list.add(Gauge.builder(PREFIX + "health.check.last.probe.success", checker,
              k -> last(k, key).map(r -> r.success() ? 1.0 : 0.0).orElse(-1.0))
          .description("Whether the latest probe succeeded (1), failed (0); -1 before the first")
          .tag("check", id).register(registry));
      if (c instanceof EndpointHealthCheck e) {
        list.add(Gauge.builder(PREFIX + "health.endpoint.status", checker, k -> status(k, key))
            .description("Health of each probed endpoint: 1 healthy, 0 unhealthy, -1 unknown").tag("check", id)
            .tag("type", e.type().name()).tag("endpoint", endpointOf(e)).register(registry));
        Timer t = Timer.builder(PREFIX + "health.probe.duration").description("Probe latency (every probe)")
            .tag("check", id).serviceLevelObjectives(PROBE_BUCKETS.toArray(Duration[]::new))
            .register(registry);
        list.add(t);
        timers.put(key, t);
      }
      meters.put(key, list);
      definitions.put(key, c);
    }
  }

  /** What an endpoint check probes, {@code target:port} ({@code [v6]:port}); empty for a calculated check. */
  private static String endpointOf(HealthCheck c) {
    if (c instanceof EndpointHealthCheck e) {
      return (e.target().contains(":") ? "[" + e.target() + "]" : e.target()) + ":" + e.port();
    }
    return "";
  }

  private static double status(HealthChecker checker, HealthCheckId id) {
    HealthStatus s = checker.metrics(id).map(HealthCheckMetrics::status).orElse(HealthStatus.UNKNOWN);
    return s == HealthStatus.HEALTHY ? 1 : s == HealthStatus.UNHEALTHY ? 0 : -1;
  }

  private static Optional<ProbeResult> last(HealthChecker checker, HealthCheckId id) {
    return checker.metrics(id).flatMap(HealthCheckMetrics::lastResult);
  }

  /**
   * An alias resolver's meters, when it is a {@link DnsAliasResolver} (others keep no state worth a meter): the
   * gauge {@code traffic.policy.alias.targets} by {@code freshness} ({@code fresh}, {@code stale}, {@code missing},
   * {@code static}: how many targets in use are in each), and the counters {@code …alias.lookups} (lookups that
   * ended) and {@code …alias.lookup.failures} (lookups that failed: no resolver answered usably; the target keeps
   * its last records, stale, within the limit). Four series and two: bounded.
   */
  public static MeterBinder aliasResolver(AliasResolver resolver) {
    checkNotNull(resolver, "resolver");
    return registry -> {
      if (!(resolver instanceof DnsAliasResolver dns)) {
        return;
      }
      for (AliasResolver.Freshness f : AliasResolver.Freshness.values()) {
        Gauge.builder(PREFIX + "alias.targets", dns, r -> r.targets().stream().filter(t -> t.freshness() == f).count())
            .description("Alias targets in use, by freshness").tag("freshness", f.name().toLowerCase(
                java.util.Locale.ROOT)).register(registry);
      }
      FunctionCounter.builder(PREFIX + "alias.lookups", dns, DnsAliasResolver::lookupCount)
          .description("Alias target lookups that ended").register(registry);
      FunctionCounter.builder(PREFIX + "alias.lookup.failures", dns, DnsAliasResolver::lookupFailureCount)
          .description("Alias target lookups that failed (no resolver answered usably)").register(registry);
    };
  }

  /**
   * A server's transport meters: the counters {@code traffic.policy.dns.ratelimit.dropped} and {@code
   * …dns.ratelimit.slipped} (UDP responses dropped, or sent truncated, by response-rate limiting), {@code
   * …dns.tcp.accepted}, {@code …dns.tcp.closed.by.limits} (closed for the per-client or listener limit or a
   * deadline) and {@code …dns.loop.failures} (receiver or acceptor loops restarted after an error), and the gauge
   * {@code …dns.tcp.connections} (open now). No labels.
   */
  public static MeterBinder server(AuthoritativeServer server) {
    checkNotNull(server, "server");
    return registry -> {
      QueryHandler h = server.handler();
      FunctionCounter.builder(PREFIX + "dns.ratelimit.dropped", h, QueryHandler::rateLimitDrops)
          .description("UDP responses dropped by response-rate limiting").register(registry);
      FunctionCounter.builder(PREFIX + "dns.ratelimit.slipped", h, QueryHandler::rateLimitSlips)
          .description("UDP responses sent truncated (TC) in place of a rate-limited one").register(registry);
      FunctionCounter.builder(PREFIX + "dns.tcp.accepted", server, AuthoritativeServer::tcpAccepted)
          .description("TCP connections accepted").register(registry);
      FunctionCounter.builder(PREFIX + "dns.tcp.closed.by.limits", server, AuthoritativeServer::tcpClosedByLimits)
          .description("TCP connections closed by a limit (per client, listener full, query or write deadline)")
          .register(registry);
      Gauge.builder(PREFIX + "dns.tcp.connections", server, AuthoritativeServer::tcpConnections)
          .description("TCP connections open").register(registry);
      FunctionCounter.builder(PREFIX + "dns.loop.failures", server, AuthoritativeServer::loopFailures)
          .description("UDP receiver or TCP acceptor loops restarted after an error").register(registry);
    };
  }
}
