package io.github.trafficpolicy.api;

/** The stable code of a {@link Problem}: tests and tools match on it rather than on the message. */
public enum ProblemCode {
  /** The text is not well-formed JSON (the message gives line and column). */
  MALFORMED_JSON,
  /** The document is longer than 102,400 characters. */
  DOCUMENT_TOO_LARGE,
  /** A member has the wrong JSON type (e.g. an array where an object belongs). */
  WRONG_TYPE,
  /** A member the format does not define. */
  UNKNOWN_MEMBER,
  /** A member appears twice in one object. */
  DUPLICATE_MEMBER,
  /** A required member is absent. */
  MISSING_MEMBER,
  /** A value outside the allowed set or range (weight, bias, coordinates, enum literals …). */
  INVALID_VALUE,
  /** Both {@code StartRule} and {@code StartEndpoint}, or neither. */
  START_CONFLICT,
  /** An entry has both {@code EndpointReference} and {@code RuleReference}, or neither. */
  REFERENCE_CONFLICT,
  /** A reference names no endpoint or rule of the document. */
  DANGLING_REFERENCE,
  /** Rules reference each other in a cycle. */
  REFERENCE_CYCLE,
  /** More than one default location in a geo rule. */
  DUPLICATE_DEFAULT,
  /**
   * A location that cannot be: a geo location that combines Continent with Country/Subdivision, names nothing,
   * has a Subdivision without its Country, or is a default with a location; a geoproximity location the format
   * version cannot express. As a warning: a Subdivision of a country other than {@code US}.
   */
  INVALID_LOCATION,
  /** The same location, region or value appears twice in one rule. */
  DUPLICATE_ENTRY,
  /** A multivalue item references a rule, or a rule type not allowed for the record type. */
  INVALID_RULE_FOR_TYPE,
  /** An endpoint type that does not fit the policy's record type. */
  ENDPOINT_TYPE_MISMATCH,
  /** An endpoint's {@code Value} is not valid record data of the policy's record type. */
  INVALID_RECORD_DATA,
  /** Warning: an endpoint or rule that nothing reaches from the start. */
  UNREACHABLE,
  /** Warning: {@code EvaluateTargetHealth} omitted where it matters (rule reference or alias endpoint). */
  IMPLICIT_EVALUATE_TARGET_HEALTH,
  /** Warning: {@code EvaluateTargetHealth: true} on an endpoint where it has nothing to evaluate (CloudFront). */
  IGNORED_EVALUATE_TARGET_HEALTH,
  /**
   * Warning: a latitude or longitude with more than two decimals was truncated to two (only when the JSON reader
   * is configured with {@code lenientCoordinates}; otherwise that is an {@link #INVALID_VALUE} error).
   */
  TRUNCATED_COORDINATE
}
