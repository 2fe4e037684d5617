package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckMetrics;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.ProbeResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Optional;
import org.xbill.DNS.Rcode;

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
      Gauge.builder(PREFIX + "dns.cache.entries", handler, h -> h.cacheSize())
          .description("Entries in the whole-reply and policy-answer caches").register(registry);
    };
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
   * A health checker's meters, per {@code check}: the gauge {@code traffic.policy.health.check.status} (1
   * healthy, 0 unhealthy, -1 not yet known), the counter {@code …health.check.transitions} (published status
   * changes), and the gauges {@code …health.check.last.probe.seconds} (the latest probe's latency) and {@code
   * …health.check.last.probe.success} (1 or 0; -1 before the first probe).
   */
  public static MeterBinder healthChecker(HealthChecker checker) {
    checkNotNull(checker, "checker");
    return registry -> {
      for (HealthCheck c : checker.checks()) {
        String id = c.id().toString();
        Gauge.builder(PREFIX + "health.check.status", checker, k -> status(k, c))
            .description("Published health check status: 1 healthy, 0 unhealthy, -1 unknown").tag("check", id)
            .register(registry);
        FunctionCounter.builder(PREFIX + "health.check.transitions", checker,
                k -> k.metrics(c.id()).map(HealthCheckMetrics::transitions).orElse(0L))
            .description("Published health check status changes").tag("check", id).register(registry);
        Gauge.builder(PREFIX + "health.check.last.probe.seconds", checker,
                k -> last(k, c).map(r -> r.latency().toNanos() / 1e9).orElse(Double.NaN))
            .description("Latency of the latest probe").tag("check", id).register(registry);
        Gauge.builder(PREFIX + "health.check.last.probe.success", checker,
                k -> last(k, c).map(r -> r.success() ? 1.0 : 0.0).orElse(-1.0))
            .description("Whether the latest probe succeeded (1), failed (0); -1 before the first")
            .tag("check", id).register(registry);
      }
    };
  }

  private static double status(HealthChecker checker, HealthCheck c) {
    HealthStatus s = checker.metrics(c.id()).map(HealthCheckMetrics::status).orElse(HealthStatus.UNKNOWN);
    return s == HealthStatus.HEALTHY ? 1 : s == HealthStatus.UNHEALTHY ? 0 : -1;
  }

  private static Optional<ProbeResult> last(HealthChecker checker, HealthCheck c) {
    return checker.metrics(c.id()).flatMap(HealthCheckMetrics::lastResult);
  }
}
