package io.github.trafficpolicy.engine.lifecycle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.hash.Hashing;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.TrafficPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry's metadata file ({@code registry.json}): pretty-printed JSON, members in a fixed order, so that it
 * reads well and diffs line by line. Documents are not in it; it names each version's document file and its
 * SHA-256, so a document edited or damaged on disk is detected. Also the lines of the journal
 * ({@code registry.journal}, see {@link DirectoryStore}): compact JSON, one change per line.
 */
final class RegistryJson {
  static final int FORMAT = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  private RegistryJson() {}

  /** Reads one version's document text. */
  interface DocumentSource {
    String read(String policyId, int version, String sha256) throws IOException;
  }

  /** The relative path of a version's document, with '/' separators. */
  static String documentPath(String policyId, int version) {
    return "policies/" + policyId + "/" + version + ".json";
  }

  static String sha256(String text) {
    return Hashing.sha256().hashString(text, StandardCharsets.UTF_8).toString();
  }

  static byte[] write(RegistryState state) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("generation", state.generation());
    ArrayNode policies = root.putArray("policies");
    for (ManagedPolicy p : state.policies()) {
      ObjectNode pn = policies.addObject();
      pn.put("id", p.id());
      pn.put("name", p.name());
      pn.put("lastVersion", p.lastVersion());
      ArrayNode versions = pn.putArray("versions");
      for (PolicyVersion v : p.versions().values()) {
        ObjectNode vn = versions.addObject();
        vn.put("version", v.version());
        v.comment().ifPresent(c -> vn.put("comment", c));
        vn.put("type", v.type().name());
        vn.put("document", documentPath(p.id(), v.version()));
        vn.put("sha256", sha256(v.documentText()));
      }
    }
    ArrayNode records = root.putArray("records");
    for (ManagedRecord r : state.records()) {
      writeRecord(records.addObject(), r);
    }
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"))
        .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER));
    try {
      return (MAPPER.writer(printer).writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write registry metadata", e);
    }
  }

  private static void writeRecord(ObjectNode rn, ManagedRecord r) {
    rn.put("name", r.name());
    rn.put("zone", r.zone());
    rn.put("ttl", r.ttl());
    rn.put("type", r.type().name());
    rn.put("policy", r.current().policyId());
    rn.put("version", r.current().version());
    ArrayNode history = rn.putArray("history");
    for (PolicyRef h : r.history()) {
      ObjectNode hn = history.addObject();
      hn.put("policy", h.policyId());
      hn.put("version", h.version());
    }
  }

  /** The first line of a journal: its format and the generation of the {@code registry.json} it continues. */
  static byte[] journalHeader(long base) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("journal", FORMAT);
    n.put("base", base);
    return line(n);
  }

  /**
   * One journal line: the change that made {@code generation}, as the records it created or replaced ({@code put},
   * in the state's order) and the names it deleted.
   */
  static byte[] journalEntry(long generation, List<ManagedRecord> put, List<String> deleted) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("generation", generation);
    ArrayNode puts = n.putArray("put");
    put.forEach(r -> writeRecord(puts.addObject(), r));
    ArrayNode deletes = n.putArray("delete");
    deleted.forEach(deletes::add);
    return line(n);
  }

  private static byte[] line(ObjectNode n) {
    try {
      return (MAPPER.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a registry journal line", e);
    }
  }

  /** The generation a journal header continues; throws {@link IllegalArgumentException} if it is not a header. */
  static long journalBase(String header) {
    JsonNode n = tree(header, DirectoryStore.JOURNAL + " line 1");
    require(n.path("journal").isInt() && n.get("journal").intValue() == FORMAT,
        DirectoryStore.JOURNAL + " line 1: not a journal header of format " + FORMAT);
    return longField(n, "base", DirectoryStore.JOURNAL + " line 1");
  }

  /**
   * Applies one journal line to {@code records} (name to record, in order: a put of a new name goes last) and
   * returns the generation it made; it must be {@code expected}. Throws {@link IllegalArgumentException} naming
   * {@code where}.
   */
  static long applyJournalEntry(String line, long expected, Map<String, ManagedRecord> records, String where) {
    JsonNode n = tree(line, where);
    long generation = longField(n, "generation", where);
    require(generation == expected, where + ": generation " + generation + " does not follow " + (expected - 1));
    for (JsonNode d : array(n, "delete", where)) {
      require(d.isTextual(), where + ": 'delete' holds a non-string");
      require(records.remove(d.textValue()) != null, where + ": deletes " + d.textValue() + ", which does not exist");
    }
    Map<Object, Object> strings = new HashMap<>();
    for (JsonNode rn : array(n, "put", where)) {
      ManagedRecord r = readRecord(rn, strings);
      records.put(r.name(), r);
    }
    return generation;
  }

  private static JsonNode tree(String text, String where) {
    JsonNode n;
    try {
      n = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
    require(n != null && n.isObject(), where + " is not an object");
    return n;
  }

  /**
   * The state described by {@code bytes}, with every document read from {@code documents} and parsed by
   * {@code codec}. Throws {@link IllegalArgumentException} naming the first problem found.
   */
  static RegistryState read(byte[] bytes, DocumentCodec codec, DocumentSource documents) throws IOException {
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("registry.json is not valid JSON: " + e.getOriginalMessage(), e);
    }
    require(root != null && root.isObject(), "registry.json: the top level is not an object");
    require(root.path("format").isInt() && root.get("format").intValue() == FORMAT,
        "registry.json: format is not " + FORMAT);
    long generation = longField(root, "generation", "registry.json");
    Map<String, ManagedPolicy> policies = new LinkedHashMap<>();
    for (JsonNode pn : array(root, "policies", "registry.json")) {
      String id = text(pn, "id", "a policy");
      String where = "policy " + id;
      require(Changes.POLICY_ID.matcher(id).matches(), where + ": the ID is not 1 to 36 letters, digits and '-'");
      require(!policies.containsKey(id), where + " appears twice");
      String name = text(pn, "name", where);
      int lastVersion = intField(pn, "lastVersion", where);
      ImmutableSortedMap.Builder<Integer, PolicyVersion> versions = ImmutableSortedMap.naturalOrder();
      for (JsonNode vn : array(pn, "versions", where)) {
        int n = intField(vn, "version", where);
        String vwhere = where + " version " + n;
        require(n >= 1 && n <= TrafficPolicy.MAX_VERSION, vwhere + ": not in [1, 1000]");
        Optional<String> comment = vn.has("comment") ? Optional.of(text(vn, "comment", vwhere)) : Optional.empty();
        String sha = text(vn, "sha256", vwhere);
        if (vn.has("document")) {
          require(text(vn, "document", vwhere).equals(documentPath(id, n)),
              vwhere + ": the document must be " + documentPath(id, n));
        }
        String documentText = documents.read(id, n, sha);
        require(sha256(documentText).equals(sha), vwhere + ": " + documentPath(id, n)
            + " does not match its sha256 (documents of versions must not change)");
        Changes.Doc doc;
        try {
          doc = Changes.parse(codec, documentText);
        } catch (RegistryException e) {
          throw new IllegalArgumentException(vwhere + ": " + e.getMessage(), e);
        }
        if (vn.has("type")) {
          require(text(vn, "type", vwhere).equals(doc.document().recordType().name()),
              vwhere + ": type " + vn.get("type").asText() + " differs from the document's "
                  + doc.document().recordType());
        }
        versions.put(n, new PolicyVersion(new TrafficPolicy(id, n, name, comment, doc.document()), documentText));
      }
      policies.put(id, new ManagedPolicy(id, name, lastVersion, versions.buildOrThrow()));
    }
    Map<String, ManagedRecord> records = new LinkedHashMap<>();
    Map<Object, Object> strings = new HashMap<>();
    for (JsonNode rn : array(root, "records", "registry.json")) {
      ManagedRecord r = readRecord(rn, strings);
      require(!records.containsKey(r.name()), "record " + r.name() + " appears twice");
      records.put(r.name(), r);
    }
    return new RegistryState(generation, policies, records);
  }

  /**
   * One record. Zones, policy IDs and history entries repeat across many records: {@code strings} keeps one copy
   * of each (a large registry's records then cost about their names).
   */
  private static ManagedRecord readRecord(JsonNode rn, Map<Object, Object> strings) {
    require(rn.isObject(), "a record is not an object");
    String name = text(rn, "name", "a record");
    String where = "record " + name;
    PolicyRecord record = new PolicyRecord(shared(strings, text(rn, "zone", where)), name,
        longField(rn, "ttl", where), shared(strings, text(rn, "policy", where)), intField(rn, "version", where));
    String type = text(rn, "type", where);
    RecordType recordType = RecordType.fromText(type)
        .orElseThrow(() -> new IllegalArgumentException(where + ": unknown type " + type));
    ImmutableList.Builder<PolicyRef> history = ImmutableList.builder();
    for (JsonNode hn : array(rn, "history", where)) {
      history.add(shared(strings, PolicyRef.of(shared(strings, text(hn, "policy", where + " history")),
          intField(hn, "version", where + " history"))));
    }
    return new ManagedRecord(record, recordType, history.build());
  }

  @SuppressWarnings("unchecked")
  private static <T> T shared(Map<Object, Object> pool, T value) {
    Object kept = pool.putIfAbsent(value, value);
    return kept == null ? value : (T) kept;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    require(v != null && v.isTextual(), where + ": '" + field + "' is missing or not a string");
    return v.textValue();
  }

  private static int intField(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    require(v != null && v.isInt(), where + ": '" + field + "' is missing or not an integer");
    return v.intValue();
  }

  private static long longField(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    require(v != null && v.canConvertToLong() && v.isIntegralNumber(),
        where + ": '" + field + "' is missing or not an integer");
    return v.longValue();
  }

  private static Iterable<JsonNode> array(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    require(v != null && v.isArray(), where + ": '" + field + "' is missing or not an array");
    return v;
  }
}
