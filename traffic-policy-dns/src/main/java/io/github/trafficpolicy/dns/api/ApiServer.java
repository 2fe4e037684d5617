package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.net.InetAddresses;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.console.Console;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's HTTP listener (the JDK's {@code com.sun.net.httpserver}: a small, dependable server for a
 * low-rate management API, with no extra dependency): every request is checked before anything else — size (at most
 * {@link #MAX_BODY} bytes), content type (XML or none), then its {@linkplain SigV4 signature} and, for a write, that
 * the key is not read-only — and then handed to {@link Route53Api}. Every response carries a request ID
 * ({@code x-amzn-RequestId}) and errors are Route 53's {@code ErrorResponse} bodies. A request that fails changes
 * nothing and the server keeps serving. Plain HTTP only on loopback addresses; any other address needs TLS
 * ({@link Builder#tls}). The same listener serves the web console ({@link Console}) at {@code /console/} (and
 * {@code /} redirects there) with the same keys and audit log, unless {@link Builder#console} turns it off.
 */
public final class ApiServer implements AutoCloseable {
  /** The largest request body accepted (Route 53 documents are at most 100 KiB; their XML escaping adds some). */
  public static final int MAX_BODY = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

  private final HttpServer http;
  private final ExecutorService executor;
  private final Route53Api api;
  private final HealthCheckStore healthChecks;
  private final SigV4 sigV4;
  private final AccessKeys keys;
  private final String scheme;
  private final AtomicInteger requests = new AtomicInteger();
  private final @Nullable Console console;

  private ApiServer(Builder b) throws IOException {
    // Builder.build checked the required members.
    TrafficPolicyRegistry registry = checkNotNull(b.registry);
    this.healthChecks = b.healthChecks != null ? b.healthChecks
        : HealthCheckStore.open(registry.directory(), List.of());
    this.api = new Route53Api(registry, checkNotNull(b.dns), healthChecks, b.audit);
    this.keys = checkNotNull(b.keys);
    this.sigV4 = new SigV4(keys, b.clock);
    if (b.tls != null) {
      HttpsServer s = HttpsServer.create(b.listen, 64);
      s.setHttpsConfigurator(new HttpsConfigurator(b.tls));
      this.http = s;
      this.scheme = "https";
    } else {
      this.http = HttpServer.create(b.listen, 64);
      this.scheme = "http";
    }
    AtomicInteger n = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(b.threads, r -> {
      Thread t = new Thread(r, "traffic-policy-api-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(executor);
    QueryHandler dns = checkNotNull(b.dns);
    this.console = !b.console ? null : Console.builder().registry(registry).keys(keys).audit(b.audit)
        .clock(b.clock).evaluator(b.evaluator).healthChecks(healthChecks)
        .zones(() -> dns.catalog().zones()).listen(http.getAddress()).https(b.tls != null).build();
    http.createContext("/", this::exchange);
  }

  /**
   * Parses {@code HOST:PORT} (an IP address, IPv6 in brackets: {@code [::1]:8053}).
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static InetSocketAddress parseListen(String hostPort) {
    checkNotNull(hostPort, "hostPort");
    com.google.common.net.HostAndPort hp;
    try {
      hp = com.google.common.net.HostAndPort.fromString(hostPort);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + hostPort + "\" is not HOST:PORT: " + e.getMessage(), e);
    }
    if (!hp.hasPort() || !InetAddresses.isInetAddress(hp.getHost())) {
      throw new IllegalArgumentException("must be an IP address and a port, e.g. \"127.0.0.1:8053\" or "
          + "\"[::1]:8053\", but was \"" + hostPort + "\"");
    }
    return new InetSocketAddress(InetAddresses.forString(hp.getHost()), hp.getPort());
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts accepting requests. */
  public ApiServer start() {
    http.start();
    return this;
  }

  /** The bound address (with the actual port when 0 was asked for). */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** The base URL clients use as their endpoint ({@code http://127.0.0.1:PORT}). */
  public String endpoint() {
    InetSocketAddress a = address();
    String host = InetAddresses.toUriString(a.getAddress());
    return scheme + "://" + host + ":" + a.getPort();
  }

  /** The health checks it manages. */
  public HealthCheckStore healthChecks() {
    return healthChecks;
  }

  /** The access keys it accepts. */
  public AccessKeys keys() {
    return keys;
  }

  /** How many requests were answered (any status). */
  public int requests() {
    return requests.get();
  }

  /** Stops accepting, lets requests in flight finish (at most 2 s), and stops the threads. */
  @Override
  public void close() {
    http.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void exchange(HttpExchange ex) throws IOException {
    Console c = console;
    if (c != null && Console.serves(ex.getRequestURI().getRawPath())) {
      try {
        c.handle(ex);
      } finally {
        requests.incrementAndGet();
      }
      return;
    }
    String requestId = UUID.randomUUID().toString();
    ApiResponse response;
    try {
      response = respond(ex, requestId);
    } catch (ApiException e) {
      response = ApiResponse.error(e, requestId);
    } catch (IllegalArgumentException e) {
      response = ApiResponse.error(ApiException.invalidInput(IoMessages.message(e)), requestId);
    } catch (RuntimeException e) {
      LOG.error("request {} failed", requestId, e);
      response = ApiResponse.error(new ApiException(500, "InternalFailure",
          "The request processing has failed because of an unknown error (request " + requestId + ")"), requestId);
    }
    try (ex) {
      byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("x-amzn-RequestId", requestId);
      if (body.length > 0) {
        ex.getResponseHeaders().set("Content-Type", "text/xml");
      }
      response.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      ex.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    } finally {
      requests.incrementAndGet();
    }
  }

  private ApiResponse respond(HttpExchange ex, String requestId) throws IOException {
    ApiRequest request = ApiRequest.read(ex);
    Optional<String> type = request.header("content-type");
    if (request.body().length > 0 && type.isPresent() && !isXml(type.get())) {
      throw new ApiException(415, "InvalidInput", "Content-Type must be an XML type (text/xml or application/xml) "
          + "but was " + type.get());
    }
    AccessKeys.Key key = sigV4.verify(request);
    if (key.readOnly() && !request.isRead()) {
      throw new ApiException(403, "AccessDenied", "User: " + key.accessKeyId() + " (profile " + key.profile()
          + ") is read-only and is not authorized to perform " + request.method() + " " + request.rawPath());
    }
    String host = request.header("host").orElse(InetAddresses.toUriString(address().getAddress())
        + ":" + address().getPort());
    return api.handle(request, new Route53Api.Caller(key, requestId, scheme + "://" + host));
  }

  private static boolean isXml(String contentType) {
    String t = contentType.toLowerCase(Locale.ROOT);
    int semi = t.indexOf(';');
    String mime = (semi < 0 ? t : t.substring(0, semi)).strip();
    return mime.equals("text/xml") || mime.equals("application/xml") || mime.endsWith("+xml")
        || mime.equals("application/octet-stream") || mime.equals("binary/octet-stream");
  }

  /** Builds an {@link ApiServer}. */
  public static final class Builder {
    private @Nullable TrafficPolicyRegistry registry;
    private @Nullable QueryHandler dns;
    private @Nullable AccessKeys keys;
    private InetSocketAddress listen = new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 8053);
    private AuditLog audit = AuditLog.toLogger();
    private Clock clock = Clock.systemUTC();
    private @Nullable SSLContext tls;
    private int threads = 4;
    private @Nullable HealthCheckStore healthChecks;
    private PolicyEvaluator evaluator = PolicyEvaluator.builder().build();
    private boolean console = true;

    private Builder() {}

    /**
     * The evaluator of the server whose policies the API manages (default: one without geo, latency or health data):
     * the console's "try it", map and health screens answer with its data.
     */
    public Builder evaluator(PolicyEvaluator evaluator) {
      this.evaluator = checkNotNull(evaluator, "evaluator");
      return this;
    }

    /** Whether the web console is served at {@code /console/} (default: yes). */
    public Builder console(boolean console) {
      this.console = console;
      return this;
    }

    /** The registry the API manages (required). */
    public Builder registry(TrafficPolicyRegistry registry) {
      this.registry = checkNotNull(registry, "registry");
      return this;
    }

    /** The DNS handler whose zones are the hosted zones and which answers {@code TestDNSAnswer} (required). */
    public Builder dns(QueryHandler dns) {
      this.dns = checkNotNull(dns, "dns");
      return this;
    }

    /**
     * The health checks the API manages (default: those made through the API, kept in the registry's directory, with
     * nothing probing them — {@code serve} gives its own, driving its checker).
     */
    public Builder healthChecks(HealthCheckStore healthChecks) {
      this.healthChecks = checkNotNull(healthChecks, "healthChecks");
      return this;
    }

    /** The access keys accepted (required). */
    public Builder keys(AccessKeys keys) {
      this.keys = checkNotNull(keys, "keys");
      return this;
    }

    /** The address to listen on (default 127.0.0.1:8053; port 0 picks a free one). */
    public Builder listen(InetSocketAddress listen) {
      this.listen = checkNotNull(listen, "listen");
      return this;
    }

    /** Where the audit log goes (default: standard error). */
    public Builder audit(AuditLog audit) {
      this.audit = checkNotNull(audit, "audit");
      return this;
    }

    /** The clock signatures are judged by (default: the system's UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = checkNotNull(clock, "clock");
      return this;
    }

    /** Request threads (default 4). */
    public Builder threads(int threads) {
      checkArgument(threads >= 1 && threads <= 256, "threads must be from 1 to 256 but was %s", threads);
      this.threads = threads;
      return this;
    }

    /** Serves HTTPS with the key and certificate of a keystore (PKCS12 or JKS). */
    public Builder tls(Path keystore, char[] password) throws IOException {
      checkNotNull(keystore, "keystore");
      checkNotNull(password, "password");
      try (InputStream in = Files.newInputStream(keystore)) {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(in, password);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        this.tls = ctx;
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot use keystore " + keystore + ": " + e.getMessage(), e);
      }
      return this;
    }

    /**
     * Binds the listener (not started yet).
     *
     * @throws IllegalStateException when a non-loopback address is asked for without TLS
     * @throws IOException when the address cannot be bound
     */
    public ApiServer build() throws IOException {
      checkState(registry != null, "registry is not set");
      checkState(dns != null, "dns is not set");
      checkState(keys != null, "keys are not set");
      checkState(tls != null || listen.getAddress().isLoopbackAddress(),
          "the API listens on %s, which is not a loopback address: that needs TLS (a keystore)", listen);
      return new ApiServer(this);
    }
  }

}
