package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.PolicyDocument;

/**
 * The shareable part of a {@link CompiledPolicy}: a document compiled once for one policy version (policy ID and
 * version, which enter the weighted and multivalue hashes and every answer). Every policy record bound to that
 * version can answer from one program: {@link #bind} gives a record its own {@link CompiledPolicy} (its name and
 * TTL) without compiling again, at the cost of one small object. Answers of a bound record are exactly those of
 * {@code evaluator.compile(document, new PolicyBinding(policyId, version, recordName, ttl))}.
 *
 * <p>Obtained from {@link CompiledPolicy#program()}. Immutable and thread-safe.
 */
public interface PolicyProgram {

  /** The document this was compiled from. */
  PolicyDocument document();

  /** The policy ID this was compiled for. */
  String policyId();

  /** The policy version this was compiled for. */
  int policyVersion();

  /**
   * The compiled policy of a record answering at {@code recordName} with {@code ttl}, sharing this program (its
   * {@link CompiledPolicy#program()} is this program).
   *
   * @throws IllegalArgumentException if the TTL is outside [0, 2147483647]
   */
  CompiledPolicy bind(String recordName, long ttl);
}
