package io.github.trafficpolicy.engine;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.EndpointTarget;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.FailoverRule;
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
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.api.RuleTarget;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compiles a policy document for {@link CompiledPolicyImpl}: the document flattened into arrays indexed by
 * position (endpoints and rules in document order), every {@code value} endpoint's record data parsed, health
 * checks and alias targets indexed, and per rule a {@link CompiledRule} with its entries' children, checks,
 * labels and precomputed rendezvous keys. The result is immutable once the constructor returns; the evaluator
 * only reads it.
 *
 * <p>References are one {@code int} each ({@link Refs}): a rule by its index, an endpoint by the complement of
 * its index. Nothing compiled depends on the record name or TTL, so records bound to the same version share it.
 */
final class PolicyCompiler {
  private final PolicyBinding binding;
  private final EvaluatorSettings settings;
  private final RecordType recordType;

  /** The endpoints, in document order. */
  final Endpoint[] endpoints;
  /** Their ids. */
  final EndpointId[] endpointIds;
  /** Per endpoint, the one-element list of its id (shared by every answer with that endpoint alone). */
  final ImmutableList<EndpointId>[] singleEndpoint;
  /** Record data of value endpoints; null for alias endpoints. */
  final ImmutableList<RecordData>[] valueData;
  /** Index into {@link #targets} for alias endpoints, -1 for value endpoints. */
  final int[] targetIndex;
  /** The alias endpoints' ids, in document order. */
  final EndpointId[] targets;
  /** The health checks the entries name, in the order first named. */
  final HealthCheckId[] checks;
  /** The rules, in document order. */
  final CompiledRule[] rules;
  /** The start: a reference ({@link Refs}). */
  final int start;
  /** The most rules on any path. */
  final int maxDepth;
  /** The most entries of any rule (at least 2). */
  final int maxEntries;

  PolicyCompiler(PolicyDocument document, PolicyBinding binding, EvaluatorSettings settings) {
    this.binding = binding;
    this.settings = settings;
    this.recordType = document.recordType();
    int ne = document.endpoints().size();
    endpoints = new Endpoint[ne];
    endpointIds = new EndpointId[ne];
    singleEndpoint = lists(ne);
    valueData = lists(ne);
    targetIndex = new int[ne];
    Map<EndpointId, Integer> endpointIndex = new HashMap<>();
    List<EndpointId> targetList = new ArrayList<>();
    int e = 0;
    for (Map.Entry<EndpointId, Endpoint> en : document.endpoints().entrySet()) {
      EndpointId id = en.getKey();
      Endpoint endpoint = en.getValue();
      endpoints[e] = endpoint;
      endpointIds[e] = id;
      singleEndpoint[e] = ImmutableList.of(id);
      if (endpoint.type() == EndpointType.VALUE) {
        try {
          valueData[e] = ImmutableList.of(RecordData.parse(recordType, endpoint.value()));
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException("endpoint " + id + ": " + ex.getMessage(), ex);
        }
        targetIndex[e] = -1;
      } else {
        targetIndex[e] = targetList.size();
        targetList.add(id);
      }
      endpointIndex.put(id, e);
      e++;
    }
    targets = targetList.toArray(new EndpointId[0]);

    Map<RuleId, Integer> ruleIndex = new HashMap<>();
    int r = 0;
    for (RuleId id : document.rules().keySet()) {
      ruleIndex.put(id, r++);
    }
    Map<HealthCheckId, Integer> checkIndex = new HashMap<>();
    List<HealthCheckId> checkList = new ArrayList<>();
    rules = new CompiledRule[r];
    int widest = 2;
    r = 0;
    for (Map.Entry<RuleId, Rule> en : document.rules().entrySet()) {
      CompiledRule cr = compileRule(en.getKey().value(), en.getValue(), endpointIndex);
      List<? extends RuleEntry> entries = en.getValue().entries();
      for (int i = 0; i < cr.n; i++) {
        RuleEntry entry = entries.get(i);
        cr.child[i] = encode(entry.target(), endpointIndex, ruleIndex, cr.id);
        Optional<HealthCheckId> hc = entry.healthCheck();
        if (hc.isPresent()) {
          Integer ci = checkIndex.get(hc.get());
          if (ci == null) {
            ci = checkList.size();
            checkIndex.put(hc.get(), ci);
            checkList.add(hc.get());
          }
          cr.check[i] = ci;
        } else {
          cr.check[i] = -1;
        }
        boolean multivalue = cr instanceof CompiledRule.Multivalue;
        cr.ethExplicit[i] = entry.evaluateTargetHealth().isPresent();
        cr.eth[i] = !multivalue && entry.evaluateTargetHealth().orElse(settings.evaluateTargetHealthDefault());
      }
      widest = Math.max(widest, cr.n);
      rules[r++] = cr;
    }
    checks = checkList.toArray(new HealthCheckId[0]);
    maxEntries = widest;
    start = encode(document.start(), endpointIndex, ruleIndex, "start");
    maxDepth = longestPath();
  }

