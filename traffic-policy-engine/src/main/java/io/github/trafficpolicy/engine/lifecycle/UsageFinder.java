package io.github.trafficpolicy.engine.lifecycle;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.PolicyValidator;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.api.RuleId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds where a value is used. An endpoint value matches when it equals the searched value, or when one of its
 * whitespace-separated fields does (so {@code mail.example.com} finds the MX value {@code 10 mail.example.com}),
 * ignoring case, surrounding quotes and a trailing dot. A health check matches when its ID equals the value
 * (ignoring case).
 */
final class UsageFinder {
  private UsageFinder() {}

  static ImmutableList<Usage> find(RegistryState state, String value) {
    String wanted = normalize(value);
    ImmutableList.Builder<Usage> out = ImmutableList.builder();
    if (wanted.isEmpty()) {
      return out.build();
    }
    for (ManagedPolicy policy : state.policies()) {
      for (PolicyVersion version : policy.versions().values()) {
        ImmutableList<String> records = state.recordsUsing(version.ref()).stream()
            .map(ManagedRecord::name)
            .collect(ImmutableList.toImmutableList());
        PolicyDocument doc = version.document();
        for (Map.Entry<EndpointId, Endpoint> e : doc.endpoints().entrySet()) {
          if (valueMatches(e.getValue().value(), wanted)) {
            out.add(new Usage(version.ref(), policy.name(), Usage.Kind.ENDPOINT_VALUE,
                "/Endpoints/" + pointer(e.getKey().toString()) + "/Value", e.getValue().value(), records));
          }
        }
        for (Map.Entry<RuleId, Rule> r : doc.rules().entrySet()) {
          List<? extends RuleEntry> entries = r.getValue().entries();
          for (int i = 0; i < entries.size(); i++) {
            Optional<HealthCheckId> hc = entries.get(i).healthCheck();
            if (hc.isPresent() && hc.get().value().toLowerCase(Locale.ROOT).equals(wanted)) {
              out.add(new Usage(version.ref(), policy.name(), Usage.Kind.HEALTH_CHECK,
                  PolicyValidator.entryPath("/Rules/" + pointer(r.getKey().toString()), r.getValue(), i)
                      + "/HealthCheck", hc.get().value(), records));
            }
          }
        }
      }
    }
    return out.build();
  }

  private static boolean valueMatches(String endpointValue, String wanted) {
    if (normalize(endpointValue).equals(wanted)) {
      return true;
    }
    for (String field : Splitter.onPattern("\\s+").omitEmptyStrings().split(endpointValue)) {
      if (normalize(field).equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code current} with {@code value} replaced: the whole value when it matches ({@link #valueMatches}), else each
   * whitespace-separated field that does (an MX value's host name).
   */
  static String replace(String current, String value, String replacement) {
    String wanted = normalize(value);
    if (normalize(current).equals(wanted)) {
      return replacement;
    }
    StringBuilder sb = new StringBuilder();
    for (String field : Splitter.onPattern("\\s+").omitEmptyStrings().split(current)) {
      sb.append(sb.length() == 0 ? "" : " ").append(normalize(field).equals(wanted) ? replacement : field);
    }
    return sb.toString();
  }

  private static String normalize(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
      t = t.substring(1, t.length() - 1);
    }
    if (t.endsWith(".") && t.length() > 1) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }

  private static String pointer(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
