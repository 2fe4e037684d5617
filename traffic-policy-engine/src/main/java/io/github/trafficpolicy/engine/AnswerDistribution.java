package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Every answer a policy may give one query, with its exact probability over the weighted and multivalue choices —
 * what a population of clients sharing the query's location, latency and health gets, rather than the one hashed
 * draw {@link CompiledPolicy#evaluate} makes for one client key.
 *
 * <p>A weighted rule picks, among its entries that can answer, entry {@code i} with probability
 * {@code weight(i) / Σ weight} (its rendezvous scores {@code −ln(u)/w} are exponential races, and the first usable
 * entry of a race is drawn in proportion to the weights of the usable ones, whichever entries were unusable): each
 * entry is tried first in turn ("forced"), the entries that then answer are the usable ones, and their branches are
 * explored the same way when they hold further weighted rules. Zero-weight standbys share equally when no non-zero
 * entry can answer; all-zero rules share equally. A multivalue rule answers with its whole pool (every healthy item,
 * or every item when none is healthy): a hashed subset of the maximum holds each pool item with the same
 * probability, so the expected traffic per item is the same. Draws of different rules are taken as independent (the
 * hash makes them so); a rule reached twice in one evaluation is forced alike both times.
 *
 * @param shares the distinct answers (by outcome and endpoints) with their probabilities, summing to 1, most likely
 *     first
 * @param healthInputs what the distribution may depend on: {@code check:ID} for a health check, {@code target:ID}
 *     for an alias endpoint's target health — everything the evaluations read of health (the checks of the entries
 *     they examined, the subtrees those entries' EvaluateTargetHealth looked into, every item of a multivalue
 *     rule); a status change of anything else leaves the distribution as it is.
 */
public record AnswerDistribution(ImmutableList<Share> shares, ImmutableSet<String> healthInputs) {
  /** More evaluations than this for one query means a policy with runaway nested weighted rules. */
  private static final int MAX_EVALUATIONS = 1 << 16;

  public AnswerDistribution {
    shares = ImmutableList.copyOf(shares);
    healthInputs = ImmutableSet.copyOf(healthInputs);
    checkArgument(!shares.isEmpty(), "a distribution needs at least one answer");
  }

  /**
   * One answer and its probability.
   *
   * @param answer the answer
   * @param probability in (0, 1]
   */
  public record Share(Answer answer, double probability) {
    public Share {
      checkNotNull(answer, "answer");
      checkArgument(probability > 0 && probability <= 1 + 1e-9, "probability must be in (0, 1] but was %s",
          probability);
    }
  }

  /**
   * The distribution of {@code policy}'s answer to {@code query}. A policy compiled by a {@link PolicyEvaluator}
   * is explored exactly; any other implementation is evaluated once. With a trace asked for, each answer carries
   * the trace of the evaluation that produced it (a forced weighted pick shows the rendezvous score −∞).
   *
   * @throws IllegalStateException when the nested weighted rules need more than 65 536 evaluations
   */
  public static AnswerDistribution of(CompiledPolicy policy, Query query) {
    checkNotNull(policy, "policy");
    checkNotNull(query, "query");
    if (!(policy instanceof CompiledPolicyImpl impl)) {
      return new AnswerDistribution(ImmutableList.of(new Share(policy.evaluate(query), 1)),
          everyHealthInput(policy.document()));
    }
    Explorer explorer = new Explorer(impl, query);
    // Nothing is forced yet, so the first exploration is always feasible.
    List<Share> found = checkNotNull(explorer.explore());
    Set<String> inputs = new TreeSet<>();
    impl.healthInputs(explorer.choices.entered, explorer.choices.examined, inputs);
    ImmutableSet<String> healthInputs = ImmutableSet.copyOf(inputs);
    if (found.size() == 1) {
      return new AnswerDistribution(ImmutableList.of(found.get(0)), healthInputs);
    }
    Map<List<Object>, Share> merged = new LinkedHashMap<>();
    for (Share s : found) {
      merged.merge(List.of(s.answer.outcome(), s.answer.endpoints()), s,
          (a, b) -> new Share(a.answer, a.probability + b.probability));
    }
    List<Share> sorted = new ArrayList<>(merged.values());
    sorted.sort((a, b) -> Double.compare(b.probability, a.probability));
    return new AnswerDistribution(ImmutableList.copyOf(sorted), healthInputs);
  }

