package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.engine.EvaluatorSettings.AllUnhealthy;
import io.github.trafficpolicy.engine.input.DnsAliasResolver;
import io.github.trafficpolicy.engine.internal.AddressLocator;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The compiled form of a policy document and its evaluation (traffic-policy-engine/SEMANTICS.md, section 3). Compilation flattens
 * the document into arrays ({@link CompiledRule}), parses every {@code value} endpoint's record data, indexes health
 * checks and alias targets, and precomputes the answer lists of single-endpoint answers and the rendezvous keys of
 * weighted and multivalue entries.
 *
 * <p>It is also the {@link PolicyProgram} of its policy version: other records bound to the version answer from it
 * through {@link BoundPolicy}, which passes its own binding (name, TTL) to {@link #evaluate(Query, PolicyBinding, AliasResolver.Target[], Choices)}.
 * Nothing compiled depends on the record name or TTL.
 */
final class CompiledPolicyImpl implements CompiledPolicy, PolicyProgram {

  private final PolicyDocument document;
  private final PolicyBinding binding;
  final EvaluatorSettings settings;
  final GeoLocator geoLocator;
  final @Nullable LatencyTable latencyTable;
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
  private final boolean @Nullable [] clientIndependent;
  /** Whether the memos are on ({@link #clientIndependent}, {@link Evaluation#order}). */
  final boolean memo;
  private volatile @Nullable HealthView healthCache;
  private final ThreadLocal<Evaluation> scratch;
  /** The words of traces. */
  private final TraceText text;

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

    PolicyCompiler compiled = new PolicyCompiler(document, binding, settings);
    this.endpoints = compiled.endpoints;
    this.endpointIds = compiled.endpointIds;
    this.singleEndpoint = compiled.singleEndpoint;
    this.valueData = compiled.valueData;
    this.targetIndex = compiled.targetIndex;
    this.targets = compiled.targets;
    this.checks = compiled.checks;
    this.rules = compiled.rules;
    this.start = compiled.start;
    this.maxDepth = compiled.maxDepth;
    this.maxEntries = compiled.maxEntries;
    this.aliasTargets = new AliasResolver.Target[targets.length];
    for (int e = 0; e < endpoints.length; e++) {
      if (targetIndex[e] >= 0) {
        aliasTargets[targetIndex[e]] = aliasResolver.target(endpoints[e], recordType, binding.recordName());
      }
    }
    this.memo = memo;
    this.clientIndependent = memo ? compiled.clientIndependentRules() : null;
    this.text = new TraceText(compiled, settings);
    scratch = ThreadLocal.withInitial(() -> new Evaluation(this));
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
  Answer evaluate(Query query, @Nullable Choices choices) {
    return evaluate(query, binding, aliasTargets, choices);
  }

  /**
   * The answer for {@code query} at the record {@code binding} (this version's; its name and TTL answer), with that
   * record's alias targets ({@link #aliasTargetsFor}) and, unless null, forced choices ({@link Choices}).
   */
  Answer evaluate(Query query, PolicyBinding binding, AliasResolver.Target[] recordTargets,
                  @Nullable Choices choices) {
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
    if (result == Refs.NO_DATA) {
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
    ImmutableList<EndpointId> all = ev.selectionCount == m.n ? m.allEndpoints : null;
    ImmutableList<RecordData> allRecords = all != null ? m.allRecords : null;
    into.start(Outcome.ANSWER, binding.ttl(), scope);
    if (all != null) {
      for (int k = 0; k < all.size(); k++) {
        into.addEndpoint(all.get(k));
      }
    } else {
      for (int k = 0; k < ev.selectionCount; k++) {
        into.addEndpoint(endpointIds[Refs.endpoint(m.child[ev.selection[k]])]);
      }
    }
    if (allRecords != null) {
      into.addRecords(allRecords);
    } else {
      for (int k = 0; k < ev.selectionCount; k++) {
        into.addRecords(records(ev, Refs.endpoint(m.child[ev.selection[k]])));
      }
    }
  }

  private Answer answer(Evaluation ev, int result, PolicyBinding binding) {
    int scope = Math.min(ev.scope, ev.clientPrefix);
    Trace trace = ev.tracing() ? Trace.of(ev.trace()) : Trace.empty();
    if (result == Refs.NO_DATA) {
      return new Answer(Outcome.NO_DATA, recordType, ImmutableList.of(), ImmutableList.of(), binding.ttl(), scope,
          binding.policyId(), binding.policyVersion(), trace);
    }
    if (result >= 0) {
      return new Answer(Outcome.ANSWER, recordType, singleEndpoint[result], records(ev, result),
          ttl(ev, result, binding), scope, binding.policyId(), binding.policyVersion(), trace);
    }
    CompiledRule.Multivalue m = (CompiledRule.Multivalue) rules[ev.selectionRule];
    ImmutableList<EndpointId> all = ev.selectionCount == m.n ? m.allEndpoints : null;
    ImmutableList<RecordData> allRecords = all != null ? m.allRecords : null;
    if (all != null && allRecords != null) {
      return new Answer(Outcome.ANSWER, recordType, all, allRecords, binding.ttl(), scope,
          binding.policyId(), binding.policyVersion(), trace);
    }
    ImmutableList.Builder<EndpointId> ids = ImmutableList.builderWithExpectedSize(ev.selectionCount);
    ImmutableList.Builder<RecordData> data = ImmutableList.builderWithExpectedSize(ev.selectionCount);
    for (int k = 0; k < ev.selectionCount; k++) {
      int e = Refs.endpoint(m.child[ev.selection[k]]);
      ids.add(endpointIds[e]);
      data.addAll(records(ev, e));
    }
    return new Answer(Outcome.ANSWER, recordType, all != null ? all : ids.build(), data.build(),
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
    if (!Refs.isRule(target)) {
      int e = Refs.endpoint(target);
      if (ev.tracing()) {
        ev.step(depth, TraceStep.Kind.ENDPOINT, endpointIds[e].value(), text.endpoint(ev, e));
      }
      return e;
    }
    return resolveRule(ev, target, depth);
  }

  private int resolveRule(Evaluation ev, int r, int depth) {
    CompiledRule rule = rules[r];
    if (ev.choices != null) {
      ev.choices.entered[r] = true;
    }
    boolean tracing = ev.tracing();
    if (tracing) {
      ev.ruleStep(rule.id, depth, TraceStep.Kind.ENTER_RULE, TraceText.ruleSubject(rule), text.context(ev, rule));
    }
    if (rule instanceof CompiledRule.Multivalue m) {
      return resolveMultivalue(ev, m, r, depth);
    }
    Evaluation.Level level = ev.levels[depth];
    int[] tiers = level.tiers;
    int count = ev.order(rule, r, level);
    if (ev.choices != null) {
      ev.choices.force(rule, r, level);
    }
    if (tracing) {
      for (int i = 0; i < rule.n; i++) {
        if (tiers[i] < 0) {
          ev.step(depth + 1, TraceStep.Kind.NO_MATCH, text.entry(rule, i), text.noMatch(rule, i), rule.id, i);
        }
      }
    }
    if (count == 0) {
      if (tracing) {
        ev.ruleStep(rule.id, depth, TraceStep.Kind.NO_DATA, rule.id, TraceText.noCandidate(rule));
      }
      return Refs.NO_DATA;
    }
    int res = pickHealthy(ev, rule, r, level, depth);
    return res != Refs.NO_DATA ? res : pickFailOpen(ev, rule, r, level, depth);
  }

  /**
   * F1 (pick, check, re-pick): the first entry in the rule's order that is usable ({@link #unusable}) and whose
   * branch answers, resolved; {@link Refs#NO_DATA} when there is none.
   */
  private int pickHealthy(Evaluation ev, CompiledRule rule, int r, Evaluation.Level level, int depth) {
    boolean tracing = ev.tracing();
    int[] tiers = level.tiers;
    int pt = Integer.MIN_VALUE;
    int pi = -1;
    for (int i = ev.firstPick(rule, r, level); i >= 0; i = rule.nextExact(ev, level, pt, pi)) {
      pt = tiers[i];
      pi = i;
      if (ev.choices != null) {
        ev.choices.examine(r, i, rule.n);
      }
      Unusable reason = unusable(ev, rule, i);
      if (reason != Unusable.NO) {
        if (tracing) {
          ev.step(depth + 1, TraceStep.Kind.SKIP, text.entry(rule, i), text.unusable(ev, rule, i, reason), rule.id, i);
        }
        continue;
      }
      if (tracing) {
        traceChoice(ev, rule, level, i, depth, false);
      }
      int res = resolveTarget(ev, rule.child[i], depth + 1);
      if (res != Refs.NO_DATA) {
        if (ev.choices != null) {
          ev.choices.chose(rule, r, i);
        }
        return res;
      }
      if (tracing) {
        ev.step(depth + 1, TraceStep.Kind.SKIP, text.entry(rule, i), TraceText.BRANCH_FAILED_CLOSED, rule.id, i);
      }
    }
    return Refs.NO_DATA;
  }

  /**
   * F2, when no entry is healthy: no answer when failing closed; else the first entry in the rule's order whose
   * branch has any data, chosen as if every entry were healthy.
   */
  private int pickFailOpen(Evaluation ev, CompiledRule rule, int r, Evaluation.Level level, int depth) {
    boolean tracing = ev.tracing();
    if (failClosed) {
      if (tracing) {
        ev.ruleStep(rule.id, depth, TraceStep.Kind.FAIL_CLOSED, rule.id, TraceText.FAIL_CLOSED);
      }
      return Refs.NO_DATA;
    }
    if (tracing) {
      ev.ruleStep(rule.id, depth, TraceStep.Kind.FAIL_OPEN, rule.id, TraceText.FAIL_OPEN);
    }
    int[] tiers = level.tiers;
    int pt = Integer.MIN_VALUE;
    int pi = -1;
    int i;
    while ((i = rule.nextExact(ev, level, pt, pi)) >= 0) {
      pt = tiers[i];
      pi = i;
      int c = rule.child[i];
      if (Refs.isRule(c) && !hasData(ev, c)) {
        if (tracing) {
          ev.step(depth + 1, TraceStep.Kind.SKIP, text.entry(rule, i),
              text.unusable(ev, rule, i, Unusable.BRANCH_NO_DATA), rule.id, i);
        }
        continue;
      }
      if (tracing) {
        traceChoice(ev, rule, level, i, depth, true);
      }
      int res = resolveTarget(ev, c, depth + 1);
      if (res != Refs.NO_DATA) {
        if (ev.choices != null) {
          ev.choices.chose(rule, r, i);
        }
        return res;
      }
    }
    if (tracing) {
      ev.ruleStep(rule.id, depth, TraceStep.Kind.NO_DATA, rule.id, TraceText.NO_ANSWER);
    }
    return Refs.NO_DATA;
  }

  /** Traces the choice of entry {@code i} (after the zero-weight standbys it passes over, in F1). */
  private void traceChoice(Evaluation ev, CompiledRule rule, Evaluation.Level level, int i, int depth,
                           boolean failOpen) {
    int[] tiers = level.tiers;
    if (!failOpen && rule instanceof CompiledRule.Weighted && tiers[i] == 0) {
      for (int z = 0; z < rule.n; z++) {
        if (tiers[z] == 1) {
          ev.step(depth + 1, TraceStep.Kind.SKIP, text.entry(rule, z), TraceText.ZERO_WEIGHT_STANDBY, rule.id, z);
        }
      }
    }
    ev.step(depth + 1, TraceStep.Kind.CHOOSE, text.entry(rule, i),
        rule.why(ev, i, level.keys[i], tiers[i], failOpen), rule.id, i);
  }

  private int resolveMultivalue(Evaluation ev, CompiledRule.Multivalue rule, int r, int depth) {
    boolean tracing = ev.tracing();
    int[] tiers = ev.levels[depth].tiers;
    double[] keys = ev.levels[depth].keys;
    int healthy = 0;
    for (int i = 0; i < rule.n; i++) {
      int c = rule.check[i];
      boolean ok = c < 0 || ev.health.checkOk[c];
      tiers[i] = ok ? 0 : 1;
      if (ok) {
        healthy++;
      } else if (tracing) {
        ev.step(depth + 1, TraceStep.Kind.SKIP, text.entry(rule, i), text.unusable(ev, rule, i, Unusable.CHECK_UNHEALTHY), rule.id,
            i);
      }
    }
    boolean failOpen = healthy == 0;
    if (failOpen) {
      if (failClosed) {
        if (tracing) {
          ev.ruleStep(rule.id, depth, TraceStep.Kind.FAIL_CLOSED, rule.id, TraceText.MULTIVALUE_FAIL_CLOSED);
        }
        return Refs.NO_DATA;
      }
      if (tracing) {
        ev.ruleStep(rule.id, depth, TraceStep.Kind.FAIL_OPEN, rule.id, TraceText.MULTIVALUE_FAIL_OPEN);
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
      String why = TraceText.multivalueChoice(ev, pool, count, failOpen);
      ev.step(depth + 1, TraceStep.Kind.CHOOSE, text.selection(ev, rule, count), why, rule.id, -1);
      for (int k = 0; k < count; k++) {
        int i = ev.selection[k];
        int e = Refs.endpoint(rule.child[i]);
        ev.step(depth + 2, TraceStep.Kind.ENDPOINT, endpointIds[e].value(), text.endpoint(ev, e), rule.id, i);
      }
    }
    return Refs.MULTI;
  }

  /** Why entry {@code i} cannot be chosen in F1, or {@link Unusable#NO}. */
  private Unusable unusable(Evaluation ev, CompiledRule rule, int i) {
    int c = rule.check[i];
    if (c >= 0 && !ev.health.checkOk[c]) {
      return Unusable.CHECK_UNHEALTHY;
    }
    int t = rule.child[i];
    if (Refs.isRule(t)) {
      if (rule.eth[i]) {
        if (!hasHealthy(ev, t)) {
          return hasData(ev, t) ? Unusable.BRANCH_UNHEALTHY : Unusable.BRANCH_NO_DATA;
        }
      } else if (!hasData(ev, t)) {
        return Unusable.BRANCH_NO_DATA;
      }
    } else if (rule.eth[i]) {
      int ti = targetIndex[Refs.endpoint(t)];
      if (ti >= 0 && !ev.health.targetOk[ti]) {
        return Unusable.TARGET_UNHEALTHY;
      }
    }
    return Unusable.NO;
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
      if (Refs.isRule(t)) {
        groupHealth(v, t);
      }
      boolean childData = !Refs.isRule(t) || v.groupData[t] == HealthView.YES;
      data |= childData;
      int c = rule.check[i];
      if (c >= 0 && !v.checkOk[c]) {
        continue;
      }
      if (Refs.isRule(t)) {
        healthy |= rule.eth[i] ? v.groupHealthy[t] == HealthView.YES : childData;
      } else {
        int ti = targetIndex[Refs.endpoint(t)];
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
      result = (rule.alwaysCandidate || rule.isCandidate(ev, i)) && unusable(ev, rule, i) == Unusable.NO;
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
      result = (rule.alwaysCandidate || rule.isCandidate(ev, i)) && (!Refs.isRule(c) || hasData(ev, c));
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
        if (rule.eth[i] && Refs.isRule(t)) {
          subtreeHealthInputs(t, into, new boolean[rules.length]);
        } else if (rule.eth[i] && targetIndex[Refs.endpoint(t)] >= 0) {
          into.add("target:" + endpointIds[Refs.endpoint(t)].value());
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
      if (Refs.isRule(t)) {
        subtreeHealthInputs(t, into, seen);
      } else if (targetIndex[Refs.endpoint(t)] >= 0) {
        into.add("target:" + endpointIds[Refs.endpoint(t)].value());
      }
    }
  }
}
