package io.github.trafficpolicy.engine.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.trafficpolicy.api.Endpoint;
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
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a Route 53 traffic policy document from a Jackson tree into the model, for policy test files. Accepts the
 * token variants real documents use (string or number {@code Weight}/{@code Bias}, string or boolean
 * {@code EvaluateTargetHealth}/{@code IsDefault}, string coordinates) and both geoproximity syntaxes. Errors are
 * {@link IllegalArgumentException}s naming the JSON pointer of the offending member.
 */
final class DocumentReader {
  private DocumentReader() {}

  static PolicyDocument read(JsonNode root, String sourceText) {
    require(root.isObject(), "", "a policy document must be a JSON object");
    String version = text(root, "AWSPolicyFormatVersion", "");
    FormatVersion fv = FormatVersion.fromText(version)
        .orElseThrow(() -> problem("/AWSPolicyFormatVersion", "unknown format version '" + version + "'"));
    String type = text(root, "RecordType", "");
    RecordType rt = RecordType.fromText(type)
        .orElseThrow(() -> problem("/RecordType", "unknown record type '" + type + "'"));
    PolicyDocument.Builder b = PolicyDocument.builder().formatVersion(fv).recordType(rt).sourceText(sourceText);
    JsonNode endpoints = root.path("Endpoints");
    for (Iterator<Map.Entry<String, JsonNode>> it = endpoints.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = "/Endpoints/" + pointer(e.getKey());
      String t = text(e.getValue(), "Type", path);
      EndpointType et = EndpointType.fromText(t)
          .orElseThrow(() -> problem(path + "/Type", "unknown endpoint type '" + t + "'"));
      Optional<String> region = optionalText(e.getValue(), "Region");
      b.endpoint(e.getKey(), new Endpoint(et, text(e.getValue(), "Value", path), region));
    }
    JsonNode rules = root.path("Rules");
    for (Iterator<Map.Entry<String, JsonNode>> it = rules.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      b.rule(e.getKey(), rule(e.getValue(), "/Rules/" + pointer(e.getKey())));
    }
    boolean hasRule = root.has("StartRule");
    boolean hasEndpoint = root.has("StartEndpoint");
    require(hasRule != hasEndpoint, "", "exactly one of StartRule and StartEndpoint is required");
    if (hasRule) {
      b.startRule(text(root, "StartRule", ""));
    } else {
      b.startEndpoint(text(root, "StartEndpoint", ""));
    }
    return b.build();
  }

  private static Rule rule(JsonNode n, String path) {
    String t = text(n, "RuleType", path);
    RuleType type = RuleType.fromText(t).orElseThrow(() -> problem(path + "/RuleType", "unknown rule type '" + t + "'"));
    switch (type) {
      case FAILOVER:
        return new FailoverRule(failover(n.path("Primary"), path + "/Primary"),
            failover(n.path("Secondary"), path + "/Secondary"));
      case GEO: {
        List<GeolocationEntry> l = new ArrayList<>();
        JsonNode a = array(n, "Locations", path);
        for (int i = 0; i < a.size(); i++) {
          JsonNode x = a.get(i);
          String p = path + "/Locations/" + i;
          l.add(new GeolocationEntry(target(x, p), optionalText(x, "Continent"), optionalText(x, "Country"),
              optionalText(x, "Subdivision"), bool(x, "IsDefault", p).orElse(false), bool(x, "EvaluateTargetHealth", p),
              optionalText(x, "HealthCheck").map(HealthCheckId::of)));
        }
        return GeolocationRule.of(l);
      }
      case GEOPROXIMITY: {
        List<GeoproximityEntry> l = new ArrayList<>();
        JsonNode a = array(n, "GeoproximityLocations", path);
        for (int i = 0; i < a.size(); i++) {
          JsonNode x = a.get(i);
          String p = path + "/GeoproximityLocations/" + i;
          l.add(new GeoproximityEntry(target(x, p), location(x, p), integer(x, "Bias", p).orElse(0),
              bool(x, "EvaluateTargetHealth", p), optionalText(x, "HealthCheck").map(HealthCheckId::of)));
        }
        return GeoproximityRule.of(l);
      }
      case LATENCY: {
        List<LatencyEntry> l = new ArrayList<>();
        JsonNode a = array(n, "Regions", path);
        for (int i = 0; i < a.size(); i++) {
          JsonNode x = a.get(i);
          String p = path + "/Regions/" + i;
          l.add(new LatencyEntry(target(x, p), text(x, "Region", p), bool(x, "EvaluateTargetHealth", p),
              optionalText(x, "HealthCheck").map(HealthCheckId::of)));
        }
        return LatencyRule.of(l);
      }
      case WEIGHTED: {
        List<WeightedEntry> l = new ArrayList<>();
        JsonNode a = array(n, "Items", path);
        for (int i = 0; i < a.size(); i++) {
          JsonNode x = a.get(i);
          String p = path + "/Items/" + i;
          l.add(new WeightedEntry(target(x, p), integer(x, "Weight", p)
              .orElseThrow(() -> problem(p + "/Weight", "Weight is required")), bool(x, "EvaluateTargetHealth", p),
              optionalText(x, "HealthCheck").map(HealthCheckId::of)));
        }
        return WeightedRule.of(l);
      }
      case MULTIVALUE: {
        List<MultivalueEntry> l = new ArrayList<>();
        JsonNode a = array(n, "Items", path);
        for (int i = 0; i < a.size(); i++) {
          JsonNode x = a.get(i);
          String p = path + "/Items/" + i;
          l.add(new MultivalueEntry(io.github.trafficpolicy.api.EndpointId.of(text(x, "EndpointReference", p)),
              optionalText(x, "HealthCheck").map(HealthCheckId::of)));
        }
        return MultivalueAnswerRule.of(l);
      }
    }
    throw new AssertionError(type);
  }

