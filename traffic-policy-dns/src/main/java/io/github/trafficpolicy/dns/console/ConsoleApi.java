package io.github.trafficpolicy.dns.console;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.api.json.PolicyCheck;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.dns.api.AccessKeys;
import io.github.trafficpolicy.dns.api.ApiRequest;
import io.github.trafficpolicy.dns.api.AuditLog;
import io.github.trafficpolicy.dns.api.HealthCheckStore;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckMetrics;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.ProbeResult;
import io.github.trafficpolicy.engine.lifecycle.ManagedPolicy;
import io.github.trafficpolicy.engine.lifecycle.ManagedRecord;
import io.github.trafficpolicy.engine.lifecycle.PolicyRef;
import io.github.trafficpolicy.engine.lifecycle.PolicyVersion;
import io.github.trafficpolicy.engine.lifecycle.RegistryError;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.RegistryState;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import io.github.trafficpolicy.engine.lifecycle.Usage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The console's JSON operations under {@code /console/api/}, on a {@link TrafficPolicyRegistry}: policies and
 * versions, validation, diff, policy records, usages and find-and-replace, "try it", health and the map. Each
 * request is checked completely before anything changes; a refused one answers a JSON error and changes nothing.
 * Every change is written to the {@link AuditLog} with {@code "via": "console"}. The session, CSRF and origin checks
 * are {@link Console}'s, before any of this runs.
 */
final class ConsoleApi {
  private final TrafficPolicyRegistry registry;
  private final AuditLog audit;
  private final PolicyEvaluator evaluator;
  private final HealthCheckStore healthChecks;
  private final Supplier<? extends Collection<String>> zones;

  ConsoleApi(TrafficPolicyRegistry registry, AuditLog audit, PolicyEvaluator evaluator, HealthCheckStore healthChecks,
             Supplier<? extends Collection<String>> zones) {
    this.registry = checkNotNull(registry, "registry");
    this.audit = checkNotNull(audit, "audit");
    this.evaluator = checkNotNull(evaluator, "evaluator");
    this.healthChecks = checkNotNull(healthChecks, "healthChecks");
    this.zones = checkNotNull(zones, "zones");
  }

  /** One signed-in request: the HTTP request, the path under {@code /console/api/}, who, and its ID. */
  record Call(ApiRequest request, String path, AccessKeys.Key key, String requestId) {}

  /** Answers one request. */
  Console.Reply handle(Call call) {
    List<String> seg = segments(call.path());
    String method = call.request().method().equals("HEAD") ? "GET" : call.request().method();
    String first = seg.isEmpty() ? "" : seg.get(0);
    int n = seg.size();
    switch (first) {
      case "policies" -> {
        if (n == 1) {
          return method(call, method, "GET", () -> json(200, policies()), "POST", () -> createPolicy(call));
        }
        if (n == 3 && seg.get(2).equals("versions")) {
          return method(call, method, "POST", () -> createVersion(call, seg.get(1)));
        }
        if (n == 4 && seg.get(2).equals("versions")) {
          return method(call, method, "GET",
              () -> json(200, versionJson(seg.get(1), version(seg.get(3), "version"))));
        }
        if (n == 3 && seg.get(2).equals("diff")) {
          return method(call, method, "GET", () -> diff(call, seg.get(1)));
        }
      }
      case "validate" -> {
        if (n == 1) {
          return method(call, method, "POST", () -> json(200, validate(body(call.request()))));
        }
      }
      case "zones" -> {
        if (n == 1) {
          return method(call, method, "GET", () -> json(200, zones()));
        }
      }
      case "records" -> {
        if (n == 1) {
          return method(call, method, "GET", () -> json(200, records(call)), "POST", () -> createRecord(call));
        }
        if (n == 2 && seg.get(1).equals("update")) {
          return method(call, method, "POST", () -> updateRecords(call));
        }
        if (n == 3 && seg.get(2).equals("rollback")) {
          return method(call, method, "POST", () -> rollback(call, seg.get(1)));
        }
        if (n == 2) {
          return method(call, method, "GET", () -> json(200, record(registry.getRecord(seg.get(1)))),
              "DELETE", () -> deleteRecord(call, seg.get(1)));
        }
      }
      case "usages" -> {
        if (n == 1) {
          return method(call, method, "GET", () -> json(200, usages(call)));
        }
      }
      case "replace" -> {
        if (n == 1) {
          return method(call, method, "POST", () -> replace(call));
        }
      }
      case "try" -> {
        if (n == 1) {
          return method(call, method, "POST", () -> json(200, tryIt(body(call.request()))));
        }
      }
      case "health" -> {
        if (n == 1) {
          return method(call, method, "GET", () -> json(200, health()));
        }
      }
      case "map" -> {
        if (n == 1) {
          return method(call, method, "GET", () -> json(200, map(call)));
        }
      }
      default -> { }
    }
    throw ConsoleException.notFound("No such console operation: " + call.request().method() + " /console/api/"
        + call.path());
  }

