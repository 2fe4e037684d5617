package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableMap;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Health statuses set by another system through this API (a deployment tool, an operator's switch, a monitoring
 * bridge), published to a {@link HealthRegistry} like probed statuses. Each status has an age; one older than the
 * feed's {@code maxAge} is <em>stale</em> and the feed publishes its {@code staleStatus} instead (e.g.
 * {@code UNKNOWN} to let the evaluator's setting decide, or {@code UNHEALTHY} to fail safe), until the status is set
 * again. A status {@linkplain #remove removed} also falls back to {@code staleStatus}.
 *
 * <pre>{@code
 * HealthFeed feed = HealthFeed.builder(registry).maxAge(Duration.ofMinutes(2)).staleStatus(HealthStatus.UNHEALTHY).build();
 * feed.start();                                  // re-checks ages every second
 * feed.set("db-primary", HealthStatus.HEALTHY);  // published at once
 * }</pre>
 *
 * <p>Ages are measured with the injected {@link Clock}; {@link #refresh()} re-evaluates them on demand (tests advance
 * a clock and call it instead of waiting), {@link #start()} does so periodically. Use IDs that no
 * {@link HealthChecker} probes: the last writer of an ID wins. Thread-safe.
 */
public final class HealthFeed implements AutoCloseable {
  private final HealthRegistry registry;
  private final Duration maxAge;
  private final HealthStatus staleStatus;
  private final Clock clock;
  private final Duration refreshInterval;
  private final Optional<ScheduledExecutorService> givenScheduler;
  private final Map<HealthCheckId, Report> reports = new LinkedHashMap<>();
  /** The status last published per ID, to publish changes only. */
  private final Map<HealthCheckId, HealthStatus> published = new HashMap<>();
  private @Nullable ScheduledExecutorService ownScheduler;
  private @Nullable ScheduledFuture<?> refreshing;
  private boolean closed;

  private record Report(HealthStatus status, Instant observedAt) {}

  private HealthFeed(Builder b) {
    this.registry = b.registry;
    this.maxAge = b.maxAge;
    this.staleStatus = b.staleStatus;
    this.clock = b.clock;
    this.refreshInterval = b.refreshInterval;
    this.givenScheduler = b.scheduler;
  }

  /** A builder publishing to {@code registry}. */
  public static Builder builder(HealthRegistry registry) {
    return new Builder(registry);
  }

  /** Sets a status observed now and publishes it. */
  public HealthSnapshot set(String id, HealthStatus status) {
    return set(HealthCheckId.of(id), status);
  }

  /** Sets a status observed now and publishes it. */
  public HealthSnapshot set(HealthCheckId id, HealthStatus status) {
    return set(id, status, clock.instant());
  }

  /** Sets a status observed at {@code observedAt} (it may already be stale) and publishes it. */
  public synchronized HealthSnapshot set(HealthCheckId id, HealthStatus status, Instant observedAt) {
    checkNotNull(id, "id");
    checkNotNull(status, "status");
    checkNotNull(observedAt, "observedAt");
    reports.put(id, new Report(status, observedAt));
    return publish();
  }

  /**
   * Replaces every status by {@code statuses}, all observed at {@code observedAt}, in one snapshot; IDs not listed
   * any more fall back to the stale status.
   */
  public synchronized HealthSnapshot replaceAll(Map<HealthCheckId, HealthStatus> statuses, Instant observedAt) {
    checkNotNull(statuses, "statuses");
    checkNotNull(observedAt, "observedAt");
    ImmutableMap<HealthCheckId, HealthStatus> copy = ImmutableMap.copyOf(statuses);
    reports.clear();
    copy.forEach((id, status) -> reports.put(id, new Report(status, observedAt)));
    return publish();
  }

  /** Forgets a status; its ID falls back to the stale status. */
  public synchronized HealthSnapshot remove(HealthCheckId id) {
    checkNotNull(id, "id");
    reports.remove(id);
    return publish();
  }

  /** Re-evaluates every age with the clock and publishes the statuses that became stale. */
  public synchronized HealthSnapshot refresh() {
    return publish();
  }

  /** The entry for an ID as of now, empty when the feed has no status for it. */
  public synchronized Optional<FeedEntry> entry(HealthCheckId id) {
    Report r = reports.get(checkNotNull(id, "id"));
    return r == null ? Optional.empty() : Optional.of(entry(id, r, clock.instant()));
  }

  /** Every entry as of now. */
  public synchronized ImmutableMap<HealthCheckId, FeedEntry> entries() {
    Instant now = clock.instant();
    ImmutableMap.Builder<HealthCheckId, FeedEntry> b = ImmutableMap.builder();
    reports.forEach((id, r) -> b.put(id, entry(id, r, now)));
    return b.build();
  }

  /** The maximum age of a fresh status. */
  public Duration maxAge() {
    return maxAge;
  }

  /** The status published for a stale or removed status. */
  public HealthStatus staleStatus() {
    return staleStatus;
  }

  /**
   * Re-evaluates ages every {@code refreshInterval} on the given scheduler, or on a daemon thread of its own. Does
   * nothing when already started.
   */
  public synchronized void start() {
    checkState(!closed, "the feed is closed");
    if (refreshing != null) {
      return;
    }
    ScheduledExecutorService s = givenScheduler.orElseGet(() -> {
      ownScheduler = Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder().setNameFormat("health-feed-%d").setDaemon(true).build());
      return ownScheduler;
    });
    long period = refreshInterval.toNanos();
    refreshing = s.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.NANOSECONDS);
  }

  /** Stops the periodic refresh (and the feed's own thread); the published statuses stay. */
  @Override
  public synchronized void close() {
    closed = true;
    if (refreshing != null) {
      refreshing.cancel(false);
      refreshing = null;
    }
    if (ownScheduler != null) {
      ownScheduler.shutdownNow();
      ownScheduler = null;
    }
  }

  private FeedEntry entry(HealthCheckId id, Report r, Instant now) {
    Duration age = Duration.between(r.observedAt, now);
    if (age.isNegative()) {
      age = Duration.ZERO;
    }
    boolean stale = age.compareTo(maxAge) > 0;
    return new FeedEntry(id, r.status, r.observedAt, age, stale, stale ? staleStatus : r.status);
  }

  /** Publishes, in one snapshot, every effective status that differs from the last published. Holds the lock. */
  private HealthSnapshot publish() {
    Instant now = clock.instant();
    Map<HealthCheckId, HealthStatus> changes = new LinkedHashMap<>();
    reports.forEach((id, r) -> {
      HealthStatus effective = entry(id, r, now).effective();
      if (published.get(id) != effective) {
        changes.put(id, effective);
      }
    });
    for (HealthCheckId id : published.keySet()) {
      if (!reports.containsKey(id) && published.get(id) != staleStatus) {
        changes.put(id, staleStatus);
      }
    }
    published.putAll(changes);
    published.keySet().retainAll(reports.keySet());
    return changes.isEmpty() ? registry.current() : registry.setChecks(changes);
  }

  /** Builds a {@link HealthFeed}. */
  public static final class Builder {
    private final HealthRegistry registry;
    private Duration maxAge = Duration.ofMinutes(5);
    private HealthStatus staleStatus = HealthStatus.UNKNOWN;
    private Clock clock = Clock.systemUTC();
    private Duration refreshInterval = Duration.ofSeconds(1);
    private Optional<ScheduledExecutorService> scheduler = Optional.empty();

    private Builder(HealthRegistry registry) {
      this.registry = checkNotNull(registry, "registry");
    }

    /** How old a status may be before it is stale (positive; default 5 minutes). */
    public Builder maxAge(Duration maxAge) {
      checkNotNull(maxAge, "maxAge");
      checkArgument(!maxAge.isNegative() && !maxAge.isZero(), "maxAge must be positive but was %s", maxAge);
      this.maxAge = maxAge;
      return this;
    }

    /** The status published for stale and removed statuses (default {@code UNKNOWN}). */
    public Builder staleStatus(HealthStatus staleStatus) {
      this.staleStatus = checkNotNull(staleStatus, "staleStatus");
      return this;
    }

    /** The clock ages are measured with (default the system clock, UTC). */
    public Builder clock(Clock clock) {
      this.clock = checkNotNull(clock, "clock");
      return this;
    }

    /** How often a started feed re-evaluates ages (positive; default 1 s). */
    public Builder refreshInterval(Duration refreshInterval) {
      checkNotNull(refreshInterval, "refreshInterval");
      checkArgument(!refreshInterval.isNegative() && !refreshInterval.isZero(),
          "refreshInterval must be positive but was %s", refreshInterval);
      this.refreshInterval = refreshInterval;
      return this;
    }

    /** The scheduler a started feed uses (default a daemon thread of its own, ended by {@link #close()}). */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Optional.of(checkNotNull(scheduler, "scheduler"));
      return this;
    }

    /** The feed (not started; statuses set through it are published at once). */
    public HealthFeed build() {
      return new HealthFeed(this);
    }
  }
}
