package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;

/**
 * A policy record (Route 53's traffic policy instance): a DNS name in a hosted zone, answered with a TTL by one
 * version of a traffic policy. Names are kept in lower case with a trailing dot ({@code www.example.com.}).
 */
public record PolicyRecord(String hostedZone, String name, long ttl, String policyId, int policyVersion) {
  /** The largest TTL Route 53 accepts. */
  public static final long MAX_TTL = 2_147_483_647L;

  public PolicyRecord {
    hostedZone = absolute(checkNotNull(hostedZone, "hostedZone"));
    name = absolute(checkNotNull(name, "name"));
    checkArgument(name.equals(hostedZone) || name.endsWith("." + hostedZone),
        "name %s is not in hosted zone %s", name, hostedZone);
    checkArgument(ttl >= 0 && ttl <= MAX_TTL, "ttl must be in [0, 2147483647] but was %s", ttl);
    checkNotNull(policyId, "policyId");
    checkArgument(!policyId.isEmpty(), "policyId must not be empty");
    checkArgument(policyVersion >= 1 && policyVersion <= TrafficPolicy.MAX_VERSION,
        "policyVersion must be in [1, 1000] but was %s", policyVersion);
  }

  /** The same record bound to another version of its policy. */
  public PolicyRecord withVersion(int version) {
    return new PolicyRecord(hostedZone, name, ttl, policyId, version);
  }

  /** The same record with another TTL. */
  public PolicyRecord withTtl(long newTtl) {
    return new PolicyRecord(hostedZone, name, newTtl, policyId, policyVersion);
  }

  /** {@code name} in lower case with exactly one trailing dot. */
  public static String absolute(String name) {
    checkArgument(!name.isEmpty() && !name.equals("."), "a DNS name must not be empty");
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }
}