  /** Operations that change nothing although they are POSTs: a read-only key may call them. */
  private static final Set<String> READ_POSTS = Set.of("validate", "try");

  private Console.Reply method(Call call, String method, String m, Supplier<Console.Reply> op) {
    return method(call, method, Map.of(m, op));
  }

  private Console.Reply method(Call call, String method, String m1, Supplier<Console.Reply> op1, String m2,
                               Supplier<Console.Reply> op2) {
    return method(call, method, Map.of(m1, op1, m2, op2));
  }

  /** Runs the operation of {@code method}, or answers 405 naming the allowed ones. */
  private Console.Reply method(Call call, String method, Map<String, Supplier<Console.Reply>> ops) {
    Supplier<Console.Reply> op = ops.get(method);
    if (op == null) {
      String allowed = String.join(", ", new TreeSet<>(ops.keySet()));
      return Console.Reply.error(new ConsoleException(405, "MethodNotAllowed", call.request().method()
          + " is not allowed on /console/api/" + call.path() + " (allowed: " + allowed + ")"))
          .with("Allow", allowed);
    }
    String operation = call.path().endsWith("/") ? call.path().substring(0, call.path().length() - 1) : call.path();
    boolean changes = !method.equals("GET") && !READ_POSTS.contains(operation);
    if (changes && call.key().readOnly()) {
      throw new ConsoleException(403, "AccessDenied", "Access key " + call.key().accessKeyId() + " (profile "
          + call.key().profile() + ") is read-only: it cannot " + method + " /console/api/" + call.path());
    }
    return op.get();
  }

  private static Console.Reply json(int status, JsonNode body) {
    return Console.Reply.json(status, body);
  }

  // ---------------------------------------------------------------- policies

  private ObjectNode policies() {
    ObjectNode root = object();
    ArrayNode list = root.putArray("policies");
    RegistryState state = registry.state();
    for (ManagedPolicy policy : state.policies()) {
      PolicyVersion latest = policy.latest();
      ObjectNode p = list.addObject();
      p.put("id", latest.id());
      p.put("name", latest.name());
      p.put("type", latest.type().toString());
      p.put("latestVersion", latest.version());
      ArrayNode versions = p.putArray("versions");
      for (PolicyVersion v : policy.versions().values()) {
        ObjectNode o = versions.addObject();
        o.put("version", v.version());
        o.put("type", v.type().toString());
        o.put("comment", v.comment().orElse(null));
        o.put("records", state.recordsUsing(v.ref()).size());
      }
    }
    return root;
  }

  private ObjectNode versionJson(String id, int version) {
    PolicyVersion v = registry.getPolicy(id, version);
    ObjectNode o = object();
    o.put("id", v.id());
    o.put("name", v.name());
    o.put("version", v.version());
    o.put("type", v.type().toString());
    o.put("comment", v.comment().orElse(null));
    o.set("document", documentJson(v));
    o.put("documentText", v.documentText());
    ArrayNode records = o.putArray("records");
    registry.state().recordsUsing(v.ref()).forEach(r -> records.add(record(r)));
    return o;
  }

