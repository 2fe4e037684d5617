package io.github.trafficpolicy.api.internal;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.api.Target;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a policy document, any of which may be missing: what the JSON codec hands the validator for a
 * document some of whose parts did not parse. Not API.
 *
 * @param brokenEndpoints endpoint IDs the document defines whose definitions are themselves invalid (not in
 *     {@code endpoints})
 * @param brokenRules rule IDs the document defines whose definitions are themselves invalid (not in {@code rules})
 * @param partialRules rules of {@code rules} that hold only the valid entries of their definition, each with the
 *     position in the document of every entry it holds (so paths name the right entry)
 */
public record DocumentParts(
    Optional<FormatVersion> formatVersion,
    Optional<RecordType> recordType,
    Optional<Target> start,
    ImmutableMap<EndpointId, Endpoint> endpoints,
    ImmutableMap<RuleId, Rule> rules,
    ImmutableSet<EndpointId> brokenEndpoints,
    ImmutableSet<RuleId> brokenRules,
    ImmutableMap<RuleId, ImmutableList<Integer>> partialRules) {
  public DocumentParts {
    checkNotNull(formatVersion, "formatVersion (use Optional.empty())");
    checkNotNull(recordType, "recordType (use Optional.empty())");
    checkNotNull(start, "start (use Optional.empty())");
    endpoints = ImmutableMap.copyOf(endpoints);
    rules = ImmutableMap.copyOf(rules);
    brokenEndpoints = ImmutableSet.copyOf(brokenEndpoints);
    brokenRules = ImmutableSet.copyOf(brokenRules);
    partialRules = ImmutableMap.copyOf(partialRules);
    for (Map.Entry<RuleId, ImmutableList<Integer>> e : partialRules.entrySet()) {
      Rule r = rules.get(e.getKey());
      checkArgument(r != null && r.entries().size() == e.getValue().size(),
          "partial rule %s must be one of the rules, with one position per entry", e.getKey());
    }
  }
}
