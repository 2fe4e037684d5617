package io.github.trafficpolicy.api;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;

/**
 * Whole-document validation of the model: references, cycles, endpoint types against the record type, record
 * data, geo defaults and locations, duplicate entries, and (as warnings) unreachable endpoints and rules. Paths
 * are JSON pointers into the document as Route 53 writes it ({@code /Rules/<id>/Items/0/EndpointReference}).
 */
public final class PolicyValidator {
  private PolicyValidator() {}

  /** Every problem of a document made of these parts, errors and warnings, in document order. */
  public static ImmutableList<Problem> validate(
      FormatVersion formatVersion,
      RecordType recordType,
      Target start,
      ImmutableMap<EndpointId, Endpoint> endpoints,
      ImmutableMap<RuleId, Rule> rules) {
    // TODO(api helper): implement
    return ImmutableList.of();
  }
}
