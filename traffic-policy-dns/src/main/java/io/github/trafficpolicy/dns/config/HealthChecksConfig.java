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
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.dns.InputLimits;
import io.github.trafficpolicy.engine.health.CalculatedHealthCheck;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckType;
import io.github.trafficpolicy.engine.internal.JsonMessages;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code "healthChecks"} member of the server configuration: an array of health check definitions, read into
 * {@link HealthCheck}s for a {@link io.github.trafficpolicy.engine.health.HealthChecker}. Every problem is reported
 * at once with its JSON pointer. The schema (members are camelCase forms of Route 53's {@code HealthCheckConfig}):
 *
 * <pre>{@code
 * "healthChecks": [
 *   {
 *     "id": "web-primary",            // required: the HealthCheck value used in policy documents (1-64 chars)
 *     "type": "HTTP",                 // required: HTTP | HTTPS | HTTP_STR_MATCH | HTTPS_STR_MATCH | TCP | CALCULATED
 *     "target": "192.0.2.10",         // endpoint types, required: an IP address or a host name (resolved per probe)
 *     "port": 8080,                   // 1-65535; default 80 (HTTP types), 443 (HTTPS types); required for TCP
 *     "resourcePath": "/health",      // HTTP types; default "/"
 *     "hostHeader": "www.example.com",// HTTP types; default the target (plus ":port" when not the default port)
 *     "searchString": "OK",           // *_STR_MATCH only, required: 1-255 chars, case-sensitive
 *     "requestIntervalSeconds": 30,   // > 0 (decimals allowed); default 30
 *     "failureThreshold": 3,          // 1-10; default 3
 *     "connectTimeoutSeconds": 4,     // > 0; default 4 (10 for TCP)
 *     "responseTimeoutSeconds": 2,    // > 0; default 2 (string matching: again for the body)
 *     "inverted": false,              // default false
 *     "disabled": false               // default false: a disabled check is healthy without probing
 *   },
 *   {
 *     "id": "site", "type": "CALCULATED",
 *     "healthThreshold": 1,           // required: 0-256
 *     "childHealthChecks": ["web-primary", "web-backup"]  // required: ids of endpoint checks defined here
 *   }
 * ]
 * }</pre>
 */
public final class HealthChecksConfig {
  /** The configuration member this class reads. */
  public static final String MEMBER = "healthChecks";

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private static final ImmutableSet<String> COMMON = ImmutableSet.of("id", "type", "inverted", "disabled");
  private static final ImmutableSet<String> ENDPOINT = ImmutableSet.of("target", "port", "requestIntervalSeconds",
      "failureThreshold", "connectTimeoutSeconds", "responseTimeoutSeconds");
  private static final ImmutableSet<String> HTTP = ImmutableSet.of("resourcePath", "hostHeader");
  private static final ImmutableSet<String> MATCH = ImmutableSet.of("searchString");
  private static final ImmutableSet<String> CALCULATED = ImmutableSet.of("healthThreshold", "childHealthChecks");
  private static final double MAX_INTERVAL_SECONDS = 86_400;
  private static final double MAX_TIMEOUT_SECONDS = 300;

  private HealthChecksConfig() {}

  /**
   * Reads the {@code healthChecks} member of a configuration file (JSON, comments and trailing commas allowed); the
   * other members are not looked at.
   *
   * @throws InvalidHealthChecksException when the file cannot be read, is not JSON, has no {@code healthChecks}
   *     member, or that member is invalid
   */
  public static ImmutableList<HealthCheck> read(Path configFile) {
    checkNotNull(configFile, "configFile");
    String text;
    try {
      text = InputLimits.readUtf8(configFile, InputLimits.CONFIGURATION_BYTES, "a configuration");
    } catch (IOException e) {
      throw new InvalidHealthChecksException(List.of(configFile + ": cannot read: " + IoMessages.describe(e)));
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidHealthChecksException(List.of(configFile + ": " + JsonMessages.notValidJson(e)));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidHealthChecksException(List.of(configFile + ": the configuration must be a JSON object"));
    }
    if (!root.has(MEMBER)) {
      throw new InvalidHealthChecksException(List.of("/" + MEMBER + ": missing: the configuration defines no "
          + "health checks"));
    }
    return parse(root.get(MEMBER), "/" + MEMBER);
  }

  /**
   * Parses the health check definitions in {@code node} (the {@code healthChecks} array; a missing node means none).
   *
   * @param jsonPath the JSON pointer of {@code node} in its document, used in problem paths (e.g.
   *     {@code "/healthChecks"})
   * @throws InvalidHealthChecksException listing every problem with its JSON pointer
   */
  static ImmutableList<HealthCheck> parse(JsonNode node, String jsonPath) {
    checkNotNull(node, "node");
    checkNotNull(jsonPath, "jsonPath");
    if (node.isMissingNode()) {
      return ImmutableList.of();
    }
    Parser parser = new Parser();
    if (!node.isArray()) {
      parser.problem(jsonPath, "must be an array of health check objects but was " + kind(node));
    } else {
      for (int i = 0; i < node.size(); i++) {
        parser.check(node.get(i), jsonPath + "/" + i);
      }
      parser.crossCheck();
    }
    if (!parser.problems.isEmpty()) {
      throw new InvalidHealthChecksException(parser.problems);
    }
    return ImmutableList.copyOf(parser.checks);
  }

  /** One parse, collecting problems. */
  private static final class Parser {
    final List<String> problems = new ArrayList<>();
    final List<HealthCheck> checks = new ArrayList<>();
    /** Path of each definition with an ID, by ID (first one wins), and each calculated check's child paths. */
    final Map<HealthCheckId, String> pathById = new HashMap<>();
    final Map<HealthCheckId, HealthCheckType> typeById = new HashMap<>();
    final List<ChildReference> children = new ArrayList<>();

    record ChildReference(HealthCheckId parent, HealthCheckId child, String path) {}

    void problem(String path, String message) {
      problems.add(path + ": " + message);
    }

    void check(JsonNode item, String path) {
      if (!item.isObject()) {
        problem(path, "must be a health check object but was " + kind(item));
        return;
      }
      int before = problems.size();
      Optional<HealthCheckId> id = id(item.get("id"), path + "/id");
      Optional<HealthCheckType> type = type(item.get("type"), path + "/type");
      if (id.isPresent()) {
        String first = pathById.putIfAbsent(id.get(), path);
        if (first != null) {
          problem(path + "/id", "duplicate health check ID '" + id.get() + "' (first defined at " + first + ")");
        } else {
          type.ifPresent(t -> typeById.put(id.get(), t));
        }
      }
      Set<String> allowed = new HashSet<>(COMMON);
      type.ifPresent(t -> allowed.addAll(membersOf(t)));
      for (Iterator<String> it = item.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!allowed.contains(key)) {
          problem(path + "/" + key, type.isPresent() && isKnown(key)
              ? "does not apply to type " + type.get()
              : "unknown member (known: " + known() + ")");
        }
      }
      boolean inverted = bool(item, "inverted", path);
      boolean disabled = bool(item, "disabled", path);
      if (type.isEmpty()) {
        return;
      }
      if (type.get() == HealthCheckType.CALCULATED) {
        calculated(item, path, id, inverted, disabled, before);
      } else {
        endpoint(item, path, id, type.get(), inverted, disabled, before);
      }
    }

    private void endpoint(JsonNode item, String path, Optional<HealthCheckId> id, HealthCheckType type,
        boolean inverted, boolean disabled, int before) {
      Optional<String> target = string(item, "target", path, true, 1, 253);
      target.filter(t -> !isValidTarget(t))
          .ifPresent(t -> problem(path + "/target", "must be an IP address or a host name but was '" + t + "'"));
      Optional<Integer> port = integer(item, "port", path, 1, 65535, "must be 1..65535");
      if (type == HealthCheckType.TCP && !item.has("port")) {
        problem(path + "/port", "required for TCP checks");
      }
      Optional<String> resourcePath = type.usesHttp() ? string(item, "resourcePath", path, false, 1, 255)
          : Optional.empty();
      resourcePath.filter(p -> !p.startsWith("/") || !p.chars().allMatch(c -> c > ' ' && c < 127))
          .ifPresent(p -> problem(path + "/resourcePath",
              "must start with '/' and have no spaces or control characters but was '" + p + "'"));
      Optional<String> hostHeader = type.usesHttp() ? string(item, "hostHeader", path, false, 1, 255)
          : Optional.empty();
      hostHeader.filter(h -> !h.chars().allMatch(c -> c > ' ' && c < 127))
          .ifPresent(h -> problem(path + "/hostHeader", "must have no spaces or control characters but was '" + h
              + "'"));
      Optional<String> search = type.matchesString() ? string(item, "searchString", path, true, 1, 255)
          : Optional.empty();
      Optional<Duration> interval = seconds(item, "requestIntervalSeconds", path, MAX_INTERVAL_SECONDS);
      Optional<Integer> threshold = integer(item, "failureThreshold", path, 1, 10, "must be 1..10");
      Optional<Duration> connect = seconds(item, "connectTimeoutSeconds", path, MAX_TIMEOUT_SECONDS);
      Optional<Duration> response = seconds(item, "responseTimeoutSeconds", path, MAX_TIMEOUT_SECONDS);
      if (problems.size() > before || id.isEmpty()) {
        return;
      }
      try {
        EndpointHealthCheck.Builder b = EndpointHealthCheck.builder(id.get(), type).target(target.orElseThrow())
            .inverted(inverted).disabled(disabled);
        port.ifPresent(b::port);
        resourcePath.ifPresent(b::resourcePath);
        hostHeader.ifPresent(b::hostHeader);
        search.ifPresent(b::searchString);
        interval.ifPresent(b::requestInterval);
        threshold.ifPresent(b::failureThreshold);
        connect.ifPresent(b::connectTimeout);
        response.ifPresent(b::responseTimeout);
        checks.add(b.build());
      } catch (IllegalArgumentException e) {
        problem(path, IoMessages.message(e));
      }
    }

    private void calculated(JsonNode item, String path, Optional<HealthCheckId> id, boolean inverted,
        boolean disabled, int before) {
      Optional<Integer> threshold = integer(item, "healthThreshold", path, 0, CalculatedHealthCheck.MAX_CHILDREN,
          "must be 0..256");
      if (!item.has("healthThreshold")) {
        problem(path + "/healthThreshold", "required for CALCULATED checks");
      }
      List<HealthCheckId> childIds = new ArrayList<>();
      JsonNode list = item.get("childHealthChecks");
      if (list == null) {
        problem(path + "/childHealthChecks", "required for CALCULATED checks");
      } else if (!list.isArray()) {
        problem(path + "/childHealthChecks", "must be an array of health check IDs but was " + kind(list));
      } else if (list.size() > CalculatedHealthCheck.MAX_CHILDREN) {
        problem(path + "/childHealthChecks", "at most 256 children but has " + list.size());
      } else {
        for (int i = 0; i < list.size(); i++) {
          String childPath = path + "/childHealthChecks/" + i;
          Optional<HealthCheckId> child = id(list.get(i), childPath);
          if (child.isEmpty()) {
            continue;
          }
          if (childIds.contains(child.get())) {
            problem(childPath, "'" + child.get() + "' is listed twice");
          } else if (id.isPresent() && child.get().equals(id.get())) {
            problem(childPath, "a check cannot be its own child");
          } else {
            childIds.add(child.get());
            id.ifPresent(parent -> children.add(new ChildReference(parent, child.get(), childPath)));
          }
        }
      }
      if (problems.size() > before || id.isEmpty() || threshold.isEmpty()) {
        return;
      }
      try {
        checks.add(new CalculatedHealthCheck(id.get(), threshold.get(), ImmutableList.copyOf(childIds), inverted,
            disabled));
      } catch (IllegalArgumentException e) {
        problem(path, IoMessages.message(e));
      }
    }

    /** References between definitions: children must be defined endpoint checks. */
    void crossCheck() {
      for (ChildReference ref : children) {
        HealthCheckType childType = typeById.get(ref.child());
        if (!pathById.containsKey(ref.child())) {
          problem(ref.path(), "no health check '" + ref.child() + "' is defined");
        } else if (childType == HealthCheckType.CALCULATED) {
          problem(ref.path(), "'" + ref.child() + "' is a calculated check (calculated checks cannot nest)");
        }
      }
    }

    private Optional<HealthCheckId> id(JsonNode node, String path) {
      if (node == null) {
        problem(path, "required");
        return Optional.empty();
      }
      if (!node.isTextual()) {
        problem(path, "must be a string but was " + kind(node));
        return Optional.empty();
      }
      try {
        return Optional.of(HealthCheckId.of(node.asText()));
      } catch (IllegalArgumentException e) {
        problem(path, IoMessages.message(e));
        return Optional.empty();
      }
    }

    private Optional<HealthCheckType> type(JsonNode node, String path) {
      String names = Arrays.stream(HealthCheckType.values()).map(Enum::name).collect(Collectors.joining(", "));
      if (node == null) {
        problem(path, "required (one of " + names + ")");
        return Optional.empty();
      }
      if (node.isTextual()) {
        try {
          return Optional.of(HealthCheckType.valueOf(node.asText().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          // reported below
        }
      }
      problem(path, "must be one of " + names + " but was " + node);
      return Optional.empty();
    }

    private boolean bool(JsonNode item, String key, String path) {
      JsonNode node = item.get(key);
      if (node == null) {
        return false;
      }
      if (!node.isBoolean()) {
        problem(path + "/" + key, "must be true or false but was " + node);
        return false;
      }
      return node.booleanValue();
    }

    private Optional<String> string(JsonNode item, String key, String path, boolean required, int min, int max) {
      JsonNode node = item.get(key);
      if (node == null) {
        if (required) {
          problem(path + "/" + key, "required");
        }
        return Optional.empty();
      }
      if (!node.isTextual()) {
        problem(path + "/" + key, "must be a string but was " + kind(node));
        return Optional.empty();
      }
      String value = node.asText();
      if (value.length() < min || value.length() > max) {
        problem(path + "/" + key, "must have " + min + ".." + max + " characters but has " + value.length());
        return Optional.empty();
      }
      return Optional.of(value);
    }

    private Optional<Integer> integer(JsonNode item, String key, String path, int min, int max, String range) {
      JsonNode node = item.get(key);
      if (node == null) {
        return Optional.empty();
      }
      if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
        problem(path + "/" + key, range + " but was " + node);
        return Optional.empty();
      }
      return Optional.of(node.intValue());
    }

    private Optional<Duration> seconds(JsonNode item, String key, String path, double max) {
      JsonNode node = item.get(key);
      if (node == null) {
        return Optional.empty();
      }
      if (!node.isNumber() || node.doubleValue() <= 0 || node.doubleValue() > max) {
        problem(path + "/" + key, "must be a number of seconds above 0 and at most " + (long) max + " but was "
            + node);
        return Optional.empty();
      }
      BigDecimal nanos = node.decimalValue().movePointRight(9);
      if (nanos.compareTo(BigDecimal.valueOf(1_000_000)) < 0) {
        problem(path + "/" + key, "must be at least 0.001 seconds but was " + node);
        return Optional.empty();
      }
      return Optional.of(Duration.ofNanos(nanos.longValue()));
    }
  }

  private static ImmutableSet<String> membersOf(HealthCheckType type) {
    if (type == HealthCheckType.CALCULATED) {
      return CALCULATED;
    }
    ImmutableSet.Builder<String> b = ImmutableSet.<String>builder().addAll(ENDPOINT);
    if (type.usesHttp()) {
      b.addAll(HTTP);
    }
    if (type.matchesString()) {
      b.addAll(MATCH);
    }
    return b.build();
  }

  private static boolean isKnown(String key) {
    return known().contains(key);
  }

  private static ImmutableSet<String> known() {
    return ImmutableSet.<String>builder().addAll(COMMON).addAll(ENDPOINT).addAll(HTTP).addAll(MATCH)
        .addAll(CALCULATED).build();
  }

  private static boolean isValidTarget(String target) {
    return InetAddresses.isInetAddress(target) || InternetDomainName.isValid(target);
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT).replace("pojo", "object");
  }
}
