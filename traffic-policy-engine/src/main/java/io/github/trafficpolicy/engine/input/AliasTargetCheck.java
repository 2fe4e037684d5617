package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.engine.AliasResolver;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyBinding;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the alias endpoints of compiled policies that have nothing to answer with, after giving the resolver a
 * bounded time for its first lookups: what a server reports before it serves a policy, so that an operator learns at
 * startup, not from empty answers, that a load balancer cannot be resolved.
 */
public final class AliasTargetCheck {
  private AliasTargetCheck() {}

  /**
   * Waits up to {@code wait} for {@code resolver}'s first lookups ({@link AliasResolver#awaitTargets}), then returns
   * one line per alias endpoint of {@code policies} whose target has no records, naming the policy, version, record,
   * endpoint and reason; an endpoint shared by several records of one policy version is one line.
   */
  public static ImmutableList<String> unresolved(AliasResolver resolver, Collection<? extends CompiledPolicy> policies,
      Duration wait) throws InterruptedException {
    checkNotNull(resolver, "resolver");
    checkNotNull(policies, "policies");
    checkNotNull(wait, "wait");
    resolver.awaitTargets(wait);
    Map<String, String> lines = new LinkedHashMap<>();
    Map<String, Integer> more = new LinkedHashMap<>();
    for (CompiledPolicy p : policies) {
      PolicyBinding b = p.binding();
      for (Map.Entry<EndpointId, Endpoint> e : p.document().endpoints().entrySet()) {
        Endpoint endpoint = e.getValue();
        if (!endpoint.type().isAlias()) {
          continue;
        }
        AliasResolver.Target t = resolver.target(endpoint, p.document().recordType(), b.recordName());
        if (!t.records().isEmpty()) {
          continue;
        }
        String key = b.policyId() + "\u0000" + b.policyVersion() + "\u0000" + e.getKey();
        if (lines.containsKey(key)) {
          more.merge(key, 1, Integer::sum);
          continue;
        }
        lines.put(key, "policy " + b.policyId() + " version " + b.policyVersion() + " at " + b.recordName()
            + ": endpoint " + e.getKey() + " (" + endpoint.type().text() + " " + endpoint.value()
            + endpoint.region().map(r -> ", " + r).orElse("") + ") has no addresses: " + t.describe());
      }
    }
    ImmutableList.Builder<String> out = ImmutableList.builder();
    lines.forEach((key, line) -> {
      Integer n = more.get(key);
      out.add(n == null ? line : line + " (and " + n + " more record" + (n == 1 ? "" : "s") + " of that version)");
    });
    return out.build();
  }
}
