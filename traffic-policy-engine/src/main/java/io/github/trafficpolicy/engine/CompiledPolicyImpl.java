package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

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
import io.github.trafficpolicy.engine.EvaluatorSettings.AllUnhealthy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The compiled form of a policy document and its evaluation (traffic-policy-engine/SEMANTICS.md, section 3). Compilation flattens
 * the document into arrays ({@link CompiledRule}), parses every {@code value} endpoint's record data, indexes health
 * checks and alias targets, and precomputes the answer lists of single-endpoint answers and the rendezvous keys of
 * weighted and multivalue entries.
 *
 * <p>It is also the {@link PolicyProgram} of its policy version: other records bound to the version answer from it
 * through {@link BoundPolicy}, which passes its own binding (name, TTL) to {@link #evaluate(Query, PolicyBinding)}.
 * Nothing compiled depends on the record name or TTL.
 */
final class CompiledPolicyImpl implements CompiledPolicy, PolicyProgram {
  static final int NO_DATA = -1;
  static final int MULTI = -2;

  private static final int OK = 0;
  private static final int CHECK_UNHEALTHY = 1;
  private static final int TARGET_UNHEALTHY = 2;
  private static final int BRANCH_UNHEALTHY = 3;
  private static final int BRANCH_NO_DATA = 4;

  private final PolicyDocument document;
  private final PolicyBinding binding;
  final EvaluatorSettings settings;
  final GeoLocator geoLocator;
  final LatencyTable latencyTable;
  private final Supplier<HealthSnapshot> healthSupplier;
  private final AliasResolver aliasResolver;
  private final RecordType recordType;
  private final boolean failClosed;

  private final Endpoint[] endpoints;
  private final EndpointId[] endpointIds;
  private final ImmutableList<EndpointId>[] singleEndpoint;
  /** Record data of value endpoints; null for alias endpoints. */
  private final ImmutableList<RecordData>[] valueData;
  /** Index into {@link #targets} for alias endpoints, -1 for value endpoints. */
  private final int[] targetIndex;
  private final HealthCheckId[] checks;
  private final EndpointId[] targets;
  /** The resolver's live handle of each alias target, by index into {@link #targets}. */
  private final AliasResolver.Target[] aliasTargets;

  final CompiledRule[] rules;
  private final int start;
  final int maxDepth;
  final int maxEntries;

  /**
   * Per rule: whether its group health cannot depend on the client — every entry is always a candidate
   * ({@link CompiledRule#alwaysCandidate}) and every child rule is client-independent too. Such rules' "has a
   * healthy record" and "has data" answers depend on the health snapshot alone and are computed once per snapshot
   * ({@link HealthView#groupHealthy}), not per evaluation; null when that memo is disabled (tests compare both).
   */
  private final boolean[] clientIndependent;
  /** Whether the memos are on ({@link #clientIndependent}, {@link Evaluation#order}). */
  final boolean memo;
  private volatile HealthView healthCache;
  private final ThreadLocal<Evaluation> scratch;

  CompiledPolicyImpl(PolicyDocument document, PolicyBinding binding, PolicyEvaluator evaluator) {
    this(document, binding, evaluator, true);
  }

  /**
   * {@code memo}: whether client-independent group health is memoized per snapshot and location-keyed orders are
   * reused per location instance (always, but in tests that compare both).
   */
  CompiledPolicyImpl(PolicyDocument document, PolicyBinding binding, PolicyEvaluator evaluator, boolean memo) {
    this.document = document;
    this.binding = binding;
    this.settings = evaluator.settings();
    this.geoLocator = evaluator.geoLocator();
    this.latencyTable = evaluator.latencyTable().orElse(null);
    this.healthSupplier = evaluator.health();
    this.aliasResolver = evaluator.aliasResolver();
    this.recordType = document.recordType();
    this.failClosed = settings.allUnhealthy() == AllUnhealthy.FAIL_CLOSED;

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
    aliasTargets = new AliasResolver.Target[targets.length];
    for (int i = 0; i < ne; i++) {
      if (targetIndex[i] >= 0) {
        aliasTargets[targetIndex[i]] = aliasResolver.target(endpoints[i], recordType, binding.recordName());
      }
    }

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
      CompiledRule cr = compileRule(en.getKey().value(), en.getValue(), endpointIndex, ruleIndex);
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
    this.memo = memo;
    clientIndependent = memo ? clientIndependentRules() : null;
    scratch = ThreadLocal.withInitial(() -> new Evaluation(this));
  }

  @SuppressWarnings("unchecked")
  private static <T> ImmutableList<T>[] lists(int n) {
    return (ImmutableList<T>[]) new ImmutableList<?>[n];
  }

  private static int encode(Target t, Map<EndpointId, Integer> endpoints, Map<RuleId, Integer> rules, String from) {
    if (t instanceof EndpointTarget) {
      Integer i = endpoints.get(((EndpointTarget) t).endpoint());
      if (i == null) {
        throw new IllegalArgumentException(from + " references unknown endpoint " + t.id());
      }
      return ~i;
    }
    Integer i = rules.get(((RuleTarget) t).rule());
    if (i == null) {
      throw new IllegalArgumentException(from + " references unknown rule " + t.id());
    }
    return i;
  }

  private CompiledRule compileRule(String id, Rule rule, Map<EndpointId, Integer> endpointIndex,
      Map<RuleId, Integer> ruleIndex) {
    if (rule instanceof FailoverRule) {
      CompiledRule.Failover f = new CompiledRule.Failover(id);
      f.label[0] = "Primary";
      f.label[1] = "Secondary";
      return f;
    }
    if (rule instanceof GeolocationRule) {
      List<GeolocationEntry> l = ((GeolocationRule) rule).locations();
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
    if (rule instanceof LatencyRule) {
      List<LatencyEntry> l = ((LatencyRule) rule).regions();
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
    if (rule instanceof GeoproximityRule) {
      List<GeoproximityEntry> l = ((GeoproximityRule) rule).locations();
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
        if (loc instanceof GeoproximityLocation.Region) {
          String code = ((GeoproximityLocation.Region) loc).code();
          c = settings.regionCoordinates().find(code);
          where[i] = "region " + code;
        } else if (loc instanceof GeoproximityLocation.LocalZone) {
          String code = ((GeoproximityLocation.LocalZone) loc).code();
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
    if (rule instanceof WeightedRule) {
      List<WeightedEntry> l = ((WeightedRule) rule).items();
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
    if (rule instanceof MultivalueAnswerRule) {
      List<MultivalueEntry> l = ((MultivalueAnswerRule) rule).items();
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
    throw new AssertionError(rule);
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
      if (c >= 0) {
        d = Math.max(d, depthOf(c, memo, state));
      }
    }
    state[r] = 2;
    memo[r] = d + 1;
    return d + 1;
  }

  private boolean[] clientIndependentRules() {
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
        result = c < 0 || independent(c, independent, state);
      }
      independent[r] = result;
      state[r] = 1;
    }
    return independent[r];
  }

  @Override
  public PolicyDocument document() {
    return document;
  }

  @Override
  public PolicyBinding binding() {
    return binding;
  }

  @Override
  public Optional<PolicyProgram> program() {
    return Optional.of(this);
  }

  @Override
  public String policyId() {
    return binding.policyId();
  }

  @Override
  public int policyVersion() {
    return binding.policyVersion();
  }

  @Override
  public CompiledPolicy bind(String recordName, long ttl) {
    return new BoundPolicy(this, new PolicyBinding(binding.policyId(), binding.policyVersion(), recordName, ttl));
  }

  @Override
  public String toString() {
    return "CompiledPolicy{" + binding.policyId() + " v" + binding.policyVersion() + " at " + binding.recordName()
        + ", " + endpoints.length + " endpoints, " + rules.length + " rules}";
  }

  // ===== evaluation ============================================================================================

  private HealthView view(HealthSnapshot snapshot) {
    HealthView v = healthCache;
    long generation = aliasResolver.generation();
    if (v != null && v.snapshot == snapshot && v.aliasGeneration == generation) {
      return v;
    }
    v = new HealthView(snapshot, checks, targets, aliasTargets, generation, settings.unknownHealth(), rules.length);
    if (clientIndependent != null) {
      for (int r = 0; r < rules.length; r++) {
        if (clientIndependent[r]) {
          groupHealth(v, r);
        }
      }
    }
    healthCache = v;
    return v;
  }

  @Override
  public Answer evaluate(Query query) {
    return evaluate(query, binding, aliasTargets, null);
  }

  /**
   * {@link #evaluate(Query)} with forced weighted choices and whole multivalue pools ({@link Choices}), or without
   * when {@code choices} is null.
   */
  Answer evaluate(Query query, Choices choices) {
    return evaluate(query, binding, aliasTargets, choices);
  }

  /**
   * The answer for {@code query} at the record {@code binding} (this version's; its name and TTL answer), with that
   * record's alias targets ({@link #aliasTargetsFor}) and, unless null, forced choices ({@link Choices}).
   */
  Answer evaluate(Query query, PolicyBinding binding, AliasResolver.Target[] recordTargets, Choices choices) {
    checkNotNull(query, "query");
    Optional<HealthSnapshot> given = query.health();
    HealthView hv = view(given.isPresent() ? given.get() : healthSupplier.get());
    Evaluation ev = scratch.get();
    if (ev.busy) {
      ev = new Evaluation(this);
    }
    ev.busy = true;
    try {
      ev.begin(query, hv);
      ev.aliasTargets = recordTargets;
      ev.choices = choices;
      int result = resolveTarget(ev, start, 0);
      return answer(ev, result, binding);
    } finally {
      ev.end();
      ev.busy = false;
    }
  }

  @Override
  public void evaluate(byte[] address, int prefixLength, AnswerBuffer into) {
    evaluate(address, prefixLength, binding, aliasTargets, into);
  }

  /**
   * {@link #evaluate(byte[], int, AnswerBuffer)} at the record {@code binding} with that record's alias targets:
   * allocates nothing once the locators know the client's network (see {@link AddressLocator}).
   */
  void evaluate(byte[] address, int prefixLength, PolicyBinding binding, AliasResolver.Target[] recordTargets,
      AnswerBuffer into) {
    AnswerBuffer.checkClient(address, prefixLength);
    checkNotNull(into, "into");
    HealthView hv = view(healthSupplier.get());
    Evaluation ev = scratch.get();
    if (ev.busy) {
      ev = new Evaluation(this);
    }
    ev.busy = true;
    try {
      ev.begin(address, prefixLength, hv);
      ev.aliasTargets = recordTargets;
      fill(ev, resolveTarget(ev, start, 0), binding, into);
    } finally {
      ev.end();
      ev.busy = false;
    }
  }

  /** {@link #answer} into a buffer: the same outcome, endpoints, records (in the same order), TTL and scope. */
  private void fill(Evaluation ev, int result, PolicyBinding binding, AnswerBuffer into) {
    int scope = Math.min(ev.scope, ev.clientPrefix);
    if (result == NO_DATA) {
      into.start(Outcome.NO_DATA, binding.ttl(), scope);
      return;
    }
    if (result >= 0) {
      into.start(Outcome.ANSWER, ttl(ev, result, binding), scope);
      into.addEndpoint(endpointIds[result]);
      into.addRecords(records(ev, result));
      return;
    }
    CompiledRule.Multivalue m = (CompiledRule.Multivalue) rules[ev.selectionRule];
    boolean everyItem = ev.selectionCount == m.n && m.allEndpoints != null;
    into.start(Outcome.ANSWER, binding.ttl(), scope);
    if (everyItem) {
      for (int k = 0; k < m.allEndpoints.size(); k++) {
        into.addEndpoint(m.allEndpoints.get(k));
      }
    } else {
      for (int k = 0; k < ev.selectionCount; k++) {
        into.addEndpoint(endpointIds[~m.child[ev.selection[k]]]);
      }
    }
    if (everyItem && m.allRecords != null) {
      into.addRecords(m.allRecords);
    } else {
      for (int k = 0; k < ev.selectionCount; k++) {
        into.addRecords(records(ev, ~m.child[ev.selection[k]]));
      }
    }
  }

  private Answer answer(Evaluation ev, int result, PolicyBinding binding) {
    int scope = Math.min(ev.scope, ev.clientPrefix);
    Trace trace = ev.tracing() ? Trace.of(ev.trace) : Trace.empty();
    if (result == NO_DATA) {
      return new Answer(Outcome.NO_DATA, recordType, ImmutableList.of(), ImmutableList.of(), binding.ttl(), scope,
          binding.policyId(), binding.policyVersion(), trace);
    }
    if (result >= 0) {
      return new Answer(Outcome.ANSWER, recordType, singleEndpoint[result], records(ev, result),
          ttl(ev, result, binding), scope, binding.policyId(), binding.policyVersion(), trace);
    }
    CompiledRule.Multivalue m = (CompiledRule.Multivalue) rules[ev.selectionRule];
    boolean everyItem = ev.selectionCount == m.n && m.allEndpoints != null;
    if (everyItem && m.allRecords != null) {
      return new Answer(Outcome.ANSWER, recordType, m.allEndpoints, m.allRecords, binding.ttl(), scope,
          binding.policyId(), binding.policyVersion(), trace);
    }
    ImmutableList.Builder<EndpointId> ids = ImmutableList.builderWithExpectedSize(ev.selectionCount);
    ImmutableList.Builder<RecordData> data = ImmutableList.builderWithExpectedSize(ev.selectionCount);
    for (int k = 0; k < ev.selectionCount; k++) {
      int e = ~m.child[ev.selection[k]];
      ids.add(endpointIds[e]);
      data.addAll(records(ev, e));
    }
    return new Answer(Outcome.ANSWER, recordType, everyItem ? m.allEndpoints : ids.build(), data.build(),
        binding.ttl(), scope, binding.policyId(), binding.policyVersion(), trace);
  }

  private ImmutableList<RecordData> records(Evaluation ev, int e) {
    ImmutableList<RecordData> v = valueData[e];
    return v != null ? v : ev.aliasTargets[targetIndex[e]].records();
  }

  /**
   * The TTL of an answer with endpoint {@code e}: the record's, or for an alias target the smaller of it and the
   * target's own ({@link AliasResolver.Target#maxAnswerTtl()}).
   */
  private long ttl(Evaluation ev, int e, PolicyBinding binding) {
    return valueData[e] != null ? binding.ttl()
        : Math.min(binding.ttl(), ev.aliasTargets[targetIndex[e]].maxAnswerTtl());
  }

  /**
   * The alias targets of a record named {@code recordName} bound to this program: the resolver's targets for that
   * name, which may depend on it ({@link AliasResolver#target}); this program's own array when they equal its own
   * (a resolver that keeps one target per name, such as {@link DnsAliasResolver}, or a static table's equal rows),
   * so records sharing a program usually share it too.
   */
  AliasResolver.Target[] aliasTargetsFor(String recordName) {
    if (recordName.equals(binding.recordName()) || aliasTargets.length == 0) {
      return aliasTargets;
    }
    AliasResolver.Target[] own = new AliasResolver.Target[aliasTargets.length];
    boolean same = true;
    for (int e = 0; e < endpoints.length; e++) {
      int t = targetIndex[e];
      if (t >= 0) {
        own[t] = aliasResolver.target(endpoints[e], recordType, recordName);
        same &= own[t].equals(aliasTargets[t]);
      }
    }
    return same ? aliasTargets : own;
  }

  private int resolveTarget(Evaluation ev, int target, int depth) {
    if (target < 0) {
      int e = ~target;
      if (ev.tracing()) {
        ev.step(depth, TraceStep.Kind.ENDPOINT, endpointIds[e].value(), endpointText(ev, e));
      }
      return e;
    }
    return resolveRule(ev, target, depth);
  }

  private String endpointText(Evaluation ev, int e) {
    Endpoint ep = endpoints[e];
    if (valueData[e] != null) {
      return "value " + valueData[e].get(0).presentation();
    }
    return ep.type().text() + " " + ep.value() + ep.region().map(r -> " (" + r + ")").orElse("")
        + ": alias, " + ev.aliasTargets[targetIndex[e]].describe();
  }

  private int resolveRule(Evaluation ev, int r, int depth) {
    CompiledRule rule = rules[r];
    if (ev.choices != null) {
      ev.choices.entered[r] = true;
    }
    boolean tracing = ev.tracing();
    if (tracing) {
      ev.ruleStep(rule.id, depth, TraceStep.Kind.ENTER_RULE, rule.id + " (" + rule.type.text() + ")",
          context(ev, rule));
    }
    if (rule instanceof CompiledRule.Multivalue) {
      return resolveMultivalue(ev, (CompiledRule.Multivalue) rule, r, depth);
    }
    double[] keys = ev.keys[depth];
    int[] tiers = ev.tiers[depth];
    boolean[] pending = rule.lazyKeys() ? ev.pending[depth] : null;
    double[] input = ev.input[depth];
    int count = ev.order(rule, r, keys, tiers, pending, input);
    if (ev.choices != null) {
      ev.choices.force(rule, r, keys, tiers, pending);
    }
    if (tracing) {
      for (int i = 0; i < rule.n; i++) {
        if (tiers[i] < 0) {
          ev.step(depth + 1, TraceStep.Kind.NO_MATCH, entryText(rule, i), noMatchText(rule, i), rule.id, i);
        }
      }
    }
    if (count == 0) {
      if (tracing) {
        ev.ruleStep(rule.id, depth, TraceStep.Kind.NO_DATA, rule.id,
            rule.type == io.github.trafficpolicy.api.RuleType.GEO
            ? "no location contains the client and there is no default: no answer"
            : "no entry applies to the client: no answer");
      }
      return NO_DATA;
    }
    // F1: pick, check, re-pick.
    int pt = Integer.MIN_VALUE;
    int pi = -1;
    int i;
    for (i = ev.firstPick(rule, r, keys, tiers, pending, input); i >= 0;
        i = rule.nextExact(ev, keys, tiers, pending, input, pt, pi)) {
      pt = tiers[i];
      pi = i;
      if (ev.choices != null) {
        ev.choices.examine(r, i, rule.n);
      }
      int reason = unusable(ev, rule, i);
      if (reason != OK) {
        if (tracing) {
          ev.step(depth + 1, TraceStep.Kind.SKIP, entryText(rule, i), reasonText(ev, rule, i, reason), rule.id, i);
        }
        continue;
      }
      if (tracing) {
        if (rule instanceof CompiledRule.Weighted && tiers[i] == 0) {
          for (int z = 0; z < rule.n; z++) {
            if (tiers[z] == 1) {
              ev.step(depth + 1, TraceStep.Kind.SKIP, entryText(rule, z),
                  "zero weight: standby while a non-zero item is available", rule.id, z);
            }
          }
        }
        ev.step(depth + 1, TraceStep.Kind.CHOOSE, entryText(rule, i), rule.why(ev, i, keys[i], tiers[i], false),
            rule.id, i);
      }
      int res = resolveTarget(ev, rule.child[i], depth + 1);
      if (res != NO_DATA) {
        if (ev.choices != null) {
          ev.choices.chose(rule, r, i);
        }
        return res;
      }
      if (tracing) {
        ev.step(depth + 1, TraceStep.Kind.SKIP, entryText(rule, i), "the branch answered nothing (failed closed)",
            rule.id, i);
      }
    }
    // F2: nothing healthy.
    if (failClosed) {
      if (tracing) {
        ev.ruleStep(rule.id, depth, TraceStep.Kind.FAIL_CLOSED, rule.id, "no healthy entry: no answer (fail closed)");
      }
      return NO_DATA;
    }
    if (tracing) {
      ev.ruleStep(rule.id, depth, TraceStep.Kind.FAIL_OPEN, rule.id,
          "no healthy entry: every entry is treated as healthy and chosen by the routing policy alone");
    }
    pt = Integer.MIN_VALUE;
    pi = -1;
    while ((i = rule.nextExact(ev, keys, tiers, pending, input, pt, pi)) >= 0) {
      pt = tiers[i];
      pi = i;
      int c = rule.child[i];
      if (c >= 0 && !hasData(ev, c)) {
        if (tracing) {
          ev.step(depth + 1, TraceStep.Kind.SKIP, entryText(rule, i), reasonText(ev, rule, i, BRANCH_NO_DATA),
              rule.id, i);
        }
        continue;
      }
      if (tracing) {
        ev.step(depth + 1, TraceStep.Kind.CHOOSE, entryText(rule, i), rule.why(ev, i, keys[i], tiers[i], true),
            rule.id, i);
      }
      int res = resolveTarget(ev, c, depth + 1);
      if (res != NO_DATA) {
        if (ev.choices != null) {
          ev.choices.chose(rule, r, i);
        }
        return res;
      }
    }
    if (tracing) {
      ev.ruleStep(rule.id, depth, TraceStep.Kind.NO_DATA, rule.id, "no entry has an answer for the client");
    }
    return NO_DATA;
  }

  private int resolveMultivalue(Evaluation ev, CompiledRule.Multivalue rule, int r, int depth) {
    boolean tracing = ev.tracing();
    int[] tiers = ev.tiers[depth];
    double[] keys = ev.keys[depth];
    int healthy = 0;
    for (int i = 0; i < rule.n; i++) {
      int c = rule.check[i];
      boolean ok = c < 0 || ev.health.checkOk[c];
      tiers[i] = ok ? 0 : 1;
      if (ok) {
        healthy++;
      } else if (tracing) {
        ev.step(depth + 1, TraceStep.Kind.SKIP, entryText(rule, i), reasonText(ev, rule, i, CHECK_UNHEALTHY), rule.id,
            i);
      }
    }
    boolean failOpen = healthy == 0;
    if (failOpen) {
      if (failClosed) {
        if (tracing) {
          ev.ruleStep(rule.id, depth, TraceStep.Kind.FAIL_CLOSED, rule.id, "no healthy item: no answer (fail closed)");
        }
        return NO_DATA;
      }
      if (tracing) {
        ev.ruleStep(rule.id, depth, TraceStep.Kind.FAIL_OPEN, rule.id, "no healthy item: answering with unhealthy items");
      }
    }
    int pool = failOpen ? rule.n : healthy;
    int max = settings.multivalueMaximum();
    int count = 0;
    if (pool <= max || ev.choices != null) {
      for (int i = 0; i < rule.n; i++) {
        if (failOpen || tiers[i] == 0) {
          ev.selection[count++] = i;
        }
      }
    } else {
      ev.useClientKeyScope();
      long ck = ev.clientKey();
      for (int i = 0; i < rule.n; i++) {
        keys[i] = (failOpen || tiers[i] == 0)
            ? (double) (RendezvousHash.draw(rule.entryKey[i], ck) >>> 11) : -1;
      }
      // Mark the `max` highest draws (lowest scores), ties to the earlier item, then collect in document order.
      for (int k = 0; k < max; k++) {
        int best = -1;
        for (int i = 0; i < rule.n; i++) {
          if (keys[i] >= 0 && (best < 0 || keys[i] > keys[best])) {
            best = i;
          }
        }
        keys[best] = -2;
      }
      for (int i = 0; i < rule.n; i++) {
        if (keys[i] == -2) {
          ev.selection[count++] = i;
        }
      }
    }
    ev.selectionCount = count;
    ev.selectionRule = r;
    if (tracing) {
      String why = pool <= max || ev.choices != null
          ? (failOpen ? "all " + pool + " items (none healthy)" : "all " + pool + " healthy items")
          : max + " of " + pool + (failOpen ? " items (none healthy)" : " healthy items")
              + " with the best rendezvous scores for client key " + ev.clientKeyText();
      StringBuilder chosen = new StringBuilder();
      for (int k = 0; k < count; k++) {
        chosen.append(k == 0 ? "" : ", ").append(endpointIds[~rule.child[ev.selection[k]]]);
      }
      ev.step(depth + 1, TraceStep.Kind.CHOOSE, chosen.toString(), why, rule.id, -1);
      for (int k = 0; k < count; k++) {
        int i = ev.selection[k];
        int e = ~rule.child[i];
        ev.step(depth + 2, TraceStep.Kind.ENDPOINT, endpointIds[e].value(), endpointText(ev, e), rule.id, i);
      }
    }
    return MULTI;
  }

  /** Why entry {@code i} cannot be chosen in F1, or {@link #OK}. */
  private int unusable(Evaluation ev, CompiledRule rule, int i) {
    int c = rule.check[i];
    if (c >= 0 && !ev.health.checkOk[c]) {
      return CHECK_UNHEALTHY;
    }
    int t = rule.child[i];
    if (t >= 0) {
      if (rule.eth[i]) {
        if (!hasHealthy(ev, t)) {
          return hasData(ev, t) ? BRANCH_UNHEALTHY : BRANCH_NO_DATA;
        }
      } else if (!hasData(ev, t)) {
        return BRANCH_NO_DATA;
      }
    } else if (rule.eth[i]) {
      int ti = targetIndex[~t];
      if (ti >= 0 && !ev.health.targetOk[ti]) {
        return TARGET_UNHEALTHY;
      }
    }
    return OK;
  }

  /**
   * Fills {@code v.groupHealthy[r]} and {@code v.groupData[r]} for a client-independent rule {@code r} (its child
   * rules first): exactly what {@link #hasHealthy} and {@link #hasData} answer for it, for any client, since every
   * entry of the subtree is a candidate whatever the client and {@link #unusable} reads the snapshot only.
   */
  private void groupHealth(HealthView v, int r) {
    if (v.groupHealthy[r] != HealthView.UNSET) {
      return;
    }
    CompiledRule rule = rules[r];
    boolean healthy = false;
    boolean data = false;
    for (int i = 0; i < rule.n; i++) {
      int t = rule.child[i];
      if (t >= 0) {
        groupHealth(v, t);
      }
      boolean childData = t < 0 || v.groupData[t] == HealthView.YES;
      data |= childData;
      int c = rule.check[i];
      if (c >= 0 && !v.checkOk[c]) {
        continue;
      }
      if (t >= 0) {
        healthy |= rule.eth[i] ? v.groupHealthy[t] == HealthView.YES : childData;
      } else {
        int ti = targetIndex[~t];
        healthy |= !rule.eth[i] || ti < 0 || v.targetOk[ti];
      }
    }
    v.groupHealthy[r] = healthy ? HealthView.YES : HealthView.NO;
    v.groupData[r] = data ? HealthView.YES : HealthView.NO;
  }

  /** Whether rule {@code r} has at least one healthy record for this client (its group is healthy: SEMANTICS.md, section 2). */
  private boolean hasHealthy(Evaluation ev, int r) {
    byte known = ev.health.groupHealthy[r];
    if (known != HealthView.UNSET) {
      return known == HealthView.YES;
    }
    int stamp = ev.stamp();
    if (ev.hasHealthyStamp[r] == stamp) {
      return ev.hasHealthyValue[r];
    }
    CompiledRule rule = rules[r];
    boolean result = false;
    for (int i = 0; i < rule.n && !result; i++) {
      result = (rule.alwaysCandidate || rule.isCandidate(ev, i)) && unusable(ev, rule, i) == OK;
    }
    ev.hasHealthyStamp[r] = stamp;
    ev.hasHealthyValue[r] = result;
    return result;
  }

  /** Whether rule {@code r} has any applicable record for this client, healthy or not. */
  private boolean hasData(Evaluation ev, int r) {
    byte known = ev.health.groupData[r];
    if (known != HealthView.UNSET) {
      return known == HealthView.YES;
    }
    int stamp = ev.stamp();
    if (ev.hasDataStamp[r] == stamp) {
      return ev.hasDataValue[r];
    }
    CompiledRule rule = rules[r];
    boolean result = false;
    for (int i = 0; i < rule.n && !result; i++) {
      int c = rule.child[i];
      result = (rule.alwaysCandidate || rule.isCandidate(ev, i)) && (c < 0 || hasData(ev, c));
    }
    ev.hasDataStamp[r] = stamp;
    ev.hasDataValue[r] = result;
    return result;
  }

  /**
   * For tests: per rule, whether its group has a healthy record ({@code [0][r]}) and any record ({@code [1][r]}) for
   * {@code query}, as evaluation sees them.
   */
  boolean[][] groupHealth(Query query) {
    Optional<HealthSnapshot> given = query.health();
    Evaluation ev = new Evaluation(this);
    ev.begin(query, view(given.isPresent() ? given.get() : healthSupplier.get()));
    boolean[][] out = new boolean[2][rules.length];
    for (int r = 0; r < rules.length; r++) {
      out[0][r] = hasHealthy(ev, r);
      out[1][r] = hasData(ev, r);
    }
    ev.end();
    return out;
  }

  /**
   * Adds to {@code into} what an evaluation that entered the rules {@code entered} and examined the entries
   * {@code examined} may have read of health, as {@code check:ID} and {@code target:ENDPOINT}. Health is read only
   * when an entry is examined ({@link #unusable}: its health check; with EvaluateTargetHealth, a child rule's whole
   * subtree through {@link #hasHealthy}, an alias endpoint's target) and by multivalue rules (every item's check):
   * an evaluation under another snapshot runs identically up to its first differing read, which is one of these.
   */
  void healthInputs(boolean[] entered, boolean[][] examined, Set<String> into) {
    for (int r = 0; r < rules.length; r++) {
      CompiledRule rule = rules[r];
      boolean all = entered[r] && rule instanceof CompiledRule.Multivalue;
      for (int i = 0; i < rule.n; i++) {
        if (!all && (examined[r] == null || !examined[r][i])) {
          continue;
        }
        if (rule.check[i] >= 0) {
          into.add("check:" + checks[rule.check[i]].value());
        }
        int t = rule.child[i];
        if (rule.eth[i] && t >= 0) {
          subtreeHealthInputs(t, into, new boolean[rules.length]);
        } else if (rule.eth[i] && targetIndex[~t] >= 0) {
          into.add("target:" + endpointIds[~t].value());
        }
      }
    }
  }

  private void subtreeHealthInputs(int r, Set<String> into, boolean[] seen) {
    if (seen[r]) {
      return;
    }
    seen[r] = true;
    CompiledRule rule = rules[r];
    for (int i = 0; i < rule.n; i++) {
      if (rule.check[i] >= 0) {
        into.add("check:" + checks[rule.check[i]].value());
      }
      int t = rule.child[i];
      if (t >= 0) {
        subtreeHealthInputs(t, into, seen);
      } else if (targetIndex[~t] >= 0) {
        into.add("target:" + endpointIds[~t].value());
      }
    }
  }

  // ----- trace text ---------------------------------------------------------------------------------------------

  private String context(Evaluation ev, CompiledRule rule) {
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

  private String entryText(CompiledRule rule, int i) {
    int t = rule.child[i];
    return rule.label[i] + " -> " + (t >= 0 ? "rule " + rules[t].id : "endpoint " + endpointIds[~t]);
  }

  private String noMatchText(CompiledRule rule, int i) {
    switch (rule.type) {
      case GEO:
        return "does not contain the client";
      case LATENCY:
        return "no latency data for " + ((CompiledRule.Latency) rule).region[i] + " (not a candidate)";
      default:
        return "distance unknown (not a candidate)";
    }
  }

  private String reasonText(Evaluation ev, CompiledRule rule, int i, int reason) {
    String eth = rule.ethExplicit[i] ? "EvaluateTargetHealth" : "EvaluateTargetHealth (omitted, default "
        + settings.evaluateTargetHealthDefault() + ")";
    int t = rule.child[i];
    switch (reason) {
      case CHECK_UNHEALTHY: {
        int c = rule.check[i];
        HealthStatus s = ev.health.checkStatus[c];
        return "health check " + checks[c] + " " + s + (s == HealthStatus.UNKNOWN ? " (counted unhealthy)" : "");
      }
      case TARGET_UNHEALTHY: {
        int ti = targetIndex[~t];
        HealthStatus s = ev.health.targetStatus[ti];
        return eth + ": alias target " + endpointIds[~t] + " " + s
            + (s == HealthStatus.UNKNOWN ? " (counted unhealthy)" : "")
            + (ev.health.targetResolverStatus[ti] == HealthStatus.UNHEALTHY ? " (" + ev.aliasTargets[ti].describe() + ")"
            : "");
      }
      case BRANCH_UNHEALTHY:
        return eth + ": rule " + rules[t].id + " has no healthy record for the client";
      default:
        return "rule " + rules[t].id + " has no answer for the client (no applicable location)";
    }
  }
}
