package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.ip;
import static io.github.trafficpolicy.dns.Dns.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckType;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.input.DnsAliasResolver;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The health, alias and transport meters of {@link DnsMetrics}, read as Prometheus text (what a scrape of the
 * {@code metrics} endpoint returns) while the behaviour they count happens.
 */
final class OperationalMetricsTest {
  /** The value of one sample ({@code name{labels} value}); empty when the series is not there. */
  private static Optional<Double> sample(PrometheusMeterRegistry registry, String nameAndLabels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(registry.scrape());
    return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
  }

  private static double value(PrometheusMeterRegistry registry, String nameAndLabels) {
    return sample(registry, nameAndLabels).orElseThrow(() -> new AssertionError(nameAndLabels + " not in:\n"
        + registry.scrape()));
  }


  @Test
  void healthChecker_latencyHistogramFailuresByReasonAndEndpointStatus_followTheProbesAndTheChecks()
      throws Exception {
    StatusEndpoint web = StatusEndpoint.start();
    AtomicInteger status = web.status;
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    int port = web.port();
    try (HealthChecker checker = HealthChecker.builder(new HealthRegistry()).logTransitions(false)
        .check(EndpointHealthCheck.builder("web", HealthCheckType.HTTP).target("127.0.0.1").port(port)
            .failureThreshold(1).build())
        .check(EndpointHealthCheck.builder("refused", HealthCheckType.TCP).target("127.0.0.1").port(closed)
            .failureThreshold(1).build())
        .build()) {
      DnsMetrics.healthChecker(checker).bindTo(registry);
      String web200 = "traffic_policy_health_endpoint_status{check=\"web\",endpoint=\"127.0.0.1:" + port
          + "\",type=\"HTTP\"}";
      assertThat(value(registry, "traffic_policy_health_probe_duration_seconds_count{check=\"web\"}")).isZero();
      assertThat(value(registry, web200)).isEqualTo(-1);
      assertThat(value(registry, "traffic_policy_health_checks{status=\"unknown\"}")).isEqualTo(2);

      checker.runOnce().get(30, TimeUnit.SECONDS);

      assertThat(value(registry, "traffic_policy_health_probe_duration_seconds_count{check=\"web\"}")).isEqualTo(1);
      assertThat(value(registry, "traffic_policy_health_probe_duration_seconds_bucket{check=\"web\",le=\"10.0\"}"))
          .isEqualTo(1);
      assertThat(registry.scrape()).contains("traffic_policy_health_probe_duration_seconds_bucket{check=\"web\","
          + "le=\"0.005\"}");
      assertThat(value(registry, "traffic_policy_health_probe_failures_total{check=\"refused\","
          + "reason=\"connection_refused\"}")).isEqualTo(1);
      assertThat(sample(registry, "traffic_policy_health_probe_failures_total{check=\"web\",reason=\"bad_status\"}"))
          .isEmpty();
      assertThat(value(registry, web200)).isEqualTo(1);
      assertThat(value(registry, "traffic_policy_health_checks{status=\"healthy\"}")).isEqualTo(1);
      assertThat(value(registry, "traffic_policy_health_checks{status=\"unhealthy\"}")).isEqualTo(1);

      status.set(503);
      checker.runOnce().get(30, TimeUnit.SECONDS);
      assertThat(value(registry, "traffic_policy_health_probe_failures_total{check=\"web\",reason=\"bad_status\"}"))
          .isEqualTo(1);
      assertThat(value(registry, web200)).isZero();
      assertThat(value(registry, "traffic_policy_health_probe_duration_seconds_count{check=\"web\"}")).isEqualTo(2);

      // Checks changed at run time: the new one gets its meters, the deleted one's go.
      checker.put(EndpointHealthCheck.builder("added", HealthCheckType.TCP).target("127.0.0.1").port(port).build());
      checker.remove(HealthCheckId.of("refused"));
      assertThat(value(registry, "traffic_policy_health_check_status{check=\"added\"}")).isEqualTo(-1);
      assertThat(registry.scrape()).doesNotContain("check=\"refused\"");
      checker.probeNow("added").get(30, TimeUnit.SECONDS);
      assertThat(value(registry, "traffic_policy_health_probe_duration_seconds_count{check=\"added\"}"))
          .isEqualTo(1);
    } finally {
      web.close();
    }
  }