  private Console.Reply createPolicy(Call call) {
    JsonNode body = body(call.request());
    String name = text(body, "name");
    String text = documentText(body);
    Optional<String> comment = optionalText(body, "comment");
    PolicyVersion v = registry.createPolicy(name, text, comment);
    audit(call, "CreateTrafficPolicy", v.id() + "/" + v.version(), null, AuditLog.policyVersion(v));
    return json(201, object().put("id", v.id()).put("version", v.version()));
  }

  private Console.Reply createVersion(Call call, String id) {
    JsonNode body = body(call.request());
    String text = documentText(body);
    Optional<String> comment = optionalText(body, "comment");
    PolicyVersion v = registry.createPolicyVersion(id, text, comment);
    audit(call, "CreateTrafficPolicyVersion", v.id() + "/" + v.version(), null, AuditLog.policyVersion(v));
    return json(201, object().put("id", v.id()).put("version", v.version()));
  }

  private ObjectNode validate(JsonNode body) {
    String text = documentText(body);
    PolicyCheck check = PolicyDocumentJson.check(text);
    ObjectNode o = object();
    o.put("valid", check.isValid());
    String type = check.document().map(d -> d.recordType().toString()).orElseGet(() -> {
      JsonNode t = body.get("document").isObject() ? body.get("document").get("RecordType") : null;
      return t != null && t.isTextual() ? t.textValue() : null;
    });
    o.put("type", type);
    ArrayNode problems = o.putArray("problems");
    check.problems().forEach(p -> problems.add(problem(p)));
    return o;
  }

  private Console.Reply diff(Call call, String id) {
    Map<String, String> q = query(call.request());
    int from = version(required(q, "from"), "from");
    int to = version(required(q, "to"), "to");
    PolicyVersion a = registry.getPolicy(id, from);
    PolicyVersion b = registry.getPolicy(id, to);
    ObjectNode o = object();
    JsonNode aJson = documentJson(a);
    JsonNode bJson = documentJson(b);
    o.putObject("from").put("version", from).set("document", aJson);
    o.putObject("to").put("version", to).set("document", bJson);
    PolicyDiff.write(o, aJson, a.document(), bJson, b.document());
    return json(200, o);
  }

  // ---------------------------------------------------------------- zones and records

  private ObjectNode zones() {
    Map<String, Integer> counts = new TreeMap<>();
    zones.get().forEach(z -> counts.put(absolute(z), 0));
    registry.listRecords().forEach(r -> counts.merge(r.zone(), 1, Integer::sum));
    ObjectNode root = object();
    ArrayNode list = root.putArray("zones");
    counts.forEach((z, c) -> list.addObject().put("name", z).put("records", c));
    return root;
  }

  private ObjectNode records(Call call) {
    Map<String, String> q = query(call.request());
    String zone = q.get("zone");
    String policyId = q.get("policyId");
    String v = q.get("version");
    if (v != null && policyId == null) {
      throw ConsoleException.invalidInput("version needs policyId");
    }
    List<ManagedRecord> list;
    if (policyId != null) {
      list = v == null ? registry.listRecordsByPolicy(policyId)
          : registry.listRecordsByPolicy(policyId, version(v, "version"));
    } else {
      list = registry.listRecords();
    }
    ObjectNode root = object();
    ArrayNode out = root.putArray("records");
    list.stream().filter(r -> zone == null || r.zone().equals(absolute(zone))).forEach(r -> out.add(record(r)));
    return root;
  }

  private Console.Reply createRecord(Call call) {
    JsonNode body = body(call.request());
    String zone = text(body, "zone");
    String name = text(body, "name");
    long ttl = ttl(body, true).orElseThrow();
    String policyId = text(body, "policyId");
    int version = version(body, "version");
    if (zones.get().stream().map(ConsoleApi::absolute).noneMatch(absolute(zone)::equals)) {
      throw new ConsoleException(404, "NoSuchHostedZone", "This server does not serve the zone " + zone
          + " (zones: " + String.join(", ", zones.get()) + ")");
    }
    ManagedRecord r = registry.createRecord(zone, name, ttl, policyId, version);
    audit(call, "CreateTrafficPolicyInstance", r.name(), null, AuditLog.record(r));
    return json(201, record(r));
  }

