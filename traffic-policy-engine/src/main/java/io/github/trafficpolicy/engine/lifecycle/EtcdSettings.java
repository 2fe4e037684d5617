package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.net.HostAndPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where and how a registry kept in etcd v3 is reached: {@code etcd://HOST:PORT[,HOST:PORT...]/PREFIX} (every member
 * listed, so the client fails over), the credentials of an etcd user (when etcd has authentication on), TLS (a
 * trusted CA turns it on; a client certificate and key for mutual TLS), how long one request may take and how long
 * opening waits for an unreachable etcd.
 *
 * <p>The registry's keys all start with {@code /PREFIX/}: several registries can share one etcd cluster.
 *
 * @param endpoints the members, at least one
 * @param prefix one or more segments of letters, digits, '.', '_' and '-', separated by '/'
 * @param timeout the longest one etcd request may take (a write not answered in time fails)
 * @param startupWait how long opening the registry retries while etcd is unreachable (zero: one attempt)
 */
public record EtcdSettings(ImmutableList<HostAndPort> endpoints, String prefix, Optional<String> user,
                           Optional<String> password, Optional<Path> trustedCa, Optional<Path> clientCertificate,
                           Optional<Path> clientKey, Duration timeout, Duration startupWait) {
  /** The URI scheme of a registry in etcd. */
  public static final String SCHEME = "etcd";
  /** The default {@link #timeout}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
  private static final Pattern URI_SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://.*", Pattern.DOTALL);

  public EtcdSettings {
    checkNotNull(endpoints, "endpoints");
    checkArgument(!endpoints.isEmpty(), "at least one etcd endpoint");
    endpoints.forEach(e -> checkArgument(e.hasPort(), "etcd endpoint %s has no port", e));
    checkNotNull(prefix, "prefix");
    checkArgument(PREFIX.matcher(prefix).matches(),
        "the registry prefix must be segments of letters, digits, '.', '_' and '-' separated by '/' but was '%s'",
        prefix);
    checkNotNull(user, "user (use Optional.empty())");
    checkNotNull(password, "password (use Optional.empty())");
    checkArgument(user.isPresent() == password.isPresent(), "an etcd user goes with a password");
    checkNotNull(trustedCa, "trustedCa (use Optional.empty())");
    checkNotNull(clientCertificate, "clientCertificate (use Optional.empty())");
    checkNotNull(clientKey, "clientKey (use Optional.empty())");
    checkArgument(clientCertificate.isPresent() == clientKey.isPresent(),
        "a client certificate goes with its key");
    checkArgument(clientCertificate.isEmpty() || trustedCa.isPresent(),
        "a client certificate needs TLS: name the trusted CA too");
    checkNotNull(timeout, "timeout");
    checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive but was %s", timeout);
    checkNotNull(startupWait, "startupWait");
    checkArgument(!startupWait.isNegative(), "startupWait must not be negative but was %s", startupWait);
  }

  /**
   * Parses {@code etcd://HOST:PORT[,HOST:PORT...]/PREFIX} (an IPv6 host in brackets), without credentials or TLS,
   * with the default timeout and no startup wait. Throws {@link IllegalArgumentException} saying what is wrong.
   */
  public static EtcdSettings parse(String uri) {
    checkNotNull(uri, "uri");
    String start = SCHEME + "://";
    if (!uri.startsWith(start)) {
      throw new IllegalArgumentException("'" + uri + "' is not an etcd registry: expected " + start
          + "HOST:PORT[,HOST:PORT...]/PREFIX");
    }
    String rest = uri.substring(start.length());
    int slash = rest.indexOf('/');
    if (slash < 0 || slash == rest.length() - 1) {
      throw new IllegalArgumentException("'" + uri + "' names no key prefix: expected " + start
          + "HOST:PORT[,HOST:PORT...]/PREFIX, for example " + start + "127.0.0.1:2379/traffic-policy");
    }
    ImmutableList.Builder<HostAndPort> endpoints = ImmutableList.builder();
    for (String hostPort : rest.substring(0, slash).split(",", -1)) {
      HostAndPort hp;
      try {
        hp = HostAndPort.fromString(hostPort.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + uri + "': '" + hostPort + "' is not HOST:PORT", e);
      }
      if (hp.getHost().isEmpty() || !hp.hasPort()) {
        throw new IllegalArgumentException("'" + uri + "': '" + hostPort + "' is not HOST:PORT");
      }
      endpoints.add(hp);
    }
    String prefix = rest.substring(slash + 1);
    if (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("'" + uri + "': the prefix must be segments of letters, digits, '.', '_'"
          + " and '-' separated by '/' but was '" + prefix + "'");
    }
    return new EtcdSettings(endpoints.build(), prefix, Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.empty(), Optional.empty(), DEFAULT_TIMEOUT, Duration.ZERO);
  }

  /**
   * The URI scheme of a registry location ({@code etcd} in {@code etcd://...}), or empty when it is a directory
   * path (a Windows drive letter such as {@code C:\} is not a scheme).
   */
  public static Optional<String> scheme(String location) {
    var m = URI_SCHEME.matcher(checkNotNull(location, "location"));
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /**
   * What a registry location names: empty for a directory path, the parsed settings for an {@code etcd://} URI;
   * {@link IllegalArgumentException} for another scheme ({@code zk://...}), which is never taken for a directory.
   */
  public static Optional<EtcdSettings> ofLocation(String location) {
    Optional<String> scheme = scheme(location);
    if (scheme.isEmpty()) {
      return Optional.empty();
    }
    if (!scheme.get().equals(SCHEME)) {
      throw new IllegalArgumentException("unknown registry scheme '" + scheme.get() + "' in '" + location
          + "': a registry is a directory or " + SCHEME + "://HOST:PORT[,HOST:PORT...]/PREFIX");
    }
    return Optional.of(parse(location));
  }

  /** With the credentials of an etcd user. */
  public EtcdSettings withCredentials(String user, String password) {
    return new EtcdSettings(endpoints, prefix, Optional.of(user), Optional.of(password), trustedCa,
        clientCertificate, clientKey, timeout, startupWait);
  }

  /** Over TLS, trusting the CA certificates (PEM) in {@code trustedCa}. */
  public EtcdSettings withTls(Path trustedCa) {
    return new EtcdSettings(endpoints, prefix, user, password, Optional.of(trustedCa), clientCertificate, clientKey,
        timeout, startupWait);
  }

  /** With a client certificate chain and its PKCS#8 private key (PEM files), for etcd's client certificate auth. */
  public EtcdSettings withClientCertificate(Path certificate, Path key) {
    return new EtcdSettings(endpoints, prefix, user, password, trustedCa, Optional.of(certificate),
        Optional.of(key), timeout, startupWait);
  }

  /** With another request timeout. */
  public EtcdSettings withTimeout(Duration timeout) {
    return new EtcdSettings(endpoints, prefix, user, password, trustedCa, clientCertificate, clientKey, timeout,
        startupWait);
  }

  /** Opening retries for up to {@code startupWait} while etcd is unreachable. */
  public EtcdSettings withStartupWait(Duration startupWait) {
    return new EtcdSettings(endpoints, prefix, user, password, trustedCa, clientCertificate, clientKey, timeout,
        startupWait);
  }

  /** {@code etcd://HOST:PORT,.../PREFIX}, without credentials. */
  public String uri() {
    return SCHEME + "://" + String.join(",", endpoints.stream().map(HostAndPort::toString).toList()) + "/" + prefix;
  }

  /** The members as {@code http://} or (with TLS) {@code https://} URLs. */
  List<String> endpointUrls() {
    String scheme = trustedCa.isPresent() ? "https://" : "http://";
    return endpoints.stream().map(e -> scheme + e).toList();
  }

  @Override
  public String toString() {
    return uri() + user.map(u -> " (user " + u + ")").orElse("") + (trustedCa.isPresent() ? " over TLS" : "");
  }
}
