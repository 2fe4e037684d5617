package io.github.trafficpolicy.engine.health;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.engine.HealthRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ProbeFailure#of}: the reasons real probes give (servers on 127.0.0.1) fall in the right kind. */
final class ProbeFailureTest {
  private final Closeables closeables = new Closeables();

  @AfterEach
  void closeAll() throws Exception {
    closeables.close();
  }

  private <T extends AutoCloseable> T closing(T c) {
    return closeables.add(c);
  }

  /** The failure kind of one probe of {@code check}. */
  private ProbeFailure probe(EndpointHealthCheck check) throws Exception {
    HealthChecker checker = closing(HealthChecker.builder(new HealthRegistry()).check(check).logTransitions(false)
        .hostResolver(host -> {
          throw new UnknownHostException(host);
        }).build());
    ProbeResult r = checker.probeNow(check.id()).get(30, TimeUnit.SECONDS).lastResult().orElseThrow();
    return ProbeFailure.of(r);
  }

  private static EndpointHealthCheck.Builder http(HealthCheckType type, int port) {
    return EndpointHealthCheck.builder("web", type).target("127.0.0.1").port(port);
  }

  @Test
  void realProbeFailures_areClassified() throws Exception {
    TestHttpServer server = closing(TestHttpServer.http());
    server.status.set(503);
    assertThat(probe(http(HealthCheckType.HTTP, server.port()).build())).isEqualTo(ProbeFailure.BAD_STATUS);

    server.status.set(200);
    server.body("nothing to see");
    assertThat(probe(http(HealthCheckType.HTTP_STR_MATCH, server.port()).searchString("OK").build()))
        .isEqualTo(ProbeFailure.STRING_MISMATCH);

    try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread answer = new Thread(() -> {
        try (Socket s = plain.accept()) {
          s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(US_ASCII));
          s.getInputStream().read(); // until the client closes
        } catch (IOException e) {
          // the client closed first
        }
      });
      answer.start();
      assertThat(probe(http(HealthCheckType.HTTPS, plain.getLocalPort()).build())).as("HTTPS to plain text")
          .isEqualTo(ProbeFailure.TLS);
      answer.join(30_000);
    }

    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    assertThat(probe(http(HealthCheckType.TCP, closedPort).build())).isEqualTo(ProbeFailure.CONNECTION_REFUSED);

    assertThat(probe(EndpointHealthCheck.builder("web", HealthCheckType.TCP).target("unknown.example")
        .port(80).build())).isEqualTo(ProbeFailure.DNS);

    CountDownLatch hold = new CountDownLatch(1);
    server.hold = hold;
    try {
      assertThat(probe(http(HealthCheckType.HTTP, server.port()).responseTimeout(Duration.ofMillis(200)).build()))
          .isEqualTo(ProbeFailure.TIMEOUT);
    } finally {
      hold.countDown();
    }
  }

  @Test
  void theOtherReasons_theProbesWrite() {
    assertThat(kind("HTTP 200, connection closed inside the headers")).isEqualTo(ProbeFailure.CONNECTION_ERROR);
    assertThat(kind("connection failed: Connection reset by peer")).isEqualTo(ProbeFailure.CONNECTION_ERROR);
    assertThat(kind("malformed status line: SSH-2.0-OpenSSH")).isEqualTo(ProbeFailure.BAD_RESPONSE);
    assertThat(kind("HTTP 200, malformed chunked body")).isEqualTo(ProbeFailure.BAD_RESPONSE);
    assertThat(kind("HTTP 200, body not complete within 2 s of the status line")).isEqualTo(ProbeFailure.TIMEOUT);
    assertThat(kind("cannot resolve db.example within 4 s")).isEqualTo(ProbeFailure.DNS);
    assertThat(kind("something new")).isEqualTo(ProbeFailure.OTHER);
    assertThat(ProbeFailure.CONNECTION_REFUSED.label()).isEqualTo("connection_refused");
    assertThatThrownBy(() -> ProbeFailure.of(ProbeResult.success("HTTP 200", Duration.ZERO, Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static ProbeFailure kind(String reason) {
    return ProbeFailure.of(ProbeResult.failure(reason, Duration.ZERO, Instant.EPOCH));
  }
}
