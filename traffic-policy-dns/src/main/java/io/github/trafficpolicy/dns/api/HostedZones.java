package io.github.trafficpolicy.dns.api;

import com.google.common.hash.Hashing;
import com.google.common.io.BaseEncoding;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The stable hosted zone IDs of the served zones. A zone's ID is {@code Z} followed by the first 20 characters of the
 * base-32 SHA-256 of its name (lower case, with its trailing dot): {@code Z} + 20 of {@code A-Z2-7}, shaped like
 * Route 53's IDs, the same on every server and after every restart, so scripts can keep them. A traffic policy
 * instance's ID is the name-based UUID (version 3) of {@code traffic-policy-instance:} and the record's name.
 */
public final class HostedZones {
  private HostedZones() {}

  /** The ID of the zone named {@code zone} (any case, with or without the trailing dot). */
  public static String zoneId(String zone) {
    String name = absolute(zone);
    byte[] hash = Hashing.sha256().hashString("traffic-policy-hosted-zone:" + name, StandardCharsets.UTF_8).asBytes();
    return "Z" + BaseEncoding.base32().omitPadding().encode(hash).substring(0, 20);
  }

  /** The ID of the policy record (traffic policy instance) named {@code name}. */
  public static String instanceId(String name) {
    return java.util.UUID.nameUUIDFromBytes(("traffic-policy-instance:" + absolute(name))
        .getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** {@code name} in lower case with a trailing dot. */
  static String absolute(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }
}
