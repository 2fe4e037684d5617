package io.github.trafficpolicy.dns;

import com.google.common.net.InetAddresses;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** An HTTP endpoint on 127.0.0.1 answering every request with the status a test sets: a health check's target. */
public final class StatusEndpoint implements AutoCloseable {
  /** The status every response has (200 at first). */
  public final AtomicInteger status = new AtomicInteger(200);
  private final HttpServer server;

  private StatusEndpoint(HttpServer server) {
    this.server = server;
  }

  /** A started endpoint on a free port. */
  public static StatusEndpoint start() throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0), 16);
    StatusEndpoint e = new StatusEndpoint(s);
    s.createContext("/", ex -> {
      try (ex) {
        ex.getRequestBody().readAllBytes();
        ex.sendResponseHeaders(e.status.get(), -1);
      }
    });
    s.start();
    return e;
  }

  /** The port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
