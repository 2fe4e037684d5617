package io.github.trafficpolicy.engine.lifecycle;

import static io.github.trafficpolicy.engine.lifecycle.EtcdStore.await;
import static io.github.trafficpolicy.engine.lifecycle.EtcdStore.bytes;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.health.SharedHealth;
import io.github.trafficpolicy.engine.health.VantageResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares a {@link SharedHealth}'s vantage point through etcd: every result of the local checker is put at
 * {@code /PREFIX/health/CHECK/VANTAGE} (UTF-8 JSON, {@link VantageResult#toJson()}) under this vantage point's lease,
 * and a watch on {@code /PREFIX/health/} hands every other vantage point's result (put) and its end (delete: its
 * lease expired, or it withdrew the check) to the {@code SharedHealth}, on this class's one daemon thread, never a
 * query thread.
 *
 * <p><b>The lease.</b> Granted with the configured TTL and renewed every third of it. A vantage point that dies
 * stops renewing; etcd deletes its keys when the lease expires, and every other server stops counting it then. One
 * closed in order revokes its lease, so it stops counting at once.
 *
 * <p><b>Faults.</b> Each renewal is also the reachability check. When it fails (no answer within the etcd
 * timeout), the lease turns out expired, or the watch breaks off, the {@code SharedHealth} is told it is
 * disconnected (it serves the local results, and logs so) and every renewal tick tries again: a new lease, this
 * vantage point's latest results put again, everything under {@code /PREFIX/health/} read at one revision, the
 * watch opened after it, then connected.
 */
final class EtcdHealthShare implements SharedHealth.Publisher, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdHealthShare.class);
  static final String HEALTH = "health/";

  private final EtcdSettings settings;
  private final SharedHealth shared;
  private final long ttlSeconds;
  private final Client client;
  private final KV kv;
  private final String healthPrefix;
  private final ScheduledExecutorService follower;
  /** The lease this vantage point's results are put under while connected, 0 while not. */
  private volatile long lease;
  private volatile Watch.@Nullable Watcher watcher;
  /** Counts the watches opened, so that what a closed one still delivers is ignored; follower thread. */
  private long watchGeneration;
  private volatile boolean closed;

  private EtcdHealthShare(EtcdSettings settings, SharedHealth shared, Duration leaseTtl, Client client) {
    this.settings = settings;
    this.shared = shared;
    this.ttlSeconds = leaseTtl.toSeconds();
    this.client = client;
    this.kv = client.getKVClient();
    this.healthPrefix = "/" + settings.prefix() + "/" + HEALTH;
    this.follower = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "traffic-policy-health-etcd");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts sharing: connects in the background (the local results are served until then). */
  static EtcdHealthShare start(EtcdSettings settings, SharedHealth shared, Duration leaseTtl) throws IOException {
    EtcdHealthShare share = new EtcdHealthShare(settings, shared, leaseTtl, EtcdStore.client(settings));
    shared.publisher(share);
    long tick = Math.max(100, leaseTtl.toMillis() / 3);
    // tick catches its own failures; the follower is shut down by close.
    ScheduledFuture<?> unused = share.follower.scheduleWithFixedDelay(share::tick, 0, tick, TimeUnit.MILLISECONDS);
    return share;
  }

  /** Every vantage point's results under {@code /PREFIX/health/}, read once, by check (for the health command). */
  static ImmutableMap<HealthCheckId, ImmutableList<VantageResult>> read(EtcdSettings settings) throws IOException {
    try (Client client = EtcdStore.client(settings)) {
      String prefix = "/" + settings.prefix() + "/" + HEALTH;
      GetResponse r = await(client.getKVClient().get(bytes(prefix), GetOption.builder().isPrefix(true).build()),
          settings);
      Map<HealthCheckId, List<VantageResult>> out = new LinkedHashMap<>();
      for (KeyValue kv : r.getKvs()) {
        parse(prefix, kv).ifPresent(p -> out.computeIfAbsent(p.check, k -> new ArrayList<>()).add(p.result));
      }
      ImmutableMap.Builder<HealthCheckId, ImmutableList<VantageResult>> b = ImmutableMap.builder();
      out.forEach((id, rs) -> b.put(id, ImmutableList.copyOf(rs)));
      return b.build();
    }
  }

  /**
   * Puts this vantage point's latest result of {@code check}, from the follower thread: after a connection in
   * progress has its lease (so no result falls between its read of the local results and its lease), and always the
   * latest (a put never overwrites a newer result with an older one read earlier).
   */
  @Override
  public void publish(HealthCheckId check, VantageResult result) {
    onFollower(() -> {
      long l = lease;
      VantageResult latest = shared.localResults().get(check);
      if (l == 0 || closed || latest == null) {
        return; // put again with the others on reconnecting
      }
      CompletableFuture<?> unused = kv.put(key(check), ByteSequence.from(latest.toJson()),
          PutOption.builder().withLeaseId(l).build()).whenComplete((ok, error) -> {
            if (error != null && !closed) {
              LOG.debug("shared health: putting the result of {} failed: {}", check, error.toString());
            }
          });
    });
  }

  @Override
  public void withdraw(HealthCheckId check) {
    onFollower(() -> {
      if (lease != 0 && !closed) {
        CompletableFuture<?> unused = kv.delete(key(check)); // the lease's expiry removes it anyway
      }
    });
  }

  /** Renews the lease while connected, else connects. On the follower thread. */
  private void tick() {
    if (closed) {
      return;
    }
    try {
      if (lease != 0) {
        LeaseKeepAliveResponse r = await(client.getLeaseClient().keepAliveOnce(lease), settings);
        if (r.getTTL() <= 0) {
          disconnect("this vantage point's lease expired");
        }
      } else {
        connect();
      }
    } catch (IOException | RuntimeException e) {
      if (lease != 0 || shared.connected()) {
        disconnect("etcd at " + settings.uri() + ": " + message(e));
      } else {
        LOG.debug("shared health: etcd at {} still unreachable: {}", settings.uri(), message(e));
      }
    }
  }

  private void connect() throws IOException {
    long granted = await(client.getLeaseClient().grant(ttlSeconds), settings).getID();
    List<CompletableFuture<?>> puts = new ArrayList<>();
    shared.localResults().forEach((check, r) -> puts.add(kv.put(key(check), ByteSequence.from(r.toJson()),
        PutOption.builder().withLeaseId(granted).build())));
    await(CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)), settings);
    GetResponse all = await(kv.get(bytes(healthPrefix), GetOption.builder().isPrefix(true).build()), settings);
    Map<HealthCheckId, List<VantageResult>> remote = new LinkedHashMap<>();
    for (KeyValue kv : all.getKvs()) {
      parse(healthPrefix, kv).ifPresent(p -> remote.computeIfAbsent(p.check, k -> new ArrayList<>()).add(p.result));
    }
    lease = granted;
    long revision = all.getHeader().getRevision();
    long generation = ++watchGeneration;
    watcher = client.getWatchClient().watch(bytes(healthPrefix),
        WatchOption.builder().isPrefix(true).withPrevKV(false).withRevision(revision + 1).build(),
        Watch.listener(response -> onFollower(() -> {
          if (generation == watchGeneration) {
            onWatch(response);
          }
        }), error -> onFollower(() -> {
          if (generation == watchGeneration && lease != 0) {
            disconnect("the etcd watch broke off: " + message(error));
          }
        })));
    shared.replaceRemote(remote);
    shared.connected(true, "etcd at " + settings.uri() + ", lease " + Long.toHexString(granted) + ", revision "
        + revision);
  }

  private void onWatch(WatchResponse response) {
    if (closed || lease == 0) {
      return;
    }
    for (WatchEvent e : response.getEvents()) {
      KeyValue kv = e.getKeyValue();
      if (e.getEventType() == WatchEvent.EventType.PUT) {
        parse(healthPrefix, kv).ifPresent(p -> shared.remoteResult(p.check, p.result));
      } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
        parseKey(healthPrefix, kv.getKey()).ifPresent(k -> shared.remoteGone(k.check, k.vantage));
      }
    }
  }

  private void disconnect(String why) {
    lease = 0;
    watchGeneration++;
    Watch.Watcher w = watcher;
    watcher = null;
    if (w != null) {
      w.close();
    }
    shared.connected(false, why);
  }

  private void onFollower(Runnable task) {
    try {
      follower.execute(task);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private ByteSequence key(HealthCheckId check) {
    return bytes(healthPrefix + check.value() + "/" + shared.vantage());
  }

  private record Key(HealthCheckId check, String vantage) {}

  private record Parsed(HealthCheckId check, VantageResult result) {}

  private static Optional<Key> parseKey(String prefix, ByteSequence key) {
    String k = key.toString(StandardCharsets.UTF_8);
    int slash = k.lastIndexOf('/');
    if (!k.startsWith(prefix) || slash <= prefix.length()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Key(HealthCheckId.of(k.substring(prefix.length(), slash)),
          VantageResult.checkVantage(k.substring(slash + 1))));
    } catch (IllegalArgumentException e) {
      LOG.warn("shared health: ignoring the etcd key {}: {}", k, e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<Parsed> parse(String prefix, KeyValue kv) {
    return parseKey(prefix, kv.getKey()).flatMap(k -> {
      try {
        return Optional.of(new Parsed(k.check, VantageResult.fromJson(k.vantage, kv.getValue().getBytes())));
      } catch (IllegalArgumentException e) {
        LOG.warn("shared health: ignoring the result of {} from vantage point {}: {}", k.check, k.vantage,
            e.getMessage());
        return Optional.empty();
      }
    });
  }

  /** Stops sharing and revokes the lease (this vantage point stops counting at once). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    long l = lease;
    stopFollowing();
    if (l != 0) {
      try {
        await(client.getLeaseClient().revoke(l), settings);
      } catch (IOException e) {
        LOG.info("shared health: revoking the lease failed ({}); it expires in {} s", e.getMessage(), ttlSeconds);
      }
    }
    client.close();
  }

  /** Ends as a crashed process would: nothing revoked, the lease expires on its own (for tests). */
  void crash() {
    stopFollowing();
    client.close();
  }

  private void stopFollowing() {
    closed = true;
    follower.shutdownNow();
    Watch.Watcher w = watcher;
    watcher = null;
    if (w != null) {
      w.close();
    }
  }

  /** Whether closed or crashed (for tests). */
  boolean closedForTest() {
    return closed;
  }

  private static String message(Throwable t) {
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }
}
