package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;

/**
 * One place where a value is used: a policy version, where in its document (a JSON pointer such as
 * {@code /Endpoints/eu-web/Value} or {@code /Rules/geo-root/Locations/2/HealthCheck}), what was found there, and
 * the policy records currently bound to that version (so a user knows what an update would touch).
 */
public record Usage(PolicyRef version, String policyName, Kind kind, String path, String value,
                    ImmutableList<String> records) {
  public Usage {
    checkNotNull(version, "version");
    checkNotNull(policyName, "policyName");
    checkNotNull(kind, "kind");
    checkNotNull(path, "path");
    checkNotNull(value, "value");
    records = ImmutableList.copyOf(checkNotNull(records, "records"));
  }

  /** What the searched value matched. */
  public enum Kind {
    /** An endpoint's {@code Value} (record data or an AWS resource's DNS name). */
    ENDPOINT_VALUE,
    /** An entry's {@code HealthCheck} ID. */
    HEALTH_CHECK
  }

  /**
   * An endpoint value with every use of {@code value} replaced, matched as usages are found (ignoring case, quotes
   * and a trailing dot): the whole value, or each whitespace-separated field of it (an MX value's host name).
   */
  public static String replaceIn(String endpointValue, String value, String replacement) {
    return UsageFinder.replace(checkNotNull(endpointValue, "endpointValue"), checkNotNull(value, "value"),
        checkNotNull(replacement, "replacement"));
  }
}
