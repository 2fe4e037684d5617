package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.api.TrafficPolicy;

/**
 * What a compiled policy is answering for: the policy id and version (part of the weighted/multivalue hash and of
 * every answer, so an answer can be traced to the version that produced it), the DNS name it answers at
 * ({@code s3-website} endpoints depend on it) and the TTL of its answers.
 */
public record PolicyBinding(String policyId, int policyVersion, String recordName, long ttl) {
  public PolicyBinding {
    checkNotNull(policyId, "policyId");
    checkArgument(policyVersion >= 1, "policyVersion must be at least 1 but was %s", policyVersion);
    checkNotNull(recordName, "recordName");
    checkArgument(ttl >= 0 && ttl <= PolicyRecord.MAX_TTL, "ttl must be in [0, 2147483647] but was %s", ttl);
  }

  /** The binding of a policy record to its policy version. */
  public static PolicyBinding of(TrafficPolicy policy, PolicyRecord record) {
    checkArgument(policy.id().equals(record.policyId()) && policy.version() == record.policyVersion(),
        "record %s is bound to %s v%s, not %s v%s", record.name(), record.policyId(), record.policyVersion(),
        policy.id(), policy.version());
    return new PolicyBinding(policy.id(), policy.version(), record.name(), record.ttl());
  }

  /** A binding for evaluating a document on its own: policy id {@code "policy"}, version 1, TTL 60. */
  public static PolicyBinding standalone(String recordName) {
    return new PolicyBinding("policy", 1, recordName, 60);
  }
}
