package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.dns.InputLimits;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.UdpIo;
import io.github.trafficpolicy.dns.UdpScheduling;
import io.github.trafficpolicy.engine.internal.JsonMessages;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code traffic-policy serve} configuration: JSON with comments and trailing commas allowed. Every
 * problem is reported at once with its place ({@code file: /json/pointer: message}); unknown keys are errors,
 * except the sections other components read ({@code healthChecks}, {@code registry}), which are kept raw in
 * {@code ServeConfig.extensions()}. {@code healthChecks} is validated here too (with {@link HealthChecksConfig}), so
 * a bad check is reported together with every other problem. The format is documented in the bundled sample {@code serve.json}.
 */
public final class ServeConfigReader {
  /** The resource folder of the bundled example. */
  public static final String EXAMPLE_PREFIX = "io/github/trafficpolicy/dns/example/";
  /** Top-level keys read by other components. */
  public static final ImmutableSet<String> EXTENSION_KEYS = ImmutableSet.of("healthChecks", "registry", "api",
      "metrics", "sharedHealth");

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private static final Set<String> TOP = ImmutableSet.of("listen", "udpThreads", "udpIo", "udpScheduling", "maxUdpPayload", "tcp",
      "zones", "policyRecords", "geo", "latencyTable", "healthStatus", "seed", "queryLog", "printCountersOnShutdown",
      "aliasTargets", "rateLimit", "cookies");
  private static final Set<String> ALIAS_KEYS = ImmutableSet.of("table", "resolvers", "queryTimeoutMillis",
      "minTtlSeconds", "maxTtlSeconds", "staleAnswerTtlSeconds", "maxStaleSeconds", "retrySeconds",
      "startupWaitSeconds");

  private ServeConfigReader() {}

  /**
   * Reads a configuration file; relative paths in it are resolved against its directory.
   *
   * @throws ConfigException listing every problem of the file itself (not yet of the files it names: see
   *     {@link ConfiguredServer#load} for both at once)
   */
  public static ServeConfig read(Path file) {
    return readCollecting(file).orThrow();
  }

