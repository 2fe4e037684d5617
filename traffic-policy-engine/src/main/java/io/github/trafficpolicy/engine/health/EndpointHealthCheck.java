package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.base.CharMatcher;
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import io.github.trafficpolicy.api.HealthCheckId;
import java.time.Duration;
import java.util.Optional;

/**
 * A check that probes an endpoint: {@link HealthCheckType#HTTP}, {@link HealthCheckType#HTTPS},
 * {@link HealthCheckType#HTTP_STR_MATCH}, {@link HealthCheckType#HTTPS_STR_MATCH} or {@link HealthCheckType#TCP}.
 * Build one with {@link #builder(String, HealthCheckType)}; the builder supplies Route 53's defaults.
 *
 * <p>A probe resolves {@code target} (an IP literal is used as is; a host name is resolved once per probe), opens
 * a TCP connection within {@code connectTimeout}, and for HTTP types sends {@code GET resourcePath} with the
 * {@code Host} header and expects a status line 2xx or 3xx within {@code responseTimeout} of connecting (TLS
 * handshake included). String matching additionally needs the body within a further {@code responseTimeout}, and
 * the case-sensitive search string (UTF-8) inside its first 5,120 bytes (after de-chunking). The status changes
 * only after {@code failureThreshold} consecutive results the other way.
 *
 * @param id the ID policy documents reference
 * @param type an endpoint type (not {@link HealthCheckType#CALCULATED})
 * @param target an IP address literal or a host name
 * @param port 1–65535
 * @param resourcePath the request path for HTTP types (starts with {@code /}, at most 255 characters, no spaces or
 *     control characters); empty for TCP
 * @param hostHeader the {@code Host} header for HTTP types; empty to send Route 53's default (the target, with
 *     {@code :port} when the port is not the scheme's default). Its host part is also the TLS SNI name.
 * @param searchString the string to find, for string-matching types only (1–255 characters)
 * @param requestInterval the time between probes (positive; Route 53 allows 10 or 30 s, small values are for tests)
 * @param failureThreshold consecutive results the other way before the status changes (1–10)
 * @param connectTimeout the time to establish the connection (positive)
 * @param responseTimeout the time after connecting to get the status line, and for string matching the further time
 *     to get the body (positive)
 * @param inverted whether the status is flipped
 * @param disabled whether the check is considered healthy without probing
 */
