package io.github.trafficpolicy.engine.input;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.engine.AliasResolver;
import io.github.trafficpolicy.engine.AliasResolver.Freshness;
import io.github.trafficpolicy.engine.HealthStatus;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One looked-up alias target of a {@link DnsAliasResolver}: what queries read (an immutable {@link State} behind a
 * volatile field) and when it is looked up next. The schedule and the state change under this object's lock, in
 * {@link #advance} (time passing) and {@link #complete} (a lookup's result); reads take no lock.
 */
final class LiveAliasTarget implements AliasResolver.Target {
  private static final long NANOS = 1_000_000_000L;
  /** Negative answers that carry no SOA are looked up again after this many seconds (clamped). */
  private static final long DEFAULT_NEGATIVE_TTL = 60;

  private final DnsAliasResolver owner;
  final String name;
  final RecordType type;
  /** Completes when the first lookup has, whatever it found. */
  final CompletableFuture<Void> firstLookup = new CompletableFuture<>();

  private volatile State state;
  private long refreshAt;
  private long expiresAt;
  private long staleUntil;
  private @Nullable CompletableFuture<Void> inFlight;
  private String lastGood = "";
  /** Why the last lookup failed while older records are still answered; empty after a success. */
  private volatile String lastFailure = "";
  /** Whether the target is missing because its records stayed stale past the limit (lookups failing since). */
  private boolean staleExpired;

  /**
   * What a query reads.
   *
   * @param answerTtl the TTL answers with these records may carry at most (seconds)
   * @param text {@link #describe()}
   */
  record State(ImmutableList<RecordData> records, Freshness freshness, HealthStatus health, long answerTtl,
               String text) {
    @SuppressWarnings("ReferenceEquality") // the same list object is equal without copying
    boolean answersLike(State o) {
      return freshness == o.freshness && health == o.health && answerTtl == o.answerTtl
          && (records == o.records || ImmutableSet.copyOf(records).equals(ImmutableSet.copyOf(o.records)));
    }
  }

  LiveAliasTarget(DnsAliasResolver owner, String name, RecordType type, long now) {
    this.owner = owner;
    this.name = name;
    this.type = type;
    this.refreshAt = now;
    this.state = new State(ImmutableList.of(), Freshness.MISSING, HealthStatus.UNHEALTHY, Long.MAX_VALUE,
        name + " " + type + ": not looked up yet");
  }

  @Override
  public ImmutableList<RecordData> records() {
    return state.records;
  }

  @Override
  public HealthStatus health() {
    return state.health;
  }

  @Override
  public Freshness freshness() {
    return state.freshness;
  }

  @Override
  public long maxAnswerTtl() {
    return state.answerTtl;
  }

  @Override
  public String describe() {
    State s = state;
    String failure = lastFailure;
    return failure.isEmpty() || s.freshness == Freshness.MISSING ? s.text
        : s.text + "; last lookup failed: " + failure;
  }

  @Override
  public String toString() {
    return "AliasTarget{" + state.text + "}";
  }

  /**
   * Moves the state on to {@code now} (fresh records past their TTL become stale, stale ones past the limit
   * missing) and starts a lookup when one is due (or {@code force}) and none is under way. Returns the lookup under
   * way, or a completed future.
   */
  synchronized CompletableFuture<Void> advance(long now, boolean force) {
    State s = state;
    if (s.freshness == Freshness.FRESH && now - expiresAt >= 0) {
      s = new State(s.records, Freshness.STALE, HealthStatus.HEALTHY, owner.staleAnswerTtl,
          lastGood + " (stale: past its TTL with no newer answer; answered with TTL " + owner.staleAnswerTtl
              + " s for at most " + owner.maxStaleNanos / NANOS + " s more)");
      set(s);
    }
    if (s.freshness == Freshness.STALE && now - staleUntil >= 0) {
      staleExpired = true;
      set(new State(ImmutableList.of(), Freshness.MISSING, HealthStatus.UNHEALTHY, Long.MAX_VALUE,
          staleExpiredText(lastFailure)));
    }
    if (inFlight != null) {
      return inFlight;
    }
    if (!force && now - refreshAt < 0) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = owner.lookup.lookup(name, type).thenAccept(this::complete);
    if (!f.isDone()) {
      inFlight = f;
    }
    return f;
  }

  /** When {@link #advance} has something to do next (a lookup or a change of state), on the owner's ticker. */
  synchronized long nextEvent() {
    long next = inFlight == null ? refreshAt : Long.MAX_VALUE;
    Freshness f = state.freshness;
    if (f == Freshness.FRESH) {
      next = earliest(next, expiresAt);
    } else if (f == Freshness.STALE) {
      next = earliest(next, staleUntil);
    }
    return next;
  }

  private static long earliest(long a, long b) {
    return a == Long.MAX_VALUE ? b : b - a < 0 ? b : a;
  }

  /** Takes a lookup's result. */
  synchronized void complete(DnsLookup.Result r) {
    try {
      owner.lookedUp(r.kind());
      long now = owner.ticker.read();
      inFlight = null;
      if (r.kind() != DnsLookup.Kind.FAILED) {
        lastFailure = "";
        staleExpired = false;
      }
      switch (r.kind()) {
        case ADDRESSES -> {
          long ttl = owner.clamp(r.ttl());
          expiresAt = now + ttl * NANOS;
          staleUntil = expiresAt + owner.maxStaleNanos;
          refreshAt = now + Math.max(NANOS, ttl * NANOS / 10 * 8);
          lastGood = name + " " + type + " " + presentation(r.records()) + " (" + r.text() + ")";
          set(new State(r.records(), Freshness.FRESH, HealthStatus.HEALTHY, ttl,
              name + " " + type + " " + presentation(r.records()) + " (fresh, TTL " + ttl + " s; " + r.text() + ")"));
        }
        case FAILED -> {
          refreshAt = now + owner.retryNanos;
          State s = state;
          if (s.freshness == Freshness.MISSING) {
            set(new State(ImmutableList.of(), Freshness.MISSING, HealthStatus.UNHEALTHY, Long.MAX_VALUE,
                staleExpired ? staleExpiredText(r.text()) : name + " " + type + ": no answer: " + r.text()));
          } else {
            lastFailure = r.text();
          }
        }
        case INVALID -> {
          refreshAt = now + owner.maxTtl * NANOS;
          set(new State(ImmutableList.of(), Freshness.MISSING, HealthStatus.UNHEALTHY, Long.MAX_VALUE, r.text()));
        }
        default -> {
          long ttl = owner.clamp(r.ttl() >= 0 ? r.ttl() : DEFAULT_NEGATIVE_TTL);
          refreshAt = now + Math.max(NANOS, ttl * NANOS);
          set(new State(ImmutableList.of(), Freshness.MISSING, HealthStatus.UNHEALTHY, Long.MAX_VALUE,
              name + " " + type + ": " + r.text()));
        }
      }
    } finally {
      firstLookup.complete(null);
      owner.wake();
    }
  }

  /** Publishes {@code next}; tells the owner when what it answers changed (not only its text). */
  @SuppressWarnings("ReferenceEquality") // the same list object: nothing changed
  private void set(State next) {
    State old = state;
    boolean same = next.answersLike(old);
    state = same && next.records != old.records
        ? new State(old.records, next.freshness, next.health, next.answerTtl, next.text) : next;
    if (!same) {
      owner.changed();
    }
  }

  private String staleExpiredText(String failure) {
    return name + " " + type + ": no answer since the TTL ran out, stale for longer than the limit ("
        + owner.maxStaleNanos / NANOS + " s)" + (failure.isEmpty() ? "" : "; last lookup failed: " + failure)
        + "; last known " + lastGood;
  }

  private static String presentation(ImmutableList<RecordData> records) {
    StringBuilder b = new StringBuilder();
    for (RecordData d : records) {
      b.append(b.length() == 0 ? "" : " ").append(d.presentation());
    }
    return b.toString();
  }
}
