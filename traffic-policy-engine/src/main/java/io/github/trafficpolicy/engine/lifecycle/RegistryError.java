package io.github.trafficpolicy.engine.lifecycle;

/**
 * Why a registry operation failed, named and meant as the errors of Route 53's traffic policy API
 * (CreateTrafficPolicy, CreateTrafficPolicyInstance ...). {@link #toString()} is Route 53's name, e.g. {@code NoSuchTrafficPolicy}.
 */
public enum RegistryError {
  /** No traffic policy with that ID, or no such version of it. */
  NO_SUCH_TRAFFIC_POLICY("NoSuchTrafficPolicy"),
  /** No policy record (traffic policy instance) with that name. */
  NO_SUCH_TRAFFIC_POLICY_INSTANCE("NoSuchTrafficPolicyInstance"),
  /** The version (or a version of the policy) is still used by a policy record. */
  TRAFFIC_POLICY_IN_USE("TrafficPolicyInUse"),
  /** A policy record with that name already exists. */
  TRAFFIC_POLICY_INSTANCE_ALREADY_EXISTS("TrafficPolicyInstanceAlreadyExists"),
  /** An update would change a policy record's type (the new version's {@code RecordType} differs). */
  CONFLICTING_TYPES("ConflictingTypes"),
  /** The document is malformed or violates a rule; {@link RegistryException#problems()} lists every problem. */
  INVALID_TRAFFIC_POLICY_DOCUMENT("InvalidTrafficPolicyDocument"),
  /** The policy already has had 1,000 versions (numbers are never reused). */
  TOO_MANY_TRAFFIC_POLICY_VERSIONS_FOR_CURRENT_POLICY("TooManyTrafficPolicyVersionsForCurrentPolicy"),
  /** A traffic policy with that name already exists. */
  TRAFFIC_POLICY_ALREADY_EXISTS("TrafficPolicyAlreadyExists"),
  /** A request parameter is invalid (an empty name, a TTL out of range, a name outside its zone …). */
  INVALID_INPUT("InvalidInput");

  private final String awsName;

  RegistryError(String awsName) {
    this.awsName = awsName;
  }

  /** Route 53's name of the error, e.g. {@code TrafficPolicyInUse}. */
  public String awsName() {
    return awsName;
  }

  @Override
  public String toString() {
    return awsName;
  }
}
