package io.github.trafficpolicy.api.json;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.EndpointTarget;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.GeoproximityRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.LatencyRule;
import io.github.trafficpolicy.api.MultivalueAnswerRule;
import io.github.trafficpolicy.api.MultivalueEntry;
import io.github.trafficpolicy.api.PolicyValidator;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.ProblemCode;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.api.RuleTarget;
import io.github.trafficpolicy.api.RuleType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import io.github.trafficpolicy.api.internal.DocumentParts;
import io.github.trafficpolicy.api.json.JsonTree.ArrayNode;
import io.github.trafficpolicy.api.json.JsonTree.Kind;
import io.github.trafficpolicy.api.json.JsonTree.Node;
import io.github.trafficpolicy.api.json.JsonTree.ObjectNode;
import io.github.trafficpolicy.api.json.JsonTree.ValueNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Binds a {@link JsonTree} to the model, collecting every syntax problem (types, members, values) with its path,
 * then runs {@link PolicyValidator} over whatever bound. Never throws for any tree.
 */
final class DocumentBinder {
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]+");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]{1,3}(\\.[0-9]*)?");
  private static final BigDecimal NINETY = BigDecimal.valueOf(90);
  private static final BigDecimal ONE_EIGHTY = BigDecimal.valueOf(180);

  private final PolicyDocumentJson.Options options;
  private final List<Problem> problems = new ArrayList<>();

  private Optional<FormatVersion> formatVersion = Optional.empty();
  private Optional<RecordType> recordType = Optional.empty();
  private Optional<Target> start = Optional.empty();
  private final Map<EndpointId, Endpoint> endpoints = new LinkedHashMap<>();
  private final Map<RuleId, Rule> rules = new LinkedHashMap<>();
  private final Set<EndpointId> brokenEndpoints = new LinkedHashSet<>();
  private final Set<RuleId> brokenRules = new LinkedHashSet<>();
  private final Map<RuleId, ImmutableList<Integer>> partialRules = new LinkedHashMap<>();
  /** Errors other than unknown members, see {@link #errorCount()}. */
  private int valueErrors;
  /** Whether the whole document bound (then {@link #parts()} is complete). */
  private boolean complete = true;

  DocumentBinder(PolicyDocumentJson.Options options) {
    this.options = options;
  }

  /** The syntax problems found by {@link #bind}. */
  List<Problem> problems() {
    return problems;
  }

  /** True when every part bound, so the parts form a whole document (which may still fail validation). */
  boolean complete() {
    return complete;
  }

  DocumentParts parts() {
    return new DocumentParts(formatVersion, recordType, start, ImmutableMap.copyOf(endpoints),
        ImmutableMap.copyOf(rules), ImmutableSet.copyOf(brokenEndpoints), ImmutableSet.copyOf(brokenRules),
        ImmutableMap.copyOf(partialRules));
  }

  // ----- problems ------------------------------------------------------------------------------------------

  private void error(String path, ProblemCode code, String message) {
    problems.add(Problem.error(path, code, message));
    complete = false;
    if (code != ProblemCode.UNKNOWN_MEMBER) {
      valueErrors++;
    }
  }

  private void warning(String path, ProblemCode code, String message) {
    problems.add(Problem.warning(path, code, message));
  }

  private static String quote(String s) {
    return "\"" + JsonTree.abbreviate(s) + "\"";
  }

  // ----- the document --------------------------------------------------------------------------------------

  void bind(Node root) {
    ObjectNode doc = object(root, "", "the document");
    if (doc == null) {
      return;
    }
    Members m = new Members(doc, "", "the document");
    m.allow("AWSPolicyFormatVersion", "RecordType", "StartRule", "StartEndpoint", "Endpoints", "Rules");
    m.required("AWSPolicyFormatVersion").ifPresent(n -> {
      String s = string(n, "/AWSPolicyFormatVersion", "AWSPolicyFormatVersion");
      if (s != null) {
        formatVersion = FormatVersion.fromText(s);
        if (formatVersion.isEmpty()) {
          error("/AWSPolicyFormatVersion", ProblemCode.INVALID_VALUE,
              "AWSPolicyFormatVersion must be \"2015-10-01\" or \"2023-05-09\" but was " + quote(s));
        }
      }
    });
    m.required("RecordType").ifPresent(n -> {
      String s = string(n, "/RecordType", "RecordType");
      if (s != null) {
        recordType = RecordType.fromText(s);
        if (recordType.isEmpty()) {
          error("/RecordType", ProblemCode.INVALID_VALUE, "RecordType must be one of A, AAAA, CAA, CNAME, MX, "
              + "NAPTR, PTR, SPF, SRV, TXT but was " + quote(s));
        }
      }
    });
    Optional<Node> startRule = m.optional("StartRule");
    Optional<Node> startEndpoint = m.optional("StartEndpoint");
    if (startRule.isPresent() && startEndpoint.isPresent() && (isNull(startRule.get())
        || isNull(startEndpoint.get()))) {
      // A JSON null is a value of the wrong type, as for every other member: say so rather than "not both".
      if (isNull(startRule.get())) {
        id(startRule.get(), "/StartRule", "StartRule");
      }
      if (isNull(startEndpoint.get())) {
        id(startEndpoint.get(), "/StartEndpoint", "StartEndpoint");
      }
    } else if (startRule.isPresent() && startEndpoint.isPresent()) {
      error("", ProblemCode.START_CONFLICT, "a document has either StartRule or StartEndpoint, not both");
    } else if (startRule.isEmpty() && startEndpoint.isEmpty()) {
      error("", ProblemCode.START_CONFLICT, "a document needs StartRule or StartEndpoint");
    } else if (startRule.isPresent()) {
      String id = id(startRule.get(), "/StartRule", "StartRule");
      if (id != null) {
        start = Optional.of(new RuleTarget(RuleId.of(id)));
      }
    } else {
      String id = id(startEndpoint.get(), "/StartEndpoint", "StartEndpoint");
      if (id != null) {
        start = Optional.of(new EndpointTarget(EndpointId.of(id)));
      }
    }
    m.required("Endpoints").ifPresent(n -> {
      ObjectNode o = object(n, "/Endpoints", "Endpoints");
      if (o != null) {
        o.members().forEach((id, v) -> endpoint(id, v));
      }
    });
    m.optional("Rules").ifPresent(n -> {
      ObjectNode o = object(n, "/Rules", "Rules");
      if (o != null) {
        o.members().forEach((id, v) -> rule(id, v));
      }
    });
  }

  // ----- endpoints -----------------------------------------------------------------------------------------

  private void endpoint(String id, Node node) {
    String path = Problem.pointer("Endpoints", id);
    if (id.isEmpty()) {
      error(path, ProblemCode.INVALID_VALUE, "an endpoint ID must not be empty");
      return;
    }
    int before = errorCount();
    EndpointId endpointId = EndpointId.of(id);
    ObjectNode o = object(node, path, "endpoint " + quote(id));
    if (o == null) {
      brokenEndpoints.add(endpointId);
      return;
    }
    Members m = new Members(o, path, "an endpoint");
    m.allow("Type", "Value", "Region");
    EndpointType type = null;
    Optional<Node> typeNode = m.required("Type");
    if (typeNode.isPresent()) {
      String s = string(typeNode.get(), path + "/Type", "Type");
      if (s != null) {
        type = EndpointType.fromText(s).orElse(null);
        if (type == null) {
          error(path + "/Type", ProblemCode.INVALID_VALUE, "Type must be one of value, cloudfront, "
              + "application-load-balancer, elastic-load-balancer, network-load-balancer, elastic-beanstalk, "
              + "s3-website but was " + quote(s));
        }
      }
    }
    String value = m.required("Value").map(n -> string(n, path + "/Value", "Value")).orElse(null);
    Optional<String> region = Optional.empty();
    Optional<Node> regionNode = m.optional("Region");
    if (regionNode.isPresent()) {
      if (type != null && type != EndpointType.S3_WEBSITE) {
        error(path + "/Region", ProblemCode.UNKNOWN_MEMBER,
            "Region is only defined for s3-website endpoints, not for " + type);
      } else {
        region = Optional.ofNullable(string(regionNode.get(), path + "/Region", "Region"));
      }
    }
    if (errorCount() > before || type == null || value == null) {
      brokenEndpoints.add(endpointId);
      return;
    }
    endpoints.put(endpointId, new Endpoint(type, value, region));
  }

  // ----- rules ---------------------------------------------------------------------------------------------

  private void rule(String id, Node node) {
    String path = Problem.pointer("Rules", id);
    if (id.isEmpty()) {
      error(path, ProblemCode.INVALID_VALUE, "a rule ID must not be empty");
      return;
    }
    RuleId ruleId = RuleId.of(id);
    ObjectNode o = object(node, path, "rule " + quote(id));
    if (o == null) {
      brokenRules.add(ruleId);
      return;
    }
    Members m = new Members(o, path, "a rule");
    RuleType type = null;
    Optional<Node> typeNode = m.required("RuleType");
    if (typeNode.isPresent()) {
      String s = string(typeNode.get(), path + "/RuleType", "RuleType");
      if (s != null) {
        type = RuleType.fromText(s).orElse(null);
        if (type == null) {
          error(path + "/RuleType", ProblemCode.INVALID_VALUE, "RuleType must be one of failover, geo, "
              + "geoproximity, latency, multivalue, weighted but was " + quote(s));
        }
      }
    }
    if (type == null) {
      brokenRules.add(ruleId);
      return; // which members belong depends on the type
    }
    Rule rule;
    Bound<?> bound = null;
    switch (type) {
      case FAILOVER -> rule = failover(m, path);
      case GEO -> {
        Bound<GeolocationEntry> b = entries(m, path, "Locations", this::geoEntry);
        bound = b;
        rule = b == null ? null : GeolocationRule.of(b.entries());
      }
      case GEOPROXIMITY -> {
        Bound<GeoproximityEntry> b = entries(m, path, "GeoproximityLocations", this::geoproximityEntry);
        bound = b;
        rule = b == null ? null : GeoproximityRule.of(b.entries());
      }
      case LATENCY -> {
        Bound<LatencyEntry> b = entries(m, path, "Regions", this::latencyEntry);
        bound = b;
        rule = b == null ? null : LatencyRule.of(b.entries());
      }
      case MULTIVALUE -> {
        Bound<MultivalueEntry> b = entries(m, path, "Items", this::multivalueEntry);
        bound = b;
        rule = b == null ? null : MultivalueAnswerRule.of(b.entries());
      }
      case WEIGHTED -> {
        Bound<WeightedEntry> b = entries(m, path, "Items", this::weightedEntry);
        bound = b;
        rule = b == null ? null : WeightedRule.of(b.entries());
      }
      default -> throw new AssertionError(type);
    }
    if (rule == null) {
      brokenRules.add(ruleId);
      return;
    }
    // A rule with some broken entries still takes part in validation with its good ones (so every problem of
    // the document is found); the positions keep the paths right.
    rules.put(ruleId, rule);
    if (bound != null && bound.positions().size() != bound.total()) {
      partialRules.put(ruleId, ImmutableList.copyOf(bound.positions()));
    }
  }

  private @Nullable FailoverRule failover(Members m, String path) {
    m.allow("RuleType", "Primary", "Secondary");
    FailoverEntry primary = m.required("Primary").map(n -> failoverEntry(n, path + "/Primary")).orElse(null);
    FailoverEntry secondary = m.required("Secondary").map(n -> failoverEntry(n, path + "/Secondary")).orElse(null);
    return primary == null || secondary == null ? null : new FailoverRule(primary, secondary);
  }

  /** A function binding one entry object; returns null when it has errors. */
  private interface EntryBinder<T> {
    @Nullable T bind(Node node, String path);
  }

  /** The entries that bound, with their positions in the document array, and the array's length. */
  private record Bound<T>(List<T> entries, List<Integer> positions, int total) {}

  /** The entries of a rule's array member, or null when there is no array or no entry bound. */
  private <T> @Nullable Bound<T> entries(Members m, String rulePath, String member, EntryBinder<T> binder) {
    m.allow("RuleType", member);
    Optional<Node> node = m.required(member);
    if (node.isEmpty()) {
      return null;
    }
    String path = rulePath + "/" + member;
    if (!(node.get() instanceof ArrayNode array)) {
      error(path, ProblemCode.WRONG_TYPE, member + " must be an array but is " + node.get().description());
      return null;
    }
    if (array.items().isEmpty()) {
      error(path, ProblemCode.INVALID_VALUE, member + " must have at least one entry");
      return null;
    }
    List<T> out = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < array.items().size(); i++) {
      T t = binder.bind(array.items().get(i), path + "/" + i);
      if (t != null) {
        out.add(t);
        positions.add(i);
      }
    }
    return out.isEmpty() ? null : new Bound<>(out, positions, array.items().size());
  }

  /** The members every entry may have: one reference, EvaluateTargetHealth, HealthCheck. */
  private final class Common {
    @Nullable Target target;
    Optional<Boolean> evaluateTargetHealth = Optional.empty();
    Optional<HealthCheckId> healthCheck = Optional.empty();
    boolean ok = true;

    /** The reference; only when {@link #ok}. */
    Target target() {
      return checkNotNull(target, "no target: the entry has errors");
    }

    Common(Members m, String path, boolean rulesAllowed) {
      int before = errorCount();
      Optional<Node> endpoint = m.optional("EndpointReference");
      Optional<Node> rule = m.optional("RuleReference");
      if (!rulesAllowed && rule.isPresent()) {
        error(path + "/RuleReference", ProblemCode.INVALID_RULE_FOR_TYPE, "a multivalue item can only reference an "
            + "endpoint (EndpointReference), not a rule: multivalue alias records do not exist");
      } else if (endpoint.isPresent() && rule.isPresent() && (isNull(endpoint.get()) || isNull(rule.get()))) {
        // A JSON null is a value of the wrong type, as for every other member: say so rather than "not both".
        if (isNull(endpoint.get())) {
          id(endpoint.get(), path + "/EndpointReference", "EndpointReference");
        }
        if (isNull(rule.get())) {
          id(rule.get(), path + "/RuleReference", "RuleReference");
        }
      } else if (endpoint.isPresent() && rule.isPresent()) {
        error(path, ProblemCode.REFERENCE_CONFLICT, "an entry has either EndpointReference or RuleReference, not "
            + "both");
      } else if (endpoint.isEmpty() && rule.isEmpty()) {
        if (rulesAllowed) {
          error(path, ProblemCode.REFERENCE_CONFLICT, "an entry needs EndpointReference or RuleReference");
        } else {
          error(path, ProblemCode.MISSING_MEMBER, "a multivalue item needs EndpointReference");
        }
      } else if (endpoint.isPresent()) {
        String id = id(endpoint.get(), path + "/EndpointReference", "EndpointReference");
        target = id == null ? null : new EndpointTarget(EndpointId.of(id));
      } else {
        String id = id(rule.get(), path + "/RuleReference", "RuleReference");
        target = id == null ? null : new RuleTarget(RuleId.of(id));
      }
      if (rulesAllowed) {
        m.optional("EvaluateTargetHealth").ifPresent(n ->
            evaluateTargetHealth =
                Optional.ofNullable(bool(n, path + "/EvaluateTargetHealth", "EvaluateTargetHealth")));
      }
      m.optional("HealthCheck").ifPresent(n -> {
        String s = string(n, path + "/HealthCheck", "HealthCheck");
        if (s != null) {
          if (s.isEmpty() || s.length() > 64) {
            error(path + "/HealthCheck", ProblemCode.INVALID_VALUE,
                "HealthCheck must be a health check ID of 1 to 64 characters but has " + s.length());
          } else {
            healthCheck = Optional.of(HealthCheckId.of(s));
          }
        }
      });
      ok = errorCount() == before && target != null;
    }
  }

  private @Nullable FailoverEntry failoverEntry(Node node, String path) {
    ObjectNode o = object(node, path, "a failover entry");
    if (o == null) {
      return null;
    }
    Members m = new Members(o, path, "a failover entry");
    m.allow("EndpointReference", "RuleReference", "EvaluateTargetHealth", "HealthCheck");
    Common c = new Common(m, path, true);
    return c.ok ? new FailoverEntry(c.target(), c.evaluateTargetHealth, c.healthCheck) : null;
  }

  private @Nullable WeightedEntry weightedEntry(Node node, String path) {
    ObjectNode o = object(node, path, "a weighted item");
    if (o == null) {
      return null;
    }
    Members m = new Members(o, path, "a weighted item");
    m.allow("EndpointReference", "RuleReference", "Weight", "EvaluateTargetHealth", "HealthCheck");
    int before = errorCount();
    Common c = new Common(m, path, true);
    Integer weight = m.required("Weight").map(n -> integer(n, path + "/Weight", "Weight", 0, 255)).orElse(null);
    return c.ok && weight != null && errorCount() == before
        ? new WeightedEntry(c.target(), weight, c.evaluateTargetHealth, c.healthCheck) : null;
  }

  private @Nullable MultivalueEntry multivalueEntry(Node node, String path) {
    ObjectNode o = object(node, path, "a multivalue item");
    if (o == null) {
      return null;
    }
    Members m = new Members(o, path, "a multivalue item");
    m.allow("EndpointReference", "RuleReference", "HealthCheck");
    Common c = new Common(m, path, false);
    return c.ok ? new MultivalueEntry(((EndpointTarget) c.target()).endpoint(), c.healthCheck) : null;
  }

  private @Nullable LatencyEntry latencyEntry(Node node, String path) {
    ObjectNode o = object(node, path, "a latency region");
    if (o == null) {
      return null;
    }
    Members m = new Members(o, path, "a latency region");
    m.allow("EndpointReference", "RuleReference", "Region", "EvaluateTargetHealth", "HealthCheck");
    int before = errorCount();
    Common c = new Common(m, path, true);
    String region = m.required("Region").map(n -> string(n, path + "/Region", "Region")).orElse(null);
    if (region != null && region.isEmpty()) {
      error(path + "/Region", ProblemCode.INVALID_VALUE, "Region must not be empty");
    }
    return c.ok && region != null && errorCount() == before
        ? new LatencyEntry(c.target(), region, c.evaluateTargetHealth, c.healthCheck) : null;
  }

  private @Nullable GeolocationEntry geoEntry(Node node, String path) {
    ObjectNode o = object(node, path, "a geo location");
    if (o == null) {
      return null;
    }
    Members m = new Members(o, path, "a geo location");
    m.allow("EndpointReference", "RuleReference", "IsDefault", "Continent", "Country", "Subdivision",
        "EvaluateTargetHealth", "HealthCheck");
    int before = errorCount();
    Common c = new Common(m, path, true);
    Boolean isDefault = m.optional("IsDefault").map(n -> bool(n, path + "/IsDefault", "IsDefault")).orElse(false);
    Optional<String> continent = code(m, path, "Continent");
    Optional<String> country = code(m, path, "Country");
    Optional<String> subdivision = code(m, path, "Subdivision");
    if (continent.isPresent() && (country.isPresent() || subdivision.isPresent())) {
      error(path, ProblemCode.INVALID_LOCATION, "a location cannot combine Continent with Country or Subdivision "
          + "(Continent " + continent.get() + ", " + (country.isPresent() ? "Country " + country.get()
          : "Subdivision " + subdivision.get()) + ")");
    } else if (subdivision.isPresent() && country.isEmpty()) {
      error(path, ProblemCode.INVALID_LOCATION, "Subdivision " + subdivision.get() + " needs its Country (US)");
    }
    return c.ok && isDefault != null && errorCount() == before
        ? new GeolocationEntry(c.target(), continent, country, subdivision, isDefault, c.evaluateTargetHealth,
            c.healthCheck)
        : null;
  }

  private Optional<String> code(Members m, String path, String name) {
    return m.optional(name).map(n -> string(n, path + "/" + name, name));
  }

  private @Nullable GeoproximityEntry geoproximityEntry(Node node, String path) {
    ObjectNode o = object(node, path, "a geoproximity location");
    if (o == null) {
      return null;
    }
    Members m = new Members(o, path, "a geoproximity location");
    m.allow("EndpointReference", "RuleReference", "Region", "Latitude", "Longitude", "Location", "Bias",
        "EvaluateTargetHealth", "HealthCheck");
    int before = errorCount();
    Common c = new Common(m, path, true);
    Integer bias = m.optional("Bias").map(n -> integer(n, path + "/Bias", "Bias", -99, 99)).orElse(0);
    Optional<Node> location = m.optional("Location");
    Optional<Node> region = m.optional("Region");
    Optional<Node> latitude = m.optional("Latitude");
    Optional<Node> longitude = m.optional("Longitude");
    boolean old = region.isPresent() || latitude.isPresent() || longitude.isPresent();
    GeoproximityLocation loc = null;
    if (location.isPresent() && old) {
      error(path, ProblemCode.INVALID_LOCATION, "an entry has either Location (format 2023-05-09) or "
          + "Region/Latitude/Longitude (format 2015-10-01), not both");
    } else if (location.isPresent()) {
      if (formatVersion.equals(Optional.of(FormatVersion.V2015_10_01))) {
        error(path + "/Location", ProblemCode.INVALID_LOCATION, "Location is the syntax of format 2023-05-09; "
            + "in a 2015-10-01 document write Region or Latitude and Longitude");
      }
      loc = locationObject(location.get(), path + "/Location");
    } else if (old) {
      if (formatVersion.equals(Optional.of(FormatVersion.V2023_05_09))) {
        error(path, ProblemCode.INVALID_LOCATION, "Region/Latitude/Longitude are the syntax of format 2015-10-01; "
            + "in a 2023-05-09 document write a Location object");
      }
      if (region.isPresent() && (latitude.isPresent() || longitude.isPresent())) {
        error(path, ProblemCode.INVALID_LOCATION, "an entry has either Region or Latitude and Longitude, not both");
      } else if (region.isPresent()) {
        String r = string(region.get(), path + "/Region", "Region");
        if (r != null && r.isEmpty()) {
          error(path + "/Region", ProblemCode.INVALID_VALUE, "Region must not be empty");
        } else if (r != null) {
          loc = new GeoproximityLocation.Region(r);
        }
      } else {
        loc = coordinate(latitude, longitude, path);
      }
    } else {
      error(path, ProblemCode.MISSING_MEMBER, formatVersion.equals(Optional.of(FormatVersion.V2023_05_09))
          ? "a geoproximity entry needs a Location" : "a geoproximity entry needs Region or Latitude and Longitude");
    }
    return c.ok && bias != null && loc != null && errorCount() == before
        ? new GeoproximityEntry(c.target(), loc, bias, c.evaluateTargetHealth, c.healthCheck) : null;
  }

  private @Nullable GeoproximityLocation locationObject(Node node, String path) {
    ObjectNode o = object(node, path, "Location");
    if (o == null) {
      return null;
    }
    Members m = new Members(o, path, "a Location");
    Optional<Node> typeNode = m.required("Type");
    String type = typeNode.map(n -> string(n, path + "/Type", "Type")).orElse(null);
    if (type == null) {
      m.allow("Type", "LocationName", "Latitude", "Longitude");
      return null;
    }
    switch (type) {
      case "Region", "LocalZone" -> {
        m.allow("Type", "LocationName");
        String name = m.required("LocationName").map(n -> string(n, path + "/LocationName", "LocationName"))
            .orElse(null);
        if (name == null) {
          return null;
        }
        if (name.isEmpty()) {
          error(path + "/LocationName", ProblemCode.INVALID_VALUE, "LocationName must not be empty");
          return null;
        }
        return type.equals("Region") ? new GeoproximityLocation.Region(name)
            : new GeoproximityLocation.LocalZone(name);
      }
      case "Coordinate" -> {
        m.allow("Type", "Latitude", "Longitude");
        return coordinate(m.optional("Latitude"), m.optional("Longitude"), path);
      }
      default -> {
        m.allow("Type", "LocationName", "Latitude", "Longitude");
        error(path + "/Type", ProblemCode.INVALID_VALUE, "Location Type must be Region, LocalZone or Coordinate "
            + "but was " + quote(type));
        return null;
      }
    }
  }

  private GeoproximityLocation.@Nullable Coordinate coordinate(Optional<Node> latitude, Optional<Node> longitude,
      String path) {
    if (latitude.isEmpty() || longitude.isEmpty()) {
      error(path, ProblemCode.MISSING_MEMBER, "coordinates need both Latitude and Longitude");
      return null;
    }
    BigDecimal lat = degrees(latitude.get(), path + "/Latitude", "Latitude", NINETY);
    BigDecimal lon = degrees(longitude.get(), path + "/Longitude", "Longitude", ONE_EIGHTY);
    return lat == null || lon == null ? null : new GeoproximityLocation.Coordinate(lat, lon);
  }

  // ----- scalars -------------------------------------------------------------------------------------------

  /**
   * The errors so far that concern values (unknown members do not: the part they are in still binds, so that its
   * semantics are checked too).
   */
  private int errorCount() {
    return valueErrors;
  }

  private @Nullable ObjectNode object(Node node, String path, String what) {
    if (node instanceof ObjectNode o) {
      return o;
    }
    error(path, ProblemCode.WRONG_TYPE, capitalize(what) + " must be an object but is " + node.description());
    return null;
  }

  private @Nullable String string(Node node, String path, String name) {
    if (node instanceof ValueNode v && v.kind() == Kind.STRING) {
      return v.text();
    }
    error(path, ProblemCode.WRONG_TYPE, name + " must be a string but is " + node.description());
    return null;
  }

  /** A reference or start: a non-empty string. */
  private static boolean isNull(Node node) {
    return node instanceof ValueNode v && v.kind() == Kind.NULL;
  }

  private @Nullable String id(Node node, String path, String name) {
    String s = string(node, path, name);
    if (s != null && s.isEmpty()) {
      error(path, ProblemCode.INVALID_VALUE, name + " must name an ID but is empty");
      return null;
    }
    return s;
  }

  /** A boolean written as JSON true/false or as the string "true"/"false". */
  private @Nullable Boolean bool(Node node, String path, String name) {
    if (node instanceof ValueNode v) {
      if (v.kind() == Kind.BOOLEAN || v.kind() == Kind.STRING) {
        if (v.text().equals("true")) {
          return true;
        }
        if (v.text().equals("false")) {
          return false;
        }
        error(path, ProblemCode.INVALID_VALUE, name + " must be true or false but was " + quote(v.text()));
        return null;
      }
    }
    error(path, ProblemCode.WRONG_TYPE, name + " must be a boolean (true, false, \"true\" or \"false\") but is "
        + node.description());
    return null;
  }

  /** An integer in [min, max] written as a JSON number or a string of digits. */
  private @Nullable Integer integer(Node node, String path, String name, int min, int max) {
    if (node instanceof ValueNode v && (v.kind() == Kind.NUMBER || v.kind() == Kind.STRING)) {
      if (!INTEGER.matcher(v.text()).matches()) {
        error(path, ProblemCode.INVALID_VALUE, name + " must be an integer in [" + min + ", " + max + "] but was "
            + quote(v.text()));
        return null;
      }
      BigInteger n = new BigInteger(v.text());
      if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
        error(path, ProblemCode.INVALID_VALUE, name + " must be in [" + min + ", " + max + "] but was "
            + JsonTree.abbreviate(v.text()));
        return null;
      }
      return n.intValueExact();
    }
    error(path, ProblemCode.WRONG_TYPE, name + " must be an integer (a number or a string of digits) but is "
        + node.description());
    return null;
  }

  /** Degrees within ±limit, at most two decimals (or truncated to two when coordinates are lenient). */
  private @Nullable BigDecimal degrees(Node node, String path, String name, BigDecimal limit) {
    if (!(node instanceof ValueNode v) || (v.kind() != Kind.STRING && v.kind() != Kind.NUMBER)) {
      error(path, ProblemCode.WRONG_TYPE, name + " must be a decimal string such as \"51.50\" but is "
          + node.description());
      return null;
    }
    String text = v.text();
    if (!DECIMAL.matcher(text).matches()) {
      error(path, ProblemCode.INVALID_VALUE, name + " must be a decimal number of degrees such as \"51.50\" but "
          + "was " + quote(text));
      return null;
    }
    BigDecimal d = new BigDecimal(text);
    if (d.abs().compareTo(limit) > 0) {
      error(path, ProblemCode.INVALID_VALUE, name + " must be in [-" + limit + ", " + limit + "] but was " + text);
      return null;
    }
    if (d.scale() > 2) {
      if (options.lenientCoordinates()) {
        BigDecimal t = d.setScale(2, RoundingMode.DOWN);
        warning(path, ProblemCode.TRUNCATED_COORDINATE, name + " " + text + " has more than two decimals; it is "
            + "truncated to " + t.toPlainString());
        return t;
      }
      error(path, ProblemCode.INVALID_VALUE, name + " must have at most two decimals but was " + text);
      return null;
    }
    return d;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** The members of one object: looked up by name; unknown ones reported by {@link #allow}. */
  private final class Members {
    private final ObjectNode object;
    private final String path;
    private final String what;

    Members(ObjectNode object, String path, String what) {
      this.object = object;
      this.path = path;
      this.what = what;
    }

    /** Reports every member not among {@code names}. */
    void allow(String... names) {
      Set<String> allowed = Set.of(names);
      for (String name : object.members().keySet()) {
        if (!allowed.contains(name)) {
          String message = "\"" + JsonTree.abbreviate(name) + "\" is not a member of " + what + " (expected "
              + String.join(", ", names) + ")";
          if (options.unknownMembersAsWarnings()) {
            warning(Problem.childPointer(path, name), ProblemCode.UNKNOWN_MEMBER, message + "; it is ignored");
          } else {
            error(Problem.childPointer(path, name), ProblemCode.UNKNOWN_MEMBER, message);
          }
        }
      }
    }

    Optional<Node> optional(String name) {
      return Optional.ofNullable(object.members().get(name));
    }

    Optional<Node> required(String name) {
      Node n = object.members().get(name);
      if (n == null) {
        error(path, ProblemCode.MISSING_MEMBER, what + " needs " + name);
      }
      return Optional.ofNullable(n);
    }
  }
}
