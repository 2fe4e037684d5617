package io.github.trafficpolicy.engine.testing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.internal.JsonMessages;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A <em>policy test file</em> ({@code *.expect.json}): a policy document (a sibling file) plus client situations
 * and the answers expected for them. The format:
 *
 * <pre>{@code
 * { "policy": "04-geo-latency-failover.json",          // the document, relative to this file
 *   "policyRecordName": "www.example.com",
 *   "assumptions": { "locationCoordinates": { "aws:route53:eu-west-1": [53.35, -6.26] } },
 *   "cases": [ { "id": "wa-all-healthy",
 *                "client": { "continent": "NA", "country": "US", "subdivision": "WA",
 *                            "latitude": 47.6, "longitude": -122.3, "unknownLocation": false },
 *                "latencyMs": { "us-west-2": 20, "us-east-1": 70 },
 *                "healthChecks": { "<id>": "HEALTHY" | "UNHEALTHY" },      // absent: healthy
 *                "targetHealth": { "<endpoint id>": "HEALTHY" | "UNHEALTHY" }, // absent: healthy
 *                "expect": { "rcode": "NOERROR", "endpoint": "usw2-primary-elb", "answer": ["192.0.2.1"] }
 *                // or "endpointDistribution": {"blue": 0.75, "green": 0.25}
 *                // or "endpointSet": {"exactly": [...]} / {"subsetOf": [...], "minSize", "maxSize", "expectedSize"}
 *                // or "noAnswer": true
 *              } ] }
 * }</pre>
 *
 * Other members ({@code summary}, {@code trace}, {@code sources}, {@code uncertaintyNote} …) are annotations.
 *
 * @param name the file's name (for reports)
 * @param policyFile the {@code policy} member as written
 * @param document the policy document it names
 * @param policyRecordName the DNS name of the policy record
 * @param locationCoordinates {@code assumptions.locationCoordinates}: coordinates overriding the evaluator's region
 *     and local zone coordinates for this file, keyed as written ({@code aws:route53:eu-west-1})
 * @param cases the cases, in file order
 */
