package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.PolicyDocument;
import java.util.Optional;

/**
 * A policy document compiled once by a {@link PolicyEvaluator} for one {@link PolicyBinding}. Immutable and
 * thread-safe: evaluate it from any number of threads.
 *
 * <p>The compiled program depends only on the document and the policy ID and version; records bound to the same
 * version share it through {@link #program()} and {@link PolicyProgram#bind}, so many names cost one compilation.
 */
public interface CompiledPolicy {

  /** The document this was compiled from. */
  PolicyDocument document();

  /** The policy, version, name and TTL it answers for. */
  PolicyBinding binding();

  /** The answer for {@code query}. Never throws for any client, location, latency or health input. */
  Answer evaluate(Query query);

  /**
   * The compiled program this policy answers from, to {@linkplain PolicyProgram#bind bind} more records of the same
   * version to it. Policies compiled by a {@link PolicyEvaluator} have one; other implementations need not (empty).
   */
  default Optional<PolicyProgram> program() {
    return Optional.empty();
  }
}
