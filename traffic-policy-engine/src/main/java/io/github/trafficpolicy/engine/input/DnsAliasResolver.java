package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.base.Ticker;
import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.engine.AliasResolver;
import io.github.trafficpolicy.engine.HealthStatus;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AliasResolver} that looks alias targets up in the DNS, as Route 53 answers an alias record with the
 * current addresses of the AWS resource: the endpoint's {@code Value} (a load balancer, CloudFront, API Gateway, VPC
 * endpoint or Elastic Beanstalk name; for {@code s3-website} the S3 website endpoint of the bucket's {@code Region})
 * is resolved to the policy's record type (A or AAAA) through the configured recursive resolvers, following CNAME
 * chains (at most {@link Builder#maxCnameChain} links; a loop is an error).
 *
 * <p><b>Never on the query path.</b> A compiled policy gets one shared {@link AliasResolver.Target} per target when
 * it is compiled and reads its current records on every query; lookups run in the background. A target is looked up
 * as soon as it is first handed out, then again at 80 % of its TTL (the record TTL, clamped to
 * [{@link Builder#minTtl}, {@link Builder#maxTtl}]), so a healthy upstream keeps it fresh without a gap.
 *
 * <p><b>When the upstream fails</b> (time-out, SERVFAIL, REFUSED, a network error; every resolver is tried in turn)
 * the last good records stay in use; past their TTL they are answered as stale (RFC 8767) with a TTL of
 * {@link Builder#staleAnswerTtl} for at most {@link Builder#maxStale}, and looked up again every
 * {@link Builder#retryInterval}. After that, and at once for a name that does not exist (NXDOMAIN) or has no records
 * of the needed type, the target has nothing to answer with: its {@link Target#health()} is
 * {@link HealthStatus#UNHEALTHY}, so an entry with {@code EvaluateTargetHealth} moves on, as Route 53 does for an
 * unhealthy alias target. Negative answers are looked up again after their SOA's negative TTL (RFC 2308, clamped).
 *
 * <p><b>Answer TTL.</b> An answer with an alias target carries the smaller of the policy record's TTL and the
 * target's own TTL (Route 53 gives an alias record the TTL of its target; a resolver caching our answer longer would
 * keep addresses the resource has already given up). Stale records are answered with {@link Builder#staleAnswerTtl}.
 *
 * <p>A {@link StaticAliasResolver} given as {@link Builder#overrides} answers first: a target it knows is never
 * looked up. Targets no compiled policy refers to any more are forgotten (they are held weakly). Thread-safe;
 * {@link #close()} stops the background refresher.
 */
public final class DnsAliasResolver implements AliasResolver, AutoCloseable {
  /** Regions whose S3 website endpoint is spelled {@code s3-website-REGION} (the others use a dot). */
  private static final List<String> S3_DASH_REGIONS = List.of("us-east-1", "us-west-1", "us-west-2",
      "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "eu-west-1", "sa-east-1", "us-gov-west-1");
  private static final long NANOS = 1_000_000_000L;
  private static final Logger LOG = LoggerFactory.getLogger(DnsAliasResolver.class);

  final DnsLookup lookup;
  private final @Nullable StaticAliasResolver overrides;
  final Ticker ticker;
  final long minTtl;
  final long maxTtl;
  final long staleAnswerTtl;
  final long maxStaleNanos;
  final long retryNanos;
  private final Map<Key, WeakReference<LiveAliasTarget>> targets = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final LongAdder lookups = new LongAdder();
  private final LongAdder lookupFailures = new LongAdder();
  private final Object wake = new Object();
  private final @Nullable Thread refresher;
  private boolean woken;
  private volatile boolean closed;

  private DnsAliasResolver(Builder b) {
    this.lookup = new DnsLookup(b.resolvers, b.queryTimeout, b.maxCnameChain);
    this.overrides = b.overrides;
    this.ticker = b.ticker;
    this.minTtl = b.minTtl.toSeconds();
    this.maxTtl = b.maxTtl.toSeconds();
    this.staleAnswerTtl = b.staleAnswerTtl.toSeconds();
    this.maxStaleNanos = b.maxStale.toNanos();
    this.retryNanos = b.retryInterval.toNanos();
    if (b.backgroundRefresh) {
      refresher = new Thread(this::refreshLoop, "alias-refresh");
      refresher.setDaemon(true);
      refresher.start();
    } else {
      refresher = null;
    }
  }

  /** A builder; at least one {@link Builder#resolver} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The target's records as last looked up; empty before the first lookup. A one-off question: the target is kept
   * (and refreshed) only while someone holds its {@link #target} handle, as compiled policies do.
   */
  @Override
  public ImmutableList<RecordData> resolve(Endpoint endpoint, RecordType type, String recordName) {
    return target(endpoint, type, recordName).records();
  }

  /**
   * The shared handle of the endpoint's target: from the {@link Builder#overrides} table when it knows the
   * endpoint, else the looked-up target (created and queued for a lookup when new). Never blocks.
   */
  @Override
  public Target target(Endpoint endpoint, RecordType type, String recordName) {
    checkNotNull(endpoint, "endpoint");
    checkNotNull(type, "type");
    checkNotNull(recordName, "recordName");
    if (overrides != null && !overrides.resolve(endpoint, type, recordName).isEmpty()) {
      return overrides.target(endpoint, type, recordName);
    }
    Key key = new Key(lookupName(endpoint), type);
    while (true) {
      WeakReference<LiveAliasTarget> ref = targets.get(key);
      LiveAliasTarget t = ref == null ? null : ref.get();
      if (t != null) {
        return t;
      }
      LiveAliasTarget created = new LiveAliasTarget(this, key.name, type, ticker.read());
      WeakReference<LiveAliasTarget> mine = new WeakReference<>(created);
      boolean won = ref == null ? targets.putIfAbsent(key, mine) == null : targets.replace(key, ref, mine);
      if (won) {
        wake();
        return created;
      }
    }
  }

  /**
   * The DNS name looked up for an alias endpoint: its {@code Value} (lower case, without a trailing dot); for an
   * {@code s3-website} endpoint named after its bucket, the website endpoint of its region
   * ({@code s3-website-us-east-1.amazonaws.com}, {@code s3-website.eu-central-1.amazonaws.com}), the name Route 53
   * aliases such a record to. A value that is already a website endpoint is used as it is.
   */
  public static String lookupName(Endpoint endpoint) {
    checkNotNull(endpoint, "endpoint");
    checkArgument(endpoint.type().isAlias(), "endpoint type %s is not an alias", endpoint.type());
    String value = endpoint.value().strip().toLowerCase(Locale.ROOT);
    if (value.endsWith(".") && value.length() > 1) {
      value = value.substring(0, value.length() - 1);
    }
    if (endpoint.type() != EndpointType.S3_WEBSITE || value.contains("s3-website") || endpoint.region().isEmpty()) {
      return value;
    }
    String region = endpoint.region().get().toLowerCase(Locale.ROOT);
    return (S3_DASH_REGIONS.contains(region) ? "s3-website-" : "s3-website.") + region + ".amazonaws.com";
  }

  @Override
  public long generation() {
    return generation.get();
  }

  /** Lookups of targets that ended (with addresses, a negative answer or a failure), since the resolver was built. */
  public long lookupCount() {
    return lookups.sum();
  }

  /**
   * Lookups that failed: no resolver answered in time or usably (the target keeps its last records, stale, within
   * the limit, and is tried again after the retry interval).
   */
  public long lookupFailureCount() {
    return lookupFailures.sum();
  }

  /** Called by a target when one of its lookups ended. */
  void lookedUp(DnsLookup.Kind kind) {
    lookups.increment();
    if (kind == DnsLookup.Kind.FAILED) {
      lookupFailures.increment();
    }
  }

  /** Called by a target after a change of what it answers (records, freshness, health or TTL). */
  void changed() {
    generation.incrementAndGet();
  }

  @Override
  public boolean awaitTargets(Duration timeout) throws InterruptedException {
    checkNotNull(timeout, "timeout");
    List<CompletableFuture<Void>> first = new ArrayList<>();
    for (LiveAliasTarget t : live()) {
      first.add(t.firstLookup);
    }
    try {
      CompletableFuture.allOf(first.toArray(new CompletableFuture<?>[0]))
          .get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new AssertionError("a lookup future failed", e);
    }
  }

  /**
   * Does at once what the background refresher does at this instant: marks stale or missing each target whose
   * time has come, and starts a lookup of each target due for one. The future completes when those lookups (and
   * lookups already under way) have. For callers that drive refreshing themselves ({@link
   * Builder#backgroundRefresh}), and for tests with their own {@link Builder#ticker}.
   */
  public CompletableFuture<Void> refreshDue() {
    return refresh(false);
  }

  /** Starts a lookup of every target now, due or not (one under way is not doubled); completes when all have. */
  public CompletableFuture<Void> refreshAll() {
    return refresh(true);
  }

  /** Every target currently in use, with its state, in no particular order. */
  public ImmutableList<Target> targets() {
    return ImmutableList.copyOf(live());
  }

  /** Stops the background refresher; targets keep their last state. Idempotent. */
  @Override
  public void close() {
    closed = true;
    wake();
  }

  @Override
  public String toString() {
    return "DnsAliasResolver{" + lookup.resolvers() + ", " + live().size() + " targets}";
  }

  private List<LiveAliasTarget> live() {
    List<LiveAliasTarget> all = new ArrayList<>();
    targets.forEach((k, ref) -> {
      LiveAliasTarget t = ref.get();
      if (t == null) {
        targets.remove(k, ref);
      } else {
        all.add(t);
      }
    });
    return all;
  }

  private CompletableFuture<Void> refresh(boolean all) {
    long now = ticker.read();
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (LiveAliasTarget t : live()) {
      started.add(t.advance(now, all));
    }
    return CompletableFuture.allOf(started.toArray(new CompletableFuture<?>[0]));
  }

  /** Wakes the background refresher to look at the targets again (a new one, or one whose lookup ended). */
  void wake() {
    synchronized (wake) {
      woken = true;
      wake.notifyAll();
    }
  }

  private void refreshLoop() {
    while (!closed) {
      long now = ticker.read();
      long next = now + 60 * NANOS;
      for (LiveAliasTarget t : live()) {
        try {
          CompletableFuture<Void> unused = t.advance(now, false); // the refresher does not wait for lookups
          next = Math.min(next, t.nextEvent());
        } catch (RuntimeException e) {
          // One target's failure must not stop the others being refreshed; it is tried again at the next round.
          LOG.warn("alias target {}: refresh failed", t.name, e);
        }
      }
      synchronized (wake) {
        long waitNanos = next - ticker.read();
        if (!woken && !closed && waitNanos > 0) {
          try {
            TimeUnit.NANOSECONDS.timedWait(wake, waitNanos);
          } catch (InterruptedException e) {
            return;
          }
        }
        woken = false;
      }
    }
  }

  /** The seconds {@code ttl} clamped to [minTtl, maxTtl]. */
  long clamp(long ttl) {
    return Math.max(minTtl, Math.min(maxTtl, ttl));
  }

  private record Key(String name, RecordType type) {}

  /** Builds a {@link DnsAliasResolver}. */
  public static final class Builder {
    private final List<InetSocketAddress> resolvers = new ArrayList<>();
    private @Nullable StaticAliasResolver overrides;
    private Duration queryTimeout = Duration.ofSeconds(2);
    private Duration minTtl = Duration.ofSeconds(5);
    private Duration maxTtl = Duration.ofHours(1);
    private Duration staleAnswerTtl = Duration.ofSeconds(30);
    private Duration maxStale = Duration.ofDays(1);
    private Duration retryInterval = Duration.ofSeconds(5);
    private int maxCnameChain = 8;
    private Ticker ticker = Ticker.systemTicker();
    private boolean backgroundRefresh = true;

    private Builder() {}

    /** A recursive resolver to ask; several are tried in the order given, the next when one fails. */
    public Builder resolver(InetSocketAddress address) {
      checkNotNull(address, "address");
      checkArgument(!address.isUnresolved(), "resolver %s must be an IP address", address);
      resolvers.add(address);
      return this;
    }

    /** Several resolvers ({@link #resolver}). */
    public Builder resolvers(List<InetSocketAddress> addresses) {
      addresses.forEach(this::resolver);
      return this;
    }

    /** A fixed table that answers first: a target it knows is never looked up. Default: none. */
    public Builder overrides(StaticAliasResolver table) {
      this.overrides = checkNotNull(table, "table");
      return this;
    }

    /** How long one resolver is given to answer one query. Default 2 s. */
    public Builder queryTimeout(Duration timeout) {
      this.queryTimeout = positive(timeout, "queryTimeout");
      return this;
    }

    /** The smallest TTL a target is kept for (a shorter record TTL is raised to it). Default 5 s. */
    public Builder minTtl(Duration ttl) {
      this.minTtl = seconds(ttl, "minTtl");
      return this;
    }

    /** The largest TTL a target is kept for (a longer record TTL is lowered to it). Default 1 hour. */
    public Builder maxTtl(Duration ttl) {
      this.maxTtl = seconds(ttl, "maxTtl");
      return this;
    }

    /** The TTL of answers with stale records (RFC 8767 recommends 30 s). Default 30 s. */
    public Builder staleAnswerTtl(Duration ttl) {
      this.staleAnswerTtl = seconds(ttl, "staleAnswerTtl");
      return this;
    }

    /**
     * How long past their TTL the last good records are answered while lookups fail; after that the target is
     * unhealthy. Default 1 day (RFC 8767 suggests 1 to 3 days); zero: never stale.
     */
    public Builder maxStale(Duration maxStale) {
      checkNotNull(maxStale, "maxStale");
      checkArgument(!maxStale.isNegative(), "maxStale must not be negative but was %s", maxStale);
      this.maxStale = maxStale;
      return this;
    }

    /** How soon a failed lookup is tried again. Default 5 s. */
    public Builder retryInterval(Duration interval) {
      this.retryInterval = positive(interval, "retryInterval");
      return this;
    }

    /** The longest CNAME chain followed from a target's name. Default 8. */
    public Builder maxCnameChain(int links) {
      checkArgument(links >= 0 && links <= 32, "maxCnameChain must be in [0, 32] but was %s", links);
      this.maxCnameChain = links;
      return this;
    }

    /** The time source (for tests). Default: {@link Ticker#systemTicker()}. */
    public Builder ticker(Ticker ticker) {
      this.ticker = checkNotNull(ticker, "ticker");
      return this;
    }

    /**
     * Whether a background thread refreshes targets on time (default true). Without it nothing is looked up until
     * {@link #refreshDue()} or {@link #refreshAll()} is called.
     */
    public Builder backgroundRefresh(boolean on) {
      this.backgroundRefresh = on;
      return this;
    }

    public DnsAliasResolver build() {
      checkState(!resolvers.isEmpty(), "at least one resolver is required");
      checkState(minTtl.compareTo(maxTtl) <= 0, "minTtl %s is above maxTtl %s", minTtl, maxTtl);
      return new DnsAliasResolver(this);
    }

    private static Duration positive(Duration d, String what) {
      checkNotNull(d, what);
      checkArgument(!d.isNegative() && !d.isZero(), "%s must be positive but was %s", what, d);
      return d;
    }

    private static Duration seconds(Duration d, String what) {
      checkNotNull(d, what);
      checkArgument(!d.isNegative() && d.toSeconds() <= Integer.MAX_VALUE && d.toNanos() % NANOS == 0,
          "%s must be a whole number of seconds in [0, 2147483647] but was %s", what, d);
      return d;
    }
  }
}
