package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.dns.Eventually;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckType;
import io.github.trafficpolicy.engine.health.HealthChecker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with {@code "metrics"} and {@code "healthChecks"}: the health and transport meters are on the
 * Prometheus endpoint, scraped over HTTP, and follow a check added while the server runs.
 */
final class ServeOperationalMetricsTest {
  @TempDir Path dir;

  private static String scrape(InetSocketAddress at) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + "/metrics")).build();
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double sample(String body, String nameAndLabels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(body);
    assertThat(m.find()).as("%s in:%n%s", nameAndLabels, body).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void scrape_hasTheHealthAndTransportMeters_andFollowsChecksAddedAtRunTime() throws Exception {
    try (ServerSocket endpoint = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      int port = endpoint.getLocalPort();
      Files.writeString(dir.resolve("example.com.zone"), "$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 "
          + "300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n");
      Path config = dir.resolve("serve.json");
      Files.writeString(config, "{\"listen\": [\"127.0.0.1:0\"], \"udpThreads\": 1,\n"
          + " \"zones\": [{\"origin\": \"example.com\", \"file\": \"example.com.zone\"}],\n"
          + " \"rateLimit\": {\"responsesPerSecond\": 20, \"slip\": 2},\n"
          + " \"healthChecks\": [{\"id\": \"db\", \"type\": \"TCP\", \"target\": \"127.0.0.1\", \"port\": " + port
          + ", \"requestIntervalSeconds\": 3600}],\n"
          + " \"metrics\": {\"listen\": \"127.0.0.1:0\"}}\n");
      try (ConfiguredServer server = ConfiguredServer.create(ServeConfigReader.read(config)).start()) {
        InetSocketAddress metrics = server.metricsAddress().orElseThrow();
        HealthChecker checker = server.healthChecker().orElseThrow();
        checker.runOnce().get(30, TimeUnit.SECONDS);

        String body = scrape(metrics);
        assertThat(sample(body, "traffic_policy_health_probe_duration_seconds_count{check=\"db\"}")).isEqualTo(1);
        assertThat(sample(body, "traffic_policy_health_endpoint_status{check=\"db\",endpoint=\"127.0.0.1:" + port
            + "\",type=\"TCP\"}")).isEqualTo(1);
        assertThat(sample(body, "traffic_policy_health_checks{status=\"healthy\"}")).isEqualTo(1);
        assertThat(sample(body, "traffic_policy_dns_ratelimit_dropped_total")).isZero();
        assertThat(sample(body, "traffic_policy_dns_tcp_connections")).isZero();
        assertThat(body).as("no alias resolver that looks anything up").doesNotContain("traffic_policy_alias_");

        checker.put(EndpointHealthCheck.builder("db-2", HealthCheckType.TCP).target("127.0.0.1").port(port)
            .build());
        String added = "traffic_policy_health_probe_duration_seconds_count{check=\"db-2\"}";
        assertThat(sample(scrape(metrics), added)).as("its meters are there at once").isIn(0.0, 1.0);
        assertThat(Eventually.until(() -> {
          try {
            return sample(scrape(metrics), added) == 1;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        })).as("probed at once, as the checker is running").isTrue();
      }
    }
  }
}
