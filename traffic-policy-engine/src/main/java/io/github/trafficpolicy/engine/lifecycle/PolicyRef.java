package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.TrafficPolicy;

/** A reference to one version of a traffic policy: {@code id} and {@code version}. {@code toString()} is {@code id/vN}. */
public record PolicyRef(String policyId, int version) {
  public PolicyRef {
    checkNotNull(policyId, "policyId");
    checkArgument(!policyId.isEmpty(), "policyId must not be empty");
    checkArgument(version >= 1 && version <= TrafficPolicy.MAX_VERSION,
        "version must be in [1, 1000] but was %s", version);
  }

  /** The reference to {@code version} of policy {@code policyId}. */
  public static PolicyRef of(String policyId, int version) {
    return new PolicyRef(policyId, version);
  }

  @Override
  public String toString() {
    return policyId + "/v" + version;
  }
}
