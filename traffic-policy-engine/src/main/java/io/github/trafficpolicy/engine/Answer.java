package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;

/**
 * The result of evaluating a policy for one query.
 *
 * @param outcome an answer, or no data
 * @param recordType the policy's record type
 * @param endpoints the endpoints chosen (one, or up to eight for multivalue), in answer order
 * @param records the record data of those endpoints (alias endpoints resolved by the {@link AliasResolver})
 * @param ttl the TTL of the policy record
 * @param ecsScope the EDNS Client Subnet scope prefix length: the narrowest prefix the answer depended on (0 when
 *     it does not depend on the client)
 * @param policyId the policy that produced the answer
 * @param policyVersion the version that produced the answer
 * @param trace every decision, when the query asked for it ({@link Trace#empty()} otherwise)
 */
public record Answer(
    Outcome outcome,
    RecordType recordType,
    ImmutableList<EndpointId> endpoints,
    ImmutableList<RecordData> records,
    long ttl,
    int ecsScope,
    String policyId,
    int policyVersion,
    Trace trace) {

  public Answer {
    checkNotNull(outcome, "outcome");
    checkNotNull(recordType, "recordType");
    endpoints = ImmutableList.copyOf(endpoints);
    records = ImmutableList.copyOf(records);
    checkArgument(ecsScope >= 0 && ecsScope <= 128, "ecsScope must be in [0, 128] but was %s", ecsScope);
    checkNotNull(policyId, "policyId");
    checkNotNull(trace, "trace");
    checkArgument(outcome == Outcome.ANSWER || endpoints.isEmpty(), "no data but endpoints %s", endpoints);
  }
}