public record EndpointHealthCheck(
    HealthCheckId id,
    HealthCheckType type,
    String target,
    int port,
    Optional<String> resourcePath,
    Optional<String> hostHeader,
    Optional<String> searchString,
    Duration requestInterval,
    int failureThreshold,
    Duration connectTimeout,
    Duration responseTimeout,
    boolean inverted,
    boolean disabled)
    implements HealthCheck {
  /** Route 53's default request interval. */
  public static final Duration DEFAULT_REQUEST_INTERVAL = Duration.ofSeconds(30);
  /** Route 53's default failure threshold. */
  public static final int DEFAULT_FAILURE_THRESHOLD = 3;
  /** Route 53's connection timeout for HTTP(S) checks. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(4);
  /** Route 53's connection timeout for TCP checks. */
  public static final Duration DEFAULT_TCP_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Route 53's time for the status line after connecting (and, for string matching, again for the body). */
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(2);
  /** How much of the body a string-matching check searches. */
  public static final int SEARCH_WINDOW_BYTES = 5120;
  /** The longest search string and resource path Route 53 accepts. */
  public static final int MAX_SEARCH_STRING_LENGTH = 255;

  private static final CharMatcher HEADER_SAFE = CharMatcher.inRange('!', '~');

  public EndpointHealthCheck {
    checkNotNull(id, "id");
    checkNotNull(type, "type");
    checkArgument(type.probesEndpoint(), "type of %s must be an endpoint type but was %s", id, type);
    checkNotNull(target, "target");
    checkArgument(isValidTarget(target), "target of %s must be an IP address or a host name but was '%s'", id, target);
    checkArgument(port >= 1 && port <= 65535, "port of %s must be 1..65535 but was %s", id, port);
    checkNotNull(resourcePath, "resourcePath (use Optional.empty())");
    checkNotNull(hostHeader, "hostHeader (use Optional.empty())");
    checkNotNull(searchString, "searchString (use Optional.empty())");
    if (type.usesHttp()) {
      checkArgument(resourcePath.isPresent(), "resourcePath of %s is required for %s", id, type);
      String path = resourcePath.get();
      checkArgument(path.startsWith("/") && path.length() <= MAX_SEARCH_STRING_LENGTH && HEADER_SAFE.matchesAllOf(path),
          "resourcePath of %s must start with '/', have at most 255 printable characters and no spaces but was '%s'",
          id, path);
      hostHeader.ifPresent(h -> checkArgument(!h.isEmpty() && HEADER_SAFE.matchesAllOf(h),
          "hostHeader of %s must be printable characters without spaces but was '%s'", id, h));
    } else {
      checkArgument(resourcePath.isEmpty(), "resourcePath of %s applies to HTTP types only, not %s", id, type);
      checkArgument(hostHeader.isEmpty(), "hostHeader of %s applies to HTTP types only, not %s", id, type);
    }
    if (type.matchesString()) {
      checkArgument(searchString.isPresent(), "searchString of %s is required for %s", id, type);
      String s = searchString.get();
      checkArgument(!s.isEmpty() && s.length() <= MAX_SEARCH_STRING_LENGTH,
          "searchString of %s must have 1..255 characters but had %s", id, s.length());
    } else {
      checkArgument(searchString.isEmpty(), "searchString of %s applies to string-matching types only, not %s",
          id, type);
    }
    checkPositive(requestInterval, "requestInterval", id);
    checkArgument(failureThreshold >= 1 && failureThreshold <= 10, "failureThreshold of %s must be 1..10 but was %s",
        id, failureThreshold);
    checkPositive(connectTimeout, "connectTimeout", id);
    checkPositive(responseTimeout, "responseTimeout", id);
  }

  /** A builder with Route 53's defaults for {@code type} (port, path {@code /}, interval, threshold, timeouts). */
  public static Builder builder(String id, HealthCheckType type) {
    return new Builder(HealthCheckId.of(id), type);
  }

  /** A builder with Route 53's defaults for {@code type}. */
  public static Builder builder(HealthCheckId id, HealthCheckType type) {
    return new Builder(id, type);
  }

  /** A builder starting from this check's settings. */
  public Builder toBuilder() {
    Builder b = new Builder(id, type);
    b.target = target;
    b.port = port;
    b.resourcePath = resourcePath;
    b.hostHeader = hostHeader;
    b.searchString = searchString;
    b.requestInterval = requestInterval;
    b.failureThreshold = failureThreshold;
    b.connectTimeout = connectTimeout;
    b.responseTimeout = responseTimeout;
    b.inverted = inverted;
    b.disabled = disabled;
    return b;
  }

  /** This check with another failure threshold. */
  public EndpointHealthCheck withFailureThreshold(int threshold) {
    return toBuilder().failureThreshold(threshold).build();
  }

  /** The {@code Host} header a probe sends: {@link #hostHeader} or Route 53's default. */
  public String effectiveHostHeader() {
    if (hostHeader.isPresent()) {
      return hostHeader.get();
    }
    String host = target.contains(":") ? "[" + target + "]" : target;
    return port == type.defaultPort() ? host : host + ":" + port;
  }

  /**
   * The TLS server name (SNI) a probe sends: the host part of the {@code Host} header when it is a host name, else
   * the target when it is a host name; empty when both are IP addresses.
   */
  public Optional<String> serverName() {
    String host = hostPart(effectiveHostHeader());
    if (!InetAddresses.isInetAddress(host) && InternetDomainName.isValid(host)) {
      return Optional.of(stripDot(host));
    }
    return InetAddresses.isInetAddress(target) ? Optional.empty() : Optional.of(stripDot(target));
  }

  /** True for a string that is an IP address literal or a valid host name. */
  static boolean isValidTarget(String target) {
    return InetAddresses.isInetAddress(target) || InternetDomainName.isValid(target);
  }

  private static String hostPart(String header) {
    if (header.startsWith("[")) {
      int end = header.indexOf(']');
      return end > 0 ? header.substring(1, end) : header;
    }
    int colon = header.indexOf(':');
    return colon >= 0 && header.indexOf(':', colon + 1) < 0 ? header.substring(0, colon) : header;
  }

  private static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  private static void checkPositive(Duration d, String name, HealthCheckId id) {
    checkNotNull(d, name);
    checkArgument(!d.isNegative() && !d.isZero(), "%s of %s must be positive but was %s", name, id, d);
  }

  /** Builds an {@link EndpointHealthCheck}; every setting but the target has a default. */
  public static final class Builder {
    private final HealthCheckId id;
    private final HealthCheckType type;
    private String target = "";
    private int port;
    private Optional<String> resourcePath = Optional.empty();
    private Optional<String> hostHeader = Optional.empty();
    private Optional<String> searchString = Optional.empty();
    private Duration requestInterval = DEFAULT_REQUEST_INTERVAL;
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private Duration connectTimeout;
    private Duration responseTimeout = DEFAULT_RESPONSE_TIMEOUT;
    private boolean inverted;
    private boolean disabled;

    private Builder(HealthCheckId id, HealthCheckType type) {
      this.id = checkNotNull(id, "id");
      this.type = checkNotNull(type, "type");
      this.port = type.defaultPort();
      this.connectTimeout = type == HealthCheckType.TCP ? DEFAULT_TCP_CONNECT_TIMEOUT : DEFAULT_CONNECT_TIMEOUT;
    }

    /** The IP address literal or host name to probe (required). */
    public Builder target(String target) {
      this.target = checkNotNull(target, "target");
      return this;
    }

    /** The port (default 80 for HTTP types, 443 for HTTPS types; required for TCP). */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The request path for HTTP types (default {@code /}). */
    public Builder resourcePath(String resourcePath) {
      this.resourcePath = Optional.of(checkNotNull(resourcePath, "resourcePath"));
      return this;
    }

    /** The {@code Host} header for HTTP types (default: the target, with the port when not the default). */
    public Builder hostHeader(String hostHeader) {
      this.hostHeader = Optional.of(checkNotNull(hostHeader, "hostHeader"));
      return this;
    }

    /** The search string, for string-matching types. */
    public Builder searchString(String searchString) {
      this.searchString = Optional.of(checkNotNull(searchString, "searchString"));
      return this;
    }

    /** The time between probes (default 30 s). */
    public Builder requestInterval(Duration requestInterval) {
      this.requestInterval = checkNotNull(requestInterval, "requestInterval");
      return this;
    }

    /** Consecutive results the other way before the status changes (1–10, default 3). */
    public Builder failureThreshold(int failureThreshold) {
      this.failureThreshold = failureThreshold;
      return this;
    }

    /** The connection timeout (default 4 s; 10 s for TCP). */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = checkNotNull(connectTimeout, "connectTimeout");
      return this;
    }

    /** The time for the status line after connecting, and again for the body when matching (default 2 s). */
    public Builder responseTimeout(Duration responseTimeout) {
      this.responseTimeout = checkNotNull(responseTimeout, "responseTimeout");
      return this;
    }

    /** Whether the status is flipped (default false). */
    public Builder inverted(boolean inverted) {
      this.inverted = inverted;
      return this;
    }

    /** Whether the check is disabled, i.e. healthy without probing (default false). */
    public Builder disabled(boolean disabled) {
      this.disabled = disabled;
      return this;
    }

    /** The validated check. */
    public EndpointHealthCheck build() {
      return new EndpointHealthCheck(id, type, target, port,
          type.usesHttp() ? Optional.of(resourcePath.orElse("/")) : resourcePath, hostHeader,
          searchString, requestInterval, failureThreshold, connectTimeout, responseTimeout, inverted, disabled);
    }
  }
}
