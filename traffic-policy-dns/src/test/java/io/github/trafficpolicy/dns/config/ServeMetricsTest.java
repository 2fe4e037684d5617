package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/** {@code serve} with {@code "metrics"}: the Prometheus endpoint, scraped over HTTP after real DNS queries. */
final class ServeMetricsTest {
  private static final String EXAMPLE = "io/github/trafficpolicy/dns/example/";

  @TempDir Path dir;

  /** The bundled example on ephemeral ports, with {@code metrics} as given (JSON, or null for none). */
  private ServeConfig config(String metrics) throws IOException {
    for (String f : new String[] {"example.com.zone", "www-policy.json", "geo.csv", "serve.json"}) {
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(EXAMPLE + f)) {
        Files.write(dir.resolve(f), in.readAllBytes());
      }
    }
    Path config = dir.resolve("serve.json");
    Files.writeString(config, Files.readString(config).replace("\"listen\": [\"127.0.0.1:5353\"],",
        "\"listen\": [\"127.0.0.1:0\"]," + (metrics == null ? "" : " \"metrics\": " + metrics + ","))
        .replace("\"127.0.0.1:8053\"", "\"127.0.0.1:0\""));
    return ServeConfigReader.read(config);
  }

  private static int ask(int port, String name) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    byte[] wire = q.toWire();
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(10_000);
      InetAddress lo = InetAddress.getByName("127.0.0.1");
      s.send(new DatagramPacket(wire, wire.length, lo, port));
      DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
      s.receive(reply);
      return new Message(java.util.Arrays.copyOf(reply.getData(), reply.getLength())).getRcode();
    }
  }

  private static HttpResponse<String> get(InetSocketAddress at, String path) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path)).build();
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** The value of one sample line ({@code name{labels} value}) of a Prometheus text exposition. */
  private static double sample(String body, String nameAndLabels) {
    var m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(body);
    assertThat(m.find()).as("%s in:%n%s", nameAndLabels, body).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void scrape_countsTheQueriesServed() throws Exception {
    try (ConfiguredServer server = ConfiguredServer.create(config("{ \"listen\": \"127.0.0.1:0\" }")).start()) {
      int port = server.server().port();
      InetSocketAddress metrics = server.metricsAddress().orElseThrow();
      assertThat(metrics.getAddress().isLoopbackAddress()).isTrue();
      for (int i = 0; i < 3; i++) {
        assertThat(ask(port, "www.example.com.")).isEqualTo(Rcode.NOERROR);
      }
      assertThat(ask(port, "missing.example.com.")).isEqualTo(Rcode.NXDOMAIN);

      HttpResponse<String> r = get(metrics, "/metrics");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      String body = r.body();
      assertThat(sample(body, "traffic_policy_dns_queries_total")).isEqualTo(4);
      assertThat(sample(body, "traffic_policy_dns_responses_total{rcode=\"NOERROR\"}")).isEqualTo(3);
      assertThat(sample(body, "traffic_policy_dns_responses_total{rcode=\"NXDOMAIN\"}")).isEqualTo(1);
      assertThat(sample(body, "traffic_policy_dns_policy_answers_total{record=\"www.example.com.\"}")).isEqualTo(3);
      assertThat(sample(body, "traffic_policy_dns_dropped_total")).isZero();
      assertThat(sample(body, "traffic_policy_dns_queries_by_type_total{type=\"A\"}")).isEqualTo(4);
      assertThat(sample(body, "traffic_policy_dns_queries_by_type_total{type=\"other\"}")).isZero();
      assertThat(sample(body, "traffic_policy_dns_queries_by_transport_total{transport=\"udp\"}")).isEqualTo(4);
      assertThat(sample(body, "traffic_policy_dns_static_replies_total{result=\"miss\"}")).isEqualTo(1);
      assertThat(sample(body, "traffic_policy_dns_internal_errors_total")).isZero();
      // One endpoint per answer of the bundled www policy: the endpoint series of its policy add up to the answers.
      var endpoints = Pattern.compile("(?m)^traffic_policy_dns_endpoint_answers_total\\{[^}]*\\} (\\S+)$")
          .matcher(body);
      double answered = 0;
      int series = 0;
      while (endpoints.find()) {
        answered += Double.parseDouble(endpoints.group(1));
        series++;
      }
      assertThat(series).as("one series per endpoint of the policy").isGreaterThan(1);
      assertThat(answered).isEqualTo(3);
      assertThat(body).contains("# TYPE traffic_policy_dns_queries_total counter", "jvm_memory_used_bytes");

      assertThat(ask(port, "www.example.com.")).isEqualTo(Rcode.NOERROR);
      assertThat(sample(get(metrics, "/metrics").body(), "traffic_policy_dns_queries_total")).isEqualTo(5);
      assertThat(get(metrics, "/").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void noMetricsMember_noEndpoint() throws Exception {
    try (ConfiguredServer server = ConfiguredServer.create(config(null)).start()) {
      assertThat(server.metricsAddress()).isEmpty();
    }
  }

  @Test
  void badMetricsMember_configurationErrorWithItsPlace() throws Exception {
    assertThatThrownBy(() -> ConfiguredServer.create(config("{ \"listen\": \"localhost\", \"port\": 1 }")))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).anySatisfy(
            p -> assertThat(p).contains("/metrics/listen: must be an IP address and a port"))
            .anySatisfy(p -> assertThat(p).contains("/metrics/port: unknown key (known: listen)")));
  }
}
