package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.dns.UdpIo;
import io.github.trafficpolicy.dns.UdpScheduling;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The settings of {@code traffic-policy serve}, as read by {@link ServeConfigReader} or made with
 * {@link #builder}. Paths are relative to {@link #source()}. The sections that other parts of the server read
 * themselves ({@code healthChecks}, {@code registry}, {@code api}, {@code metrics}) are kept as read, for
 * {@link ConfiguredServer}, and are not part of this API.
 */
public final class ServeConfig {
  private final String name;
  private final ConfigSource source;
  private final ImmutableList<InetSocketAddress> listen;
  private final OptionalInt udpThreads;
  private final UdpIo udpIo;
  private final UdpScheduling udpScheduling;
  private final int maxUdpPayload;
  private final int tcpMaxConnections;
  private final Duration tcpIdleTimeout;
  private final ImmutableList<ZoneEntry> zones;
  private final ImmutableList<PolicyRecordEntry> policyRecords;
  private final Optional<String> cidrTable;
  private final Optional<String> maxmind;
  private final Optional<String> latencyTable;
  private final Optional<HealthStatusFile> healthStatus;
  private final long seed;
  private final QueryLogSettings queryLog;
  private final boolean printCountersOnShutdown;
  private final Optional<AliasTargets> aliasTargets;
  private final TcpLimits tcpLimits;
  private final Optional<RateLimit> rateLimit;
  private final Cookies cookies;
  private final ImmutableMap<String, JsonNode> extensions;

  private ServeConfig(Builder b) {
    this.name = b.name;
    this.source = b.source;
    this.listen = b.listen;
    this.udpThreads = b.udpThreads;
    this.udpIo = b.udpIo;
    this.udpScheduling = b.udpScheduling;
    this.maxUdpPayload = b.maxUdpPayload;
    this.tcpMaxConnections = b.tcpMaxConnections;
    this.tcpIdleTimeout = b.tcpIdleTimeout;
    this.zones = b.zones;
    this.policyRecords = b.policyRecords;
    this.cidrTable = b.cidrTable;
    this.maxmind = b.maxmind;
    this.latencyTable = b.latencyTable;
    this.healthStatus = b.healthStatus;
    this.seed = b.seed;
    this.queryLog = b.queryLog;
    this.printCountersOnShutdown = b.printCountersOnShutdown;
    this.aliasTargets = b.aliasTargets;
    this.tcpLimits = b.tcpLimits;
    this.rateLimit = b.rateLimit;
    this.cookies = b.cookies;
    this.extensions = ImmutableMap.copyOf(b.extensions);
  }

  /** A builder with the defaults of an empty configuration file (one listener, 127.0.0.1:5353). */
  public static Builder builder(String name, ConfigSource source) {
    return new Builder(name, source);
  }

  /** A builder with these settings. */
  public Builder toBuilder() {
    Builder b = new Builder(name, source);
    b.listen = listen;
    b.udpThreads = udpThreads;
    b.udpIo = udpIo;
    b.udpScheduling = udpScheduling;
    b.maxUdpPayload = maxUdpPayload;
    b.tcpMaxConnections = tcpMaxConnections;
    b.tcpIdleTimeout = tcpIdleTimeout;
    b.zones = zones;
    b.policyRecords = policyRecords;
    b.cidrTable = cidrTable;
    b.maxmind = maxmind;
    b.latencyTable = latencyTable;
    b.healthStatus = healthStatus;
    b.seed = seed;
    b.queryLog = queryLog;
    b.printCountersOnShutdown = printCountersOnShutdown;
    b.aliasTargets = aliasTargets;
    b.tcpLimits = tcpLimits;
    b.rateLimit = rateLimit;
    b.cookies = cookies;
    b.extensions.putAll(extensions);
    return b;
  }

  /** The configuration's name in messages (its file). */
  public String name() {
    return name;
  }

  /** Where the files it names are read from. */
  public ConfigSource source() {
    return source;
  }

  /** The UDP+TCP listen addresses. */
  public ImmutableList<InetSocketAddress> listen() {
    return listen;
  }

  /** UDP receiver threads per address (empty: the number of processors). */
  public OptionalInt udpThreads() {
    return udpThreads;
  }

  /** How UDP datagrams are read and written. */
  public UdpIo udpIo() {
    return udpIo;
  }

  /** How the UDP receiver threads are scheduled. */
  public UdpScheduling udpScheduling() {
    return udpScheduling;
  }

  /** The largest UDP reply, in bytes. */
  public int maxUdpPayload() {
    return maxUdpPayload;
  }

  /** Open TCP connections at most. */
  public int tcpMaxConnections() {
    return tcpMaxConnections;
  }

  /** Idle TCP connections are closed after this. */
  public Duration tcpIdleTimeout() {
    return tcpIdleTimeout;
  }

  /** The zones. */
  public ImmutableList<ZoneEntry> zones() {
    return zones;
  }

  /** The policy records. */
  public ImmutableList<PolicyRecordEntry> policyRecords() {
    return policyRecords;
  }

  /** A CIDR geo table (CSV), if any. */
  public Optional<String> cidrTable() {
    return cidrTable;
  }

  /** A MaxMind GeoIP2/GeoLite2 database, if any. */
  public Optional<String> maxmind() {
    return maxmind;
  }

  /** A latency table (CSV), if any. */
  public Optional<String> latencyTable() {
    return latencyTable;
  }

  /** A health-status file, if any. */
  public Optional<HealthStatusFile> healthStatus() {
    return healthStatus;
  }

  /** The seed of the weighted/multivalue hash. */
  public long seed() {
    return seed;
  }

  /** The query log settings. */
  public QueryLogSettings queryLog() {
    return queryLog;
  }

  /** Whether the counters are printed when the server stops. */
  public boolean printCountersOnShutdown() {
    return printCountersOnShutdown;
  }

  /** How alias endpoints (load balancers, CloudFront …) are resolved, if configured. */
  public Optional<AliasTargets> aliasTargets() {
    return aliasTargets;
  }

  /** The per-client and per-query limits of TCP connections. */
  public TcpLimits tcpLimits() {
    return tcpLimits;
  }

  /** Response-rate limiting over UDP, if on. */
  public Optional<RateLimit> rateLimit() {
    return rateLimit;
  }

  /** DNS cookies. */
  public Cookies cookies() {
    return cookies;
  }

  /** The sections other parts of the server read themselves, by top-level member name, as read. */
  ImmutableMap<String, JsonNode> extensions() {
    return extensions;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ServeConfig c)) {
      return false;
    }
    return name.equals(c.name) && source.equals(c.source) && listen.equals(c.listen) &&
        udpThreads.equals(c.udpThreads) && udpIo == c.udpIo && udpScheduling == c.udpScheduling &&
        maxUdpPayload == c.maxUdpPayload && tcpMaxConnections == c.tcpMaxConnections &&
        tcpIdleTimeout.equals(c.tcpIdleTimeout) && zones.equals(c.zones) &&
        policyRecords.equals(c.policyRecords) && cidrTable.equals(c.cidrTable) && maxmind.equals(c.maxmind) &&
        latencyTable.equals(c.latencyTable) && healthStatus.equals(c.healthStatus) && seed == c.seed &&
        queryLog.equals(c.queryLog) && printCountersOnShutdown == c.printCountersOnShutdown &&
        aliasTargets.equals(c.aliasTargets) && tcpLimits.equals(c.tcpLimits) && rateLimit.equals(c.rateLimit) &&
        cookies.equals(c.cookies) && extensions.equals(c.extensions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, source, listen, udpThreads, udpIo, udpScheduling, maxUdpPayload, tcpMaxConnections,
        tcpIdleTimeout, zones, policyRecords, cidrTable, maxmind, latencyTable, healthStatus,
        seed, queryLog, printCountersOnShutdown, aliasTargets, tcpLimits, rateLimit, cookies,
        extensions);
  }

  @Override
  public String toString() {
    return "ServeConfig{" + name + ", listen=" + listen + ", zones=" + zones.size() + ", policyRecords="
        + policyRecords.size() + ", sections=" + extensions.keySet() + "}";
  }

  /** Builds a {@link ServeConfig}; every setting not set keeps the default of an empty configuration file. */
  public static final class Builder {
    private final String name;
    private final ConfigSource source;
    private ImmutableList<InetSocketAddress> listen = ImmutableList.of(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 5353));
    private OptionalInt udpThreads = OptionalInt.empty();
    private UdpIo udpIo = UdpIo.AUTO;
    private UdpScheduling udpScheduling = UdpScheduling.NORMAL;
    private int maxUdpPayload = 1232;
    private int tcpMaxConnections = 256;
    private Duration tcpIdleTimeout = Duration.ofSeconds(10);
    private ImmutableList<ZoneEntry> zones = ImmutableList.of();
    private ImmutableList<PolicyRecordEntry> policyRecords = ImmutableList.of();
    private Optional<String> cidrTable = Optional.empty();
    private Optional<String> maxmind = Optional.empty();
    private Optional<String> latencyTable = Optional.empty();
    private Optional<HealthStatusFile> healthStatus = Optional.empty();
    private long seed = 0;
    private QueryLogSettings queryLog = new QueryLogSettings(false, "-");
    private boolean printCountersOnShutdown = true;
    private Optional<AliasTargets> aliasTargets = Optional.empty();
    private TcpLimits tcpLimits = TcpLimits.DEFAULTS;
    private Optional<RateLimit> rateLimit = Optional.empty();
    private Cookies cookies = Cookies.DEFAULT;
    private final Map<String, JsonNode> extensions = new LinkedHashMap<>();

    private Builder(String name, ConfigSource source) {
      this.name = checkNotNull(name, "name");
      this.source = checkNotNull(source, "source");
    }

    /** The UDP+TCP listen addresses (at least one). */
    public Builder listen(List<InetSocketAddress> listen) {
      this.listen = ImmutableList.copyOf(listen);
      checkArgument(!this.listen.isEmpty(), "listen must name at least one address");
      return this;
    }

    /** UDP receiver threads per address (empty: the number of processors). */
    public Builder udpThreads(OptionalInt udpThreads) {
      this.udpThreads = checkNotNull(udpThreads, "udpThreads");
      return this;
    }

    /** How UDP datagrams are read and written. */
    public Builder udpIo(UdpIo udpIo) {
      this.udpIo = checkNotNull(udpIo, "udpIo");
      return this;
    }

    /** How the UDP receiver threads are scheduled. */
    public Builder udpScheduling(UdpScheduling udpScheduling) {
      this.udpScheduling = checkNotNull(udpScheduling, "udpScheduling");
      return this;
    }

    /** The largest UDP reply, in bytes. */
    public Builder maxUdpPayload(int maxUdpPayload) {
      this.maxUdpPayload = maxUdpPayload;
      return this;
    }

    /** Open TCP connections at most. */
    public Builder tcpMaxConnections(int tcpMaxConnections) {
      this.tcpMaxConnections = tcpMaxConnections;
      return this;
    }

    /** Idle TCP connections are closed after this. */
    public Builder tcpIdleTimeout(Duration tcpIdleTimeout) {
      this.tcpIdleTimeout = checkNotNull(tcpIdleTimeout, "tcpIdleTimeout");
      return this;
    }

    /** The zones. */
    public Builder zones(List<ZoneEntry> zones) {
      this.zones = ImmutableList.copyOf(zones);
      return this;
    }

    /** The policy records. */
    public Builder policyRecords(List<PolicyRecordEntry> policyRecords) {
      this.policyRecords = ImmutableList.copyOf(policyRecords);
      return this;
    }

    /** A CIDR geo table (CSV), if any. */
    public Builder cidrTable(Optional<String> cidrTable) {
      this.cidrTable = checkNotNull(cidrTable, "cidrTable");
      return this;
    }

    /** A MaxMind GeoIP2/GeoLite2 database, if any. */
    public Builder maxmind(Optional<String> maxmind) {
      this.maxmind = checkNotNull(maxmind, "maxmind");
      return this;
    }

    /** A latency table (CSV), if any. */
    public Builder latencyTable(Optional<String> latencyTable) {
      this.latencyTable = checkNotNull(latencyTable, "latencyTable");
      return this;
    }

    /** A health-status file, if any. */
    public Builder healthStatus(Optional<HealthStatusFile> healthStatus) {
      this.healthStatus = checkNotNull(healthStatus, "healthStatus");
      return this;
    }

    /** The seed of the weighted/multivalue hash. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The query log settings. */
    public Builder queryLog(QueryLogSettings queryLog) {
      this.queryLog = checkNotNull(queryLog, "queryLog");
      return this;
    }

    /** Whether the counters are printed when the server stops. */
    public Builder printCountersOnShutdown(boolean printCountersOnShutdown) {
      this.printCountersOnShutdown = printCountersOnShutdown;
      return this;
    }

    /** How alias endpoints (load balancers, CloudFront …) are resolved, if configured. */
    public Builder aliasTargets(Optional<AliasTargets> aliasTargets) {
      this.aliasTargets = checkNotNull(aliasTargets, "aliasTargets");
      return this;
    }

    /** The per-client and per-query limits of TCP connections. */
    public Builder tcpLimits(TcpLimits tcpLimits) {
      this.tcpLimits = checkNotNull(tcpLimits, "tcpLimits");
      return this;
    }

    /** Response-rate limiting over UDP, if on. */
    public Builder rateLimit(Optional<RateLimit> rateLimit) {
      this.rateLimit = checkNotNull(rateLimit, "rateLimit");
      return this;
    }

    /** DNS cookies. */
    public Builder cookies(Cookies cookies) {
      this.cookies = checkNotNull(cookies, "cookies");
      return this;
    }

    /** A section read by another part of the server (a top-level member and its JSON), as read. */
    Builder extension(String member, JsonNode section) {
      extensions.put(checkNotNull(member, "member"), checkNotNull(section, "section"));
      return this;
    }

    /** The settings. */
    public ServeConfig build() {
      return new ServeConfig(this);
    }
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
