package io.github.trafficpolicy.engine.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;

/**
 * A real HTTP or HTTPS server on 127.0.0.1 (port 0) whose answer tests switch: status, body, chunked or not, and a
 * latch that holds responses back (a slow endpoint). Records the requests' Host headers and TLS SNI names.
 */
final class TestHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  final AtomicInteger status = new AtomicInteger(200);
  volatile byte[] body = "OK".getBytes(StandardCharsets.UTF_8);
  volatile boolean chunked;
  /** When set, responses wait until it is released (at most 30 s). */
  volatile CountDownLatch hold;
  final AtomicInteger requests = new AtomicInteger();
  volatile String lastHost = "";
  volatile String lastPath = "";
  volatile String lastServerName = "";

  private TestHttpServer(HttpServer server, int threads) {
    this.server = server;
    this.executor = Executors.newFixedThreadPool(threads);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  static TestHttpServer http() throws IOException {
    return http(4);
  }

  static TestHttpServer http(int threads) throws IOException {
    return new TestHttpServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096),
        threads);
  }

  static TestHttpServer https() throws Exception {
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.setHttpsConfigurator(new HttpsConfigurator(selfSigned()));
    return new TestHttpServer(server, 4);
  }

  int port() {
    return server.getAddress().getPort();
  }

  void body(String text) {
    body = text.getBytes(StandardCharsets.UTF_8);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      lastHost = exchange.getRequestHeaders().getFirst("Host");
      lastPath = exchange.getRequestURI().getPath();
      if (exchange instanceof HttpsExchange https) {
        SSLSession session = https.getSSLSession();
        if (session instanceof ExtendedSSLSession extended) {
          lastServerName = extended.getRequestedServerNames().stream()
              .filter(n -> n instanceof SNIHostName)
              .map(n -> ((SNIHostName) n).getAsciiName())
              .collect(Collectors.joining(","));
        }
      }
      try (InputStream in = exchange.getRequestBody()) {
        in.readAllBytes();
      }
      CountDownLatch latch = hold;
      if (latch != null) {
        try {
          latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] bytes = body;
      exchange.sendResponseHeaders(status.get(), chunked ? 0 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        if (chunked) {
          // several chunks, so a client must de-chunk to find strings across chunk boundaries
          for (int i = 0; i < bytes.length; i += 700) {
            out.write(bytes, i, Math.min(700, bytes.length - i));
            out.flush();
          }
        } else {
          out.write(bytes);
        }
      }
    } catch (IOException e) {
      // the client went away (e.g. a probe that timed out): nothing to answer
    }
  }

  @Override
  public void close() {
    CountDownLatch latch = hold;
    if (latch != null) {
      latch.countDown();
    }
    server.stop(0);
    executor.shutdownNow();
  }

  static SSLContext selfSigned() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = TestHttpServer.class.getResourceAsStream("self-signed.p12")) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }
}
