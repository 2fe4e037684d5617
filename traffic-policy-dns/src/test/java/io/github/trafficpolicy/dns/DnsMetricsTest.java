package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckType;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** {@link DnsMetrics#queryHandler}: the meters read the handler's counters, across catalog swaps. */
final class DnsMetricsTest {
  private static final InetAddress RESOLVER = Dns.ip("203.0.113.53");

  private static Catalog catalog(FakePolicy... policies) {
    Catalog.Builder b = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE));
    for (FakePolicy p : policies) {
      b.policyRecord(p);
    }
    return b.build();
  }

  private static void ask(QueryHandler h, String name) {
    assertThat(h.handle(query(name, Type.A).toWire(), RESOLVER, Transport.UDP)).isPresent();
  }

  private static double count(SimpleMeterRegistry r, String name, String... tags) {
    return r.get(DnsMetrics.PREFIX + name).tags(tags).functionCounter().count();
  }

  @Test
  void queriesResponsesAndPolicyRecords_countedAcrossCatalogSwaps_newRecordsGetMeters() {
    QueryHandler h = QueryHandler.builder(catalog(FakePolicy.constant("www.example.com", "198.51.100.1", 0)))
        .build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DnsMetrics.queryHandler(h).bindTo(registry);
    ask(h, "www.example.com.");
    ask(h, "www.example.com.");
    ask(h, "missing.example.com.");
    h.handle(new byte[3], RESOLVER, Transport.UDP);
    assertThat(count(registry, "dns.queries")).isEqualTo(4);
    assertThat(count(registry, "dns.dropped")).isEqualTo(1);
    assertThat(count(registry, "dns.responses", "rcode", "NOERROR")).isEqualTo(2);
    assertThat(count(registry, "dns.responses", "rcode", "NXDOMAIN")).isEqualTo(1);
    assertThat(count(registry, "dns.responses", "rcode", "SERVFAIL")).isZero();
    assertThat(count(registry, "dns.policy.answers", "record", "www.example.com.")).isEqualTo(2);

    // A new version of www and a new record (as a registry change brings them).
    h.replaceCatalog(catalog(FakePolicy.constant("www.example.com", "198.51.100.2", 0),
        FakePolicy.constant("api.example.com", "198.51.100.3", 0)));
    ask(h, "www.example.com.");
    ask(h, "api.example.com.");
    assertThat(count(registry, "dns.policy.answers", "record", "www.example.com.")).isEqualTo(3);
    assertThat(count(registry, "dns.policy.answers", "record", "api.example.com.")).isEqualTo(1);
    assertThat(count(registry, "dns.policy.nodata", "record", "api.example.com.")).isZero();
    assertThat(count(registry, "dns.queries")).isEqualTo(6);
    assertThat(registry.get(DnsMetrics.PREFIX + "dns.cache.entries").gauge().value()).isZero();
  }

  @Test
  void healthChecker_statusTransitionsAndLastProbe_perCheck() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ServerSocket up = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
         HealthChecker checker = HealthChecker.builder(new HealthRegistry())
             .check(EndpointHealthCheck.builder("up", HealthCheckType.TCP).target("127.0.0.1")
                 .port(up.getLocalPort()).build())
             .build()) {
      DnsMetrics.healthChecker(checker).bindTo(registry);
      assertThat(registry.get(DnsMetrics.PREFIX + "health.check.status").tag("check", "up").gauge().value())
          .isEqualTo(-1);
      assertThat(registry.get(DnsMetrics.PREFIX + "health.check.last.probe.success").tag("check", "up").gauge()
          .value()).isEqualTo(-1);
      checker.runOnce().get(30, TimeUnit.SECONDS);
      assertThat(registry.get(DnsMetrics.PREFIX + "health.check.status").tag("check", "up").gauge().value())
          .isEqualTo(1);
      assertThat(registry.get(DnsMetrics.PREFIX + "health.check.transitions").tag("check", "up").functionCounter()
          .count()).isEqualTo(1);
      assertThat(registry.get(DnsMetrics.PREFIX + "health.check.last.probe.success").tag("check", "up").gauge()
          .value()).isEqualTo(1);
      assertThat(registry.get(DnsMetrics.PREFIX + "health.check.last.probe.seconds").tag("check", "up").gauge()
          .value()).isGreaterThanOrEqualTo(0);
    }
  }
}
