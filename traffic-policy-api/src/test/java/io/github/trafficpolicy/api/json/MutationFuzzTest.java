package io.github.trafficpolicy.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.ProblemCode;
import io.github.trafficpolicy.testing.PolicyGenerator;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of valid documents (deleted members, wrong types, swapped token types, renamed and duplicated
 * members, truncation, garbage bytes, deep nesting) only ever give a document or {@link InvalidPolicyException},
 * never another exception; {@code check} agrees with {@code read}; every problem has a JSON-pointer path.
 */
final class MutationFuzzTest {
  private static final long SEED = 0xF0221_2026L;
  private static final int CASES = 3000;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void mutatedDocument_givesDocumentOrInvalidPolicyException() throws JsonProcessingException {
    int valid = 0;
    int invalid = 0;
    for (int i = 0; i < CASES; i++) {
      long seed = SEED + i;
      SplittableRandom random = new SplittableRandom(seed);
      PolicyDocument d = new PolicyGenerator(random, PolicyGenerator.Settings.defaults()
          .withMaxDepth(1 + random.nextInt(PolicyGenerator.MAX_DEPTH)).withMaxEntries(4)).document();
      String text = random.nextBoolean() ? PolicyDocumentJson.write(d) : StyledWriter.write(d, random);
      int mutations = 1 + random.nextInt(3);
      for (int m = 0; m < mutations; m++) {
        text = mutate(text, random);
      }
      if (exercise(seed, text, text.getBytes(StandardCharsets.UTF_8))) {
        valid++;
      } else {
        invalid++;
      }
    }
    // The mutations must produce both outcomes, or the test would prove little.
    assertThat(valid).isGreaterThan(CASES / 50);
    assertThat(invalid).isGreaterThan(CASES / 2);
  }

  @Test
  void garbageBytes_givesDocumentOrInvalidPolicyException() {
    for (int i = 0; i < 500; i++) {
      long seed = SEED - i;
      SplittableRandom random = new SplittableRandom(seed);
      byte[] bytes = PolicyDocumentJson.write(new PolicyGenerator(random).document())
          .getBytes(StandardCharsets.UTF_8);
      int n = 1 + random.nextInt(8);
      for (int k = 0; k < n; k++) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      exercise(seed, new String(bytes, StandardCharsets.UTF_8), bytes);
    }
  }

  /** Runs every entry point; returns whether the text is valid. */
  private static boolean exercise(long seed, String text, byte[] bytes) {
    PolicyCheck check;
    try {
      check = PolicyDocumentJson.check(text);
      PolicyDocumentJson.check(new ByteArrayInputStream(bytes));
      PolicyDocumentJson.check(new StringReader(text));
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("seed " + seed + ": check threw " + e + " for:\n" + text, e);
    }
    for (Problem p : check.problems()) {
      assertThat(p.path()).as("seed %s, %s", seed, p).matches("(/[^/]*)*");
      assertThat(p.message()).as("seed %s", seed).isNotBlank();
    }
    try {
      PolicyDocument d = PolicyDocumentJson.read(text);
      assertThat(check.isValid()).as("seed %s: read succeeded but check said %s", seed, check.problems()).isTrue();
      assertThat(PolicyDocumentJson.write(d)).isEqualTo(text);
      assertThat(PolicyDocumentJson.read(PolicyDocumentJson.writeCanonical(d))).as("seed %s", seed).isEqualTo(d);
      return true;
    } catch (InvalidPolicyException e) {
      assertThat(check.isValid()).as("seed %s", seed).isFalse();
      assertThat(e.problems()).as("seed %s", seed).isEqualTo(check.problems());
      return false;
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("seed " + seed + ": read threw " + e + " for:\n" + text, e);
    }
  }

