package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.engine.internal.Addresses;
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
   * The answer for a client given by its address bytes, written into {@code into}: what {@link #evaluate(Query)}
   * answers for {@code Query.of(new ClientSubnet(address, prefixLength))} (no location, latency or health given by
   * the query, no trace), for servers that answer many queries per second. Policies compiled by a
   * {@link PolicyEvaluator} allocate nothing here in the steady state when their geo locator and latency table are
   * the shipped ones (other implementations evaluate through {@link #evaluate(Query)}).
   *
   * @param address the client's address or subnet, 4 bytes (IPv4) or 16 bytes (IPv6, also when IPv4-mapped: it is
   *     not turned into IPv4); read, not kept; bits past {@code prefixLength} are ignored
   * @param prefixLength the prefix length of the client subnet, in [0, 32] or [0, 128] (32 or 128 for one address)
   * @param into filled with the answer; its previous content is discarded
   * @throws IllegalArgumentException when the address is neither 4 nor 16 bytes or the prefix length is out of range
   */
  default void evaluate(byte[] address, int prefixLength, AnswerBuffer into) {
    AnswerBuffer.checkClient(address, prefixLength);
    checkNotNull(into, "into");
    into.set(evaluate(Query.of(new ClientSubnet(Addresses.inetAddress(address), prefixLength))));
  }

  /**
   * The compiled program this policy answers from, to {@linkplain PolicyProgram#bind bind} more records of the same
   * version to it. Policies compiled by a {@link PolicyEvaluator} have one; other implementations need not (empty).
   */
  default Optional<PolicyProgram> program() {
    return Optional.empty();
  }
}
