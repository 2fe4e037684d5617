package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code traffic-policy health} against a real HTTP server and TCP listener on 127.0.0.1. */
final class HealthCommandTest {
  @TempDir Path dir;
  private HttpServer http;
  private ExecutorService executor;
  private ServerSocket tcp;
  private int closedPort;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void startServers() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    executor = Executors.newFixedThreadPool(2);
    http.setExecutor(executor);
    http.createContext("/ok", ex -> respond(ex, 200, "service READY"));
    http.createContext("/down", ex -> respond(ex, 503, "maintenance"));
    http.start();
    tcp = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
  }

  @AfterEach
  void stopServers() throws IOException {
    http.stop(0);
    executor.shutdownNow();
    tcp.close();
  }

  private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, bytes.length);
    try (var o = ex.getResponseBody()) {
      o.write(bytes);
    }
  }

  private int run(String... args) {
    CommandLine cl = TrafficPolicyCommand.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  private Path config(String healthChecks) throws IOException {
    return Files.writeString(dir.resolve("serve.json"), "{\n  // the server's own members are ignored\n"
        + "  \"listen\": [\"127.0.0.1:5353\"],\n  \"healthChecks\": " + healthChecks + "\n}");
  }

  private String httpCheck(String id, String path) {
    return "{\"id\": \"" + id + "\", \"type\": \"HTTP\", \"target\": \"127.0.0.1\", \"port\": "
        + http.getAddress().getPort() + ", \"resourcePath\": \"" + path + "\"}";
  }

  @Test
  void health_allHealthy_printsEachStatusAndExitsZero() throws IOException {
    Path file = config("[" + httpCheck("web", "/ok") + ","
        + "{\"id\": \"match\", \"type\": \"HTTP_STR_MATCH\", \"target\": \"127.0.0.1\", \"port\": "
        + http.getAddress().getPort() + ", \"resourcePath\": \"/ok\", \"searchString\": \"READY\"},"
        + "{\"id\": \"db\", \"type\": \"TCP\", \"target\": \"127.0.0.1\", \"port\": " + tcp.getLocalPort() + "},"
        + "{\"id\": \"site\", \"type\": \"CALCULATED\", \"healthThreshold\": 2, \"childHealthChecks\": [\"web\","
        + " \"db\"]}]");

    int exit = run("health", "--config", file.toString());

    assertThat(exit).as(out + "\n" + err).isZero();
    String text = out.toString();
    assertThat(text.lines().findFirst().orElseThrow())
        .matches("ID\\s+TYPE\\s+TARGET\\s+STATUS\\s+LATENCY\\s+RESULT");
    assertThat(text).containsPattern("(?m)^web\\s+HTTP\\s+127\\.0\\.0\\.1:\\d+/ok\\s+HEALTHY\\s+\\d+\\.\\d ms\\s+"
        + "HTTP 200 OK$");
    assertThat(text).containsPattern("(?m)^match\\s+HTTP_STR_MATCH\\s+\\S+\\s+HEALTHY\\s+\\S+ ms\\s+"
        + "HTTP 200 OK, search string found$");
    assertThat(text).containsPattern("(?m)^db\\s+TCP\\s+\\S+\\s+HEALTHY\\s+\\S+ ms\\s+connected$");
    assertThat(text).containsPattern("(?m)^site\\s+CALCULATED\\s+-\\s+HEALTHY\\s+-\\s+"
        + "2 of 2 children healthy \\(threshold 2\\)$");
    assertThat(text).endsWith("4 of 4 health checks healthy" + System.lineSeparator());
  }

  @Test
  void health_oneUnhealthy_reportsTheReasonAndExitsOne() throws IOException {
    Path file = config("[" + httpCheck("web", "/ok") + "," + httpCheck("maint", "/down") + ","
        + "{\"id\": \"gone\", \"type\": \"TCP\", \"target\": \"127.0.0.1\", \"port\": " + closedPort + "},"
        + "{\"id\": \"forced\", \"type\": \"HTTP\", \"target\": \"127.0.0.1\", \"disabled\": true, "
        + "\"inverted\": true}]");

    int exit = run("health", "--config", file.toString());

    assertThat(exit).isEqualTo(1);
    String text = out.toString();
    assertThat(text).containsPattern("(?m)^maint\\s+HTTP\\s+\\S+\\s+UNHEALTHY\\s+\\S+ ms\\s+"
        + "HTTP 503 Service Unavailable$");
    assertThat(text).containsPattern("(?m)^gone\\s+TCP\\s+\\S+\\s+UNHEALTHY\\s+\\S+ ms\\s+"
        + "connection failed: connection refused$");
    assertThat(text).containsPattern("(?m)^forced\\s+HTTP\\s+127\\.0\\.0\\.1:80/\\s+UNHEALTHY\\s+-\\s+"
        + "disabled \\(inverted\\)$");
    assertThat(text).contains("1 of 4 health checks healthy");
  }

  @Test
  void health_invalidConfig_listsProblemsAndExitsOne() throws IOException {
    Path file = config("[{\"id\": \"web\", \"type\": \"HTTP\", \"target\": \"127.0.0.1\", \"port\": 70000}]");

    assertThat(run("health", "--config", file.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("invalid health checks:")
        .contains("/healthChecks/0/port: must be 1..65535 but was 70000");
  }

  @Test
  void health_invalidSharedHealth_isReportedBeforeAnythingIsProbed() throws IOException {
    AtomicInteger probes = new AtomicInteger();
    http.createContext("/counted", ex -> {
      probes.incrementAndGet();
      respond(ex, 200, "ok");
    });
    Path file = Files.writeString(dir.resolve("serve.json"), "{\"healthChecks\": [" + httpCheck("web", "/counted")
        + "], \"sharedHealth\": true}");

    assertThat(run("health", "--config", file.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("invalid shared health:").contains("/sharedHealth: needs an etcd registry");
    assertThat(out.toString()).doesNotContain("health checks healthy");
    assertThat(probes).hasValue(0);
  }

  @Test
  void health_usageErrors_exitTwo() {
    assertThat(run("health")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--config=FILE'");
    assertThat(run("health", "--config", "x.json", "--parallel", "0")).isEqualTo(2);
  }
}