  /** Every health check and alias endpoint of a document (for a policy that cannot say what it read). */
  private static ImmutableSet<String> everyHealthInput(PolicyDocument d) {
    Set<String> out = new TreeSet<>();
    for (Rule r : d.rules().values()) {
      for (RuleEntry e : r.entries()) {
        e.healthCheck().ifPresent(h -> out.add("check:" + h.value()));
      }
    }
    d.endpoints().forEach((id, e) -> {
      if (e.type() != EndpointType.VALUE) {
        out.add("target:" + id.value());
      }
    });
    return ImmutableSet.copyOf(out);
  }

  /**
   * The expected share of the traffic each endpoint receives: an answer's probability split evenly over its
   * endpoints (a resolver spreads its clients over the records of a multivalue answer). No-data answers are left out
   * (see {@link #noDataProbability}).
   */
  public Map<EndpointId, Double> endpointShares() {
    Map<EndpointId, Double> out = new LinkedHashMap<>();
    for (Share s : shares) {
      List<EndpointId> e = s.answer.endpoints();
      for (EndpointId id : e) {
        out.merge(id, s.probability / e.size(), Double::sum);
      }
    }
    return out;
  }

  /** The probability of no answer. */
  public double noDataProbability() {
    double p = 0;
    for (Share s : shares) {
      if (s.answer.outcome() == Outcome.NO_DATA) {
        p += s.probability;
      }
    }
    return p;
  }

  /** Depth-first exploration of forced weighted choices. */
  private static final class Explorer {
    private final CompiledPolicyImpl policy;
    private final Query query;
    final Choices choices;
    private int evaluations;

    Explorer(CompiledPolicyImpl policy, Query query) {
      this.policy = policy;
      this.query = query;
      this.choices = new Choices(policy.rules.length);
    }

    /** The answers under the current forcing with probabilities summing to 1, or null when it is infeasible. */
    @Nullable List<Share> explore() {
      if (++evaluations > MAX_EVALUATIONS) {
        throw new IllegalStateException("more than " + MAX_EVALUATIONS
            + " evaluations for one query: too many nested weighted choices to enumerate");
      }
      choices.begin();
      Answer answer = policy.evaluate(query, choices);
      int open = -1;
      for (int k = 0; k < choices.decidedCount; k++) {
        int r = choices.decided[k];
        int f = choices.forced[r];
        if (f >= 0 && choices.chosen[r] != f) {
          return null; // the forced entry cannot answer for this client
        }
        if (f < 0 && open < 0) {
          open = r;
        }
      }
      if (open < 0) {
        return List.of(new Share(answer, 1));
      }
      CompiledRule.Weighted rule = (CompiledRule.Weighted) policy.rules[open];
      List<Answer> answers = new ArrayList<>();
      List<Double> mass = new ArrayList<>();
      double total = 0;
      // Zero-weight standbys (tier 1) can answer only when no weighted entry (tier 0) can: try them only then.
      for (int tier = 0; tier <= 1 && total == 0; tier++) {
        for (int i = 0; i < rule.n; i++) {
          if (rule.tier(i) != tier) {
            continue;
          }
          choices.forced[open] = i;
          List<Share> sub = explore();
          if (sub != null) {
            double w = tier == 1 || rule.allZero ? 1 : rule.weight[i];
            total += w;
            for (Share s : sub) {
              answers.add(s.answer);
              mass.add(s.probability * w);
            }
          }
        }
      }
      choices.forced[open] = -1;
      if (answers.isEmpty()) {
        return List.of(new Share(answer, 1));
      }
      List<Share> out = new ArrayList<>(answers.size());
      for (int k = 0; k < answers.size(); k++) {
        out.add(new Share(answers.get(k), mass.get(k) / total));
      }
      return out;
    }
  }
}
