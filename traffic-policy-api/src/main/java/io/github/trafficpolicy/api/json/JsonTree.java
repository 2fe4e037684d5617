package io.github.trafficpolicy.api.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.ProblemCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A JSON text parsed into a small order-preserving tree that remembers where each value starts, reporting
 * malformed JSON (with line and column) and duplicate members as {@link Problem}s instead of throwing.
 */
final class JsonTree {
  /** Nesting allowed in a document; a valid one needs 7 levels. Deeper input is rejected, never recursed into. */
  static final int MAX_NESTING = 64;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .disable(JsonFactory.Feature.INTERN_FIELD_NAMES) // names come from untrusted input
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
      .build();

  /** Where a value starts: 1-based line and column, and the character offset for ordering. */
  record Position(int line, int column, long offset) {}

  /** A JSON value. */
  sealed interface Node permits ObjectNode, ArrayNode, ValueNode {
    Position position();

    /** "an object", "a string" … for messages. */
    String description();
  }

  /** An object; members in order, the first of duplicated members kept. */
  record ObjectNode(Position position, Map<String, Node> members) implements Node {
    @Override
    public String description() {
      return "an object";
    }
  }

  /** An array. */
  record ArrayNode(Position position, List<Node> items) implements Node {
    @Override
    public String description() {
      return "an array";
    }
  }

  /** The kinds of scalar. */
  enum Kind {
    STRING("a string"),
    NUMBER("a number"),
    BOOLEAN("a boolean"),
    NULL("null");

    final String description;

    Kind(String description) {
      this.description = description;
    }
  }

  /** A scalar: its kind and its text (string contents, the number literal as written, true/false/null). */
  record ValueNode(Position position, Kind kind, String text) implements Node {
    @Override
    public String description() {
      return kind == Kind.STRING ? "the string \"" + abbreviate(text) + "\"" : kind.description + " (" + text + ")";
    }
  }

  /** The result of a parse: the root if the text is well-formed, the problems, and each path's position. */
  record Parsed(Optional<Node> root, List<Problem> problems, Map<String, Long> offsets) {}

  private final List<Problem> problems = new ArrayList<>();
  private final Map<String, Long> offsets = new HashMap<>();

  private JsonTree() {}

  /** Parses {@code text}; never throws for any input. */
  static Parsed parse(String text) {
    JsonTree tree = new JsonTree();
    Optional<Node> root = tree.run(text);
    return new Parsed(root, tree.problems, tree.offsets);
  }

  private Optional<Node> run(String text) {
    if (text.startsWith("\uFEFF")) {
      // RFC 8259 §8.1 lets parsers ignore a byte order mark; Route 53's handling is unknown, so it is an error.
      problems.add(Problem.error("", ProblemCode.MALFORMED_JSON, "the document starts with a byte order mark "
          + "(U+FEFF) at line 1, column 1; save it as UTF-8 without BOM"));
      return Optional.empty();
    }
    try (JsonParser p = FACTORY.createParser(text)) {
      try {
        JsonToken first = p.nextToken();
        if (first == null) {
          problems.add(Problem.error("", ProblemCode.MALFORMED_JSON, "the document is empty (line 1, column 1)"));
          return Optional.empty();
        }
        Node root = value(p, "");
        JsonToken extra = p.nextToken();
        if (extra != null) {
          JsonLocation l = p.currentTokenLocation();
          problems.add(Problem.error("", ProblemCode.MALFORMED_JSON, "unexpected content after the document at line "
              + l.getLineNr() + ", column " + l.getColumnNr()));
          return Optional.empty();
        }
        return Optional.of(root);
      } catch (JsonProcessingException e) {
        JsonLocation l = e.getLocation() != null ? e.getLocation() : p.currentLocation();
        String path = pathOf(p);
        String message = e.getOriginalMessage();
        if (message != null && message.startsWith("Document nesting depth")) {
          message = "values are nested deeper than " + MAX_NESTING + " levels";
        }
        problems.add(Problem.error(path, ProblemCode.MALFORMED_JSON, "malformed JSON at line " + l.getLineNr()
            + ", column " + l.getColumnNr() + ": " + firstLine(message)));
        return Optional.empty();
      }
    } catch (IOException e) {
      // Reading a String cannot fail with an I/O error other than a parse error, handled above.
      problems.add(Problem.error("", ProblemCode.MALFORMED_JSON, "unreadable JSON: " + firstLine(e.getMessage())));
      return Optional.empty();
    }
  }

  private static String pathOf(JsonParser p) {
    try {
      return p.getParsingContext().pathAsPointer().toString();
    } catch (RuntimeException e) {
      return "";
    }
  }

  /** The value at the current token (recursion depth is bounded by {@link #MAX_NESTING}). */
  private Node value(JsonParser p, String path) throws IOException {
    JsonLocation l = p.currentTokenLocation();
    Position pos = new Position(l.getLineNr(), l.getColumnNr(), l.getCharOffset());
    offsets.putIfAbsent(path, pos.offset());
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT: {
        Map<String, Node> members = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String memberPath = Problem.childPointer(path, name);
          JsonLocation nl = p.currentTokenLocation();
          p.nextToken();
          Node v = value(p, memberPath);
          if (members.containsKey(name)) {
            problems.add(Problem.error(memberPath, ProblemCode.DUPLICATE_MEMBER, "member \"" + abbreviate(name)
                + "\" appears again at line " + nl.getLineNr() + ", column " + nl.getColumnNr()
                + "; a member may appear only once in an object"));
          } else {
            members.put(name, v);
          }
        }
        return new ObjectNode(pos, members);
      }
      case START_ARRAY: {
        List<Node> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(value(p, Problem.childPointer(path, items.size())));
        }
        return new ArrayNode(pos, items);
      }
      case VALUE_STRING:
        return new ValueNode(pos, Kind.STRING, p.getText());
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return new ValueNode(pos, Kind.NUMBER, p.getText());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return new ValueNode(pos, Kind.BOOLEAN, p.getText());
      case VALUE_NULL:
        return new ValueNode(pos, Kind.NULL, "null");
      default:
        throw new JsonParseException(p, "unexpected token " + t);
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
