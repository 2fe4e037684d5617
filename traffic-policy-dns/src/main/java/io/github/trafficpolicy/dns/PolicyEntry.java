package io.github.trafficpolicy.dns;

import io.github.trafficpolicy.engine.CompiledPolicy;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Name;

/**
 * A policy record inside a catalog, with its counters. A {@link QueryHandler} that serves the catalog points the
 * counters at its own for the record's name before the first query sees the entry, so that counts survive
 * catalog swaps (a registry change, a new policy version).
 */
final class PolicyEntry {
  final CompiledPolicy policy;
  final Name name;
  final String key;
  final int type;
  LongAdder answers = new LongAdder();
  LongAdder noData = new LongAdder();
  /** Answers per endpoint of the policy (shared by its records; see {@link QueryHandler}). */
  java.util.Map<io.github.trafficpolicy.api.EndpointId, LongAdder> endpointAnswers = java.util.Map.of();

  PolicyEntry(CompiledPolicy policy, Name name, String key, int type) {
    this.policy = policy;
    this.name = name;
    this.key = key;
    this.type = type;
  }
}
