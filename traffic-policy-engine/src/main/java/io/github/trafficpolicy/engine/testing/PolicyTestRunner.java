package io.github.trafficpolicy.engine.testing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.EvaluatorSettings;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.Outcome;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.Query;
import io.github.trafficpolicy.engine.input.EvaluatorInputs;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Runs {@link PolicyTestFile}s against a {@link PolicyEvaluator}. For each case the client's location, latency and
 * health come from the case (health checks and alias targets the case does not list are healthy; regions its
 * {@code latencyMs} does not list are estimated from great-circle distance, as every command chains latency), so
 * the outcome does not depend on the evaluator's own inputs; its
 * {@link io.github.trafficpolicy.engine.EvaluatorSettings} apply, with the file's
 * {@code assumptions.locationCoordinates} overriding region coordinates.
 *
 * <p>Clients are distinct /24 subnets {@code 10.a.b.0/24}. A single-endpoint, set or no-answer expectation must hold
 * for each of {@link #sampleClients()} clients; an {@code endpointDistribution} is measured over
 * {@link #distributionClients()} clients (at least 10,000) and every share must be within {@link #tolerance()} of
 * the expected one (an endpoint not listed fails the case).
 */
public final class PolicyTestRunner {
  private final PolicyEvaluator evaluator;
  private final int distributionClients;
  private final int sampleClients;
  private final double tolerance;

  private PolicyTestRunner(PolicyEvaluator evaluator, int distributionClients, int sampleClients, double tolerance) {
    this.evaluator = checkNotNull(evaluator, "evaluator");
    checkArgument(distributionClients >= 10_000 && distributionClients <= 65_536,
        "distributionClients must be in [10000, 65536] but was %s", distributionClients);
    checkArgument(sampleClients >= 1 && sampleClients <= 65_536, "sampleClients must be in [1, 65536] but was %s",
        sampleClients);
    checkArgument(tolerance > 0 && tolerance < 1, "tolerance must be in (0, 1) but was %s", tolerance);
    this.distributionClients = distributionClients;
    this.sampleClients = sampleClients;
    this.tolerance = tolerance;
  }

  /** A runner using {@code evaluator}'s settings: 16,384 clients for distributions, 64 samples, tolerance 0.02. */
  public static PolicyTestRunner using(PolicyEvaluator evaluator) {
    return new PolicyTestRunner(evaluator, 16_384, 64, 0.02);
  }

  /** A runner with the default evaluator settings (assembled as every command assembles its evaluator). */
  public static PolicyTestRunner withDefaults() {
    return using(EvaluatorInputs.builder().build().evaluator());
  }

  /** This runner measuring distributions over {@code clients} distinct /24s (10,000 to 65,536). */
  public PolicyTestRunner withDistributionClients(int clients) {
    return new PolicyTestRunner(evaluator, clients, sampleClients, tolerance);
  }

  /** This runner with another tolerance for distribution shares. */
  public PolicyTestRunner withTolerance(double tolerance) {
    return new PolicyTestRunner(evaluator, distributionClients, sampleClients, tolerance);
  }

  /** How many clients a distribution is measured over. */
  public int distributionClients() {
    return distributionClients;
  }

  /** How many clients a deterministic expectation is checked for. */
  public int sampleClients() {
    return sampleClients;
  }

  /** The allowed difference between an observed and an expected share. */
  public double tolerance() {
    return tolerance;
  }

  /** Runs every case of {@code file}. */
  public FileResult run(PolicyTestFile file) {
    checkNotNull(file, "file");
    PolicyEvaluator ev = evaluator;
    if (!file.locationCoordinates().isEmpty()) {
      ev = evaluator.toBuilder().settings(evaluator.settings().toBuilder()
          .regionCoordinates(evaluator.settings().regionCoordinates().withOverrides(file.locationCoordinates()))
          .build()).build();
    }
    CompiledPolicy policy = ev.compile(file.document(), PolicyBinding.standalone(file.policyRecordName()));
    ImmutableList.Builder<CaseResult> results = ImmutableList.builder();
    for (PolicyTestFile.Case c : file.cases()) {
      results.add(runCase(file, policy, c, ev.settings()));
    }
    return new FileResult(file.name(), results.build());
  }

  /** Runs every case of every file. */
  public ImmutableList<FileResult> runAll(List<PolicyTestFile> files) {
    ImmutableList.Builder<FileResult> b = ImmutableList.builder();
    for (PolicyTestFile f : files) {
      b.add(run(f));
    }
    return b.build();
  }

  private CaseResult runCase(PolicyTestFile file, CompiledPolicy policy, PolicyTestFile.Case c,
      EvaluatorSettings settings) {
    HealthSnapshot health = health(file, c);
    PolicyTestFile.Expectation ex = c.expect();
    Answer first = policy.evaluate(query(client(0), c, health, true, settings));
    String trace = first.trace().toString();
    List<String> failures = new ArrayList<>();
    String actual;
    if (!ex.rcode().equals("NOERROR")) {
      failures.add("rcode " + ex.rcode() + " is never produced by a policy (answers and no data are NOERROR)");
    }
    if (ex.endpointDistribution().isPresent()) {
      Map<String, Integer> counts = new TreeMap<>();
      for (int i = 0; i < distributionClients; i++) {
        Answer a = policy.evaluate(query(client(i), c, health, false, settings));
        String key = a.outcome() == Outcome.NO_DATA ? "(no answer)"
            : a.endpoints().size() == 1 ? a.endpoints().get(0).value() : a.endpoints().toString();
        counts.merge(key, 1, Integer::sum);
      }
      Map<String, Double> shares = new LinkedHashMap<>();
      counts.forEach((k, v) -> shares.put(k, (double) v / distributionClients));
      ImmutableMap<String, Double> expected = ex.endpointDistribution().get();
      for (Map.Entry<String, Double> e : expected.entrySet()) {
        double got = shares.getOrDefault(e.getKey(), 0.0);
        if (Math.abs(got - e.getValue()) > tolerance) {
          failures.add(String.format(Locale.ROOT, "share of %s is %.4f, expected %.4f ± %.2f", e.getKey(), got,
              e.getValue(), tolerance));
        }
      }
      for (String k : shares.keySet()) {
        if (!expected.containsKey(k)) {
          failures.add("unexpected " + k + " for " + counts.get(k) + " of " + distributionClients + " clients");
        }
      }
      StringBuilder sb = new StringBuilder("distribution over " + distributionClients + " clients {");
      shares.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '{' ? "" : ", ").append(k).append('=')
          .append(String.format(Locale.ROOT, "%.4f", v)));
      actual = sb.append('}').toString();
    } else {
      actual = describe(first);
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < sampleClients; i++) {
        Answer a = i == 0 ? first : policy.evaluate(query(client(i), c, health, false, settings));
        String problem = check(ex, a);
        if (problem != null && seen.add(problem)) {
          failures.add(problem + (i == 0 ? "" : " (client " + client(i) + ")"));
          if (i != 0) {
            actual = actual + "; client " + client(i) + ": " + describe(a);
          }
        }
      }
    }
    return new CaseResult(file.name(), c.id(), failures.isEmpty(), ex.toString(), actual, trace,
        ImmutableList.copyOf(failures), c.uncertain());
  }

  /** Null when {@code a} meets a deterministic expectation, else what is wrong. */
  private static @Nullable String check(PolicyTestFile.Expectation ex, Answer a) {
    if (ex.noAnswer()) {
      return a.outcome() == Outcome.NO_DATA ? null : "expected no answer but got " + describe(a);
    }
    if (a.outcome() == Outcome.NO_DATA) {
      return "expected an answer but got no data";
    }
    List<String> ids = new ArrayList<>();
    a.endpoints().forEach(e -> ids.add(e.value()));
    if (ex.endpoint().isPresent()) {
      if (!ids.equals(List.of(ex.endpoint().get()))) {
        return "expected endpoint " + ex.endpoint().get() + " but got " + ids;
      }
      if (ex.answer().isPresent()) {
        List<String> data = new ArrayList<>();
        a.records().forEach(r -> data.add(r.presentation()));
        if (!data.equals(ex.answer().get())) {
          return "expected record data " + ex.answer().get() + " but got " + data;
        }
      }
      return null;
    }
    PolicyTestFile.EndpointSet s = ex.endpointSet().orElseThrow();
    Set<String> set = new HashSet<>(ids);
    if (set.size() != ids.size()) {
      return "the answer repeats an endpoint: " + ids;
    }
    if (s.exactly().isPresent() && !set.equals(s.exactly().get())) {
      return "expected exactly " + s.exactly().get() + " but got " + ids;
    }
    if (s.subsetOf().isPresent() && !s.subsetOf().get().containsAll(set)) {
      return "expected a subset of " + s.subsetOf().get() + " but got " + ids;
    }
    if (s.minSize().isPresent() && set.size() < s.minSize().getAsInt()) {
      return "expected at least " + s.minSize().getAsInt() + " endpoints but got " + ids.size();
    }
    if (s.maxSize().isPresent() && set.size() > s.maxSize().getAsInt()) {
      return "expected at most " + s.maxSize().getAsInt() + " endpoints but got " + ids.size();
    }
    if (s.expectedSize().isPresent() && set.size() != s.expectedSize().getAsInt()) {
      return "expected " + s.expectedSize().getAsInt() + " endpoints but got " + ids.size();
    }
    return null;
  }

  private static String describe(Answer a) {
    if (a.outcome() == Outcome.NO_DATA) {
      return "no answer (NOERROR, empty)";
    }
    List<String> data = new ArrayList<>();
    for (RecordData r : a.records()) {
      data.add(r.presentation());
    }
    List<String> ids = new ArrayList<>();
    a.endpoints().forEach(e -> ids.add(e.value()));
    return (ids.size() == 1 ? "endpoint " + ids.get(0) : "endpoints " + ids) + (data.isEmpty() ? "" : " " + data);
  }

  /** The i-th client: {@code 10.(i >> 8).(i & 255).0/24}. */
  static ClientSubnet client(int i) {
    try {
      InetAddress a = InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 0});
      return new ClientSubnet(a, 24);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The query of one client of a case: its location and health from the case; its latency from the case's
   * {@code latencyMs}, then the great-circle estimate for regions it does not list (as {@code evaluate --latency}
   * and {@code serve} chain them, {@link EvaluatorInputs#latency}).
   */
  private static Query query(ClientSubnet client, PolicyTestFile.Case c, HealthSnapshot health, boolean trace,
      EvaluatorSettings settings) {
    Query.Builder b = Query.builder(client).location(c.location()).health(health).trace(trace);
    if (c.latencyMs().isPresent()) {
      b.latency(EvaluatorInputs.latency(ClientLatency.of(c.latencyMs().get(), client.prefixLength()), client,
          c.location(), settings));
    }
    return b.build();
  }

  /** Every health check and alias target of the document: healthy unless the case says otherwise. */
  private static HealthSnapshot health(PolicyTestFile file, PolicyTestFile.Case c) {
    HealthSnapshot.Builder b = HealthSnapshot.builder();
    for (Rule r : file.document().rules().values()) {
      for (RuleEntry e : r.entries()) {
        Optional<HealthCheckId> hc = e.healthCheck();
        if (hc.isPresent()) {
          b.check(hc.get(), c.healthChecks().getOrDefault(hc.get().value(), HealthStatus.HEALTHY));
        }
      }
    }
    c.healthChecks().forEach(b::check);
    for (Map.Entry<EndpointId, Endpoint> e : file.document().endpoints().entrySet()) {
      if (e.getValue().type().isAlias()) {
        b.target(e.getKey(), c.targetHealth().getOrDefault(e.getKey().value(), HealthStatus.HEALTHY));
      }
    }
    c.targetHealth().forEach(b::target);
    return b.build();
  }

  /**
   * The results of one file.
   *
   * @param file the file name
   * @param cases one result per case, in file order
   */
  public record FileResult(String file, ImmutableList<CaseResult> cases) {
    public FileResult {
      checkNotNull(file, "file");
      cases = ImmutableList.copyOf(cases);
    }

    /** How many cases passed. */
    public int passed() {
      return (int) cases.stream().filter(CaseResult::passed).count();
    }

    /** How many cases failed. */
    public int failed() {
      return cases.size() - passed();
    }

    /** Every failing case in full, then {@code N passed, M failed}. */
    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      for (CaseResult c : cases) {
        if (!c.passed()) {
          sb.append(c).append('\n');
        }
      }
      return sb.append(file).append(": ").append(passed()).append(" passed, ").append(failed()).append(" failed")
          .toString();
    }
  }

  /**
   * The result of one case.
   *
   * @param file the file name
   * @param caseId the case id
   * @param passed whether every expectation held
   * @param expected the expectation, in words
   * @param actual what the policy answered, in words (for the first client, or the distribution)
   * @param trace the trace of the first client's evaluation
   * @param failures what did not hold (empty when passed)
   * @param uncertain whether the case is marked uncertain in the file
   */
  public record CaseResult(
      String file,
      String caseId,
      boolean passed,
      String expected,
      String actual,
      String trace,
      ImmutableList<String> failures,
      boolean uncertain) {
    public CaseResult {
      checkNotNull(file, "file");
      checkNotNull(caseId, "caseId");
      checkNotNull(expected, "expected");
      checkNotNull(actual, "actual");
      checkNotNull(trace, "trace");
      failures = ImmutableList.copyOf(failures);
    }

    /**
     * {@code PASS file#case} on one line, or for a failure {@code FAIL file#case} followed by the failures, the
     * expected and actual answers and the indented trace.
     */
    @Override
    public String toString() {
      String head = (passed ? "PASS " : "FAIL ") + file + "#" + caseId + (uncertain ? " (uncertain)" : "");
      if (passed) {
        return head;
      }
      StringBuilder sb = new StringBuilder(head).append('\n');
      for (String f : failures) {
        sb.append("  - ").append(f).append('\n');
      }
      sb.append("  expected: ").append(expected).append('\n');
      sb.append("  actual:   ").append(actual).append('\n');
      sb.append("  trace:\n");
      for (String line : trace.split("\n", -1)) {
        sb.append("    ").append(line).append('\n');
      }
      return sb.toString().stripTrailing();
    }
  }
}