  private static FailoverEntry failover(JsonNode x, String p) {
    require(x.isObject(), p, "required");
    return new FailoverEntry(target(x, p), bool(x, "EvaluateTargetHealth", p),
        optionalText(x, "HealthCheck").map(HealthCheckId::of));
  }

  private static GeoproximityLocation location(JsonNode x, String p) {
    if (x.has("Location")) {
      JsonNode l = x.get("Location");
      String type = text(l, "Type", p + "/Location");
      switch (type) {
        case "Region":
          return new GeoproximityLocation.Region(text(l, "LocationName", p + "/Location"));
        case "LocalZone":
          return new GeoproximityLocation.LocalZone(text(l, "LocationName", p + "/Location"));
        case "Coordinate":
          return coordinate(l, p + "/Location");
        default:
          throw problem(p + "/Location/Type", "unknown location type '" + type + "'");
      }
    }
    if (x.has("Region")) {
      return new GeoproximityLocation.Region(text(x, "Region", p));
    }
    return coordinate(x, p);
  }

  private static GeoproximityLocation coordinate(JsonNode x, String p) {
    try {
      return new GeoproximityLocation.Coordinate(new BigDecimal(text(x, "Latitude", p)),
          new BigDecimal(text(x, "Longitude", p)));
    } catch (NumberFormatException e) {
      throw problem(p, "coordinates must be decimal numbers");
    }
  }

  private static Target target(JsonNode x, String p) {
    boolean e = x.has("EndpointReference");
    boolean r = x.has("RuleReference");
    require(e != r, p, "exactly one of EndpointReference and RuleReference is required");
    return e ? Target.endpoint(text(x, "EndpointReference", p)) : Target.rule(text(x, "RuleReference", p));
  }

  private static JsonNode array(JsonNode n, String name, String path) {
    JsonNode a = n.path(name);
    require(a.isArray(), path + "/" + name, "must be an array");
    return a;
  }

  private static String text(JsonNode n, String name, String path) {
    JsonNode v = n.path(name);
    require(v.isValueNode() && !v.isNull(), path + "/" + name, "required");
    return v.asText();
  }

  private static Optional<String> optionalText(JsonNode n, String name) {
    JsonNode v = n.path(name);
    return v.isValueNode() && !v.isNull() ? Optional.of(v.asText()) : Optional.empty();
  }

  private static Optional<Boolean> bool(JsonNode n, String name, String path) {
    JsonNode v = n.path(name);
    if (v.isMissingNode() || v.isNull()) {
      return Optional.empty();
    }
    if (v.isBoolean()) {
      return Optional.of(v.booleanValue());
    }
    String s = v.asText();
    require(s.equals("true") || s.equals("false"), path + "/" + name, "must be true or false but was '" + s + "'");
    return Optional.of(Boolean.parseBoolean(s));
  }

  private static Optional<Integer> integer(JsonNode n, String name, String path) {
    JsonNode v = n.path(name);
    if (v.isMissingNode() || v.isNull()) {
      return Optional.empty();
    }
    if (v.isIntegralNumber()) {
      return Optional.of(v.intValue());
    }
    String s = v.asText();
    require(s.matches("[-+]?[0-9]{1,9}"), path + "/" + name, "must be an integer but was '" + s + "'");
    return Optional.of(Integer.parseInt(s));
  }

  private static String pointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static void require(boolean ok, String path, String message) {
    if (!ok) {
      throw problem(path, message);
    }
  }

  private static IllegalArgumentException problem(String path, String message) {
    return new IllegalArgumentException((path.isEmpty() ? "/" : path) + ": " + message);
  }
}
