package io.github.trafficpolicy.dns.console;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.dns.api.AccessKeys;
import io.github.trafficpolicy.dns.api.ApiRequest;
import io.github.trafficpolicy.dns.api.AuditLog;
import io.github.trafficpolicy.dns.api.HealthCheckStore;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.ManagedRecord;
import io.github.trafficpolicy.engine.lifecycle.PolicyVersion;
import io.github.trafficpolicy.engine.lifecycle.RegistryError;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.Supplier;

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
    String method = call.request().method();
    if (call.path().equals("policies") && (method.equals("GET") || method.equals("HEAD"))) {
      return Console.Reply.json(200, policies());
    }
    throw ConsoleException.notFound("No such console operation: " + method + " /console/api/" + call.path());
  }

  private ObjectNode policies() {
    ObjectNode root = Console.JSON.createObjectNode();
    ArrayNode list = root.putArray("policies");
    for (PolicyVersion latest : registry.listPolicies()) {
      ObjectNode p = list.addObject();
      p.put("id", latest.id());
      p.put("name", latest.name());
      p.put("type", latest.type().toString());
      p.put("latestVersion", latest.version());
      ArrayNode versions = p.putArray("versions");
      for (PolicyVersion v : registry.listPolicyVersions(latest.id())) {
        ObjectNode o = versions.addObject();
        o.put("version", v.version());
        o.put("type", v.type().toString());
        o.put("comment", v.comment().orElse(null));
        o.put("records", registry.state().recordsUsing(v.ref()).size());
      }
    }
    return root;
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
    String message = e.getMessage();
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

  /** A string member ({@code null} when absent and not required). */
  static String text(JsonNode body, String name, boolean required) {
    JsonNode v = body.get(name);
    if (v == null || v.isNull()) {
      if (required) {
        throw ConsoleException.invalidInput("/" + name + ": required (a string)");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw ConsoleException.invalidInput("/" + name + ": must be a string but was " + v.getNodeType()
          .name().toLowerCase(java.util.Locale.ROOT));
    }
    return v.textValue();
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