  private static String mutate(String text, SplittableRandom random) throws JsonProcessingException {
    int kind = random.nextInt(12);
    if (kind < 6) {
      JsonNode root;
      try {
        root = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        return textMutation(text, random, random.nextInt(6));
      }
      List<JsonNode> containers = new ArrayList<>();
      collect(root, containers);
      if (containers.isEmpty()) {
        return textMutation(text, random, random.nextInt(6));
      }
      JsonNode target = containers.get(random.nextInt(containers.size()));
      treeMutation(target, random, kind);
      return random.nextBoolean() ? MAPPER.writeValueAsString(root) : MAPPER.writerWithDefaultPrettyPrinter()
          .writeValueAsString(root);
    }
    return textMutation(text, random, kind - 6);
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.forEach(child -> collect(child, out));
    }
  }

  private static final List<JsonNode> ODD_VALUES = List.of(NODES.textNode("x"), NODES.textNode(""),
      NODES.numberNode(7), NODES.numberNode(-1), NODES.numberNode(256), NODES.numberNode(1.5),
      NODES.numberNode(1e300), NODES.booleanNode(true), NODES.nullNode(), NODES.arrayNode(), NODES.objectNode(),
      NODES.textNode("true"), NODES.textNode("300"), NODES.textNode("12.345"), NODES.textNode("aws:route53:x"),
      NODES.textNode("*"), NODES.textNode("-"), NODES.textNode("value"), NODES.textNode("geo"),
      NODES.textNode("2023-05-09"), NODES.textNode("2015-10-01"));

  private static final List<String> NAMES = List.of("Type", "Value", "Region", "RuleType", "Items", "Locations",
      "Regions", "GeoproximityLocations", "Primary", "Secondary", "EndpointReference", "RuleReference", "Weight",
      "Bias", "IsDefault", "Continent", "Country", "Subdivision", "Latitude", "Longitude", "Location",
      "LocationName", "EvaluateTargetHealth", "HealthCheck", "StartRule", "StartEndpoint", "Unknown");

  private static void treeMutation(JsonNode target, SplittableRandom random, int kind) {
    if (target instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String name = names.isEmpty() ? null : names.get(random.nextInt(names.size()));
      switch (kind) {
        case 0 -> {
          if (name != null) {
            o.remove(name);
          }
        }
        case 1 -> {
          if (name != null) {
            o.set(name, ODD_VALUES.get(random.nextInt(ODD_VALUES.size())).deepCopy());
          }
        }
        case 2 -> {
          if (name != null) {
            o.set(name, swapTokenType(o.get(name)));
          }
        }
        case 3 -> o.set(NAMES.get(random.nextInt(NAMES.size())), ODD_VALUES.get(random.nextInt(ODD_VALUES.size()))
            .deepCopy());
        case 4 -> {
          if (name != null) {
            // Reference another ID, or a rule instead of an endpoint.
            JsonNode v = o.get(name);
            if (v.isTextual() && name.endsWith("Reference")) {
              o.remove(name);
              o.set(name.startsWith("Rule") ? "EndpointReference" : "RuleReference", v);
            } else {
              o.set(name, NODES.textNode(name));
            }
          }
        }
        default -> {
          Iterator<Map.Entry<String, JsonNode>> it = o.fields();
          if (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            o.set(e.getKey() + (random.nextBoolean() ? "" : "x"), e.getValue().deepCopy());
          }
        }
      }
    } else if (target instanceof ArrayNode a && !a.isEmpty()) {
      int i = random.nextInt(a.size());
      switch (kind % 3) {
        case 0 -> a.remove(i);
        case 1 -> a.add(a.get(i).deepCopy());
        default -> a.set(i, ODD_VALUES.get(random.nextInt(ODD_VALUES.size())).deepCopy());
      }
    }
  }

  private static JsonNode swapTokenType(JsonNode v) {
    if (v.isTextual()) {
      String s = v.asText();
      if (s.equals("true") || s.equals("false")) {
        return NODES.booleanNode(Boolean.parseBoolean(s));
      }
      try {
        return NODES.numberNode(new BigDecimal(s));
      } catch (NumberFormatException e) {
        return NODES.arrayNode().add(s);
      }
    }
    if (v.isNumber() || v.isBoolean()) {
      return NODES.textNode(v.asText());
    }
    return NODES.textNode(v.toString());
  }

  private static String textMutation(String text, SplittableRandom random, int kind) {
    if (text.isEmpty()) {
      return "{";
    }
    int at = random.nextInt(text.length());
    return switch (kind) {
      case 0 -> text.substring(0, at); // truncation
      case 1 -> text.substring(0, at) + garbage(random) + text.substring(at);
      case 2 -> text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(20)));
      case 3 -> { // duplicate a line: duplicate members or broken commas
        String[] lines = text.split("\n", -1);
        int l = random.nextInt(lines.length);
        List<String> out = new ArrayList<>(List.of(lines));
        out.add(l, lines[l]);
        yield String.join("\n", out);
      }
      case 4 -> "[".repeat(random.nextInt(50, 5000)) + text; // deep nesting
      default -> { // swap one structural character for another
        String structural = "{}[],:\"";
        int i = text.indexOf(structural.charAt(random.nextInt(structural.length())), at);
        yield i < 0 ? text : text.substring(0, i) + structural.charAt(random.nextInt(structural.length()))
            + text.substring(i + 1);
      }
    };
  }

  private static String garbage(SplittableRandom random) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + random.nextInt(6);
    for (int i = 0; i < n; i++) {
      sb.append((char) random.nextInt(random.nextBoolean() ? 128 : 0xFFFF));
    }
    return sb.toString();
  }

  @Test
  void hugeDocument_tooLarge_isReportedWithoutParsingEverything() {
    String text = "{\"AWSPolicyFormatVersion\":\"2015-10-01\",\"X\":\"" + "a".repeat(PolicyDocument.MAX_LENGTH) + "\"}";
    PolicyCheck c = PolicyDocumentJson.check(text);
    assertThat(c.errors()).extracting(Problem::code).contains(ProblemCode.DOCUMENT_TOO_LARGE);
    byte[] huge = new byte[40 * PolicyDocument.MAX_LENGTH];
    Arrays.fill(huge, (byte) '[');
    PolicyCheck h = PolicyDocumentJson.check(new ByteArrayInputStream(huge));
    assertThat(h.errors()).extracting(Problem::code)
        .containsExactly(ProblemCode.DOCUMENT_TOO_LARGE);
    if (h.isValid()) {
      fail("a huge document cannot be valid");
    }
  }

  @Test
  void hugeText_farOverTheLimit_notParsedAtAll() {
    // 40 times the limit of nested arrays: parsing would report nesting; refused before parsing, it reports size only.
    String text = "[".repeat(40 * PolicyDocument.MAX_LENGTH);
    assertThat(PolicyDocumentJson.check(text).errors()).extracting(Problem::code)
        .containsExactly(ProblemCode.DOCUMENT_TOO_LARGE);
  }
}
