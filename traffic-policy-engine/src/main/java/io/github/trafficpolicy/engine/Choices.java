package io.github.trafficpolicy.engine;

import java.util.Arrays;

/**
 * What {@link AnswerDistribution} changes in one evaluation: a weighted rule may have one entry <em>forced</em> to
 * the front of its tier (it is tried first; the rest keep their rendezvous order), and every rule records the entry
 * it finally answered with. A multivalue rule answers with its whole pool (every healthy item, or every item when
 * none is) instead of a hashed subset of the maximum, since each pool item is equally likely to be in a hashed
 * subset. Not thread-safe: one per distribution being computed.
 */
final class Choices {
  /** Per rule: the forced entry, or -1. */
  final int[] forced;
  /** Per rule: the entry the last evaluation answered with (weighted rules of two or more entries), or -1. */
  final int[] chosen;
  /** The weighted rules that chose in the last evaluation, in the order they first chose. */
  final int[] decided;
  int decidedCount;
  /** Per rule: whether any evaluation since this was made entered it. */
  final boolean[] entered;
  /** Per rule and entry: whether any evaluation since this was made examined it (null: no entry yet). */
  final boolean[][] examined;

  Choices(int rules) {
    forced = new int[rules];
    chosen = new int[rules];
    decided = new int[rules];
    entered = new boolean[rules];
    examined = new boolean[rules][];
    Arrays.fill(forced, -1);
    Arrays.fill(chosen, -1);
  }

  /** Forgets what the previous evaluation chose (keeps the forced entries). */
  void begin() {
    for (int k = 0; k < decidedCount; k++) {
      chosen[decided[k]] = -1;
    }
    decidedCount = 0;
  }

  /** Moves rule {@code r}'s forced entry, if a candidate, to the front of its tier in the order just written. */
  void force(CompiledRule rule, int r, Evaluation.Level level) {
    int f = forced[r];
    if (f >= 0 && rule instanceof CompiledRule.Weighted && level.tiers[f] >= 0) {
      level.keys[f] = Double.NEGATIVE_INFINITY;
      if (rule.lazyKeys()) {
        level.pending[f] = false;
      }
    }
  }

  /** Entry {@code i} of rule {@code r} (of {@code n} entries) is examined for health. */
  void examine(int r, int i, int n) {
    if (examined[r] == null) {
      examined[r] = new boolean[n];
    }
    examined[r][i] = true;
  }

  /** Rule {@code r} answered with entry {@code i}. */
  void chose(CompiledRule rule, int r, int i) {
    if (rule instanceof CompiledRule.Weighted && rule.n > 1) {
      if (chosen[r] < 0) {
        decided[decidedCount++] = r;
      }
      chosen[r] = i;
    }
  }
}
