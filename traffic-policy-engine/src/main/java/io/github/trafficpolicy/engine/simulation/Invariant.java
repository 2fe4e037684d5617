package io.github.trafficpolicy.engine.simulation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.internal.JsonMessages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A statement a {@link Simulation} checks for every network, in the baseline and in the failure cases of the
 * rehearsal, with a counterexample when it fails. Written in a policy test file's {@code invariants} member (next to
 * its {@code cases}):
 *
 * <pre>{@code
 * "invariants": [
 *   { "id": "eu-stays-in-eu", "where": { "continent": "EU" }, "only": ["eu-*"], "failing": "each" },
 *   { "id": "always-answers", "never": ["(no answer)"], "failing": "pairs" },
 *   { "id": "west-capacity", "maxShare": { "us-west": 0.3 }, "failing": "each" }
 * ]
 * }</pre>
 *
 * <ul>
 *   <li>{@code where} (optional): the clients it speaks of — {@code continent}, {@code country},
 *       {@code subdivision}, each optional (all clients when absent);
 *   <li>{@code only}: those clients are answered only by endpoints matching one of these patterns ({@code *} matches
 *       any characters; {@value Simulation#NO_ANSWER} must be listed to allow no answer);
 *   <li>{@code never}: those clients are never answered by an endpoint matching one of these patterns
 *       ({@value Simulation#NO_ANSWER}: they always get an answer);
 *   <li>{@code maxShare}: no endpoint matching the pattern takes more than this share (0 to 1) of all clients;
 *   <li>{@code failing} (default {@code none}): where it is checked besides the baseline — {@code each}: also with
 *       every health check and alias endpoint failing alone; {@code pairs}: also every pair (and any other case the
 *       rehearsal has).
 * </ul>
 *
 * <p>At least one of {@code only}, {@code never} and {@code maxShare} is given; a weighted or multivalue answer
 * violates {@code only} or {@code never} as soon as a forbidden endpoint has any share.
 *
 * @param id names it in reports
 */
public record Invariant(
    String id,
    Optional<String> continent,
    Optional<String> country,
    Optional<String> subdivision,
    ImmutableList<String> only,
    ImmutableList<String> never,
    ImmutableMap<String, Double> maxShare,
    Failing failing) {

  /** Policy test files are JSON with comments and trailing commas (as {@code PolicyTestFile} reads them). */
  private static final ObjectMapper TEST_FILE_JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .build();

  /** Which failure cases an invariant is checked in, besides the baseline. */
  public enum Failing {
    /** The baseline only. */
    NONE,
    /** Every case with one health check or endpoint failing. */
    EACH,
    /** Every case. */
    PAIRS;

    /** Whether a case failing {@code failed} things is checked. */
    boolean covers(int failed) {
      return switch (this) {
        case NONE -> failed == 0;
        case EACH -> failed <= 1;
        case PAIRS -> true;
      };
    }
  }

  public Invariant {
    checkNotNull(id, "id");
    only = ImmutableList.copyOf(only);
    never = ImmutableList.copyOf(never);
    maxShare = ImmutableMap.copyOf(maxShare);
    checkArgument(!only.isEmpty() || !never.isEmpty() || !maxShare.isEmpty(),
        "invariant %s states nothing: give only, never or maxShare", id);
  }

  /** Whether {@code location} is among the clients it speaks of. */
  boolean covers(ClientLocation location) {
    return matches(continent, location.continent()) && matches(country, location.country())
        && matches(subdivision, location.subdivision());
  }

  private static boolean matches(Optional<String> wanted, Optional<String> actual) {
    return wanted.isEmpty() || wanted.equals(actual);
  }

  /** Whether an endpoint (or {@value Simulation#NO_ANSWER}) may answer the clients it speaks of. */
  boolean allows(String endpoint) {
    if (!only.isEmpty() && !anyMatch(only, endpoint)) {
      return false;
    }
    return !anyMatch(never, endpoint);
  }

  static boolean anyMatch(List<String> patterns, String endpoint) {
    for (String p : patterns) {
      if (glob(p, endpoint)) {
        return true;
      }
    }
    return false;
  }

  static boolean glob(String pattern, String endpoint) {
    if (endpoint.equals(Simulation.NO_ANSWER) || pattern.equals(Simulation.NO_ANSWER)) {
      return pattern.equals(endpoint);
    }
    return endpoint.matches(Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote)
        .collect(Collectors.joining(".*")));
  }

  /**
   * The {@code invariants} member of a JSON file (a policy test file); empty when there is none.
   *
   * @throws IllegalArgumentException naming every problem with its JSON path
   * @throws IOException when the file cannot be read or is not JSON
   */
  public static ImmutableList<Invariant> read(Path file) throws IOException {
    JsonNode root;
    try {
      root = TEST_FILE_JSON.readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IOException(JsonMessages.notValidJson(e), e);
    }
    return parse(file.toString(), root == null ? null : root.get("invariants"));
  }

  /** Parses an {@code invariants} array; {@code source} names it in messages. */
  static ImmutableList<Invariant> parse(String source, @Nullable JsonNode array) {
    if (array == null || array.isNull()) {
      return ImmutableList.of();
    }
    List<String> problems = new ArrayList<>();
    List<Invariant> out = new ArrayList<>();
    if (!array.isArray()) {
      throw new IllegalArgumentException(source + ": /invariants: must be an array");
    }
    for (int i = 0; i < array.size(); i++) {
      String at = "/invariants/" + i;
      JsonNode n = array.get(i);
      int before = problems.size();
      if (!n.isObject()) {
        problems.add(at + ": must be an object");
        continue;
      }
      for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!List.of("id", "where", "only", "never", "maxShare", "failing", "comment").contains(name)) {
          problems.add(at + "/" + name + ": unknown member (id, where, only, never, maxShare, failing, comment)");
        }
      }
      String id = n.path("id").isTextual() ? n.get("id").textValue() : "invariant " + i;
      if (n.has("id") && !n.get("id").isTextual()) {
        problems.add(at + "/id: must be a string");
      }
      JsonNode where = n.path("where");
      Optional<String> continent = text(where, "continent", at + "/where", problems);
      Optional<String> country = text(where, "country", at + "/where", problems);
      Optional<String> subdivision = text(where, "subdivision", at + "/where", problems);
      List<String> only = strings(n, "only", at, problems);
      List<String> never = strings(n, "never", at, problems);
      Map<String, Double> maxShare = new LinkedHashMap<>();
      if (n.has("maxShare")) {
        JsonNode m = n.get("maxShare");
        if (!m.isObject()) {
          problems.add(at + "/maxShare: must be an object of endpoint pattern → share");
        } else {
          m.properties().forEach(e -> {
            if (!e.getValue().isNumber() || e.getValue().doubleValue() < 0 || e.getValue().doubleValue() > 1) {
              problems.add(at + "/maxShare/" + e.getKey() + ": must be a number from 0 to 1");
            } else {
              maxShare.put(e.getKey(), e.getValue().doubleValue());
            }
          });
        }
      }
      Failing failing = Failing.NONE;
      if (n.has("failing")) {
        String f = n.get("failing").asText("");
        try {
          failing = Failing.valueOf(f.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          problems.add(at + "/failing: must be none, each or pairs but was '" + f + "'");
        }
      }
      if (only.isEmpty() && never.isEmpty() && maxShare.isEmpty() && problems.size() == before) {
        problems.add(at + ": states nothing: give only, never or maxShare");
      }
      if (problems.size() == before) {
        out.add(new Invariant(id, continent, country, subdivision, ImmutableList.copyOf(only),
            ImmutableList.copyOf(never), ImmutableMap.copyOf(maxShare), failing));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(source + ": " + problems.size() + " invalid invariant"
          + (problems.size() == 1 ? "" : "s") + ":\n  " + String.join("\n  ", problems));
    }
    return ImmutableList.copyOf(out);
  }

  private static Optional<String> text(JsonNode where, String name, String at, List<String> problems) {
    JsonNode v = where.get(name);
    if (v == null) {
      return Optional.empty();
    }
    if (!v.isTextual() || v.textValue().isEmpty()) {
      problems.add(at + "/" + name + ": must be a code such as " + ("continent".equals(name) ? "EU" : "US"));
      return Optional.empty();
    }
    return Optional.of(v.textValue().toUpperCase(Locale.ROOT));
  }

  private static List<String> strings(JsonNode n, String name, String at, List<String> problems) {
    List<String> out = new ArrayList<>();
    JsonNode v = n.get(name);
    if (v == null) {
      return out;
    }
    if (!v.isArray() || v.isEmpty()) {
      problems.add(at + "/" + name + ": must be a non-empty array of endpoint patterns");
      return out;
    }
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isTextual() || v.get(i).textValue().isEmpty()) {
        problems.add(at + "/" + name + "/" + i + ": must be an endpoint pattern (a string)");
      } else {
        out.add(v.get(i).textValue());
      }
    }
    return out;
  }
}