  private Console.Reply updateRecords(Call call) {
    JsonNode body = body(call.request());
    String policyId = text(body, "policyId");
    int version = version(body, "version");
    OptionalLong ttl = ttl(body, false).map(OptionalLong::of).orElse(OptionalLong.empty());
    JsonNode all = body.get("all");
    JsonNode names = body.get("names");
    boolean everything = all != null && all.isBoolean() && all.booleanValue();
    if (all != null && !all.isBoolean()) {
      throw ConsoleException.invalidInput("/all: must be true or false");
    }
    if (everything == (names != null && !names.isNull())) {
      throw ConsoleException.invalidInput("Give either \"names\" (a list of record names) or \"all\": true");
    }
    List<ManagedRecord> before;
    if (everything) {
      before = registry.listRecordsByPolicy(policyId);
    } else {
      before = new ArrayList<>();
      for (String name : names(names, "/names")) {
        before.add(registry.getRecord(name));
      }
    }
    PolicyRef to = PolicyRef.of(policyId, version);
    List<ManagedRecord> after;
    if (ttl.isPresent()) {
      after = registry.putRecords(before.stream().map(r -> new PolicyRecord(r.zone(), r.name(), ttl.getAsLong(),
          to.policyId(), to.version())).toList());
    } else if (everything) {
      after = registry.updateAllRecords(policyId, version);
    } else {
      after = registry.updateRecords(before.stream().map(ManagedRecord::name).toList(), to);
    }
    return json(200, movedRecords(call, before, after));
  }

  /** {@code {"records": [...]}} of {@code after}, each change audited with its state in {@code before}. */
  private ObjectNode movedRecords(Call call, List<ManagedRecord> before, List<ManagedRecord> after) {
    ObjectNode root = object();
    ArrayNode out = root.putArray("records");
    for (ManagedRecord now : after) {
      ManagedRecord was = before.stream().filter(r -> r.name().equals(now.name())).findFirst().orElse(null);
      audit(call, "UpdateTrafficPolicyInstance", now.name(), was == null ? null : AuditLog.record(was),
          AuditLog.record(now));
      out.add(record(now));
    }
    return root;
  }

  private Console.Reply rollback(Call call, String name) {
    ManagedRecord before = registry.getRecord(name);
    ManagedRecord r = registry.rollbackRecord(name);
    audit(call, "RollbackTrafficPolicyInstance", r.name(), AuditLog.record(before), AuditLog.record(r));
    return json(200, record(r));
  }

  private Console.Reply deleteRecord(Call call, String name) {
    ManagedRecord before = registry.getRecord(name);
    registry.deleteRecord(name);
    audit(call, "DeleteTrafficPolicyInstance", before.name(), AuditLog.record(before), null);
    return Console.Reply.noContent();
  }

  // ---------------------------------------------------------------- usages and find-and-replace

  private ObjectNode usages(Call call) {
    String value = required(query(call.request()), "value");
    ObjectNode root = object();
    ArrayNode out = root.putArray("usages");
    for (Usage u : registry.usages(value)) {
      ObjectNode o = out.addObject();
      o.put("policyId", u.version().policyId());
      o.put("policyName", u.policyName());
      o.put("version", u.version().version());
      o.put("kind", u.kind() == Usage.Kind.ENDPOINT_VALUE ? "endpoint" : "healthCheck");
      o.put("path", u.path());
      o.put("nodeId", NodeIds.of(u.path()).orElse(null));
      o.put("value", u.value());
      ArrayNode records = o.putArray("records");
      u.records().forEach(records::add);
    }
    return root;
  }

