package io.github.trafficpolicy.dns.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.trafficpolicy.dns.api.ApiFixture;
import io.github.trafficpolicy.dns.api.ApiServer;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * A running console for tests: the API's test server ({@link ApiFixture}: zones {@code example.com} and {@code
 * example.org}, the listener with its console on 127.0.0.1 at a free port, keys {@code admin} (read-write) and {@code
 * reader} (read-only), the audit log collected in {@link #audit}) with a clock tests move ({@link #advance}). Requests
 * are sent with {@link HttpClient}, cookies handled by hand so that tests see them as sent.
 */
final class ConsoleFixture implements AutoCloseable {
  static final String ADMIN_ID = ApiFixture.ADMIN_ID;
  static final String ADMIN_SECRET = ApiFixture.ADMIN_SECRET;
  static final String READER_ID = ApiFixture.READER_ID;
  static final String READER_SECRET = ApiFixture.READER_SECRET;
  static final ObjectMapper JSON = new ObjectMapper();

  /** A clock that stays put until moved. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TrafficPolicyRegistry registry;
  final ApiServer server;
  final MovableClock clock = new MovableClock();
  final List<String> audit;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final ApiFixture api;

  ConsoleFixture() throws IOException {
    this(TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).build(), PolicyEvaluator.builder().build());
  }

  ConsoleFixture(TrafficPolicyRegistry registry, PolicyEvaluator evaluator) throws IOException {
    this.api = new ApiFixture(registry, clock, null, evaluator);
    this.registry = registry;
    this.server = api.server;
    this.audit = api.audit;
  }

  /** Moves the clock forward. */
  void advance(Duration d) {
    clock.now = clock.now.plus(d);
  }

  /** The server's origin, {@code http://127.0.0.1:PORT}. */
  String origin() {
    return server.endpoint();
  }

  /** A request builder for {@code path} (absolute, e.g. {@code /console/api/policies}). */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(origin() + path)).timeout(Duration.ofSeconds(30));
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A signed-in session: its cookie and CSRF token, and requests made with them. */
  final class Session {
    final String cookie;
    final String csrf;
    final JsonNode signIn;

    Session(String cookie, String csrf, JsonNode signIn) {
      this.cookie = cookie;
      this.csrf = csrf;
      this.signIn = signIn;
    }

    HttpResponse<String> get(String apiPath) {
      return send(request("/console/api/" + apiPath).header("Cookie", cookie).GET().build());
    }

    /** A write as the UI sends it: same origin, JSON, the CSRF token. */
    HttpResponse<String> post(String apiPath, Object body) {
      return send(write(apiPath).POST(HttpRequest.BodyPublishers.ofString(json(body))).build());
    }

    HttpResponse<String> delete(String apiPath) {
      return send(request("/console/api/" + apiPath).header("Cookie", cookie).header("X-CSRF-Token", csrf)
          .header("Origin", origin()).DELETE().build());
    }

    /** A write request with every header the checks want. */
    HttpRequest.Builder write(String apiPath) {
      return request("/console/api/" + apiPath).header("Cookie", cookie).header("X-CSRF-Token", csrf)
          .header("Origin", origin()).header("Content-Type", "application/json");
    }
  }

  /** Signs in with {@code id}/{@code secret} and returns the response. */
  HttpResponse<String> signInResponse(String id, String secret) {
    return send(request("/console/api/session").header("Content-Type", "application/json")
        .header("Origin", origin())
        .POST(HttpRequest.BodyPublishers.ofString(json(Map.of("accessKeyId", id, "secretAccessKey", secret))))
        .build());
  }

  /** Signs in (asserting success). */
  Session signIn(String id, String secret) {
    HttpResponse<String> r = signInResponse(id, secret);
    if (r.statusCode() != 200) {
      throw new AssertionError("sign-in failed: " + r.statusCode() + " " + r.body());
    }
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    JsonNode body = parse(r.body());
    return new Session(setCookie.substring(0, setCookie.indexOf(';')), body.get("csrfToken").asText(), body);
  }

  Session admin() {
    return signIn(ADMIN_ID, ADMIN_SECRET);
  }

  Session reader() {
    return signIn(READER_ID, READER_SECRET);
  }

  static String json(Object o) {
    try {
      return o instanceof String s ? s : JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @Override
  public void close() {
    api.close();
  }
}
