package io.github.trafficpolicy.dns.cli;

import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.EtcdSettings;
import io.github.trafficpolicy.engine.lifecycle.RegistryError;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where the registry is: {@code --registry} (a directory or an etcd prefix) and the etcd options (user, TLS, client
 * certificate, timeout), and opening it. A picocli mixin of every command that reads the registry: the registry
 * subcommands (through {@link RegistryOptions}) and {@code simulate --against-version}.
 */
class RegistryLocation {
  /** The environment variable naming the default registry directory. */
  static final String ENV = "TRAFFIC_POLICY_REGISTRY";
  /** The default registry directory, relative to the working directory. */
  static final String DEFAULT_DIR = "traffic-policy-registry";

  /** The environment variable holding the etcd user's password (read when --etcd-user is given without a file). */
  static final String ETCD_PASSWORD_ENV = "TRAFFIC_POLICY_ETCD_PASSWORD";

  @Option(names = "--registry", paramLabel = "DIR|etcd://HOST:PORT[,HOST:PORT...]/PREFIX",
      description = "The registry: a directory, or a prefix in etcd v3 shared by several servers (default: $" + ENV
          + ", else ./" + DEFAULT_DIR + ").")
  @Nullable String registry;

  @Option(names = "--etcd-user", paramLabel = "NAME",
      description = "With an etcd registry: the etcd user (password from --etcd-password-file, else $"
          + ETCD_PASSWORD_ENV + ").")
  @Nullable String etcdUser;

  @Option(names = "--etcd-password-file", paramLabel = "FILE",
      description = "With --etcd-user: a file holding the password (its first line).")
  @Nullable Path etcdPasswordFile;

  @Option(names = "--etcd-cacert", paramLabel = "FILE",
      description = "With an etcd registry: talk TLS, trusting the CA certificates in this PEM file.")
  @Nullable Path etcdCa;

  @Option(names = "--etcd-cert", paramLabel = "FILE",
      description = "With --etcd-cacert: a client certificate (PEM) for etcd's client certificate authentication.")
  @Nullable Path etcdCert;

  @Option(names = "--etcd-key", paramLabel = "FILE", description = "With --etcd-cert: its PKCS#8 key (PEM).")
  @Nullable Path etcdKey;

  @Option(names = "--etcd-timeout-ms", paramLabel = "MS",
      description = "With an etcd registry: the longest one request may take (default: 5000).")
  @Nullable Long etcdTimeoutMillis;

  /** The registry's location as given: a directory or an {@code etcd://} URI. */
  String location() {
    if (registry != null) {
      return registry;
    }
    String env = System.getenv(ENV);
    return env == null || env.isBlank() ? DEFAULT_DIR : env;
  }

  /**
   * The etcd settings when the location is an {@code etcd://} URI, empty for a directory; a location with another
   * scheme, or a bad option, is refused with {@code InvalidInput}.
   */
  Optional<EtcdSettings> etcd() {
    try {
      Optional<EtcdSettings> location = EtcdSettings.ofLocation(location());
      if (location.isEmpty()) {
        if (etcdUser != null || etcdCa != null || etcdCert != null || etcdKey != null || etcdTimeoutMillis != null) {
          throw new IllegalArgumentException(
              "the --etcd-* options go with an etcd registry (--registry etcd://HOST:PORT/PREFIX), not a directory");
        }
        return Optional.empty();
      }
      EtcdSettings s = location.get();
      if (etcdUser != null) {
        s = s.withCredentials(etcdUser, etcdPassword());
      }
      if (etcdCa != null) {
        s = s.withTls(etcdCa);
      }
      if (etcdCert != null || etcdKey != null) {
        if (etcdCert == null || etcdKey == null) {
          throw new IllegalArgumentException("--etcd-cert and --etcd-key go together");
        }
        s = s.withClientCertificate(etcdCert, etcdKey);
      }
      if (etcdTimeoutMillis != null) {
        s = s.withTimeout(Duration.ofMillis(etcdTimeoutMillis));
      }
      return Optional.of(s);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(RegistryError.INVALID_INPUT, IoMessages.message(e), e);
    }
  }

  private String etcdPassword() {
    if (etcdPasswordFile != null) {
      String text = RegistryOptions.readText(etcdPasswordFile, 4096, "a password file", RegistryError.INVALID_INPUT);
      return text.lines().findFirst().orElse("");
    }
    String env = System.getenv(ETCD_PASSWORD_ENV);
    if (env == null) {
      throw new IllegalArgumentException("--etcd-user " + etcdUser + " needs a password: --etcd-password-file FILE"
          + " or $" + ETCD_PASSWORD_ENV);
    }
    return env;
  }

  /** The registry directory (a directory location only). */
  Path directory() {
    return Path.of(location());
  }

  TrafficPolicyRegistry open() {
    TrafficPolicyRegistry.Builder b = TrafficPolicyRegistry.builder().codec(DocumentCodec.json());
    Optional<EtcdSettings> etcd = etcd();
    return (etcd.isPresent() ? b.etcd(etcd.get()) : b.directory(directory())).build();
  }
}