  @Test
  void aliasResolver_targetsByFreshnessAndLookupFailures() throws Exception {
    AtomicBoolean answering = new AtomicBoolean(false);
    try (DatagramSocket upstream = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Thread responder = new Thread(() -> respond(upstream, answering), "fake-upstream");
      responder.setDaemon(true);
      responder.start();
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (DnsAliasResolver resolver = DnsAliasResolver.builder().backgroundRefresh(false)
          .resolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.getLocalPort()))
          .queryTimeout(Duration.ofMillis(200)).build()) {
        DnsMetrics.aliasResolver(resolver).bindTo(registry);
        var target = resolver.target(new Endpoint(EndpointType.ELASTIC_LOAD_BALANCER,
            "web-1.us-west-2.elb.amazonaws.com", Optional.empty()), RecordType.A, "www.example.com");

        resolver.refreshAll().get(30, TimeUnit.SECONDS);
        assertThat(value(registry, "traffic_policy_alias_lookups_total")).isEqualTo(1);
        assertThat(value(registry, "traffic_policy_alias_lookup_failures_total")).isEqualTo(1);
        assertThat(value(registry, "traffic_policy_alias_targets{freshness=\"missing\"}")).isEqualTo(1);
        assertThat(value(registry, "traffic_policy_alias_targets{freshness=\"fresh\"}")).isZero();

        answering.set(true);
        resolver.refreshAll().get(30, TimeUnit.SECONDS);
        assertThat(target.records()).isNotEmpty();
        assertThat(value(registry, "traffic_policy_alias_lookups_total")).isEqualTo(2);
        assertThat(value(registry, "traffic_policy_alias_lookup_failures_total")).isEqualTo(1);
        assertThat(value(registry, "traffic_policy_alias_targets{freshness=\"fresh\"}")).isEqualTo(1);
        assertThat(value(registry, "traffic_policy_alias_targets{freshness=\"missing\"}")).isZero();
      }
    }
  }

  /** A resolver that answers every A question with 192.0.2.10 (TTL 60) while {@code answering}, else nothing. */
  private static void respond(DatagramSocket socket, AtomicBoolean answering) {
    byte[] buffer = new byte[1500];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        socket.receive(p);
        if (!answering.get()) {
          continue;
        }
        Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60, ip("192.0.2.10")), Section.ANSWER);
        byte[] wire = r.toWire();
        socket.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
      } catch (java.io.IOException e) {
        return; // closed
      }
    }
  }

  @Test
  void server_rateLimitDropsAndSlips_tcpConnectionsAcceptedAndOpen() throws Exception {
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).build())
        .rateLimit(5, 2, 24, 56).build();
    AuthoritativeServer server = AuthoritativeServer.builder(h).udpThreads(1)
        .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build().start();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      DnsMetrics.server(server).bindTo(registry);
      assertThat(value(registry, "traffic_policy_dns_ratelimit_dropped_total")).isZero();
      byte[] www = query("static.example.com.", Type.A).toWire();
      int truncated = 0;
      int none = 0;
      for (int i = 0; i < 40; i++) {
        var reply = h.handle(www, ip("198.51.100.7"), Transport.UDP);
        if (reply.isEmpty()) {
          none++;
        } else if (Dns.parse(reply.get()).getHeader().getFlag(Flags.TC)) {
          truncated++;
        }
      }
      assertThat(none).isPositive();
      assertThat(value(registry, "traffic_policy_dns_ratelimit_dropped_total")).isEqualTo(none);
      assertThat(value(registry, "traffic_policy_dns_ratelimit_slipped_total")).isEqualTo(truncated);

      assertThat(value(registry, "traffic_policy_dns_tcp_connections")).isZero();
      try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
        DataOutputStream out = new DataOutputStream(tcp.getOutputStream());
        out.writeShort(www.length);
        out.write(www);
        out.flush();
        DataInputStream in = new DataInputStream(tcp.getInputStream());
        in.readFully(new byte[in.readUnsignedShort()]);
        assertThat(value(registry, "traffic_policy_dns_tcp_connections")).as("answered: accepted and open")
            .isEqualTo(1);
        assertThat(value(registry, "traffic_policy_dns_tcp_accepted_total")).isEqualTo(1);
      }
      assertThat(Eventually.until(() -> value(registry, "traffic_policy_dns_tcp_connections") == 0)).isTrue();
      assertThat(value(registry, "traffic_policy_dns_tcp_closed_by_limits_total")).isZero();
      assertThat(value(registry, "traffic_policy_dns_loop_failures_total")).isZero();
    } finally {
      server.stop();
    }
  }
}
