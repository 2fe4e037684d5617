package io.github.trafficpolicy.dns.config;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.trafficpolicy.dns.DnsMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code "metrics"} endpoint of {@code serve}: a Prometheus registry holding the server's meters ({@link
 * DnsMetrics}) and a few JVM ones, served as Prometheus text on {@code GET /metrics} by the JDK's HTTP server (one
 * thread). Loaded only when the member is configured, so that Micrometer is needed only then.
 */
final class MetricsEndpoint implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final HttpServer http;
  private final ExecutorService executor;

  private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer http, ExecutorService executor) {
    this.registry = registry;
    this.http = http;
    this.executor = executor;
  }

  /** Binds {@code address} and serves {@code server}'s meters there. */
  static MetricsEndpoint start(InetSocketAddress address, ConfiguredServer server) throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DnsMetrics.queryHandler(server.server().handler()).bindTo(registry);
    server.registry().ifPresent(r -> DnsMetrics.registryServing(r).bindTo(registry));
    server.healthChecker().ifPresent(c -> DnsMetrics.healthChecker(c).bindTo(registry));
    Optional<DnsMetrics.SharedHealthMeters> shared = server.sharedHealth().map(DnsMetrics::sharedHealth);
    shared.ifPresent(m -> m.bindTo(registry));
    DnsMetrics.server(server.server()).bindTo(registry);
    DnsMetrics.aliasResolver(server.aliasResolver()).bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    HttpServer http = HttpServer.create(address, 16);
    http.createContext("/", exchange -> {
      shared.ifPresent(DnsMetrics.SharedHealthMeters::refresh);
      respond(exchange, registry);
    });
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "metrics-http-" + address);
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(executor);
    http.start();
    return new MetricsEndpoint(registry, http, executor);
  }

  private static void respond(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
    try (exchange) {
      boolean found = exchange.getRequestURI().getPath().equals("/metrics");
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = (found ? registry.scrape() : "not found: the metrics are at /metrics\n")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type",
          found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8");
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(found ? 200 : 404, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  /** The address actually bound (the port filled in when 0 was asked for). */
  InetSocketAddress address() {
    return http.getAddress();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
    registry.close();
  }
}
