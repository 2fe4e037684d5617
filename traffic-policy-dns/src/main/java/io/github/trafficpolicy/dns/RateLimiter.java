package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;

import java.net.InetAddress;

/**
 * Response-rate limiting for UDP, as BIND and Knot do it: each client network (the source address cut to
 * {@code /24} for IPv4, {@code /56} for IPv6) may receive at most {@code responsesPerSecond} identical responses per
 * second, where "identical" means the same question answered NOERROR, or the same error code whatever the question
 * (so a flood of random names answered NXDOMAIN counts as one stream). Over the rate, responses are dropped, but every
 * {@code slip}-th one is sent truncated instead (TC set, no records): a real client behind that network retries over
 * TCP, which a spoofed source cannot do, so the server stops being an amplifier while real clients still get
 * answers.
 *
 * <p>The state is a fixed table of {@value #SLOTS} token buckets indexed by a hash of the key (no allocation per
 * query, bounded memory whatever the number of clients; two keys sharing a slot share a bucket, which can only make
 * the limit stricter for them). Thread-safe: striped locks.
 */
final class RateLimiter {
  static final int SLOTS = 1 << 16;
  private static final int STRIPES = 64;
  private static final long NANOS = 1_000_000_000L;

  /** What to do with a response. */
  enum Decision { SEND, SLIP, DROP }

  private final int rate;
  private final int slip;
  private final int v4Prefix;
  private final int v6Prefix;
  private final long[] keys = new long[SLOTS];
  /** Tokens in millionths of a response. */
  private final long[] tokens = new long[SLOTS];
  private final long[] refilled = new long[SLOTS];
  private final int[] dropped = new int[SLOTS];
  private final Object[] locks = new Object[STRIPES];

  RateLimiter(int responsesPerSecond, int slip, int v4Prefix, int v6Prefix) {
    checkArgument(responsesPerSecond >= 1, "responsesPerSecond must be at least 1 but was %s", responsesPerSecond);
    checkArgument(slip >= 0 && slip <= 10, "slip must be in [0, 10] but was %s", slip);
    checkArgument(v4Prefix >= 8 && v4Prefix <= 32, "IPv4 prefix must be in [8, 32] but was %s", v4Prefix);
    checkArgument(v6Prefix >= 16 && v6Prefix <= 128, "IPv6 prefix must be in [16, 128] but was %s", v6Prefix);
    this.rate = responsesPerSecond;
    this.slip = slip;
    this.v4Prefix = v4Prefix;
    this.v6Prefix = v6Prefix;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  int responsesPerSecond() {
    return rate;
  }

  int slip() {
    return slip;
  }

  /**
   * The decision for a response of {@code rcode} to the query in {@code query[0, len)} from {@code source}, at
   * {@code nowNanos}.
   */
  Decision check(byte[] query, int len, InetAddress source, int rcode, long nowNanos) {
    long key = key(query, len, source, rcode);
    int slot = (int) (key ^ (key >>> 32)) & (SLOTS - 1);
    synchronized (locks[slot & (STRIPES - 1)]) {
      long full = rate * 1_000_000L;
      if (keys[slot] != key) {
        keys[slot] = key;
        tokens[slot] = full;
        refilled[slot] = nowNanos;
        dropped[slot] = 0;
      } else {
        long elapsed = nowNanos - refilled[slot];
        if (elapsed > 0) {
          // rate responses per second = rate millionths per microsecond
          long add = elapsed >= NANOS ? full : elapsed / 1000 * rate;
          tokens[slot] = Math.min(full, tokens[slot] + add);
          refilled[slot] = nowNanos;
        }
      }
      if (tokens[slot] >= 1_000_000L) {
        tokens[slot] -= 1_000_000L;
        dropped[slot] = 0;
        return Decision.SEND;
      }
      int d = ++dropped[slot];
      return slip > 0 && d % slip == 0 ? Decision.SLIP : Decision.DROP;
    }
  }

  /** A 64-bit hash of (client network, and the question for NOERROR or the rcode otherwise). */
  private long key(byte[] query, int len, InetAddress source, int rcode) {
    byte[] a = source.getAddress();
    int prefix = a.length == 4 ? v4Prefix : v6Prefix;
    long h = 0xcbf29ce484222325L ^ a.length;
    for (int i = 0; i < a.length; i++) {
      int bits = Math.max(0, Math.min(8, prefix - 8 * i));
      int b = a[i] & (0xff << (8 - bits)) & 0xff;
      h = (h ^ b) * 0x100000001b3L;
    }
    h = (h ^ rcode) * 0x100000001b3L;
    if (rcode == 0) {
      // The question as sent, letters folded to lower case (a client varying the case asks the same question).
      int pos = 12;
      while (pos < len && query[pos] != 0 && (query[pos] & 0xc0) == 0) {
        pos += 1 + (query[pos] & 0xff);
      }
      int end = Math.min(len, pos + 5);
      for (int i = 12; i < end; i++) {
        int c = query[i] & 0xff;
        if (c >= 'A' && c <= 'Z') {
          c += 32;
        }
        h = (h ^ c) * 0x100000001b3L;
      }
    }
    return h ^ (h >>> 29);
  }
}