  /**
   * A new version of each listed policy version with every use of a value replaced, then the listed records moved to
   * the new versions of their policies: everything is checked first (each version uses the value, each new document
   * is valid, each record exists and is bound to a listed policy); versions made before a later step fails are
   * deleted again, so the request changes all or nothing.
   */
  private Console.Reply replace(Call call) {
    JsonNode body = body(call.request());
    String value = text(body, "value").strip();
    String replacement = text(body, "replacement").strip();
    if (value.isEmpty() || replacement.isEmpty()) {
      throw ConsoleException.invalidInput("/value and /replacement must not be empty");
    }
    String comment = optionalText(body, "comment")
        .orElse("Replaced " + value + " with " + replacement);
    JsonNode versions = body.get("versions");
    if (versions == null || !versions.isArray() || versions.isEmpty()) {
      throw ConsoleException.invalidInput("/versions: required: a list of {\"policyId\", \"version\"}");
    }
    Map<String, Replacement> plan = plan(versions, value, replacement);
    List<ManagedRecord> before = new ArrayList<>();
    JsonNode names = body.get("records");
    if (names != null && !names.isNull()) {
      for (String name : names(names, "/records")) {
        ManagedRecord r = registry.getRecord(name);
        if (!plan.containsKey(r.current().policyId())) {
          throw ConsoleException.invalidInput("/records: " + r.name() + " is bound to policy "
              + r.current().policyId() + ", which is not among the versions to replace in");
        }
        before.add(r);
      }
    }
    List<PolicyVersion> created = new ArrayList<>();
    List<ManagedRecord> after = List.of();
    try {
      for (Replacement r : plan.values()) {
        created.add(registry.createPolicyVersion(r.from().id(), r.text(), Optional.of(comment)));
      }
      if (!before.isEmpty()) {
        Map<String, Integer> to = new LinkedHashMap<>();
        created.forEach(v -> to.put(v.id(), v.version()));
        after = registry.putRecords(before.stream().map(r -> new PolicyRecord(r.zone(), r.name(), r.ttl(),
            r.current().policyId(), checkNotNull(to.get(r.current().policyId())))).toList());
      }
    } catch (RuntimeException e) {
      for (PolicyVersion v : created) {
        try {
          registry.deletePolicyVersion(v.id(), v.version());
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    }
    ObjectNode root = object();
    ArrayNode out = root.putArray("created");
    for (PolicyVersion v : created) {
      audit(call, "CreateTrafficPolicyVersion", v.id() + "/" + v.version(), null, AuditLog.policyVersion(v));
      Replacement r = checkNotNull(plan.get(v.id()));
      out.addObject().put("policyId", v.id()).put("fromVersion", r.from().version()).put("version", v.version())
          .put("replacements", r.count());
    }
    root.setAll(movedRecords(call, before, after));
    return json(200, root);
  }

  /**
   * The replacement in each listed version, checked: each version uses the value and each new document is valid.
   * Keyed by policy id (one version per policy).
   */
  private Map<String, Replacement> plan(JsonNode versions, String value, String replacement) {
    List<Usage> usages = registry.usages(value);
    Map<String, Replacement> plan = new LinkedHashMap<>();
    for (int i = 0; i < versions.size(); i++) {
      JsonNode v = versions.get(i);
      if (!v.isObject()) {
        throw ConsoleException.invalidInput("/versions/" + i + ": must be {\"policyId\", \"version\"}");
      }
      PolicyVersion pv = registry.getPolicy(text(v, "policyId"), version(v, "version"));
      if (plan.containsKey(pv.id())) {
        throw ConsoleException.invalidInput("/versions/" + i + ": policy " + pv.id() + " is listed twice (one "
            + "version per policy: its records move to the new one)");
      }
      List<Usage> uses = usages.stream().filter(u -> u.version().equals(pv.ref())).toList();
      if (uses.isEmpty()) {
        throw ConsoleException.invalidInput("/versions/" + i + ": " + pv.name() + " version " + pv.version()
            + " does not use " + value);
      }
      JsonNode tree = documentJson(pv).deepCopy();
      for (Usage u : uses) {
        JsonNode parent = tree.at(u.path().substring(0, u.path().lastIndexOf('/')));
        String member = NodeIds.tokens(u.path()).get(NodeIds.tokens(u.path()).size() - 1);
        String now = parent.path(member).asText();
        ((ObjectNode) parent).put(member, u.kind() == Usage.Kind.HEALTH_CHECK ? replacement
            : Usage.replaceIn(now, value, replacement));
      }
      String text = pretty(tree);
      PolicyCheck check = PolicyDocumentJson.check(text);
      if (!check.isValid()) {
        throw new ConsoleException(400, "InvalidTrafficPolicyDocument", pv.name() + " version " + pv.version()
            + " with " + value + " replaced by " + replacement + " is not a valid document", check.errors());
      }
      plan.put(pv.id(), new Replacement(pv, text, uses.size()));
    }
    return plan;
  }

  /** One planned replacement: the version replaced in, the new document's text, how many uses. */
  private record Replacement(PolicyVersion from, String text, int count) {}

  // ---------------------------------------------------------------- try it, health, map

  private ObjectNode tryIt(JsonNode body) {
    String recordName = optionalText(body, "recordName").orElse(null);
    PolicyDocument doc;
    PolicyBinding binding;
    if (body.hasNonNull("document")) {
      PolicyCheck check = PolicyDocumentJson.check(documentText(body));
      if (!check.isValid()) {
        throw new ConsoleException(400, "InvalidTrafficPolicyDocument", "The document is not valid",
            check.errors());
      }
      doc = check.document().orElseThrow();
      binding = PolicyBinding.standalone(recordName == null ? "www.example.com." : absolute(recordName));
    } else {
      PolicyVersion v = registry.getPolicy(text(body, "policyId"), version(body, "version"));
      doc = v.document();
      binding = binding(v, recordName);
    }
    return Evaluations.tryIt(evaluator, doc, binding, body);
  }

  /**
   * How a version is bound for an evaluation: as the record named (or its first record) when it is bound to it, so
   * weighted and multivalue choices are the ones that record answers; else as a record of that name with TTL 60.
   */
  private PolicyBinding binding(PolicyVersion v, @Nullable String recordName) {
    List<ManagedRecord> records = registry.state().recordsUsing(v.ref());
    Optional<ManagedRecord> r = records.stream()
        .filter(x -> recordName == null || x.name().equals(absolute(recordName))).findFirst();
    String name = r.map(ManagedRecord::name).orElse(recordName == null ? "www.example.com." : absolute(recordName));
    return new PolicyBinding(v.id(), v.version(), name, r.map(ManagedRecord::ttl).orElse(60L));
  }

  private ObjectNode map(Call call) {
    Map<String, String> q = query(call.request());
    PolicyVersion v = registry.getPolicy(required(q, "policyId"), version(required(q, "version"), "version"));
    return Evaluations.map(evaluator, v.document(), binding(v, null));
  }

  private ObjectNode health() {
    HealthSnapshot snapshot = evaluator.health().get();
    Optional<HealthChecker> checker = healthChecks.checker();
    Map<String, HealthCheck> defined = new LinkedHashMap<>();
    healthChecks.checks().forEach(c -> defined.put(c.id().value(), c));
    Set<String> ids = new LinkedHashSet<>(defined.keySet());
    snapshot.checks().keySet().forEach(id -> ids.add(id.value()));
    Map<String, Map<PolicyRef, List<String>>> usedBy = new LinkedHashMap<>();
    for (ManagedPolicy p : registry.state().policies()) {
      for (PolicyVersion v : p.versions().values()) {
        v.document().rules().forEach((id, rule) -> {
          for (int i = 0; i < rule.entries().size(); i++) {
            int index = i;
            rule.entries().get(i).healthCheck().ifPresent(hc -> {
              ids.add(hc.value());
              usedBy.computeIfAbsent(hc.value(), k -> new LinkedHashMap<>())
                  .computeIfAbsent(v.ref(), k -> new ArrayList<>()).add(NodeIds.entry(id, rule, index));
            });
          }
        });
      }
    }
    ObjectNode root = object();
    ArrayNode out = root.putArray("checks");
    for (String id : ids) {
      HealthCheckId hid = HealthCheckId.of(id);
      ObjectNode o = out.addObject();
      o.put("id", id);
      HealthCheck def = defined.get(id);
      o.put("type", def == null ? null : def.type().name());
      o.put("status", snapshot.check(hid).name());
      boolean probed = checker.flatMap(c -> c.check(hid)).isPresent();
      o.put("source", probed ? "probe" : snapshot.checks().containsKey(hid) ? "file" : "unknown");
      Optional<ProbeResult> last = checker.flatMap(c -> c.metrics(hid)).flatMap(HealthCheckMetrics::lastResult);
      if (last.isPresent()) {
        ProbeResult r = last.get();
        o.putObject("lastResult").put("at", r.at().toString()).put("healthy", r.success()).put("reason", r.reason())
            .put("latencyMs", r.latency().toNanos() / 1e6);
      } else {
        o.putNull("lastResult");
      }
      ArrayNode uses = o.putArray("usedBy");
      usedBy.getOrDefault(id, Map.of()).forEach((ref, nodes) -> {
        ObjectNode u = uses.addObject().put("policyId", ref.policyId()).put("version", ref.version());
        nodes.forEach(u.putArray("nodeIds")::add);
      });
    }
    return root;
  }

  private void audit(Call call, String action, String target, @Nullable ObjectNode before,
      @Nullable ObjectNode after) {
    audit.write(call.requestId(), call.key(), "console", action, target, before, after);
  }

  // ---------------------------------------------------------------- request parsing

  private static ObjectNode object() {
    return Console.JSON.createObjectNode();
  }

  /** The path's segments, percent-decoded. */
  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/", -1)) {
      out.add(decode(s));
    }
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /** The query parameters (the first of each name), decoded. */
  private static Map<String, String> query(ApiRequest request) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : request.rawQuery().split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = decode(eq < 0 ? part : part.substring(0, eq)).replace('+', ' ');
      String value = eq < 0 ? "" : decode(part.substring(eq + 1).replace("+", "%20"));
      out.putIfAbsent(name, value);
    }
    return out;
  }

  private static String required(Map<String, String> query, String name) {
    String v = query.get(name);
    if (v == null || v.isEmpty()) {
      throw ConsoleException.invalidInput("The query parameter " + name + " is required");
    }
    return v;
  }

  private static int version(String s, String what) {
    try {
      int v = Integer.parseInt(s.strip());
      if (v >= 1 && v <= 1000) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ConsoleException.invalidInput(what + " must be a version number from 1 to 1000 but was " + s);
  }

  private static int version(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 1000) {
      throw ConsoleException.invalidInput("/" + name + ": required: a version number from 1 to 1000"
          + (v == null ? "" : " but was " + v));
    }
    return v.intValue();
  }

  private static Optional<Long> ttl(JsonNode body, boolean required) {
    JsonNode v = body.get("ttl");
    if (v == null || v.isNull()) {
      if (required) {
        throw ConsoleException.invalidInput("/ttl: required: seconds from 0 to 2147483647");
      }
      return Optional.empty();
    }
    if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > PolicyRecord.MAX_TTL) {
      throw ConsoleException.invalidInput("/ttl: must be seconds from 0 to 2147483647 but was " + v);
    }
    return Optional.of(v.asLong());
  }

  private static List<String> names(JsonNode names, String place) {
    if (!names.isArray() || names.isEmpty() || names.size() > MAX_NAMES) {
      throw ConsoleException.invalidInput(place + ": must be a list of 1 to " + MAX_NAMES + " record names");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (!names.get(i).isTextual() || names.get(i).textValue().isBlank()) {
        throw ConsoleException.invalidInput(place + "/" + i + ": must be a record name");
      }
      out.add(names.get(i).textValue().strip());
    }
    return out;
  }

  /** Records one request may name at most. */
  private static final int MAX_NAMES = 1000;

  /** The {@code document} member as the text to store: a string as it is, an object as indented JSON. */
  private static String documentText(JsonNode body) {
    JsonNode d = body.get("document");
    if (d == null || d.isNull()) {
      throw ConsoleException.invalidInput("/document: required: the policy document (an object, or its text)");
    }
    if (d.isTextual()) {
      return d.textValue();
    }
    if (!d.isObject()) {
      throw ConsoleException.invalidInput("/document: must be an object or a string");
    }
    return pretty(d);
  }

  private static String pretty(JsonNode tree) {
    try {
      return Console.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A stored version's document as a JSON tree (its text as stored; JSON with the default codec). */
  private static JsonNode documentJson(PolicyVersion v) {
    try {
      return Console.JSON.readTree(v.documentText());
    } catch (JsonProcessingException e) {
      // A codec other than JSON stored it: the document as JSON.
      try {
        return Console.JSON.readTree(PolicyDocumentJson.write(v.document()));
      } catch (JsonProcessingException again) {
        throw new IllegalStateException(again);
      }
    }
  }

  private static String absolute(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }

  // ---------------------------------------------------------------- shared with Console

  /** A registry's refusal as a console error: 404 for what does not exist, 409 for a conflict, else 400. */
  static ConsoleException refused(RegistryException e) {
    RegistryError error = e.error();
    int status = switch (error) {
      case NO_SUCH_TRAFFIC_POLICY, NO_SUCH_TRAFFIC_POLICY_INSTANCE -> 404;
      case TRAFFIC_POLICY_IN_USE, TRAFFIC_POLICY_INSTANCE_ALREADY_EXISTS, TRAFFIC_POLICY_ALREADY_EXISTS,
          CONFLICTING_TYPES, TOO_MANY_TRAFFIC_POLICY_VERSIONS_FOR_CURRENT_POLICY -> 409;
      default -> 400;
    };
    String message = IoMessages.message(e);
    String prefix = error.awsName() + ": ";
    if (message.startsWith(prefix)) {
      message = message.substring(prefix.length());
    }
    int nl = message.indexOf('\n');
    return new ConsoleException(status, error.awsName(), nl < 0 ? message : message.substring(0, nl), e.problems());
  }

  /** {@code {"path", "code", "severity", "message"}}. */
  static ObjectNode problem(Problem p) {
    ObjectNode o = Console.JSON.createObjectNode();
    o.put("path", p.path());
    o.put("code", p.code().toString());
    o.put("severity", p.severity().name());
    o.put("message", p.message());
    return o;
  }

  /** The request's JSON body, which must be an object. */
  static JsonNode body(ApiRequest request) {
    if (request.body().length == 0) {
      throw ConsoleException.invalidInput("The request needs a JSON object as its body");
    }
    JsonNode node;
    try {
      node = Console.JSON.readTree(request.body());
    } catch (JsonProcessingException e) {
      throw ConsoleException.invalidInput("The body is not valid JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw ConsoleException.invalidInput("The body cannot be read: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw ConsoleException.invalidInput("The body must be a JSON object");
    }
    return node;
  }

  /** The string member {@code name} of {@code body}: a console error naming it when absent or null. */
  static String text(JsonNode body, String name) {
    return optionalText(body, name)
        .orElseThrow(() -> ConsoleException.invalidInput("/" + name + ": required (a string)"));
  }

  /** The string member {@code name} of {@code body}, empty when absent or null. */
  static Optional<String> optionalText(JsonNode body, String name) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw ConsoleException.invalidInput("/" + name + ": must be a string but was " + v.getNodeType()
          .name().toLowerCase(Locale.ROOT));
    }
    return Optional.of(v.textValue());
  }

  /** A percent-encoded path segment or query value, decoded ({@code +} stays a plus sign). */
  static String decode(String raw) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ConsoleException.invalidInput("Bad percent-encoding in " + raw);
    }
  }

  /** The record as the console shows it. */
  static ObjectNode record(ManagedRecord r) {
    ObjectNode o = Console.JSON.createObjectNode();
    o.put("name", r.name());
    o.put("zone", r.zone());
    o.put("ttl", r.ttl());
    o.put("type", r.type().toString());
    o.put("policyId", r.current().policyId());
    o.put("version", r.current().version());
    ArrayNode history = o.putArray("history");
    r.history().forEach(h -> history.addObject().put("policyId", h.policyId()).put("version", h.version()));
    return o;
  }
}
