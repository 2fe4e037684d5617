package io.github.trafficpolicy.dns.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.GeoproximityRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.PolicyValidator;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.Query;
import io.github.trafficpolicy.engine.TraceStep;
import io.github.trafficpolicy.engine.input.EvaluatorInputs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The console's evaluations of a policy: "try it" (one client, with the trace of every decision tied to the drawn
 * nodes and the path taken) and the map (the entry every country gets from each geolocation rule, and the entry that
 * wins at each point of a 2° grid for each geoproximity rule, bias applied), both by the server's own
 * {@link PolicyEvaluator}, so they answer exactly as the server does.
 */
final class Evaluations {
  /** The grid's cell size in degrees. */
  static final int GRID_STEP = 2;

  private Evaluations() {}

  // ---------------------------------------------------------------- try it

  /**
   * Evaluates {@code doc} for the client of {@code body} ({@code client}, {@code health}, {@code targetHealth},
   * {@code latency}, {@code seed}): the answer as {@code traffic-policy evaluate --json} gives it ({@link AnswerJson}),
   * the client's location (given, or found by the server's geo data), the trace and the nodes along the path taken.
   * Health not overridden is the server's current.
   */
  static ObjectNode tryIt(PolicyEvaluator evaluator, PolicyDocument doc, PolicyBinding binding, JsonNode body) {
    JsonNode client = member(body, "client");
    ClientSubnet subnet = ClientSubnet.parse("0.0.0.0/0");
    Optional<String> address = ConsoleApi.optionalText(client, "address");
    if (address.isPresent()) {
      try {
        subnet = ClientSubnet.parse(address.get().strip());
      } catch (IllegalArgumentException e) {
        throw ConsoleException.invalidInput("/client/address: " + e.getMessage());
      }
    }
    Optional<ClientLocation> given = location(client);
    PolicyEvaluator ev = evaluator;
    JsonNode seed = body.get("seed");
    if (seed != null && !seed.isNull()) {
      if (!seed.canConvertToLong() || !seed.isIntegralNumber()) {
        throw ConsoleException.invalidInput("/seed: must be an integer but was " + seed);
      }
      ev = evaluator.toBuilder().settings(evaluator.settings().toBuilder().seed(seed.longValue()).build()).build();
    }
    HealthSnapshot.Builder health = ev.health().get().toBuilder();
    statuses(body, "health").forEach(health::check);
    statuses(body, "targetHealth").forEach(health::target);
    ClientSubnet located = subnet;
    ClientLocation location = given.orElseGet(() -> address == null ? ClientLocation.UNKNOWN
        : evaluator.geoLocator().locate(located.address()).location());
    Query.Builder query = Query.builder(subnet).health(health.build()).trace(true);
    given.ifPresent(query::location);
    Map<String, Double> latency = latency(body);
    if (!latency.isEmpty()) {
      query.latency(EvaluatorInputs.latency(ClientLatency.of(latency, 0), subnet, location, ev.settings()));
    }
    CompiledPolicy compiled = ev.compile(doc, binding);
    Answer answer = compiled.evaluate(query.build());
    ObjectNode out = Console.JSON.valueToTree(AnswerJson.of(answer));
    out.put("recordName", binding.recordName());
    out.set("location", location(location));
    ArrayNode trace = out.putArray("trace");
    List<String> path = new ArrayList<>();
    for (TraceStep step : answer.trace().steps()) {
      Optional<String> entry = entryNode(doc, step);
      String node = step.kind() == TraceStep.Kind.ENDPOINT ? "endpoint:" + step.subject()
          : entry.orElse(step.rule().isEmpty() ? null : "rule:" + step.rule());
      ObjectNode o = trace.addObject();
      o.put("nodeId", node);
      o.put("path", node == null ? null : pointer(doc, step));
      o.put("message", step.toString().strip());
      o.put("kind", step.kind().name());
      o.put("depth", step.depth());
      switch (step.kind()) {
        case ENTER_RULE -> path.add(node);
        case CHOOSE -> entry.ifPresent(path::add);
        case ENDPOINT -> {
          entry.ifPresent(path::add);
          path.add(node);
        }
        case SKIP -> {
          // A chosen branch that answered nothing (failed closed) is left: it is not on the path any more.
          int at = entry.map(path::indexOf).orElse(-1);
          if (at >= 0) {
            path.subList(at, path.size()).clear();
          }
        }
        default -> { }
      }
    }
    ArrayNode nodes = out.putArray("pathNodes");
    path.stream().distinct().forEach(nodes::add);
    return out;
  }

  private static JsonNode member(JsonNode body, String name) {
    JsonNode n = body.get(name);
    if (n == null || n.isNull()) {
      return Console.JSON.createObjectNode();
    }
    if (!n.isObject()) {
      throw ConsoleException.invalidInput("/" + name + ": must be an object");
    }
    return n;
  }