  @SuppressWarnings("unchecked")
  private static <T> ImmutableList<T>[] lists(int n) {
    return (ImmutableList<T>[]) new ImmutableList<?>[n];
  }

  private static int encode(Target t, Map<EndpointId, Integer> endpoints, Map<RuleId, Integer> rules, String from) {
    if (t instanceof EndpointTarget et) {
      Integer i = endpoints.get(et.endpoint());
      if (i == null) {
        throw new IllegalArgumentException(from + " references unknown endpoint " + t.id());
      }
      return Refs.ofEndpoint(i);
    }
    Integer i = rules.get(((RuleTarget) t).rule());
    if (i == null) {
      throw new IllegalArgumentException(from + " references unknown rule " + t.id());
    }
    return Refs.ofRule(i);
  }

  private CompiledRule compileRule(String id, Rule rule, Map<EndpointId, Integer> endpointIndex) {
    if (rule instanceof FailoverRule) {
      return failover(id);
    }
    if (rule instanceof GeolocationRule g) {
      return geolocation(id, g);
    }
    if (rule instanceof LatencyRule l) {
      return latency(id, l);
    }
    if (rule instanceof GeoproximityRule g) {
      return geoproximity(id, g);
    }
    if (rule instanceof WeightedRule w) {
      return weighted(id, w);
    }
    if (rule instanceof MultivalueAnswerRule m) {
      return multivalue(id, m, endpointIndex);
    }
    throw new AssertionError(rule);
  }

  private static CompiledRule.Failover failover(String id) {
    CompiledRule.Failover f = new CompiledRule.Failover(id);
    f.label[0] = "Primary";
    f.label[1] = "Secondary";
    return f;
  }

  private CompiledRule.Geo geolocation(String id, GeolocationRule rule) {
    List<GeolocationEntry> l = rule.locations();
    int n = l.size();
    int[] kind = new int[n];
    String[] continent = new String[n];
    String[] country = new String[n];
    String[] subdivision = new String[n];
    String[] label = new String[n];
    for (int i = 0; i < n; i++) {
      GeolocationEntry g = l.get(i);
      continent[i] = g.continent().orElse("");
      country[i] = g.country().orElse("");
      subdivision[i] = g.subdivision().orElse("");
      if (g.isCatchAll()) {
        kind[i] = CompiledRule.Geo.DEFAULT;
        label[i] = "default";
      } else if (g.subdivision().isPresent()) {
        kind[i] = CompiledRule.Geo.SUBDIVISION;
        label[i] = country[i] + "/" + subdivision[i];
      } else if (g.country().isPresent()) {
        kind[i] = CompiledRule.Geo.COUNTRY;
        label[i] = country[i];
      } else if (g.continent().isPresent()) {
        kind[i] = CompiledRule.Geo.CONTINENT;
        label[i] = "continent " + continent[i];
      } else {
        throw new IllegalArgumentException("rule " + id + " location " + i
            + " names no continent, country or subdivision and is not the default");
      }
    }
    CompiledRule.Geo g = new CompiledRule.Geo(id, n, kind, continent, country, subdivision);
    System.arraycopy(label, 0, g.label, 0, n);
    return g;
  }

  private CompiledRule.Latency latency(String id, LatencyRule rule) {
    List<LatencyEntry> l = rule.regions();
    int n = l.size();
    String[] region = new String[n];
    double[] lat = new double[n];
    double[] lon = new double[n];
    for (int i = 0; i < n; i++) {
      region[i] = l.get(i).region();
      Optional<Coordinates> c = settings.regionCoordinates().find(region[i]);
      lat[i] = c.isPresent() ? Math.toRadians(c.get().latitude()) : Double.NaN;
      lon[i] = c.isPresent() ? Math.toRadians(c.get().longitude()) : Double.NaN;
    }
    CompiledRule.Latency lr =
        new CompiledRule.Latency(id, n, region, lat, lon, settings.unknownLatencyLocation());
    System.arraycopy(region, 0, lr.label, 0, n);
    return lr;
  }

