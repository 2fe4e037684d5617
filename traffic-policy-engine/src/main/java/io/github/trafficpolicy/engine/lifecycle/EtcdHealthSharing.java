package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.health.SharedHealth;
import io.github.trafficpolicy.engine.health.VantageResult;
import java.io.IOException;
import java.time.Duration;

/**
 * Health shared between servers through etcd (see {@link SharedHealth}): starts sharing one vantage point, or reads
 * every vantage point's results once. Names no jetcd type, so applications without etcd need not have jetcd on
 * their class path; the class that uses jetcd is loaded only here.
 */
public final class EtcdHealthSharing {
  /** The shortest lease etcd grants reliably (it refuses TTLs shorter than its election timeout allows). */
  public static final Duration MIN_LEASE = Duration.ofSeconds(2);

  private EtcdHealthSharing() {}

  /**
   * Shares {@code shared}'s vantage point through the etcd of {@code settings}, under {@code /PREFIX/health/}, with
   * a lease of {@code leaseTtl} (whole seconds, at least {@link #MIN_LEASE}): connects in the background, so until
   * etcd answers the local results are served. Closing stops sharing and revokes the lease.
   *
   * @throws IOException when jetcd is not on the class path
   */
  public static AutoCloseable start(EtcdSettings settings, SharedHealth shared, Duration leaseTtl)
      throws IOException {
    checkNotNull(settings, "settings");
    checkNotNull(shared, "shared");
    checkArgument(leaseTtl.compareTo(MIN_LEASE) >= 0 && leaseTtl.toMillis() % 1000 == 0,
        "the lease must be whole seconds, at least %s s, but was %s", MIN_LEASE.toSeconds(), leaseTtl);
    try {
      return EtcdHealthShare.start(settings, shared, leaseTtl);
    } catch (NoClassDefFoundError e) {
      throw missing(e);
    }
  }

  /**
   * Every vantage point's latest result under the prefix of {@code settings}, by check (unreadable entries are
   * skipped and logged).
   *
   * @throws IOException when etcd does not answer, or jetcd is not on the class path
   */
  public static ImmutableMap<HealthCheckId, ImmutableList<VantageResult>> read(EtcdSettings settings)
      throws IOException {
    try {
      return EtcdHealthShare.read(checkNotNull(settings, "settings"));
    } catch (NoClassDefFoundError e) {
      throw missing(e);
    }
  }

  private static IOException missing(NoClassDefFoundError e) {
    return new IOException("shared health in etcd needs the etcd client io.etcd:jetcd-core on the class path "
        + "(missing: " + e.getMessage() + ")", e);
  }
}