  private static Optional<ClientLocation> location(JsonNode client) {
    String continent = ConsoleApi.optionalText(client, "continent").orElse(null);
    String country = ConsoleApi.optionalText(client, "country").orElse(null);
    String subdivision = ConsoleApi.optionalText(client, "subdivision").orElse(null);
    Double lat = number(client, "latitude");
    Double lon = number(client, "longitude");
    if ((lat == null) != (lon == null)) {
      throw ConsoleException.invalidInput("/client: latitude and longitude go together");
    }
    if (continent == null && country == null && subdivision == null && lat == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ClientLocation.ofCodes(blankToNull(continent), blankToNull(country),
          blankToNull(subdivision), lat == null ? null : new Coordinates(lat, lon)));
    } catch (IllegalArgumentException e) {
      throw ConsoleException.invalidInput("/client: " + e.getMessage());
    }
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  private static @Nullable Double number(JsonNode o, String name) {
    JsonNode n = o.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isNumber()) {
      throw ConsoleException.invalidInput("/client/" + name + ": must be a number but was " + n);
    }
    return n.doubleValue();
  }

  private static Map<String, HealthStatus> statuses(JsonNode body, String name) {
    Map<String, HealthStatus> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : member(body, name).properties()) {
      String v = e.getValue().isTextual() ? e.getValue().textValue().toUpperCase(Locale.ROOT) : "";
      if (!v.equals("HEALTHY") && !v.equals("UNHEALTHY")) {
        throw ConsoleException.invalidInput(Problem.pointer(name, e.getKey()) + ": must be \"HEALTHY\" or "
            + "\"UNHEALTHY\" but was " + e.getValue());
      }
      if (e.getKey().isEmpty()) {
        throw ConsoleException.invalidInput("/" + name + ": an id must not be empty");
      }
      out.put(e.getKey(), HealthStatus.valueOf(v));
    }
    return out;
  }

  private static Map<String, Double> latency(JsonNode body) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : member(body, "latency").properties()) {
      if (!e.getValue().isNumber() || e.getValue().doubleValue() < 0 || !Double.isFinite(e.getValue().doubleValue())) {
        throw ConsoleException.invalidInput(Problem.pointer("latency", e.getKey()) + ": must be milliseconds (a "
            + "number, 0 or more) but was " + e.getValue());
      }
      out.put(e.getKey(), e.getValue().doubleValue());
    }
    return out;
  }

  /** {@code {"continent", "country", "subdivision", "latitude", "longitude"}}, {@code null} where unknown. */
  static ObjectNode location(ClientLocation l) {
    ObjectNode o = Console.JSON.createObjectNode();
    o.put("continent", l.continent().orElse(null));
    o.put("country", l.country().orElse(null));
    o.put("subdivision", l.subdivision().orElse(null));
    o.put("latitude", l.coordinates().map(Coordinates::latitude).orElse(null));
    o.put("longitude", l.coordinates().map(Coordinates::longitude).orElse(null));
    return o;
  }

  /** The node of the rule entry a step is about, if it is about one. */
  private static Optional<String> entryNode(PolicyDocument doc, TraceStep step) {
    if (step.rule().isEmpty() || step.entry() < 0) {
      return Optional.empty();
    }
    Rule rule = doc.rules().get(RuleId.of(step.rule()));
    if (rule == null || step.entry() >= rule.entries().size()) {
      return Optional.empty();
    }
    return Optional.of(NodeIds.entry(RuleId.of(step.rule()), rule, step.entry()));
  }

  /** The JSON pointer of what a step is about: the entry, else the endpoint or the rule. */
  private static String pointer(PolicyDocument doc, TraceStep step) {
    if (step.kind() == TraceStep.Kind.ENDPOINT) {
      return Problem.pointer("Endpoints", step.subject());
    }
    String rulePath = Problem.pointer("Rules", step.rule());
    Rule rule = doc.rules().get(RuleId.of(step.rule()));
    if (rule != null && step.entry() >= 0 && step.entry() < rule.entries().size()) {
      return PolicyValidator.entryPath(rulePath, rule, step.entry());
    }
    return rulePath;
  }

  // ---------------------------------------------------------------- the map

  /**
   * {@code {"rules": [...]}}: for each geolocation rule, the entry and endpoints every country (ISO 3166-1 alpha-2,
   * and {@code XK}) gets, the rule evaluated on its own at that country (its continent as Route 53 places the country);
   * for each geoproximity rule, its regions (coordinates, region, bias) and the winning entry at the centre of every
   * {@value #GRID_STEP}° cell with the engine's bias formula. Everything is evaluated as if every health check were
   * healthy: the map shows the policy's geography; "try it" shows health at work.
   */
  static ObjectNode map(PolicyEvaluator evaluator, PolicyDocument doc, PolicyBinding binding) {
    ObjectNode root = Console.JSON.createObjectNode();
    ArrayNode rules = root.putArray("rules");
    for (Map.Entry<RuleId, Rule> e : doc.rules().entrySet()) {
      Rule rule = e.getValue();
      if (!(rule instanceof GeolocationRule) && !(rule instanceof GeoproximityRule)) {
        continue;
      }
      RuleId id = e.getKey();
      ObjectNode o = rules.addObject();
      o.put("nodeId", "rule:" + id);
      CompiledPolicy alone;
      try {
        alone = evaluator.compile(doc.toBuilder().startRule(id.value()).build(), binding);
      } catch (RuntimeException ex) {
        // Not reached for a stored (valid) document; said rather than failing the whole map.
        o.put("type", rule instanceof GeolocationRule ? "geolocation" : "geoproximity");
        o.put("error", "cannot be evaluated on its own: " + ex.getMessage());
        continue;
      }
      if (rule instanceof GeolocationRule) {
        o.put("type", "geolocation");
        ObjectNode countries = o.putObject("countries");
        for (String cc : countryCodes()) {
          Answer a = evaluate(alone, ClientLocation.of(null, cc, null, null));
          int chosen = chosen(a, id);
          if (chosen >= 0) {
            ObjectNode c = countries.putObject(cc);
            c.put("nodeId", NodeIds.entry(id, rule, chosen));
            ArrayNode endpoints = c.putArray("endpoints");
            a.endpoints().forEach(x -> endpoints.add(x.toString()));
          }
        }
      } else {
        o.put("type", "geoproximity");
        ArrayNode regions = o.putArray("regions");
        List<? extends GeoproximityEntry> entries = ((GeoproximityRule) rule).entries();
        for (int i = 0; i < entries.size(); i++) {
          GeoproximityEntry g = entries.get(i);
          ObjectNode r = regions.addObject();
          r.put("nodeId", NodeIds.entry(id, rule, i));
          Optional<Coordinates> at = coordinates(evaluator, g.location());
          r.put("latitude", at.map(Coordinates::latitude).orElse(null));
          r.put("longitude", at.map(Coordinates::longitude).orElse(null));
          regionCode(g.location()).ifPresent(code -> r.put("region", code));
          r.put("bias", g.bias());
        }
        int cols = 360 / GRID_STEP;
        int rows = 180 / GRID_STEP;
        ObjectNode grid = o.putObject("grid");
        grid.put("step", GRID_STEP).put("west", -180).put("north", 90).put("cols", cols).put("rows", rows);
        ArrayNode cells = grid.putArray("cells");
        for (int row = 0; row < rows; row++) {
          double lat = 90 - (row + 0.5) * GRID_STEP;
          for (int col = 0; col < cols; col++) {
            double lon = -180 + (col + 0.5) * GRID_STEP;
            cells.add(chosen(evaluate(alone, ClientLocation.of(null, null, null, new Coordinates(lat, lon))), id));
          }
        }
      }
    }
    return root;
  }

  private static Answer evaluate(CompiledPolicy policy, ClientLocation location) {
    return policy.evaluate(Query.builder(ClientSubnet.parse("0.0.0.0/0")).location(location)
        .health(HealthSnapshot.empty()).trace(true).build());
  }

  /** The entry of {@code rule} the evaluation finally chose (the last choice: an earlier one may have failed). */
  private static int chosen(Answer a, RuleId rule) {
    int chosen = -1;
    for (TraceStep s : a.trace().steps()) {
      if (s.kind() == TraceStep.Kind.CHOOSE && s.entry() >= 0 && s.rule().equals(rule.value())) {
        chosen = s.entry();
      }
    }
    return chosen;
  }

  private static Optional<Coordinates> coordinates(PolicyEvaluator evaluator, GeoproximityLocation location) {
    if (location instanceof GeoproximityLocation.Coordinate c) {
      return Optional.of(new Coordinates(c.latitude().doubleValue(), c.longitude().doubleValue()));
    }
    return regionCode(location).flatMap(evaluator.settings().regionCoordinates()::find);
  }

  /** The region or Local Zone code of a location given by one. */
  private static Optional<String> regionCode(GeoproximityLocation location) {
    if (location instanceof GeoproximityLocation.Region r) {
      return Optional.of(r.code());
    }
    if (location instanceof GeoproximityLocation.LocalZone z) {
      return Optional.of(z.code());
    }
    return Optional.empty();
  }

  /** Every ISO 3166-1 alpha-2 country code the JDK knows, and Kosovo's {@code XK} (which Route 53 knows too). */
  static SortedSet<String> countryCodes() {
    TreeSet<String> codes = new TreeSet<>(List.of(Locale.getISOCountries()));
    codes.add("XK");
    return codes;
  }
}
