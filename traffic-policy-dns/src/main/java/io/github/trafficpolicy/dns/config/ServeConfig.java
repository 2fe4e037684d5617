package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.dns.UdpIo;
import io.github.trafficpolicy.dns.UdpScheduling;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The settings of {@code traffic-policy serve}, as read by {@link ServeConfigReader}. Paths are relative to
 * {@link #source()}.
 *
 * @param name the configuration's name in messages (its file)
 * @param source where the files it names are read from
 * @param listen the UDP+TCP listen addresses
 * @param udpThreads UDP receiver threads per address (empty: the number of processors)
 * @param udpIo how UDP datagrams are read and written
 * @param udpScheduling how the UDP receiver threads are scheduled
 * @param maxUdpPayload the largest UDP reply, in bytes
 * @param tcpMaxConnections open TCP connections at most
 * @param tcpIdleTimeout idle TCP connections are closed after this
 * @param zones the zones
 * @param policyRecords the policy records
 * @param cidrTable a CIDR geo table (CSV), if any
 * @param maxmind a MaxMind GeoIP2/GeoLite2 database, if any
 * @param latencyTable a latency table (CSV), if any
 * @param healthStatus a health-status file, if any
 * @param seed the seed of the weighted/multivalue hash
 * @param queryLog the query log settings
 * @param printCountersOnShutdown whether the counters are printed when the server stops
 * @param aliasTargets how alias endpoints (load balancers, CloudFront …) are resolved, if configured
 * @param tcpLimits the per-client and per-query limits of TCP connections
 * @param rateLimit response-rate limiting over UDP, if on
 * @param cookies DNS cookies
 * @param extensions top-level sections read by other components ({@code healthChecks}, {@code registry}), raw
 */
public record ServeConfig(
    String name,
    ConfigSource source,
    ImmutableList<InetSocketAddress> listen,
    OptionalInt udpThreads,
    UdpIo udpIo,
    UdpScheduling udpScheduling,
    int maxUdpPayload,
    int tcpMaxConnections,
    Duration tcpIdleTimeout,
    ImmutableList<ZoneEntry> zones,
    ImmutableList<PolicyRecordEntry> policyRecords,
    Optional<String> cidrTable,
    Optional<String> maxmind,
    Optional<String> latencyTable,
    Optional<HealthStatusFile> healthStatus,
    long seed,
    QueryLogSettings queryLog,
    boolean printCountersOnShutdown,
    ImmutableMap<String, JsonNode> extensions,
    Optional<AliasTargets> aliasTargets,
    TcpLimits tcpLimits,
    Optional<RateLimit> rateLimit,
    Cookies cookies) {

  public ServeConfig {
    checkNotNull(name, "name");
    checkNotNull(source, "source");
    listen = ImmutableList.copyOf(listen);
    checkArgument(!listen.isEmpty(), "listen must name at least one address");
    checkNotNull(udpThreads, "udpThreads (use OptionalInt.empty())");
    checkNotNull(udpIo, "udpIo");
    checkNotNull(udpScheduling, "udpScheduling");
    checkNotNull(tcpIdleTimeout, "tcpIdleTimeout");
    zones = ImmutableList.copyOf(zones);
    policyRecords = ImmutableList.copyOf(policyRecords);
    checkNotNull(cidrTable, "cidrTable (use Optional.empty())");
    checkNotNull(maxmind, "maxmind (use Optional.empty())");
    checkNotNull(latencyTable, "latencyTable (use Optional.empty())");
    checkNotNull(healthStatus, "healthStatus (use Optional.empty())");
    checkNotNull(queryLog, "queryLog");
    extensions = ImmutableMap.copyOf(extensions);
    checkNotNull(aliasTargets, "aliasTargets (use Optional.empty())");
    checkNotNull(tcpLimits, "tcpLimits");
    checkNotNull(rateLimit, "rateLimit (use Optional.empty())");
    checkNotNull(cookies, "cookies");
  }

  /**
   * DNS cookies (the {@code cookies} member).
   *
   * @param enabled whether COOKIE options are answered
   * @param secret the server secret, 32 hexadecimal digits (empty: a random one at each start)
   */
  public record Cookies(boolean enabled, Optional<String> secret) {
    /** On, with a random secret. */
    public static final Cookies DEFAULT = new Cookies(true, Optional.empty());

    public Cookies {
      checkNotNull(secret, "secret (use Optional.empty())");
    }
  }

  /**
   * Response-rate limiting over UDP (the {@code rateLimit} member).
   *
   * @param responsesPerSecond identical responses per second to one client network, at most
   * @param slip every slip-th response over the rate is sent truncated, the others dropped (0: all dropped)
   * @param ipv4PrefixLength the client network of an IPv4 source
   * @param ipv6PrefixLength the client network of an IPv6 source
   */
  public record RateLimit(int responsesPerSecond, int slip, int ipv4PrefixLength, int ipv6PrefixLength) {}

  /**
   * TCP limits beside {@code maxConnections} and {@code idleTimeoutSeconds}.
   *
   * @param maxConnectionsPerClient open connections at most from one client address
   * @param queryTimeout a query must arrive whole within this of its first byte
   * @param writeTimeout a reply must be taken by the client within this
   */
  public record TcpLimits(int maxConnectionsPerClient, Duration queryTimeout, Duration writeTimeout) {
    /** The defaults: 16 connections per client, 2 s per query, 5 s per reply. */
    public static final TcpLimits DEFAULTS = new TcpLimits(16, Duration.ofSeconds(2), Duration.ofSeconds(5));

    public TcpLimits {
      checkArgument(maxConnectionsPerClient >= 1, "maxConnectionsPerClient must be at least 1");
      checkNotNull(queryTimeout, "queryTimeout");
      checkNotNull(writeTimeout, "writeTimeout");
    }
  }

  /**
   * A zone.
   *
   * @param origin the zone name
   * @param file its zone file
   * @param place the JSON pointer of this entry, for messages
   */
  public record ZoneEntry(String origin, String file, String place) {
    public ZoneEntry {
      checkNotNull(origin, "origin");
      checkNotNull(file, "file");
      checkNotNull(place, "place");
    }
  }

  /**
   * A policy record.
   *
   * @param zone the zone it is in
   * @param name its DNS name
   * @param ttl the TTL of its answers
   * @param document the policy document file
   * @param policyId the policy id
   * @param policyVersion the policy version
   * @param place the JSON pointer of this entry, for messages
   */
  public record PolicyRecordEntry(
      String zone, String name, long ttl, String document, String policyId, int policyVersion, String place) {
    public PolicyRecordEntry {
      checkNotNull(zone, "zone");
      checkNotNull(name, "name");
      checkNotNull(document, "document");
      checkNotNull(policyId, "policyId");
      checkNotNull(place, "place");
    }
  }

  /**
   * A health-status file.
   *
   * @param file the file
   * @param watch whether it is re-read when it changes
   */
  public record HealthStatusFile(String file, boolean watch) {
    public HealthStatusFile {
      checkNotNull(file, "file");
    }
  }

  /**
   * The {@code aliasTargets} member: how alias endpoints are answered. The table answers first; the resolvers look
   * up every target it does not know, in the background (see {@code DnsAliasResolver} for the timing rules).
   *
   * @param table a CSV alias table ({@code value,address}), if any
   * @param resolvers recursive resolvers to look targets up through (none: the table only)
   * @param queryTimeout how long one resolver is given for one query
   * @param minTtl the shortest a looked-up target is kept
   * @param maxTtl the longest a looked-up target is kept
   * @param staleAnswerTtl the TTL of answers with stale records
   * @param maxStale how long past their TTL the last good records are answered while lookups fail
   * @param retryInterval how soon a failed lookup is tried again
   * @param startupWait how long the server waits, before it opens its listeners (and before it serves a new
   *     registry state), for the first lookup of every target
   */
  public record AliasTargets(Optional<String> table, ImmutableList<InetSocketAddress> resolvers,
      Duration queryTimeout, Duration minTtl, Duration maxTtl, Duration staleAnswerTtl, Duration maxStale,
      Duration retryInterval, Duration startupWait) {
    public AliasTargets {
      checkNotNull(table, "table (use Optional.empty())");
      resolvers = ImmutableList.copyOf(resolvers);
      checkNotNull(queryTimeout, "queryTimeout");
      checkNotNull(minTtl, "minTtl");
      checkNotNull(maxTtl, "maxTtl");
      checkNotNull(staleAnswerTtl, "staleAnswerTtl");
      checkNotNull(maxStale, "maxStale");
      checkNotNull(retryInterval, "retryInterval");
      checkNotNull(startupWait, "startupWait");
    }
  }

  /**
   * Query log settings.
   *
   * @param enabled whether every query is logged
   * @param file the log file, or {@code -} for standard error
   */
  public record QueryLogSettings(boolean enabled, String file) {
    public QueryLogSettings {
      checkNotNull(file, "file");
    }
  }
}
