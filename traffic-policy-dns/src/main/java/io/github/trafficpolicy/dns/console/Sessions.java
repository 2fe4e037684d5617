package io.github.trafficpolicy.dns.console;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.hash.Hashing;
import com.google.common.io.BaseEncoding;
import io.github.trafficpolicy.dns.api.AccessKeys;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The console's sign-in and sessions, in memory. A sign-in checks an access key's secret against {@link AccessKeys}
 * (the API's keys) in constant time; failures are throttled per access key ID and per client address
 * ({@value #MAX_FAILURES} failures within {@link #FAILURE_WINDOW} refuse further attempts, secret unchecked, until
 * the oldest of them leaves the window). A session is named by 256 random bits (the cookie value) and carries its
 * own 256-bit CSRF token; it ends {@link #ABSOLUTE} after sign-in, or {@link #IDLE} after its last request. At most
 * {@value #MAX_SESSIONS} live at once: a new one beyond that ends the one idle longest. Thread-safe.
 */
final class Sessions {
  /** How long a session lasts at most, however busy. */
  static final Duration ABSOLUTE = Duration.ofHours(8);
  /** How long a session lasts without a request. */
  static final Duration IDLE = Duration.ofHours(1);
  /** Sessions alive at once at most. */
  static final int MAX_SESSIONS = 1000;
  /** Failed sign-ins within {@link #FAILURE_WINDOW} (per key ID, per address) before attempts are refused. */
  static final int MAX_FAILURES = 5;
  /** The window failed sign-ins are counted in. */
  static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);
  /** Key IDs and addresses whose failures are remembered at most (the oldest are forgotten first). */
  private static final int MAX_TRACKED = 10_000;

  /** One signed-in session; {@link #key()} is who, {@link #csrfToken()} what every write must carry. */
  static final class Session {
    private final String id;
    private final AccessKeys.Key key;
    private final String csrfToken;
    private final Instant expiresAt;
    private volatile Instant lastUsed;

    private Session(String id, AccessKeys.Key key, String csrfToken, Instant expiresAt, Instant now) {
      this.id = id;
      this.key = key;
      this.csrfToken = csrfToken;
      this.expiresAt = expiresAt;
      this.lastUsed = now;
    }

    /** The cookie value. */
    String id() {
      return id;
    }

    AccessKeys.Key key() {
      return key;
    }

    String csrfToken() {
      return csrfToken;
    }

    /** When the session ends however busy (sign-in + {@link #ABSOLUTE}). */
    Instant expiresAt() {
      return expiresAt;
    }

    /** Whether {@code token} is this session's CSRF token (constant time). */
    boolean csrfMatches(@Nullable String token) {
      return token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
          csrfToken.getBytes(StandardCharsets.UTF_8));
    }
  }

  private final AccessKeys keys;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private final Map<String, Deque<Instant>> failures = new LinkedHashMap<>();
  /** Compared against when the key ID is unknown, so an unknown ID takes as long as a wrong secret. */
  private final byte[] decoy;

  Sessions(AccessKeys keys, Clock clock) {
    this.keys = checkNotNull(keys, "keys");
    this.clock = checkNotNull(clock, "clock");
    this.decoy = digest(token());
  }

  /**
   * Signs in with an access key: a new session, or {@code 401 InvalidClientTokenId} for an unknown ID or wrong secret
   * (the same answer for both), or {@code 429 Throttling} while the ID or the address has had too many failures.
   */
  Session signIn(String accessKeyId, String secret, InetAddress client) {
    checkNotNull(accessKeyId, "accessKeyId");
    checkNotNull(secret, "secret");
    Instant now = clock.instant();
    String byKey = "key:" + accessKeyId;
    String byAddress = "address:" + client.getHostAddress();
    synchronized (failures) {
      Optional<Duration> wait = throttled(byKey, now).or(() -> throttled(byAddress, now));
      if (wait.isPresent()) {
        throw new ConsoleException(429, "Throttling", "Too many failed sign-ins for this access key or from this "
            + "address: try again in " + Math.max(1, wait.get().toSeconds()) + " s");
      }
    }
    Optional<AccessKeys.Key> key = keys.find(accessKeyId);
    byte[] expected = key.map(k -> digest(k.secret())).orElse(decoy);
    boolean ok = MessageDigest.isEqual(digest(secret), expected) && key.isPresent();
    if (!ok) {
      synchronized (failures) {
        fail(byKey, now);
        fail(byAddress, now);
      }
      throw new ConsoleException(401, "InvalidClientTokenId",
          "The access key ID or the secret access key is not valid");
    }
    synchronized (failures) {
      failures.remove(byKey);
      failures.remove(byAddress);
    }
    Session s = new Session(token(), key.get(), token(), now.plus(ABSOLUTE), now);
    synchronized (sessions) {
      expire(now);
      if (sessions.size() >= MAX_SESSIONS) {
        sessions.values().stream().min(Comparator.comparing(x -> x.lastUsed))
            .ifPresent(oldest -> sessions.remove(oldest.id));
      }
      sessions.put(s.id, s);
    }
    return s;
  }

  /** The live session named by a cookie value (its idle time starts again), if any. */
  Optional<Session> find(String id) {
    if (id == null || id.isEmpty()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    synchronized (sessions) {
      Session s = sessions.get(id);
      if (s == null) {
        return Optional.empty();
      }
      if (!alive(s, now)) {
        sessions.remove(id);
        return Optional.empty();
      }
      s.lastUsed = now;
      return Optional.of(s);
    }
  }

  /** Ends a session (sign-out). */
  void end(Session s) {
    synchronized (sessions) {
      sessions.remove(s.id);
    }
  }

  /** Sessions alive now. */
  int size() {
    synchronized (sessions) {
      expire(clock.instant());
      return sessions.size();
    }
  }

  private static boolean alive(Session s, Instant now) {
    return now.isBefore(s.expiresAt) && now.isBefore(s.lastUsed.plus(IDLE));
  }

  private void expire(Instant now) {
    sessions.values().removeIf(s -> !alive(s, now));
  }

  /** How long {@code who} must wait, when it has {@link #MAX_FAILURES} failures in the window. */
  private Optional<Duration> throttled(String who, Instant now) {
    Deque<Instant> f = failures.get(who);
    if (f == null) {
      return Optional.empty();
    }
    while (!f.isEmpty() && !f.peekFirst().plus(FAILURE_WINDOW).isAfter(now)) {
      f.removeFirst();
    }
    if (f.size() < MAX_FAILURES) {
      return Optional.empty();
    }
    return Optional.of(Duration.between(now, f.peekFirst().plus(FAILURE_WINDOW)));
  }

  private void fail(String who, Instant now) {
    Deque<Instant> f = failures.computeIfAbsent(who, k -> new ArrayDeque<>());
    f.addLast(now);
    while (f.size() > MAX_FAILURES) {
      f.removeFirst();
    }
    if (failures.size() > MAX_TRACKED) {
      failures.remove(failures.keySet().iterator().next());
    }
  }

  /** 256 random bits, URL-safe base 64 without padding. */
  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return BaseEncoding.base64Url().omitPadding().encode(b);
  }

  private static byte[] digest(String s) {
    return Hashing.sha256().hashString(s, StandardCharsets.UTF_8).asBytes();
  }
}