  /**
   * Reads a configuration file as far as it can: the configuration with the well-formed parts (a bad value is
   * replaced by its default) and the problems found. Throws only when there is no configuration at all (the file
   * cannot be read, is not JSON, or is not an object).
   */
  static Parsed readCollecting(Path file) {
    checkNotNull(file, "file");
    String text;
    try {
      text = InputLimits.readUtf8(file, InputLimits.CONFIGURATION_BYTES, "a configuration");
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read: " + IoMessages.describe(e), e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parseCollecting(file.toString(), text, ConfigSource.directory(dir == null ? Path.of(".") : dir));
  }

  /** The bundled example (served by {@code traffic-policy serve} with no arguments). */
  public static ServeConfig bundledExample() {
    ConfigSource source = ConfigSource.classpath(ServeConfigReader.class.getClassLoader(), EXAMPLE_PREFIX);
    String text;
    try {
      text = new String(source.read("serve.json"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(source.describe("serve.json"), "cannot read: " + IoMessages.describe(e), e);
    }
    return parse(source.describe("serve.json"), text, source);
  }

  /** Parses configuration text named {@code name}, whose files come from {@code source}. */
  public static ServeConfig parse(String name, String text, ConfigSource source) {
    return parseCollecting(name, text, source).orThrow();
  }

  /**
   * A configuration read as far as it could be, and the problems found in it (empty when it is valid).
   *
   * @param config the configuration, bad values replaced by their defaults and bad entries left out
   * @param problems every problem, with its place
   */
  record Parsed(ServeConfig config, ImmutableList<String> problems) {
    /** The configuration when it has no problem. */
    ServeConfig orThrow() {
      if (!problems.isEmpty()) {
        throw new ConfigException(problems);
      }
      return config;
    }
  }

  /** As {@link #parse}, keeping the problems beside what could be read. */
  static Parsed parseCollecting(String name, String text, ConfigSource source) {
    checkNotNull(name, "name");
    checkNotNull(text, "text");
    checkNotNull(source, "source");
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(name, JsonMessages.notValidJson(e), e);
    }
    Reader reader = new Reader(name, source);
    ServeConfig config;
    try {
      config = reader.read(root);
    } catch (IllegalArgumentException e) {
      if (reader.problems.isEmpty()) {
        throw e;
      }
      // The defaults put in place of bad values did not make a configuration: its own problems are all there is.
      throw new ConfigException(ImmutableList.copyOf(reader.problems));
    }
    return new Parsed(config, ImmutableList.copyOf(reader.problems));
  }

  /** One read, collecting problems. */
  private static final class Reader {
    private final String name;
    private final ConfigSource source;
    private final List<String> problems = new ArrayList<>();

    Reader(String name, ConfigSource source) {
      this.name = name;
      this.source = source;
    }

    /** The configuration, bad values replaced by their defaults; the problems are left in {@link #problems}. */
    ServeConfig read(JsonNode root) {
      if (root == null || !root.isObject()) {
        throw new ConfigException(ImmutableList.of(name + ": the configuration must be a JSON object"));
      }
      ServeConfig.Builder config = ServeConfig.builder(name, source);
      sections(root, config);
      listeners(root, config);
      tcp(root.get("tcp"), config);
      config.zones(zones(root.get("zones")));
      config.policyRecords(policyRecords(root.get("policyRecords")));
      inputs(root, config);
      answering(root, config);
      return config.build();
    }

    /** Unknown keys refused; the sections other components read kept as read ({@code healthChecks} checked now). */
    private void sections(JsonNode root, ServeConfig.Builder config) {
      for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (EXTENSION_KEYS.contains(k)) {
          config.extension(k, root.get(k));
        } else if (!TOP.contains(k)) {
          problem("/" + k, "unknown key (known: " + TOP + " and " + EXTENSION_KEYS + ")");
        }
      }
      if (root.has(HealthChecksConfig.MEMBER)) {
        // Checked here so that its problems are reported with every other one; ConfiguredServer builds the checker.
        try {
          HealthChecksConfig.parse(root.get(HealthChecksConfig.MEMBER), "/" + HealthChecksConfig.MEMBER);
        } catch (InvalidHealthChecksException e) {
          e.problems().forEach(p -> problems.add(name + ": " + p));
        }
      }
    }

    /** {@code listen}, {@code udpThreads}, {@code udpIo}, {@code udpScheduling} and {@code maxUdpPayload}. */
    private void listeners(JsonNode root, ServeConfig.Builder config) {
      List<InetSocketAddress> listen = new ArrayList<>();
      JsonNode l = root.get("listen");
      if (l != null && (!l.isArray() || l.isEmpty())) {
        problem("/listen", "must be a non-empty array of \"host:port\" strings");
      } else if (l != null) {
        for (int i = 0; i < l.size(); i++) {
          address(l.get(i), "/listen/" + i).ifPresent(listen::add);
        }
      }
      // With no usable address (absent, or reported) the other parts are still checked, on the default address.
      if (!listen.isEmpty()) {
        config.listen(listen);
      }
      if (root.has("udpThreads")) {
        config.udpThreads(OptionalInt.of(integer(root.get("udpThreads"), "/udpThreads", 1, 256, 1)));
      }
      config.udpIo(named(root.get("udpIo"), "/udpIo", UdpIo.values(), UdpIo.AUTO));
      config.udpScheduling(named(root.get("udpScheduling"), "/udpScheduling", UdpScheduling.values(),
          UdpScheduling.NORMAL));
      config.maxUdpPayload(root.has("maxUdpPayload") ? integer(root.get("maxUdpPayload"), "/maxUdpPayload", 512,
          QueryHandler.MAX_UDP_PAYLOAD, QueryHandler.SAFE_UDP_PAYLOAD) : QueryHandler.SAFE_UDP_PAYLOAD);
    }

    /** The {@code tcp} member. */
    private void tcp(@Nullable JsonNode tcp, ServeConfig.Builder config) {
      if (tcp == null || !object(tcp, "/tcp", ImmutableSet.of("maxConnections", "idleTimeoutSeconds",
          "maxConnectionsPerClient", "queryTimeoutMillis", "writeTimeoutMillis"))) {
        return;
      }
      if (tcp.has("maxConnections")) {
        config.tcpMaxConnections(integer(tcp.get("maxConnections"), "/tcp/maxConnections", 1, 100_000, 256));
      }
      if (tcp.has("idleTimeoutSeconds")) {
        config.tcpIdleTimeout(
            Duration.ofSeconds(integer(tcp.get("idleTimeoutSeconds"), "/tcp/idleTimeoutSeconds", 1, 3600, 10)));
      }
      ServeConfig.TcpLimits d = ServeConfig.TcpLimits.DEFAULTS;
      config.tcpLimits(new ServeConfig.TcpLimits(
          optionalInt(tcp, "/tcp", "maxConnectionsPerClient", 1, 100_000, d.maxConnectionsPerClient()),
          Duration.ofMillis(optionalInt(tcp, "/tcp", "queryTimeoutMillis", 10, 600_000,
              (int) d.queryTimeout().toMillis())),
          Duration.ofMillis(optionalInt(tcp, "/tcp", "writeTimeoutMillis", 10, 600_000,
              (int) d.writeTimeout().toMillis()))));
    }

    /** The {@code zones} member (required). */
    private List<ServeConfig.ZoneEntry> zones(@Nullable JsonNode z) {
      List<ServeConfig.ZoneEntry> zones = new ArrayList<>();
      if (z == null || !z.isArray()) {
        problem("/zones", "must be an array of { \"origin\": ..., \"file\": ... }");
        return zones;
      }
      for (int i = 0; i < z.size(); i++) {
        String p = "/zones/" + i;
        if (object(z.get(i), p, ImmutableSet.of("origin", "file"))) {
          Optional<String> origin = string(z.get(i), p, "origin", true);
          Optional<String> file = string(z.get(i), p, "file", true);
          if (origin.isPresent() && file.isPresent()) {
            zones.add(new ServeConfig.ZoneEntry(origin.get(), file.get(), name + ": " + p));
          }
        }
      }
      return zones;
    }

    /** The {@code policyRecords} member. */
    private List<ServeConfig.PolicyRecordEntry> policyRecords(@Nullable JsonNode pr) {
      List<ServeConfig.PolicyRecordEntry> records = new ArrayList<>();
      if (pr == null) {
        return records;
      }
      if (!pr.isArray()) {
        problem("/policyRecords", "must be an array");
        return records;
      }
      for (int i = 0; i < pr.size(); i++) {
        String p = "/policyRecords/" + i;
        JsonNode n = pr.get(i);
        if (!object(n, p, ImmutableSet.of("zone", "name", "ttl", "document", "policyId", "policyVersion"))) {
          continue;
        }
        Optional<String> zone = string(n, p, "zone", true);
        Optional<String> rname = string(n, p, "name", true);
        Optional<String> doc = string(n, p, "document", true);
        long ttl = n.has("ttl") ? integer(n.get("ttl"), p + "/ttl", 0, Integer.MAX_VALUE, 60) : 60;
        int version = n.has("policyVersion") ? integer(n.get("policyVersion"), p + "/policyVersion", 1, 1000, 1)
            : 1;
        Optional<String> id = string(n, p, "policyId", false);
        if (zone.isPresent() && rname.isPresent() && doc.isPresent()) {
          String defaultId = Path.of(doc.get()).getFileName().toString().replaceFirst("\\.json$", "");
          records.add(new ServeConfig.PolicyRecordEntry(zone.get(), rname.get(), ttl, doc.get(),
              id.orElse(defaultId), version, name + ": " + p));
        }
      }
      return records;
    }

    /** {@code geo}, {@code latencyTable} and {@code healthStatus}. */
    private void inputs(JsonNode root, ServeConfig.Builder config) {
      JsonNode geo = root.get("geo");
      if (geo != null && object(geo, "/geo", ImmutableSet.of("cidrTable", "maxmind"))) {
        config.cidrTable(string(geo, "/geo", "cidrTable", false));
        config.maxmind(string(geo, "/geo", "maxmind", false));
      }
      if (root.has("latencyTable")) {
        config.latencyTable(string(root, "", "latencyTable", true));
      }
      JsonNode hs = root.get("healthStatus");
      if (hs != null && object(hs, "/healthStatus", ImmutableSet.of("file", "watch"))) {
        Optional<String> f = string(hs, "/healthStatus", "file", true);
        boolean watch = bool(hs.get("watch"), "/healthStatus/watch", true);
        config.healthStatus(f.map(x -> new ServeConfig.HealthStatusFile(x, watch)));
      }
    }

    /**
     * {@code seed}, {@code queryLog}, {@code printCountersOnShutdown}, {@code cookies}, {@code aliasTargets} and
     * {@code rateLimit}.
     */
    private void answering(JsonNode root, ServeConfig.Builder config) {
      JsonNode s = root.get("seed");
      if (s != null) {
        if (s.isIntegralNumber() && s.canConvertToLong()) {
          config.seed(s.longValue());
        } else {
          problem("/seed", "must be an integer but was " + s);
        }
      }
      JsonNode ql = root.get("queryLog");
      if (ql != null && object(ql, "/queryLog", ImmutableSet.of("enabled", "file"))) {
        config.queryLog(new ServeConfig.QueryLogSettings(bool(ql.get("enabled"), "/queryLog/enabled", false),
            string(ql, "/queryLog", "file", false).orElse("-")));
      }
      config.printCountersOnShutdown(bool(root.get("printCountersOnShutdown"), "/printCountersOnShutdown", true));
      config.cookies(cookies(root.get("cookies")));
      if (root.has("aliasTargets")) {
        config.aliasTargets(aliasTargets(root.get("aliasTargets")));
      }
      JsonNode rl = root.get("rateLimit");
      if (rl != null && object(rl, "/rateLimit", ImmutableSet.of("responsesPerSecond", "slip", "ipv4PrefixLength",
          "ipv6PrefixLength"))) {
        config.rateLimit(Optional.of(new ServeConfig.RateLimit(
            optionalInt(rl, "/rateLimit", "responsesPerSecond", 1, 1_000_000, 20),
            optionalInt(rl, "/rateLimit", "slip", 0, 10, 2),
            optionalInt(rl, "/rateLimit", "ipv4PrefixLength", 8, 32, 24),
            optionalInt(rl, "/rateLimit", "ipv6PrefixLength", 16, 128, 56))));
      }
    }

    private Optional<ServeConfig.AliasTargets> aliasTargets(JsonNode n) {
      String p = "/aliasTargets";
      if (!object(n, p, ALIAS_KEYS)) {
        return Optional.empty();
      }
      Optional<String> table = string(n, p, "table", false);
      List<InetSocketAddress> resolvers = new ArrayList<>();
      JsonNode r = n.get("resolvers");
      if (r != null && !r.isArray()) {
        problem(p + "/resolvers", "must be an array of \"host:port\" strings");
      } else if (r != null) {
        for (int i = 0; i < r.size(); i++) {
          address(r.get(i), p + "/resolvers/" + i).ifPresent(resolvers::add);
        }
      }
      if (table.isEmpty() && (r == null || r.isEmpty())) {
        problem(p, "needs a \"table\", \"resolvers\" or both");
      }
      Duration timeout = Duration.ofMillis(optionalInt(n, p, "queryTimeoutMillis", 1, 60_000, 2000));
      Duration minTtl = Duration.ofSeconds(optionalInt(n, p, "minTtlSeconds", 0, 86_400, 5));
      Duration maxTtl = Duration.ofSeconds(optionalInt(n, p, "maxTtlSeconds", 1, 604_800, 3600));
      if (minTtl.compareTo(maxTtl) > 0) {
        problem(p + "/minTtlSeconds", "must not be above maxTtlSeconds (" + maxTtl.toSeconds() + ")");
      }
      Duration staleTtl = Duration.ofSeconds(optionalInt(n, p, "staleAnswerTtlSeconds", 0, 86_400, 30));
      Duration maxStale = Duration.ofSeconds(optionalInt(n, p, "maxStaleSeconds", 0, 604_800, 86_400));
      Duration retry = Duration.ofSeconds(optionalInt(n, p, "retrySeconds", 1, 3600, 5));
      Duration wait = Duration.ofSeconds(optionalInt(n, p, "startupWaitSeconds", 0, 600, 5));
      return Optional.of(new ServeConfig.AliasTargets(table, ImmutableList.copyOf(resolvers), timeout, minTtl,
          maxTtl, staleTtl, maxStale, retry, wait));
    }

    /** The {@code cookies} member: {@code false}, {@code true}, or {@code {"secret": "32 hex digits"}}. */
    private ServeConfig.Cookies cookies(JsonNode n) {
      if (n == null) {
        return ServeConfig.Cookies.DEFAULT;
      }
      if (n.isBoolean()) {
        return new ServeConfig.Cookies(n.booleanValue(), Optional.empty());
      }
      if (!object(n, "/cookies", ImmutableSet.of("secret"))) {
        return ServeConfig.Cookies.DEFAULT;
      }
      Optional<String> secret = string(n, "/cookies", "secret", false);
      if (secret.isPresent() && !secret.get().matches("[0-9a-fA-F]{32}")) {
        problem("/cookies/secret", "must be 32 hexadecimal digits (16 bytes) but was \"" + secret.get() + "\"");
      }
      return new ServeConfig.Cookies(true, secret);
    }

    /** An optional integer member {@code key} of {@code n} in [min, max], else {@code fallback}. */
    private int optionalInt(JsonNode n, String p, String key, int min, int max, int fallback) {
      return n.has(key) ? integer(n.get(key), p + "/" + key, min, max, fallback) : fallback;
    }

    private void problem(String pointer, String message) {
      problems.add(name + ": " + (pointer.isEmpty() ? "/" : pointer) + ": " + message);
    }

    private boolean object(JsonNode n, String p, Set<String> keys) {
      if (n == null || !n.isObject()) {
        problem(p, "must be an object with keys " + keys);
        return false;
      }
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!keys.contains(k)) {
          problem(p + "/" + k, "unknown key (known: " + keys + ")");
        }
      }
      return true;
    }