public record PolicyTestFile(
    String name,
    String policyFile,
    PolicyDocument document,
    String policyRecordName,
    ImmutableMap<String, Coordinates> locationCoordinates,
    ImmutableList<Case> cases) {

  /** JSON with {@code //} and {@code /* *}{@code /} comments and trailing commas, as the server configuration. */
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .build();

  public PolicyTestFile {
    checkNotNull(name, "name");
    checkNotNull(policyFile, "policyFile");
    checkNotNull(document, "document");
    checkNotNull(policyRecordName, "policyRecordName");
    locationCoordinates = ImmutableMap.copyOf(locationCoordinates);
    cases = ImmutableList.copyOf(cases);
  }

  /** Reads a test file and the policy document it names (relative to the file). */
  public static PolicyTestFile read(Path file) {
    checkNotNull(file, "file");
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      return parse(file.getFileName().toString(), text, policy -> {
        try {
          return Files.readString(file.resolveSibling(policy), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException("/policy: " + IoMessages.cannotRead(file.resolveSibling(policy), e), e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(IoMessages.cannotRead(file, e), e);
    }
  }

  /** Reads a test file and the policy document it names from URLs (e.g. class path resources inside a jar). */
  public static PolicyTestFile read(URL file) {
    checkNotNull(file, "file");
    String path = file.getPath();
    String name = path.substring(path.lastIndexOf('/') + 1);
    return parse(name, fetch(file), policy -> {
      try {
        return fetch(new URL(file, policy));
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("/policy: not a relative file name: " + policy, e);
      }
    });
  }

  private static String fetch(URL url) {
    try (InputStream in = url.openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(IoMessages.cannotRead(url, e), e);
    }
  }

  /**
   * Parses a test file's text; {@code policyLoader} returns the text of the policy document named by its
   * {@code policy} member. Throws {@link IllegalArgumentException} naming the JSON pointer of the first problem.
   */
  public static PolicyTestFile parse(String name, String text, java.util.function.Function<String, String> policyLoader) {
    checkNotNull(name, "name");
    checkNotNull(text, "text");
    checkNotNull(policyLoader, "policyLoader");
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(name + ": " + JsonMessages.notValidJson(e), e);
    }
    try {
      require(root != null && root.isObject(), "", "a policy test file must be a JSON object");
      String policy = string(root, "policy", "");
      String policyText = policyLoader.apply(policy);
      PolicyDocument document;
      try {
        document = PolicyDocumentJson.read(policyText);
      } catch (InvalidPolicyException e) {
        throw new IllegalArgumentException("/policy: " + policy + " is not a valid policy document:\n"
            + e.getMessage(), e);
      }
      String recordName = root.has("policyRecordName") ? string(root, "policyRecordName", "") : "www.example.com";
      Map<String, Coordinates> coordinates = new LinkedHashMap<>();
      JsonNode lc = root.path("assumptions").path("locationCoordinates");
      for (Map.Entry<String, JsonNode> e : lc.properties()) {
        String p = "/assumptions/locationCoordinates/" + e.getKey();
        JsonNode v = e.getValue();
        require(v.isArray() && v.size() == 2 && v.get(0).isNumber() && v.get(1).isNumber(), p,
            "must be [latitude, longitude]");
        coordinates.put(e.getKey(), coordinates(v.get(0).doubleValue(), v.get(1).doubleValue(), p));
      }
      JsonNode cs = root.path("cases");
      require(cs.isArray(), "/cases", "must be an array");
      ImmutableList.Builder<Case> cases = ImmutableList.builder();
      for (int i = 0; i < cs.size(); i++) {
        cases.add(testCase(cs.get(i), "/cases/" + i));
      }
      return new PolicyTestFile(name, policy, document, recordName, ImmutableMap.copyOf(coordinates),
          cases.build());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  private static Case testCase(JsonNode c, String p) {
    require(c.isObject(), p, "a case must be an object");
    String id = string(c, "id", p);
    JsonNode cl = c.path("client");
    ClientLocation location;
    if (cl.path("unknownLocation").asBoolean(false)) {
      location = ClientLocation.UNKNOWN;
    } else {
      Coordinates coordinates = null;
      if (cl.has("latitude") || cl.has("longitude")) {
        require(cl.path("latitude").isNumber() && cl.path("longitude").isNumber(), p + "/client",
            "latitude and longitude must both be numbers");
        coordinates = coordinates(cl.get("latitude").doubleValue(), cl.get("longitude").doubleValue(),
            p + "/client");
      }
      location = ClientLocation.of(optional(cl, "continent").orElse(null), optional(cl, "country").orElse(null),
          optional(cl, "subdivision").orElse(null), coordinates);
    }
    Map<String, Double> latency = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : c.path("latencyMs").properties()) {
      require(e.getValue().isNumber() && e.getValue().doubleValue() >= 0, p + "/latencyMs/" + e.getKey(),
          "must be a non-negative number");
      latency.put(e.getKey(), e.getValue().doubleValue());
    }
    JsonNode ex = c.path("expect");
    require(ex.isObject(), p + "/expect", "required");
    return new Case(id, location, c.has("latencyMs") ? Optional.of(ImmutableMap.copyOf(latency)) : Optional.empty(),
        statuses(c.path("healthChecks"), p + "/healthChecks"), statuses(c.path("targetHealth"), p + "/targetHealth"),
        expectation(ex, p + "/expect"), c.path("uncertain").asBoolean(false));
  }

  private static Expectation expectation(JsonNode ex, String p) {
    String rcode = ex.has("rcode") ? string(ex, "rcode", p) : "NOERROR";
    int shapes = (ex.has("endpoint") ? 1 : 0) + (ex.has("endpointDistribution") ? 1 : 0)
        + (ex.has("endpointSet") ? 1 : 0) + (ex.path("noAnswer").asBoolean(false) ? 1 : 0);
    require(shapes == 1, p, "needs exactly one of endpoint, endpointDistribution, endpointSet, noAnswer");
    Optional<ImmutableList<String>> answer = Optional.empty();
    if (ex.has("answer")) {
      require(ex.get("answer").isArray(), p + "/answer", "must be an array of strings");
      ImmutableList.Builder<String> b = ImmutableList.builder();
      ex.get("answer").forEach(a -> b.add(a.asText()));
      answer = Optional.of(b.build());
    }
    Optional<ImmutableMap<String, Double>> distribution = Optional.empty();
    if (ex.has("endpointDistribution")) {
      Map<String, Double> d = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : ex.get("endpointDistribution").properties()) {
        require(e.getValue().isNumber(), p + "/endpointDistribution/" + e.getKey(), "must be a number");
        d.put(e.getKey(), e.getValue().doubleValue());
      }
      require(!d.isEmpty(), p + "/endpointDistribution", "must not be empty");
      distribution = Optional.of(ImmutableMap.copyOf(d));
    }
    Optional<EndpointSet> set = Optional.empty();
    if (ex.has("endpointSet")) {
      JsonNode s = ex.get("endpointSet");
      set = Optional.of(new EndpointSet(names(s, "exactly", p + "/endpointSet"), names(s, "subsetOf",
          p + "/endpointSet"), size(s, "minSize", p), size(s, "maxSize", p), size(s, "expectedSize", p)));
    }
    return new Expectation(rcode, ex.has("endpoint") ? Optional.of(string(ex, "endpoint", p)) : Optional.empty(),
        answer, distribution, set, ex.path("noAnswer").asBoolean(false));
  }

  private static Optional<ImmutableSet<String>> names(JsonNode s, String name, String p) {
    if (!s.has(name)) {
      return Optional.empty();
    }
    require(s.get(name).isArray(), p + "/" + name, "must be an array of endpoint ids");
    ImmutableSet.Builder<String> b = ImmutableSet.builder();
    s.get(name).forEach(n -> b.add(n.asText()));
    return Optional.of(b.build());
  }

  private static OptionalInt size(JsonNode s, String name, String p) {
    if (!s.has(name)) {
      return OptionalInt.empty();
    }
    require(s.get(name).isInt() && s.get(name).intValue() >= 0, p + "/endpointSet/" + name,
        "must be a non-negative integer");
    return OptionalInt.of(s.get(name).intValue());
  }

  private static ImmutableMap<String, HealthStatus> statuses(JsonNode n, String p) {
    Map<String, HealthStatus> m = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      String v = e.getValue().asText();
      require(v.equals("HEALTHY") || v.equals("UNHEALTHY"), p + "/" + e.getKey(),
          "must be HEALTHY or UNHEALTHY but was '" + v + "'");
      m.put(e.getKey(), HealthStatus.valueOf(v));
    }
    return ImmutableMap.copyOf(m);
  }

  private static Coordinates coordinates(double lat, double lon, String p) {
    require(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180, p, "coordinates out of range: " + lat + ", " + lon);
    return new Coordinates(lat, lon);
  }

  private static String string(JsonNode n, String name, String p) {
    JsonNode v = n.path(name);
    require(v.isTextual(), p + "/" + name, "must be a string");
    return v.asText();
  }

  private static Optional<String> optional(JsonNode n, String name) {
    JsonNode v = n.path(name);
    return v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
  }

  private static void require(boolean ok, String path, String message) {
    if (!ok) {
      throw new IllegalArgumentException((path.isEmpty() ? "/" : path) + ": " + message);
    }
  }

  /**
   * One client situation and its expected answer.
   *
   * @param id the case id
   * @param location where the client is ({@link ClientLocation#UNKNOWN} for {@code unknownLocation})
   * @param latencyMs latency from the client per region, when given
   * @param healthChecks effective health check statuses (checks not listed are healthy)
   * @param targetHealth alias target health by endpoint id (endpoints not listed are healthy)
   * @param expect the expected answer
   * @param uncertain whether the expectation rests on an inferred step (annotation)
   */
  public record Case(
      String id,
      ClientLocation location,
      Optional<ImmutableMap<String, Double>> latencyMs,
      ImmutableMap<String, HealthStatus> healthChecks,
      ImmutableMap<String, HealthStatus> targetHealth,
      Expectation expect,
      boolean uncertain) {
    public Case {
      checkNotNull(id, "id");
      checkNotNull(location, "location");
      checkNotNull(latencyMs, "latencyMs (use Optional.empty())");
      healthChecks = ImmutableMap.copyOf(healthChecks);
      targetHealth = ImmutableMap.copyOf(targetHealth);
      checkNotNull(expect, "expect");
    }
  }

  /**
   * An expected answer: exactly one of {@link #endpoint}, {@link #endpointDistribution}, {@link #endpointSet} and
   * {@link #noAnswer} is set.
   *
   * @param rcode the DNS response code ({@code NOERROR}; no data is {@code NOERROR} with an empty answer)
   * @param endpoint the one endpoint every client gets
   * @param answer the literal record data of that endpoint, in order, when given
   * @param endpointDistribution the share of clients per endpoint of a weighted choice
   * @param endpointSet constraints on the set of endpoints of a multivalue answer
   * @param noAnswer whether the answer is empty (NODATA)
   */
  public record Expectation(
      String rcode,
      Optional<String> endpoint,
      Optional<ImmutableList<String>> answer,
      Optional<ImmutableMap<String, Double>> endpointDistribution,
      Optional<EndpointSet> endpointSet,
      boolean noAnswer) {
    public Expectation {
      checkNotNull(rcode, "rcode");
      checkNotNull(endpoint, "endpoint (use Optional.empty())");
      checkNotNull(answer, "answer (use Optional.empty())");
      checkNotNull(endpointDistribution, "endpointDistribution (use Optional.empty())");
      checkNotNull(endpointSet, "endpointSet (use Optional.empty())");
      int shapes = (endpoint.isPresent() ? 1 : 0) + (endpointDistribution.isPresent() ? 1 : 0)
          + (endpointSet.isPresent() ? 1 : 0) + (noAnswer ? 1 : 0);
      checkArgument(shapes == 1, "an expectation needs exactly one shape but had %s", shapes);
    }

    /** E.g. {@code NOERROR endpoint use1-primary-elb [192.0.2.10]}. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(rcode);
      endpoint.ifPresent(e -> sb.append(" endpoint ").append(e));
      answer.ifPresent(a -> sb.append(' ').append(a));
      endpointDistribution.ifPresent(d -> sb.append(" distribution ").append(d));
      endpointSet.ifPresent(s -> sb.append(' ').append(s));
      if (noAnswer) {
        sb.append(" no answer");
      }
      return sb.toString();
    }
  }

  /**
   * Constraints on a multivalue answer's endpoints.
   *
   * @param exactly the answer is exactly these endpoints
   * @param subsetOf every endpoint of the answer is one of these
   * @param minSize at least this many endpoints
   * @param maxSize at most this many endpoints
   * @param expectedSize exactly this many endpoints (with the default multivalue maximum of 8)
   */
  public record EndpointSet(
      Optional<ImmutableSet<String>> exactly,
      Optional<ImmutableSet<String>> subsetOf,
      OptionalInt minSize,
      OptionalInt maxSize,
      OptionalInt expectedSize) {
    public EndpointSet {
      checkNotNull(exactly, "exactly");
      checkNotNull(subsetOf, "subsetOf");
      checkNotNull(minSize, "minSize");
      checkNotNull(maxSize, "maxSize");
      checkNotNull(expectedSize, "expectedSize");
    }

    /** E.g. {@code set subsetOf [a, b, c] size 1..8 expected 8}. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder("set");
      exactly.ifPresent(e -> sb.append(" exactly ").append(e));
      subsetOf.ifPresent(e -> sb.append(" subsetOf ").append(e));
      if (minSize.isPresent() || maxSize.isPresent()) {
        sb.append(" size ").append(minSize.isPresent() ? minSize.getAsInt() : 0).append("..")
            .append(maxSize.isPresent() ? String.valueOf(maxSize.getAsInt()) : "");
      }
      expectedSize.ifPresent(s -> sb.append(" expected ").append(s));
      return sb.toString();
    }
  }
}