  private CompiledRule.Geoproximity geoproximity(String id, GeoproximityRule rule) {
    List<GeoproximityEntry> l = rule.locations();
    int n = l.size();
    double[] lat = new double[n];
    double[] lon = new double[n];
    int[] bias = new int[n];
    String[] where = new String[n];
    for (int i = 0; i < n; i++) {
      GeoproximityEntry g = l.get(i);
      bias[i] = g.bias();
      Optional<Coordinates> c;
      GeoproximityLocation loc = g.location();
      if (loc instanceof GeoproximityLocation.Region region) {
        String code = region.code();
        c = settings.regionCoordinates().find(code);
        where[i] = "region " + code;
      } else if (loc instanceof GeoproximityLocation.LocalZone zone) {
        String code = zone.code();
        c = settings.regionCoordinates().find(code);
        where[i] = "local zone " + code;
      } else {
        GeoproximityLocation.Coordinate p = (GeoproximityLocation.Coordinate) loc;
        c = Optional.of(new Coordinates(p.latitude().doubleValue(), p.longitude().doubleValue()));
        where[i] = p.latitude().toPlainString() + "," + p.longitude().toPlainString();
      }
      lat[i] = c.isPresent() ? Math.toRadians(c.get().latitude()) : Double.NaN;
      lon[i] = c.isPresent() ? Math.toRadians(c.get().longitude()) : Double.NaN;
    }
    CompiledRule.Geoproximity gr = new CompiledRule.Geoproximity(id, n, lat, lon, bias, where,
        settings.unknownGeoproximityLocation(), settings.bias());
    System.arraycopy(where, 0, gr.label, 0, n);
    return gr;
  }

  private CompiledRule.Weighted weighted(String id, WeightedRule rule) {
    List<WeightedEntry> l = rule.items();
    int n = l.size();
    int[] weight = new int[n];
    long[] keys = entryKeys(id, l);
    String[] label = new String[n];
    for (int i = 0; i < n; i++) {
      weight[i] = l.get(i).weight();
      label[i] = "weight " + weight[i];
    }
    CompiledRule.Weighted w = new CompiledRule.Weighted(id, n, weight, keys);
    System.arraycopy(label, 0, w.label, 0, n);
    return w;
  }

  private CompiledRule.Multivalue multivalue(String id, MultivalueAnswerRule rule,
                                             Map<EndpointId, Integer> endpointIndex) {
    List<MultivalueEntry> l = rule.items();
    int n = l.size();
    long[] keys = entryKeys(id, l);
    ImmutableList<EndpointId> all = null;
    ImmutableList<RecordData> allRecords = null;
    if (n <= settings.multivalueMaximum()) {
      ImmutableList.Builder<EndpointId> ids = ImmutableList.builder();
      ImmutableList.Builder<RecordData> data = ImmutableList.builder();
      boolean allValues = true;
      for (MultivalueEntry m : l) {
        ids.add(m.endpoint());
        Integer ei = endpointIndex.get(m.endpoint());
        if (ei != null && valueData[ei] != null) {
          data.addAll(valueData[ei]);
        } else {
          allValues = false;
        }
      }
      all = ids.build();
      allRecords = allValues ? data.build() : null;
    }
    CompiledRule.Multivalue m = new CompiledRule.Multivalue(id, n, keys, all, allRecords);
    for (int i = 0; i < n; i++) {
      m.label[i] = "item " + i;
    }
    return m;
  }

  private long[] entryKeys(String ruleId, List<? extends RuleEntry> entries) {
    long[] keys = new long[entries.size()];
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < keys.length; i++) {
      Target t = entries.get(i).target();
      boolean isRule = t instanceof RuleTarget;
      String k = (isRule ? "rule:" : "endpoint:") + t.id();
      int occurrence = seen.merge(k, 1, Integer::sum) - 1;
      keys[i] = RendezvousHash.entryKey(settings.seed(), binding.policyId(), ruleId, isRule, t.id(), occurrence);
    }
    return keys;
  }

  /** The most rules on any path (1 for a rule with only endpoint children); rejects cycles. */
  private int longestPath() {
    int[] memo = new int[rules.length];
    byte[] state = new byte[rules.length];
    int best = 0;
    for (int r = 0; r < rules.length; r++) {
      best = Math.max(best, depthOf(r, memo, state));
    }
    return best;
  }

  private int depthOf(int r, int[] memo, byte[] state) {
    if (state[r] == 2) {
      return memo[r];
    }
    if (state[r] == 1) {
      throw new IllegalArgumentException("the rules form a cycle through rule " + rules[r].id);
    }
    state[r] = 1;
    int d = 0;
    for (int c : rules[r].child) {
      if (Refs.isRule(c)) {
        d = Math.max(d, depthOf(c, memo, state));
      }
    }
    state[r] = 2;
    memo[r] = d + 1;
    return d + 1;
  }

  /**
   * Per rule: whether its group health cannot depend on the client (every entry of its subtree is always a
   * candidate: {@link CompiledRule#alwaysCandidate}).
   */
  boolean[] clientIndependentRules() {
    boolean[] independent = new boolean[rules.length];
    byte[] state = new byte[rules.length];
    for (int r = 0; r < rules.length; r++) {
      independent(r, independent, state);
    }
    return independent;
  }

  private boolean independent(int r, boolean[] independent, byte[] state) {
    if (state[r] == 0) {
      CompiledRule rule = rules[r];
      boolean result = rule.alwaysCandidate;
      for (int i = 0; i < rule.n && result; i++) {
        int c = rule.child[i];
        result = !Refs.isRule(c) || independent(c, independent, state);
      }
      independent[r] = result;
      state[r] = 1;
    }
    return independent[r];
  }
}
