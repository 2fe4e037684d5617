package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.TrafficPolicy;
import java.util.Optional;

/**
 * One stored version of a traffic policy: the {@link TrafficPolicy} (id, version, name, comment, parsed document)
 * and the document's text exactly as it was given. The document of a version never changes; only its comment can.
 */
public record PolicyVersion(TrafficPolicy policy, String documentText) {
  public PolicyVersion {
    checkNotNull(policy, "policy");
    checkNotNull(documentText, "documentText");
    checkArgument(!documentText.isEmpty(), "documentText must not be empty");
  }

  /** The policy ID. */
  public String id() {
    return policy.id();
  }

  /** The version number, 1…1000. */
  public int version() {
    return policy.version();
  }

  /** The policy's name. */
  public String name() {
    return policy.name();
  }

  /** The version's comment, if any. */
  public Optional<String> comment() {
    return policy.comment();
  }

  /** The parsed document. */
  public PolicyDocument document() {
    return policy.document();
  }

  /** The document's record type (Route 53's {@code TrafficPolicyType}). */
  public RecordType type() {
    return policy.type();
  }

  /** The reference to this version. */
  public PolicyRef ref() {
    return PolicyRef.of(id(), version());
  }

  /** The same version with another comment. */
  PolicyVersion withComment(Optional<String> comment) {
    return new PolicyVersion(new TrafficPolicy(id(), version(), name(), comment, document()), documentText);
  }
}
