package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.engine.health.CalculatedHealthCheck;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * Route 53's {@code HealthCheckConfig} as the API receives and returns it, and its meaning for this server's
 * {@link io.github.trafficpolicy.engine.health.HealthChecker}: {@link #toCheck} turns it into a {@link HealthCheck}
 * ({@code IPAddress} is probed when given, else {@code FullyQualifiedDomainName} is resolved at each probe; with both,
 * the name is the {@code Host} header and TLS server name, with {@code :Port} when the port is not the scheme's
 * default, as Route 53 does). Elements this server keeps but does not act on ({@code MeasureLatency}, {@code Regions},
 * {@code EnableSNI}: the server is the one vantage point and always sends the host name as SNI when it has one) are
 * returned as given. Immutable.
 *
 * @param ipAddress {@code IPAddress}
 * @param port {@code Port} (default 80 for HTTP types, 443 for HTTPS types; required for TCP)
 * @param type {@code Type}: HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP or CALCULATED
 * @param resourcePath {@code ResourcePath} (HTTP types; default {@code /})
 * @param fullyQualifiedDomainName {@code FullyQualifiedDomainName}
 * @param searchString {@code SearchString} (string-matching types)
 * @param requestInterval {@code RequestInterval}: 10 or 30 seconds (endpoint types)
 * @param failureThreshold {@code FailureThreshold}: 1–10 (endpoint types)
 * @param measureLatency {@code MeasureLatency}
 * @param inverted {@code Inverted}
 * @param disabled {@code Disabled}
 * @param healthThreshold {@code HealthThreshold} (CALCULATED)
 * @param childHealthChecks {@code ChildHealthChecks} (CALCULATED)
 * @param enableSni {@code EnableSNI}
 * @param regions {@code Regions}
 */
record Route53HealthCheckConfig(
    Optional<String> ipAddress,
    Optional<Integer> port,
    String type,
    Optional<String> resourcePath,
    Optional<String> fullyQualifiedDomainName,
    Optional<String> searchString,
    int requestInterval,
    int failureThreshold,
    boolean measureLatency,
    boolean inverted,
    boolean disabled,
    Optional<Integer> healthThreshold,
    List<String> childHealthChecks,
    Optional<Boolean> enableSni,
    List<String> regions) {
  /** The types this server probes (Route 53's CLOUDWATCH_METRIC and RECOVERY_CONTROL need AWS services). */
  static final List<String> TYPES = List.of("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP",
      "CALCULATED");

  Route53HealthCheckConfig {
    checkNotNull(ipAddress, "ipAddress");
    checkNotNull(port, "port");
    checkNotNull(type, "type");
    checkNotNull(resourcePath, "resourcePath");
    checkNotNull(fullyQualifiedDomainName, "fullyQualifiedDomainName");
    checkNotNull(searchString, "searchString");
    checkNotNull(healthThreshold, "healthThreshold");
    childHealthChecks = ImmutableList.copyOf(childHealthChecks);
    checkNotNull(enableSni, "enableSni");
    regions = ImmutableList.copyOf(regions);
  }

  boolean calculated() {
    return type.equals("CALCULATED");
  }

  // ---------------------------------------------------------------- XML

  /** Reads a request's {@code HealthCheckConfig} element. */
  static Route53HealthCheckConfig fromXml(Element e) {
    String type = Xml.required(e, "Type").strip().toUpperCase(Locale.ROOT);
    if (!TYPES.contains(type)) {
      throw ApiException.invalidInput("Type " + type + " is not supported (supported: " + String.join(", ", TYPES)
          + "; CLOUDWATCH_METRIC and RECOVERY_CONTROL need AWS services)");
    }
    boolean calculated = type.equals("CALCULATED");
    return new Route53HealthCheckConfig(
        Xml.text(e, "IPAddress").map(String::strip),
        Xml.text(e, "Port").map(s -> integer(s, "Port")),
        type,
        Xml.text(e, "ResourcePath"),
        Xml.text(e, "FullyQualifiedDomainName").map(String::strip),
        Xml.text(e, "SearchString"),
        calculated ? 30 : Xml.text(e, "RequestInterval").map(s -> integer(s, "RequestInterval")).orElse(30),
        calculated ? 3 : Xml.text(e, "FailureThreshold").map(s -> integer(s, "FailureThreshold")).orElse(3),
        Xml.text(e, "MeasureLatency").map(s -> bool(s, "MeasureLatency")).orElse(false),
        Xml.text(e, "Inverted").map(s -> bool(s, "Inverted")).orElse(false),
        Xml.text(e, "Disabled").map(s -> bool(s, "Disabled")).orElse(false),
        Xml.text(e, "HealthThreshold").map(s -> integer(s, "HealthThreshold")),
        list(e, "ChildHealthChecks", "ChildHealthCheck").orElse(List.of()),
        Xml.text(e, "EnableSNI").map(s -> bool(s, "EnableSNI")),
        list(e, "Regions", "Region").orElse(List.of()));
  }

  /**
   * This configuration changed by an {@code UpdateHealthCheckRequest}: every element given replaces the current
   * value, {@code ResetElements} puts {@code FullyQualifiedDomainName}, {@code Regions}, {@code ResourcePath} or
   * {@code ChildHealthChecks} back to their defaults. {@code Type}, {@code RequestInterval} and
   * {@code MeasureLatency} cannot change (Route 53's rule).
   */
  Route53HealthCheckConfig updatedBy(Element u) {
    List<String> reset = list(u, "ResetElements", "ResettableElementName").orElse(List.of());
    for (String r : reset) {
      if (!List.of("FullyQualifiedDomainName", "Regions", "ResourcePath", "ChildHealthChecks").contains(r)) {
        throw ApiException.invalidInput("ResettableElementName must be FullyQualifiedDomainName, Regions, "
            + "ResourcePath or ChildHealthChecks but was " + r);
      }
    }
    return new Route53HealthCheckConfig(
        Xml.text(u, "IPAddress").map(String::strip).or(() -> ipAddress),
        Xml.text(u, "Port").map(s -> integer(s, "Port")).or(() -> port),
        type,
        reset.contains("ResourcePath") ? Optional.empty() : Xml.text(u, "ResourcePath").or(() -> resourcePath),
        reset.contains("FullyQualifiedDomainName") ? Optional.empty()
            : Xml.text(u, "FullyQualifiedDomainName").map(String::strip).or(() -> fullyQualifiedDomainName),
        Xml.text(u, "SearchString").or(() -> searchString),
        requestInterval,
        Xml.text(u, "FailureThreshold").map(s -> integer(s, "FailureThreshold")).orElse(failureThreshold),
        measureLatency,
        Xml.text(u, "Inverted").map(s -> bool(s, "Inverted")).orElse(inverted),
        Xml.text(u, "Disabled").map(s -> bool(s, "Disabled")).orElse(disabled),
        Xml.text(u, "HealthThreshold").map(s -> integer(s, "HealthThreshold")).or(() -> healthThreshold),
        reset.contains("ChildHealthChecks") ? List.of()
            : list(u, "ChildHealthChecks", "ChildHealthCheck").orElse(childHealthChecks),
        Xml.text(u, "EnableSNI").map(s -> bool(s, "EnableSNI")).or(() -> enableSni),
        reset.contains("Regions") ? List.of() : list(u, "Regions", "Region").orElse(regions));
  }

  /** Writes the {@code HealthCheckConfig} element. */
  Xml.Writer write(Xml.Writer w) {
    w.start("HealthCheckConfig").element("IPAddress", ipAddress).element("Port", port).element("Type", type)
        .element("ResourcePath", resourcePath).element("FullyQualifiedDomainName", fullyQualifiedDomainName)
        .element("SearchString", searchString);
    if (!calculated()) {
      w.element("RequestInterval", requestInterval).element("FailureThreshold", failureThreshold);
    }
    w.element("MeasureLatency", measureLatency).element("Inverted", inverted).element("Disabled", disabled)
        .element("HealthThreshold", healthThreshold);
    if (calculated()) {
      w.start("ChildHealthChecks");
      childHealthChecks.forEach(c -> w.element("ChildHealthCheck", c));
      w.end();
    }
    w.element("EnableSNI", enableSni);
    if (!regions.isEmpty()) {
      w.start("Regions");
      regions.forEach(r -> w.element("Region", r));
      w.end();
    }
    return w.end();
  }

  // ---------------------------------------------------------------- meaning

  /**
   * The check this configuration describes, with ID {@code id}.
   *
   * @throws ApiException ({@code InvalidInput}) naming what is wrong
   */
  HealthCheck toCheck(String id) {
    HealthCheckId checkId = HealthCheckId.of(id);
    if (calculated()) {
      int threshold = healthThreshold.orElseThrow(() ->
          ApiException.invalidInput("HealthThreshold is required for CALCULATED health checks"));
      for (String element : List.of("IPAddress", "Port", "ResourcePath", "FullyQualifiedDomainName",
          "SearchString")) {
        if (endpointElement(element).isPresent()) {
          throw ApiException.invalidInput(element + " does not apply to CALCULATED health checks");
        }
      }
      if (threshold < 0 || threshold > CalculatedHealthCheck.MAX_CHILDREN) {
        throw ApiException.invalidInput("HealthThreshold must be from 0 to 256 but was " + threshold);
      }
      try {
        return new CalculatedHealthCheck(checkId, threshold,
            childHealthChecks.stream().map(HealthCheckId::of).collect(ImmutableList.toImmutableList()), inverted,
            disabled);
      } catch (IllegalArgumentException e) {
        throw ApiException.invalidInput("ChildHealthChecks: " + e.getMessage());
      }
    }
    HealthCheckType t = HealthCheckType.valueOf(type);
    if (healthThreshold.isPresent() || !childHealthChecks.isEmpty()) {
      throw ApiException.invalidInput("HealthThreshold and ChildHealthChecks apply to CALCULATED health checks only");
    }
    if (requestInterval != 10 && requestInterval != 30) {
      throw ApiException.invalidInput("RequestInterval must be 10 or 30 but was " + requestInterval);
    }
    if (failureThreshold < 1 || failureThreshold > 10) {
      throw ApiException.invalidInput("FailureThreshold must be from 1 to 10 but was " + failureThreshold);
    }
    if (ipAddress.isPresent() && !InetAddresses.isInetAddress(ipAddress.get())) {
      throw ApiException.invalidInput("IPAddress must be an IPv4 or IPv6 address but was " + ipAddress.get());
    }
    if (fullyQualifiedDomainName.isPresent() && !InternetDomainName.isValid(fullyQualifiedDomainName.get())) {
      throw ApiException.invalidInput("FullyQualifiedDomainName is not a domain name: "
          + fullyQualifiedDomainName.get());
    }
    String target = ipAddress.or(() -> fullyQualifiedDomainName).orElseThrow(() ->
        ApiException.invalidInput("IPAddress or FullyQualifiedDomainName is required for " + type + " checks"));
    if (t == HealthCheckType.TCP && port.isEmpty()) {
      throw ApiException.invalidInput("Port is required for TCP health checks");
    }
    if (t.matchesString() != searchString.isPresent()) {
      throw ApiException.invalidInput(t.matchesString() ? "SearchString is required for " + type + " checks"
          : "SearchString applies to HTTP_STR_MATCH and HTTPS_STR_MATCH checks only");
    }
    int p = port.orElse(t.defaultPort());
    if (p < 1 || p > 65535) {
      throw ApiException.invalidInput("Port must be from 1 to 65535 but was " + p);
    }
    EndpointHealthCheck.Builder b = EndpointHealthCheck.builder(checkId, t).target(target).port(p)
        .requestInterval(Duration.ofSeconds(requestInterval)).failureThreshold(failureThreshold)
        .inverted(inverted).disabled(disabled);
    if (t.usesHttp()) {
      resourcePath.ifPresent(b::resourcePath);
      if (ipAddress.isPresent() && fullyQualifiedDomainName.isPresent()) {
        b.hostHeader(fullyQualifiedDomainName.get() + (p == t.defaultPort() ? "" : ":" + p));
      }
    }
    searchString.ifPresent(b::searchString);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidInput(IoMessages.message(e));
    }
  }

  private Optional<?> endpointElement(String element) {
    return switch (element) {
      case "IPAddress" -> ipAddress;
      case "Port" -> port;
      case "ResourcePath" -> resourcePath;
      case "FullyQualifiedDomainName" -> fullyQualifiedDomainName;
      default -> searchString;
    };
  }

  /**
   * How Route 53 would describe {@code check} (a check of the serve configuration): its target as
   * {@code IPAddress} or {@code FullyQualifiedDomainName}, a host header as the name; intervals in whole seconds.
   */
  static Route53HealthCheckConfig of(HealthCheck check) {
    if (check instanceof CalculatedHealthCheck c) {
      return new Route53HealthCheckConfig(Optional.empty(), Optional.empty(), "CALCULATED", Optional.empty(),
          Optional.empty(), Optional.empty(), 30, 3, false, c.inverted(), c.disabled(),
          Optional.of(c.healthThreshold()), c.children().stream().map(HealthCheckId::value).toList(),
          Optional.empty(), List.of());
    }
    EndpointHealthCheck e = (EndpointHealthCheck) check;
    boolean ip = InetAddresses.isInetAddress(e.target());
    Optional<String> name = ip ? e.hostHeader().map(Route53HealthCheckConfig::hostOf) : Optional.of(e.target());
    return new Route53HealthCheckConfig(ip ? Optional.of(e.target()) : Optional.empty(), Optional.of(e.port()),
        e.type().name(), e.resourcePath(), name, e.searchString(),
        (int) Math.max(1, e.requestInterval().toSeconds()), e.failureThreshold(), false, e.inverted(), e.disabled(),
        Optional.empty(), List.of(), e.type().usesTls() ? Optional.of(true) : Optional.empty(), List.of());
  }

  private static String hostOf(String hostHeader) {
    int colon = hostHeader.lastIndexOf(':');
    return colon > 0 && hostHeader.indexOf(':') == colon ? hostHeader.substring(0, colon) : hostHeader;
  }

  // ---------------------------------------------------------------- JSON (the persisted form)

  /** The persisted form: Route 53's element names, absent values left out. */
  ObjectNode toJson() {
    ObjectNode o = AuditLog.object();
    ipAddress.ifPresent(v -> o.put("IPAddress", v));
    port.ifPresent(v -> o.put("Port", v));
    o.put("Type", type);
    resourcePath.ifPresent(v -> o.put("ResourcePath", v));
    fullyQualifiedDomainName.ifPresent(v -> o.put("FullyQualifiedDomainName", v));
    searchString.ifPresent(v -> o.put("SearchString", v));
    o.put("RequestInterval", requestInterval);
    o.put("FailureThreshold", failureThreshold);
    o.put("MeasureLatency", measureLatency);
    o.put("Inverted", inverted);
    o.put("Disabled", disabled);
    healthThreshold.ifPresent(v -> o.put("HealthThreshold", v));
    ArrayNode children = o.putArray("ChildHealthChecks");
    childHealthChecks.forEach(children::add);
    enableSni.ifPresent(v -> o.put("EnableSNI", v));
    ArrayNode r = o.putArray("Regions");
    regions.forEach(r::add);
    return o;
  }

  /**
   * Reads the persisted form.
   *
   * @throws IllegalArgumentException naming the member that is wrong
   */
  static Route53HealthCheckConfig fromJson(JsonNode o) {
    if (o == null || !o.isObject() || !o.path("Type").isTextual()) {
      throw new IllegalArgumentException("must be an object with a Type");
    }
    return new Route53HealthCheckConfig(text(o, "IPAddress"), number(o, "Port"), o.get("Type").asText(),
        text(o, "ResourcePath"), text(o, "FullyQualifiedDomainName"), text(o, "SearchString"),
        number(o, "RequestInterval").orElse(30), number(o, "FailureThreshold").orElse(3),
        o.path("MeasureLatency").asBoolean(false), o.path("Inverted").asBoolean(false),
        o.path("Disabled").asBoolean(false), number(o, "HealthThreshold"), strings(o, "ChildHealthChecks"),
        o.has("EnableSNI") ? Optional.of(o.get("EnableSNI").asBoolean()) : Optional.empty(), strings(o, "Regions"));
  }

  private static Optional<String> text(JsonNode o, String name) {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException(name + " must be a string");
    }
    return Optional.of(n.asText());
  }

  private static Optional<Integer> number(JsonNode o, String name) {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw new IllegalArgumentException(name + " must be a whole number");
    }
    return Optional.of(n.intValue());
  }

  private static List<String> strings(JsonNode o, String name) {
    List<String> out = new ArrayList<>();
    JsonNode n = o.get(name);
    if (n == null) {
      return out;
    }
    if (!n.isArray()) {
      throw new IllegalArgumentException(name + " must be an array of strings");
    }
    n.forEach(x -> out.add(x.asText()));
    return out;
  }

  // ---------------------------------------------------------------- parameters

  private static Optional<List<String>> list(Element parent, String listName, String itemName) {
    List<Element> lists = Xml.children(parent, listName);
    if (lists.size() > 1) {
      throw ApiException.invalidInput("Element " + listName + " is given " + lists.size() + " times");
    }
    if (lists.isEmpty()) {
      return Optional.empty();
    }
    List<String> items = new ArrayList<>();
    for (Element item : Xml.children(lists.get(0), itemName)) {
      items.add(item.getTextContent().strip());
    }
    return Optional.of(items);
  }

  private static int integer(String s, String what) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      throw ApiException.invalidInput(what + " must be a number but was " + s);
    }
  }

  private static boolean bool(String s, String what) {
    return switch (s.strip()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiException.invalidInput(what + " must be true or false but was " + s);
    };
  }
}
