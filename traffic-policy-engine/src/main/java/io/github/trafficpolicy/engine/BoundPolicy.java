package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.PolicyDocument;
import java.util.Optional;

/**
 * A policy record answered by a shared {@link CompiledPolicyImpl}: the record's own binding (name, TTL) and the
 * program. All the compiled state (and the per-thread scratch and health memo) lives in the program.
 */
final class BoundPolicy implements CompiledPolicy {
  private final CompiledPolicyImpl program;
  private final PolicyBinding binding;
  private final AliasResolver.Target[] aliasTargets;

  BoundPolicy(CompiledPolicyImpl program, PolicyBinding binding) {
    this.program = checkNotNull(program, "program");
    this.binding = checkNotNull(binding, "binding");
    this.aliasTargets = program.aliasTargetsFor(binding.recordName());
    checkArgument(binding.policyId().equals(program.policyId())
        && binding.policyVersion() == program.policyVersion(),
        "binding %s is not for %s v%s", binding, program.policyId(), program.policyVersion());
  }

  @Override
  public PolicyDocument document() {
    return program.document();
  }

  @Override
  public PolicyBinding binding() {
    return binding;
  }

  @Override
  public Answer evaluate(Query query) {
    return program.evaluate(query, binding, aliasTargets, null);
  }

  @Override
  public void evaluate(byte[] address, int prefixLength, AnswerBuffer into) {
    program.evaluate(address, prefixLength, binding, aliasTargets, into);
  }

  @Override
  public Optional<PolicyProgram> program() {
    return Optional.of(program);
  }

  @Override
  public String toString() {
    return "CompiledPolicy{" + binding.policyId() + " v" + binding.policyVersion() + " at " + binding.recordName()
        + ", sharing " + program + "}";
  }
}
