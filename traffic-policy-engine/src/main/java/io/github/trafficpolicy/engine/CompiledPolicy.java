package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.PolicyDocument;

/**
 * A policy document compiled once by a {@link PolicyEvaluator} for one {@link PolicyBinding}. Immutable and
 * thread-safe: evaluate it from any number of threads.
 */
public interface CompiledPolicy {

  /** The document this was compiled from. */
  PolicyDocument document();

  /** The policy, version, name and TTL it answers for. */
  PolicyBinding binding();

  /** The answer for {@code query}. Never throws for any client, location, latency or health input. */
  Answer evaluate(Query query);
}
