package io.github.trafficpolicy.dns.console;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import com.sun.net.httpserver.HttpExchange;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.dns.api.AccessKeys;
import io.github.trafficpolicy.dns.api.ApiException;
import io.github.trafficpolicy.dns.api.ApiRequest;
import io.github.trafficpolicy.dns.api.AuditLog;
import io.github.trafficpolicy.dns.api.HealthCheckStore;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console's HTTP side, mounted by the control plane's listener ({@code ApiServer}) for {@code /} (a redirect
 * to {@code /console/}) and everything under {@code /console}: the UI's static files and, under
 * {@code /console/api/}, its JSON API.
 *
 * <p><b>Security.</b> Sign-in ({@code POST /console/api/session}) takes an access key of the API's {@link AccessKeys}
 * and sets the session cookie {@value #COOKIE} ({@code HttpOnly; SameSite=Strict; Path=/}, {@code Secure} over
 * HTTPS, 8 hours; see {@link Sessions}). Every request other than GET and HEAD under {@code /console/api/} must come
 * from this server's own origin ({@code Origin}, when sent, and {@code Sec-Fetch-Site}, when sent), with a JSON
 * {@code Content-Type} when it has a body and, except the sign-in itself, the session's token in
 * {@value #CSRF_HEADER}: otherwise {@code 403 CsrfCheckFailed}, before anything is read or changed. A read-only key
 * is refused every change ({@code 403 AccessDenied}). On a loopback listener the {@code Host} must be a loopback
 * address or {@code localhost} (a page of another site that rebinds its name to 127.0.0.1 is refused). Every
 * response carries {@link #CSP} and the headers of {@link #SECURITY_HEADERS}; JSON is never cached.
 */
public final class Console {
  /** The session cookie's name. */
  public static final String COOKIE = "tp_console";
  /** The request header carrying the session's CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";
  /** The Content Security Policy of every console response: nothing inline, nothing from elsewhere. */
  public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  /** The other headers of every console response. */
  public static final ImmutableMap<String, String> SECURITY_HEADERS = ImmutableMap.of(
      "Content-Security-Policy", CSP,
      "X-Content-Type-Options", "nosniff",
      "Referrer-Policy", "no-referrer",
      "X-Frame-Options", "DENY",
      "Cross-Origin-Opener-Policy", "same-origin",
      "Cross-Origin-Resource-Policy", "same-origin");

  private static final Logger LOG = LoggerFactory.getLogger(Console.class);
  private static final String API = "/console/api/";
  static final ObjectMapper JSON = new ObjectMapper();

  private final Sessions sessions;
  private final StaticResources files;
  private final ConsoleApi api;
  private final String scheme;
  private final boolean loopback;

  private Console(Builder b) {
    // A builder missing a part is a misuse, as ApiServer.Builder reports it: IllegalStateException.
    TrafficPolicyRegistry registry = set(b.registry, "registry is not set");
    AccessKeys keys = set(b.keys, "keys are not set");
    PolicyEvaluator evaluator = set(b.evaluator, "evaluator is not set");
    HealthCheckStore healthChecks = set(b.healthChecks, "healthChecks is not set");
    InetSocketAddress listen = set(b.listen, "listen is not set");
    this.sessions = new Sessions(keys, b.clock);
    this.files = new StaticResources(Console.class.getClassLoader());
    this.scheme = b.https ? "https" : "http";
    this.loopback = listen.getAddress().isLoopbackAddress();
    this.api = new ConsoleApi(registry, b.audit, evaluator, healthChecks, b.zones);
  }

  private static <T> T set(@Nullable T part, String missing) {
    checkState(part != null, missing);
    return part;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the console answers this raw request path ({@code /}, {@code /console} and below). */
  public static boolean serves(String rawPath) {
    return rawPath.equals("/") || rawPath.equals("/console") || rawPath.startsWith("/console/");
  }

  /** Answers one exchange (any path {@link #serves} accepts) and closes it. */
  public void handle(HttpExchange ex) throws IOException {
    String requestId = UUID.randomUUID().toString();
    Reply reply;
    try {
      reply = route(ex, requestId);
    } catch (ConsoleException e) {
      reply = Reply.error(e);
    } catch (ApiException e) {
      reply = Reply.error(new ConsoleException(e.status(), e.code(), IoMessages.message(e)));
    } catch (RegistryException e) {
      reply = Reply.error(ConsoleApi.refused(e));
    } catch (IllegalArgumentException e) {
      reply = Reply.error(ConsoleException.invalidInput(IoMessages.message(e)));
    } catch (RuntimeException e) {
      LOG.error("console request {} failed", requestId, e);
      reply = Reply.error(new ConsoleException(500, "InternalFailure",
          "The request failed because of an error in the server (request " + requestId + ")"));
    }
    send(ex, reply, requestId);
  }

  private Reply route(HttpExchange ex, String requestId) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    checkHost(ex);
    if (path.equals("/") || path.equals("/console")) {
      return Reply.redirect("/console/");
    }
    if (path.startsWith(API)) {
      return api(ex, path.substring(API.length()), requestId);
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      throw new ConsoleException(405, "MethodNotAllowed", method + " is not allowed on the console's files");
    }
    String name = ConsoleApi.decode(path.substring("/console/".length()));
    StaticResources.Resource r = files.find(name)
        .orElseThrow(() -> ConsoleException.notFound("No such file: " + path));
    String match = ex.getRequestHeaders().getFirst("If-None-Match");
    if (match != null && List.of(match.split(",")).stream().map(String::strip).anyMatch(r.etag()::equals)) {
      return new Reply(304, Map.of("ETag", r.etag(), "Cache-Control", "no-cache"), null, new byte[0]);
    }
    return new Reply(200, Map.of("ETag", r.etag(), "Cache-Control", "no-cache"), r.contentType(), r.bytes());
  }

  private Reply api(HttpExchange ex, String sub, String requestId) throws IOException {
    ApiRequest request = ApiRequest.read(ex);
    boolean read = request.isRead();
    if (!read) {
      checkSameOrigin(request);
    }
    Optional<Sessions.Session> session = cookie(request).flatMap(sessions::find);
    if (sub.equals("session")) {
      return session(request, session, ex.getRemoteAddress().getAddress());
    }
    Sessions.Session s = session.orElseThrow(() -> new ConsoleException(401, "NotSignedIn",
        "Sign in first (the session has ended, or there is none)"));
    if (!read && !s.csrfMatches(request.header(CSRF_HEADER).orElse(null))) {
      throw new ConsoleException(403, "CsrfCheckFailed", "The request does not carry this session's "
          + CSRF_HEADER + " header");
    }
    return api.handle(new ConsoleApi.Call(request, sub, s.key(), requestId));
  }

  /** {@code GET} (who is signed in), {@code POST} (sign in) and {@code DELETE} (sign out) of {@code /session}. */
  private Reply session(ApiRequest request, Optional<Sessions.Session> session, InetAddress client) {
    switch (request.method()) {
      case "GET", "HEAD" -> {
        return Reply.json(200, describe(session.orElseThrow(() -> new ConsoleException(401, "NotSignedIn",
            "Not signed in"))));
      }
      case "POST" -> {
        JsonNode body = ConsoleApi.body(request);
        String id = ConsoleApi.text(body, "accessKeyId");
        String secret = ConsoleApi.text(body, "secretAccessKey");
        Sessions.Session s = sessions.signIn(id, secret, client);
        session.ifPresent(sessions::end);
        return Reply.json(200, describe(s)).with("Set-Cookie", COOKIE + "=" + s.id() + "; HttpOnly; SameSite=Strict; "
            + "Path=/; Max-Age=" + Sessions.ABSOLUTE.toSeconds() + (scheme.equals("https") ? "; Secure" : ""));
      }
      case "DELETE" -> {
        Sessions.Session s = session.orElseThrow(() -> new ConsoleException(401, "NotSignedIn", "Not signed in"));
        if (!s.csrfMatches(request.header(CSRF_HEADER).orElse(null))) {
          throw new ConsoleException(403, "CsrfCheckFailed", "The request does not carry this session's "
              + CSRF_HEADER + " header");
        }
        sessions.end(s);
        return new Reply(204, Map.of("Set-Cookie", COOKIE + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
            + (scheme.equals("https") ? "; Secure" : "")), null, new byte[0]);
      }
      default -> throw new ConsoleException(405, "MethodNotAllowed", request.method() + " /session is not allowed");
    }
  }

  private static ObjectNode describe(Sessions.Session s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("accessKeyId", s.key().accessKeyId());
    o.put("profile", s.key().profile());
    o.put("readOnly", s.key().readOnly());
    o.put("csrfToken", s.csrfToken());
    o.put("expiresAt", s.expiresAt().toString());
    return o;
  }

  /**
   * A write must come from a page of this origin: {@code Origin}, when sent, is this server's; {@code Sec-Fetch-Site},
   * when sent, says same-origin; a body is JSON (which a form of another site cannot send without a preflight).
   */
  private void checkSameOrigin(ApiRequest request) {
    Optional<String> origin = request.header("origin");
    String own = scheme + "://" + request.header("host").orElse("").toLowerCase(Locale.ROOT);
    if (origin.isPresent() && !origin.get().toLowerCase(Locale.ROOT).equals(own)) {
      throw new ConsoleException(403, "CsrfCheckFailed", "The request comes from " + origin.get()
          + ", not from this server's own origin " + own);
    }
    Optional<String> site = request.header("sec-fetch-site");
    if (site.isPresent() && !site.get().equals("same-origin")) {
      throw new ConsoleException(403, "CsrfCheckFailed", "The request comes from another site (Sec-Fetch-Site: "
          + site.get() + ")");
    }
    if (request.body().length > 0) {
      String type = request.header("content-type").orElse("");
      int semi = type.indexOf(';');
      String mime = (semi < 0 ? type : type.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
      if (!mime.equals("application/json")) {
        throw new ConsoleException(403, "CsrfCheckFailed", "A request body must be sent as Content-Type: "
            + "application/json" + (type.isEmpty() ? "" : " (not " + type + ")"));
      }
    }
  }

  /** On a loopback listener, the {@code Host} must name a loopback address or {@code localhost}. */
  private void checkHost(HttpExchange ex) {
    if (!loopback) {
      return;
    }
    String host = ex.getRequestHeaders().getFirst("Host");
    if (host == null) {
      return;
    }
    String name;
    try {
      name = HostAndPort.fromString(host.strip()).getHost();
    } catch (IllegalArgumentException e) {
      name = "";
    }
    boolean ok = name.equalsIgnoreCase("localhost")
        || (InetAddresses.isInetAddress(name) && InetAddresses.forString(name).isLoopbackAddress());
    if (!ok) {
      throw new ConsoleException(421, "MisdirectedRequest", "This console listens on a loopback address and answers "
          + "only requests for a loopback address or localhost, not for " + host);
    }
  }

  private static Optional<String> cookie(ApiRequest request) {
    for (String header : request.headers("cookie")) {
      for (String part : header.split(";", -1)) {
        int eq = part.indexOf('=');
        if (eq > 0 && part.substring(0, eq).strip().equals(COOKIE)) {
          return Optional.of(part.substring(eq + 1).strip());
        }
      }
    }
    return Optional.empty();
  }

  private static void send(HttpExchange ex, Reply reply, String requestId) throws IOException {
    try (ex) {
      SECURITY_HEADERS.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      ex.getResponseHeaders().set("X-Request-Id", requestId);
      if (reply.contentType() != null) {
        ex.getResponseHeaders().set("Content-Type", reply.contentType());
      }
      if (reply.contentType() != null && reply.contentType().startsWith("application/json")) {
        ex.getResponseHeaders().set("Cache-Control", "no-store");
      }
      reply.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
      boolean head = ex.getRequestMethod().equalsIgnoreCase("HEAD");
      byte[] body = reply.body();
      if (head || body.length == 0 || reply.status() == 304 || reply.status() == 204) {
        if (head && body.length > 0) {
          ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        }
        ex.sendResponseHeaders(reply.status(), -1);
        return;
      }
      ex.sendResponseHeaders(reply.status(), body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** A response: status, extra headers, content type (null for none) and body. */
  @SuppressWarnings("ArrayRecordComponent") // never compared: a reply written once
  record Reply(int status, Map<String, String> headers, @Nullable String contentType, byte[] body) {
    static final String JSON_TYPE = "application/json; charset=utf-8";

    static Reply json(int status, JsonNode body) {
      try {
        return new Reply(status, Map.of(), JSON_TYPE, JSON.writeValueAsBytes(body));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }

    static Reply noContent() {
      return new Reply(204, Map.of(), null, new byte[0]);
    }

    static Reply redirect(String location) {
      return new Reply(302, Map.of("Location", location), "text/plain; charset=utf-8",
          ("See " + location + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"error": {"code", "message", "problems": [{"path", "code", "severity", "message"}]}}}. */
    static Reply error(ConsoleException e) {
      ObjectNode root = JSON.createObjectNode();
      ObjectNode error = root.putObject("error");
      error.put("code", e.code());
      error.put("message", e.getMessage());
      ArrayNode problems = error.putArray("problems");
      for (Problem p : e.problems()) {
        problems.add(ConsoleApi.problem(p));
      }
      return json(e.status(), root);
    }

    Reply with(String header, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(header, value);
      return new Reply(status, h, contentType, body);
    }
  }

  /** Builds a {@link Console}. */
  public static final class Builder {
    private @Nullable TrafficPolicyRegistry registry;
    private @Nullable AccessKeys keys;
    private AuditLog audit = AuditLog.toLogger();
    private Clock clock = Clock.systemUTC();
    private @Nullable PolicyEvaluator evaluator;
    private @Nullable HealthCheckStore healthChecks;
    private Supplier<? extends Collection<String>> zones = List::of;
    private @Nullable InetSocketAddress listen;
    private boolean https;

    private Builder() {}

    /** The registry the console shows and changes (required). */
    public Builder registry(TrafficPolicyRegistry registry) {
      this.registry = checkNotNull(registry, "registry");
      return this;
    }

    /** The access keys that sign in (required): the API's. */
    public Builder keys(AccessKeys keys) {
      this.keys = checkNotNull(keys, "keys");
      return this;
    }

    /** Where every change is logged (default: the audit logger): the API's. */
    public Builder audit(AuditLog audit) {
      this.audit = checkNotNull(audit, "audit");
      return this;
    }

    /** The clock sessions are timed by (default: the system's UTC clock). */
    public Builder clock(Clock clock) {
      this.clock = checkNotNull(clock, "clock");
      return this;
    }

    /**
     * The evaluator of the running server (its geo, latency, alias and health data) that "try it", the map and the
     * health screen use (required).
     */
    public Builder evaluator(PolicyEvaluator evaluator) {
      this.evaluator = checkNotNull(evaluator, "evaluator");
      return this;
    }

    /** The health checks defined (the configuration's and the API's) and their checker, if any (required). */
    public Builder healthChecks(HealthCheckStore healthChecks) {
      this.healthChecks = checkNotNull(healthChecks, "healthChecks");
      return this;
    }

    /** The hosted zones served (records may be created in them), asked each time they are listed. */
    public Builder zones(Supplier<? extends Collection<String>> zones) {
      this.zones = checkNotNull(zones, "zones");
      return this;
    }

    /** The listener's address (required): a loopback one makes the console check {@code Host}. */
    public Builder listen(InetSocketAddress listen) {
      this.listen = checkNotNull(listen, "listen");
      return this;
    }

    /** Whether the listener serves HTTPS (the cookie is then {@code Secure}). */
    public Builder https(boolean https) {
      this.https = https;
      return this;
    }

    /**
     * The console.
     *
     * @throws NullPointerException naming the first required setting that is not set
     */
    public Console build() {
      return new Console(this);
    }
  }
}
