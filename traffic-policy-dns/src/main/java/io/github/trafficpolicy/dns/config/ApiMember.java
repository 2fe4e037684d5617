package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.api.AccessKeys;
import io.github.trafficpolicy.dns.api.ApiServer;
import io.github.trafficpolicy.dns.api.AuditLog;
import io.github.trafficpolicy.dns.api.HealthCheckStore;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The configuration's {@code api} member: the Route 53-compatible control plane beside the DNS listeners, on the
 * server's {@code registry} (required with it), whose changes are served at once (health checks made through it are
 * probed by the server's checker at once). {@code {"listen": "HOST:PORT"
 * (default 127.0.0.1:8053), "credentials": FILE (AWS shared credentials format), "auditLog": FILE or "-"
 * (default "-": standard error), "tls": {"keystore": FILE, "passwordFile": FILE}}}; an address that is not
 * loopback needs {@code tls}. Without {@code credentials} one read-write key is made at startup
 * ({@link #generatedKey}: {@code serve} prints it once) and lasts until the server stops. The same listener serves
 * the web console at {@code /console/}. Files are relative to the configuration file. Everything is checked by
 * {@link #prepare}; the address is bound by {@link #start}.
 */
final class ApiMember {
  static final String MEMBER = "api";
  private static final Set<String> KEYS = ImmutableSet.of("listen", "credentials", "auditLog", "tls");

  private final ApiServer.Builder builder;
  private final List<AutoCloseable> resources;
  private final Optional<AccessKeys.Key> generated;
  private final String listen;
  private @Nullable ApiServer server;

  private ApiMember(ApiServer.Builder builder, List<AutoCloseable> resources, Optional<AccessKeys.Key> generated,
                    InetSocketAddress listen) {
    this.builder = builder;
    this.listen = InetAddresses.toUriString(listen.getAddress()) + ":" + listen.getPort();
    this.resources = resources;
    this.generated = generated;
  }

  /**
   * Checks the member and prepares the API over {@code registry} (empty when the configuration has none, or it
   * could not be opened); adds problems (with their place) and returns empty on failure. Files it opens (the audit
   * log) are added to {@code resources}. {@link #serve} names the handler before {@link #start}.
   */
  static Optional<ApiMember> prepare(ServeConfig config, Optional<TrafficPolicyRegistry> registry,
                                     Optional<HealthCheckStore> healthChecks, List<String> problems,
                                     List<AutoCloseable> resources) {
    String place = config.name() + ": /" + MEMBER;
    JsonNode node = checkNotNull(config.extensions().get(MEMBER), MEMBER);
    int before = problems.size();
    if (!node.isObject()) {
      problems.add(place + ": must be an object {\"listen\": \"HOST:PORT\", \"credentials\": FILE, ...}");
      return Optional.empty();
    }
    node.fieldNames().forEachRemaining(k -> {
      if (!KEYS.contains(k)) {
        problems.add(place + "/" + k + ": unknown key (known: " + KEYS + ")");
      }
    });
    if (!config.extensions().containsKey("registry")) {
      problems.add(place + ": needs the \"registry\" member: the API manages the server's registry");
    }
    ConfigSource src = config.source();
    InetSocketAddress listen = null;
    try {
      listen = ApiServer.parseListen(node.path("listen").asText("127.0.0.1:8053"));
    } catch (IllegalArgumentException e) {
      problems.add(place + "/listen: " + e.getMessage());
    }
    Optional<AccessKeys.Key> generated =
        node.has("credentials") ? Optional.empty() : Optional.of(AccessKeys.generate("generated"));
    AccessKeys keys = generated.isPresent() ? AccessKeys.of(List.of(generated.get()))
        : credentials(node, src, place, problems);
    ApiServer.Builder b = ApiServer.builder();
    JsonNode tls = node.get("tls");
    if (tls != null) {
      String keystore = tls.path("keystore").asText("");
      String passwordFile = tls.path("passwordFile").asText("");
      Optional<Path> ks = src.file(keystore);
      Optional<Path> pw = src.file(passwordFile);
      if (keystore.isEmpty() || passwordFile.isEmpty() || ks.isEmpty() || pw.isEmpty()) {
        problems.add(place + "/tls: must be {\"keystore\": FILE, \"passwordFile\": FILE} (files on disk)");
      } else {
        try {
          b.tls(ks.get(), Files.readString(pw.get(), StandardCharsets.UTF_8).strip().toCharArray());
        } catch (IOException e) {
          problems.add(place + "/tls: " + IoMessages.describe(e));
        }
      }
    } else if (listen != null && !listen.getAddress().isLoopbackAddress()) {
      problems.add(place + "/listen: " + listen + " is not a loopback address: add \"tls\" (a keystore)");
    }
    if (problems.size() > before || registry.isEmpty()) {
      return Optional.empty();
    }
    if (!auditLog(node, src, place, b, problems, resources)) {
      return Optional.empty();
    }
    b.registry(registry.get()).keys(checkNotNull(keys)).listen(checkNotNull(listen));
    healthChecks.ifPresent(b::healthChecks);
    return Optional.of(new ApiMember(b, resources, generated, listen));
  }

  /** The access keys of the {@code credentials} file (AWS shared credentials format), or null with problems. */
  private static @Nullable AccessKeys credentials(JsonNode node, ConfigSource src, String place,
                                                  List<String> problems) {
    if (!node.path("credentials").isTextual()) {
      problems.add(place + "/credentials: must be the access keys file (AWS shared credentials format)");
      return null;
    }
    String file = node.get("credentials").textValue();
    try {
      return AccessKeys.parse(src.describe(file), new String(src.read(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      problems.add(place + "/credentials: cannot read " + src.describe(file) + ": " + IoMessages.describe(e));
    } catch (IllegalArgumentException e) {
      for (String line : IoMessages.message(e).lines().toList()) {
        problems.add(place + "/credentials: " + line);
      }
    }
    return null;
  }

  /** The audit log ({@code "-"}: the logger); false, with a problem, when its file cannot be opened. */
  private static boolean auditLog(JsonNode node, ConfigSource src, String place, ApiServer.Builder b,
                                  List<String> problems, List<AutoCloseable> resources) {
    String log = node.path("auditLog").asText("-");
    if (log.equals("-")) {
      b.audit(AuditLog.toLogger());
      return true;
    }
    Optional<Path> f = src.file(log);
    try {
      PrintStream out = new PrintStream(new FileOutputStream(f.orElseThrow(
          () -> new IOException("not a file on disk")).toFile(), true), true, StandardCharsets.UTF_8);
      resources.add(out);
      b.audit(AuditLog.to(out));
      return true;
    } catch (IOException e) {
      problems.add(place + "/auditLog: cannot open " + src.describe(log) + ": " + IoMessages.describe(e));
      return false;
    }
  }

  /**
   * The handler whose zones are the hosted zones and which answers {@code TestDNSAnswer}, and the server's evaluator
   * (its geo, latency, alias and health data), with which the console's "try it", map and health screens answer.
   */
  void serve(QueryHandler handler, PolicyEvaluator evaluator) {
    builder.dns(handler).evaluator(evaluator);
  }

  /** Binds the address and starts serving requests. */
  ApiServer start() throws IOException {
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new IOException("the API and console address " + listen + ": " + e.getMessage(), e);
    }
    resources.add(server);
    return server;
  }

  /** The key made at startup when the member names no {@code credentials}. */
  Optional<AccessKeys.Key> generatedKey() {
    return generated;
  }

  /** The running API, once started. */
  Optional<ApiServer> server() {
    return Optional.ofNullable(server);
  }
}
