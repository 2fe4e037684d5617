package io.github.trafficpolicy.api;

/** What an entry (or the document's start) points at: an endpoint or another rule. */
public sealed interface Target permits EndpointTarget, RuleTarget {

  /** The endpoint or rule ID, as written in the document. */
  String id();

  /** A reference to the endpoint with this ID ({@code EndpointReference}, {@code StartEndpoint}). */
  static EndpointTarget endpoint(String id) {
    return new EndpointTarget(EndpointId.of(id));
  }

  /** A reference to the rule with this ID ({@code RuleReference}, {@code StartRule}). */
  static RuleTarget rule(String id) {
    return new RuleTarget(RuleId.of(id));
  }
}