    private Optional<String> string(JsonNode parent, String p, String key, boolean required) {
      JsonNode n = parent.get(key);
      if (n == null) {
        if (required) {
          problem(p + "/" + key, "is required");
        }
        return Optional.empty();
      }
      if (!n.isTextual() || n.textValue().isBlank()) {
        problem(p + "/" + key, "must be a non-empty string but was " + n);
        return Optional.empty();
      }
      return Optional.of(n.textValue());
    }

    private int integer(JsonNode n, String p, int min, int max, int fallback) {
      if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
        problem(p, "must be an integer in [" + min + ", " + max + "] but was " + n);
        return fallback;
      }
      return n.intValue();
    }

    /**
     * One of {@code values} by its configuration name ({@code toString()}), {@code fallback} when absent; anything
     * else is reported at {@code p} with the names allowed.
     */
    private <E extends Enum<E>> E named(JsonNode n, String p, E[] values, E fallback) {
      if (n == null) {
        return fallback;
      }
      for (E e : values) {
        if (n.isTextual() && n.textValue().equals(e.toString())) {
          return e;
        }
      }
      List<String> names = new ArrayList<>();
      for (E e : values) {
        names.add("\"" + e + "\"");
      }
      problem(p, "must be " + String.join(", ", names.subList(0, names.size() - 1)) + " or "
          + names.get(names.size() - 1) + " but was " + n);
      return fallback;
    }

    private boolean bool(JsonNode n, String p, boolean fallback) {
      if (n == null) {
        return fallback;
      }
      if (!n.isBoolean()) {
        problem(p, "must be true or false but was " + n);
        return fallback;
      }
      return n.booleanValue();
    }

    private Optional<InetSocketAddress> address(JsonNode n, String p) {
      return ServeConfigReader.address(n, name + ": " + p, problems);
    }
  }

  /**
   * A {@code \"host:port\"} string with an IP address ({@code \"127.0.0.1:5353\"}, {@code \"[::1]:5353\"}); else empty,
   * with a problem starting with {@code place} added.
   */
  static Optional<InetSocketAddress> address(JsonNode n, String place, List<String> problems) {
    if (n == null || !n.isTextual()) {
      problems.add(place + ": must be a \"host:port\" string but was " + n);
      return Optional.empty();
    }
    try {
      HostAndPort hp = HostAndPort.fromString(n.textValue());
      if (!hp.hasPort() || !InetAddresses.isInetAddress(hp.getHost())) {
        problems.add(place + ": must be an IP address and a port, e.g. \"127.0.0.1:5353\" or \"[::1]:5353\", but was "
            + n);
        return Optional.empty();
      }
      return Optional.of(new InetSocketAddress(InetAddresses.forString(hp.getHost()), hp.getPort()));
    } catch (IllegalArgumentException e) {
      problems.add(place + ": is not \"host:port\": " + e.getMessage());
      return Optional.empty();
    }
  }
}
