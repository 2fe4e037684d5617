package io.github.trafficpolicy.dns.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.trafficpolicy.engine.health.SharedHealth;
import io.github.trafficpolicy.engine.health.VantageResult;
import io.github.trafficpolicy.engine.lifecycle.EtcdHealthSharing;
import io.github.trafficpolicy.engine.lifecycle.EtcdSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration's {@code sharedHealth} member: health decided from several vantage points (every server sharing
 * the etcd registry is one), as Route 53 does. {@code {"healthyShare": 0.18, "vantage": "NAME", "leaseSeconds":
 * 30}}, every member optional ({@code {}} or {@code true} takes every default):
 *
 * <ul>
 *   <li>{@code healthyShare}: a check is healthy when more than this share of the vantage points see it healthy;
 *       0 up to, not including, 1; default 0.18 (Route 53's: 1 of 3 healthy is healthy).
 *   <li>{@code vantage}: this server's vantage point ID, 1–64 letters, digits, {@code . _ : -}, unique among the
 *       servers; default the host name and the process ID ({@code HOST-PID}), so that a restarted server is a new
 *       vantage point and the old one stops counting when its lease expires.
 *   <li>{@code leaseSeconds}: how long a vantage point that stopped (crashed, cut off) still counts; its results
 *       are kept in etcd under a lease of this TTL, renewed every third of it; 2–3600, default 30.
 * </ul>
 *
 * <p>Needs an etcd {@code registry} (the results are kept under its prefix, {@code /PREFIX/health/CHECK/VANTAGE}).
 *
 * @param healthyShare the share of vantage points to exceed
 * @param vantage this server's vantage point ID
 * @param lease the lease of this vantage point's results
 */
public record SharedHealthConfig(double healthyShare, String vantage, Duration lease) {
  static final String MEMBER = "sharedHealth";
  static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  private static final Set<String> KEYS = Set.of("healthyShare", "vantage", "leaseSeconds");

  /** The {@code sharedHealth} member of a configuration and the etcd it shares through. */
  public record WithEtcd(SharedHealthConfig shared, EtcdSettings etcd) {}

  /**
   * The {@code sharedHealth} member of the configuration {@code file} and the etcd registry it shares through, empty
   * when the file has no such member.
   *
   * @throws ConfigException listing every problem of the two members with its place (or the file's, when it is not
   *     JSON or cannot be read)
   */
  public static Optional<WithEtcd> load(Path file) {
    // Only these two members matter here: the other members' problems are the server's to report.
    ServeConfigReader.Parsed parsed = ServeConfigReader.readCollecting(file);
    List<String> problems = new java.util.ArrayList<>();
    Optional<SharedHealthConfig> shared = read(parsed.config(), problems);
    Optional<EtcdSettings> etcd = RegistryFollow.etcdOf(parsed.config(), problems);
    if (shared.isPresent() && etcd.isEmpty() && problems.isEmpty()) {
      problems.add(parsed.config().name() + ": /" + MEMBER + ": needs an etcd registry");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(com.google.common.collect.ImmutableList.copyOf(problems));
    }
    return shared.map(s -> new WithEtcd(s, etcd.orElseThrow()));
  }

  /** The member of {@code config}, empty without it; problems (with their places) added when it is not valid. */
  static Optional<SharedHealthConfig> read(ServeConfig config, List<String> problems) {
    JsonNode node = config.extensions().get(MEMBER);
    if (node == null || node.isNull() || (node.isBoolean() && !node.booleanValue())) {
      return Optional.empty();
    }
    String place = config.name() + ": /" + MEMBER;
    if (node.isBoolean()) {
      return Optional.of(new SharedHealthConfig(SharedHealth.DEFAULT_HEALTHY_SHARE, defaultVantage(), DEFAULT_LEASE));
    }
    if (!node.isObject()) {
      problems.add(place + ": must be {\"healthyShare\": N, \"vantage\": NAME, \"leaseSeconds\": N} (each optional) "
          + "or true");
      return Optional.empty();
    }
    int before = problems.size();
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYS.contains(k)) {
        problems.add(place + "/" + k + ": unknown key (known: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
      }
    }
    double share = SharedHealth.DEFAULT_HEALTHY_SHARE;
    if (node.has("healthyShare")) {
      JsonNode s = node.get("healthyShare");
      if (!s.isNumber() || s.doubleValue() < 0 || s.doubleValue() >= 1) {
        problems.add(place + "/healthyShare: must be a number from 0 up to, not including, 1 (0.18: more than 18 %)"
            + " but was " + s);
      } else {
        share = s.doubleValue();
      }
    }
    String vantage = null;
    if (node.has("vantage")) {
      JsonNode v = node.get("vantage");
      try {
        vantage = VantageResult.checkVantage(v.isTextual() ? v.textValue() : v.toString());
      } catch (IllegalArgumentException e) {
        problems.add(place + "/vantage: " + e.getMessage());
      }
    }
    Duration lease = DEFAULT_LEASE;
    if (node.has("leaseSeconds")) {
      JsonNode l = node.get("leaseSeconds");
      long min = EtcdHealthSharing.MIN_LEASE.toSeconds();
      if (!l.isIntegralNumber() || l.longValue() < min || l.longValue() > 3600) {
        problems.add(place + "/leaseSeconds: must be an integer from " + min + " to 3600 but was " + l);
      } else {
        lease = Duration.ofSeconds(l.longValue());
      }
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new SharedHealthConfig(share, vantage == null ? defaultVantage() : vantage, lease));
  }

  /**
   * {@code HOST-PID}: the kernel's host name (not looked up in DNS), cut and with characters a vantage ID cannot
   * hold replaced by {@code -}; {@code host-PID} when it cannot be read.
   */
  static String defaultVantage() {
    String host;
    try {
      host = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
    } catch (IOException | RuntimeException e) {
      host = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("");
    }
    String pid = Long.toString(ProcessHandle.current().pid());
    host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._:-]", "-");
    if (host.isEmpty()) {
      host = "host";
    }
    int room = 64 - 1 - pid.length();
    return (host.length() > room ? host.substring(0, room) : host) + "-" + pid;
  }
}
