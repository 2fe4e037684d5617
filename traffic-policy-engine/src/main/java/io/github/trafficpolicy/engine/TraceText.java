package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.RuleType;

/**
 * The words of a trace, in one place: what {@link CompiledPolicyImpl} writes at each step of an evaluation that is
 * traced (entering a rule, an entry that does not match, is skipped or is chosen, failing open or closed, the
 * endpoint reached). Each rule kind explains its own order of entries ({@link CompiledRule#why}), since that
 * explanation reads the rule's own data. Nothing here runs unless the query asked for a trace.
 */
final class TraceText {
  static final String ZERO_WEIGHT_STANDBY = "zero weight: standby while a non-zero item is available";
  static final String BRANCH_FAILED_CLOSED = "the branch answered nothing (failed closed)";
  static final String FAIL_CLOSED = "no healthy entry: no answer (fail closed)";
  static final String FAIL_OPEN =
      "no healthy entry: every entry is treated as healthy and chosen by the routing policy alone";
  static final String NO_ANSWER = "no entry has an answer for the client";
  static final String MULTIVALUE_FAIL_CLOSED = "no healthy item: no answer (fail closed)";
  static final String MULTIVALUE_FAIL_OPEN = "no healthy item: answering with unhealthy items";

  private final PolicyCompiler program;
  private final boolean evaluateTargetHealthDefault;

  TraceText(PolicyCompiler program, EvaluatorSettings settings) {
    this.program = program;
    this.evaluateTargetHealthDefault = settings.evaluateTargetHealthDefault();
  }

  /** A rule as the subject of its step: {@code id (type)}. */
  static String ruleSubject(CompiledRule rule) {
    return rule.id + " (" + rule.type.text() + ")";
  }

  /** Why a rule has no answer when none of its entries applies to the client. */
  static String noCandidate(CompiledRule rule) {
    return rule.type == RuleType.GEO
        ? "no location contains the client and there is no default: no answer"
        : "no entry applies to the client: no answer";
  }

  /** Which of a multivalue rule's {@code pool} items were answered ({@code chosen} of them). */
  static String multivalueChoice(Evaluation ev, int pool, int chosen, boolean failOpen) {
    if (chosen == pool) {
      return failOpen ? "all " + pool + " items (none healthy)" : "all " + pool + " healthy items";
    }
    return chosen + " of " + pool + (failOpen ? " items (none healthy)" : " healthy items")
        + " with the best rendezvous scores for client key " + ev.clientKeyText();
  }

  /** What a rule looks at to order its entries: the client's location, latency source or key. */
  String context(Evaluation ev, CompiledRule rule) {
    switch (rule.type) {
      case GEO:
        return ((CompiledRule.Geo) rule).locationDependent ? "client " + ev.locationText() : "";
      case GEOPROXIMITY:
        return "client " + ev.locationText();
      case LATENCY:
        return "latency from the " + ev.latencySource();
      case WEIGHTED:
      case MULTIVALUE:
        return "client key " + ev.clientKeyText();
      default:
        return "";
    }
  }

  /** An entry as the subject of its step: {@code label -> rule id} or {@code label -> endpoint id}. */
  String entry(CompiledRule rule, int i) {
    int t = rule.child[i];
    return rule.label[i] + " -> "
        + (Refs.isRule(t) ? "rule " + program.rules[t].id : "endpoint " + program.endpointIds[Refs.endpoint(t)]);
  }

  /** Why entry {@code i} is not a candidate for the client. */
  String noMatch(CompiledRule rule, int i) {
    switch (rule.type) {
      case GEO:
        return "does not contain the client";
      case LATENCY:
        return "no latency data for " + ((CompiledRule.Latency) rule).region[i] + " (not a candidate)";
      default:
        return "distance unknown (not a candidate)";
    }
  }

  /** Why entry {@code i} was skipped. */
  String unusable(Evaluation ev, CompiledRule rule, int i, Unusable reason) {
    String eth = rule.ethExplicit[i] ? "EvaluateTargetHealth"
        : "EvaluateTargetHealth (omitted, default " + evaluateTargetHealthDefault + ")";
    int t = rule.child[i];
    switch (reason) {
      case CHECK_UNHEALTHY: {
        int c = rule.check[i];
        HealthStatus s = ev.health.checkStatus[c];
        return "health check " + program.checks[c] + " " + s + (s == HealthStatus.UNKNOWN ? " (counted unhealthy)" : "");
      }
      case TARGET_UNHEALTHY: {
        int ti = program.targetIndex[Refs.endpoint(t)];
        HealthStatus s = ev.health.targetStatus[ti];
        return eth + ": alias target " + program.endpointIds[Refs.endpoint(t)] + " " + s
            + (s == HealthStatus.UNKNOWN ? " (counted unhealthy)" : "")
            + (ev.health.targetResolverStatus[ti] == HealthStatus.UNHEALTHY
                ? " (" + ev.aliasTargets[ti].describe() + ")" : "");
      }
      case BRANCH_UNHEALTHY:
        return eth + ": rule " + program.rules[t].id + " has no healthy record for the client";
      case BRANCH_NO_DATA:
        return "rule " + program.rules[t].id + " has no answer for the client (no applicable location)";
      default:
        throw new AssertionError(reason);
    }
  }

  /** An endpoint reached: its value, or its alias target and what the target currently is. */
  String endpoint(Evaluation ev, int e) {
    Endpoint ep = program.endpoints[e];
    if (program.valueData[e] != null) {
      return "value " + program.valueData[e].get(0).presentation();
    }
    return ep.type().text() + " " + ep.value() + ep.region().map(r -> " (" + r + ")").orElse("")
        + ": alias, " + ev.aliasTargets[program.targetIndex[e]].describe();
  }

  /** The endpoints a multivalue rule chose ({@link Evaluation#selection}), as a list of ids. */
  String selection(Evaluation ev, CompiledRule.Multivalue rule, int count) {
    StringBuilder chosen = new StringBuilder();
    for (int k = 0; k < count; k++) {
      chosen.append(k == 0 ? "" : ", ").append(program.endpointIds[Refs.endpoint(rule.child[ev.selection[k]])]);
    }
    return chosen.toString();
  }
}
