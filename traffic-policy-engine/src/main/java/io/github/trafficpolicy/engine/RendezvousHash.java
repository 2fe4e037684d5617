package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.charset.StandardCharsets;

/**
 * The stable hash behind every weighted and multivalue choice, published so that other implementations (and
 * tests) can reproduce answers exactly. Everything is 64-bit two's-complement arithmetic ({@code long} in Java,
 * {@code uint64} with wrap-around elsewhere); {@code >>>} is a logical shift.
 *
 * <pre>
 * GAMMA     = 0x9E3779B97F4A7C15
 * mix(z)    = z ^= z >>> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >>> 27; z *= 0x94D049BB133111EB; z ^ (z >>> 31)
 *             (the SplitMix64 finalizer)
 * absorb(h, v) = mix(h ^ mix(v + GAMMA))
 * text(s)   = 64-bit FNV-1a over the UTF-8 bytes of s (offset basis 0xCBF29CE484222325, prime 0x100000001B3)
 *
 * entryKey  = absorb(absorb(absorb(absorb(seed, text(policyId)), text(ruleId)), text(kind + ":" + targetId)),
 *                    occurrence)
 *             kind is "endpoint" or "rule"; occurrence counts earlier entries of the same rule with the same target
 *             (0 for the first), so the key does not depend on the entry's position in the rule
 * clientKey = IPv4: absorb(absorb(4, p), address as unsigned 32-bit number)
 *             IPv6: absorb(absorb(absorb(6, p), high 64 bits), low 64 bits)
 *             where p = min(client prefix length, key prefix: /24 IPv4, /56 IPv6 by default) and the address has
 *             every bit after p cleared
 * draw      = absorb(entryKey, clientKey)
 * u         = ((draw >>> 11) + 0.5) / 2^53                      (uniform in (0, 1))
 * score     = -ln(u) / w                                         (w = the entry's weight; 1 in the zero-weight
 *                                                                  tier, in all-zero rules and for multivalue items)
 * </pre>
 *
 * <p>A weighted rule chooses, among the candidates of its best tier, the entry with the <em>lowest</em> score
 * (ties: the earlier entry). That is weighted rendezvous (highest random weight) hashing: an exponential race in
 * which entry {@code i} wins with probability {@code w_i / Σw}, and an entry that becomes unavailable only moves the
 * clients it was winning, each to its own second-best entry. A multivalue rule with more candidates than its maximum
 * answers the maximum number of candidates with the lowest scores (equivalently the highest {@code draw >>> 11}).
 * The policy version is deliberately not hashed, so clients stay where they are across versions.
 */
public final class RendezvousHash {
  private static final long GAMMA = 0x9E3779B97F4A7C15L;
  private static final double TWO_TO_MINUS_53 = 0x1.0p-53;

  private RendezvousHash() {}

  /** The SplitMix64 finalizer. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** {@code mix(h ^ mix(v + GAMMA))}. */
  public static long absorb(long h, long v) {
    return mix(h ^ mix(v + GAMMA));
  }

  /** 64-bit FNV-1a over the UTF-8 bytes of {@code s}. */
  public static long text(String s) {
    checkNotNull(s, "s");
    long h = 0xCBF29CE484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001B3L;
    }
    return h;
  }

  /**
   * The key of one rule entry.
   *
   * @param targetIsRule whether the entry references a rule (kind {@code rule}) or an endpoint ({@code endpoint})
   * @param occurrence how many earlier entries of the same rule reference the same target
   */
  public static long entryKey(long seed, String policyId, String ruleId, boolean targetIsRule, String targetId,
      int occurrence) {
    checkArgument(occurrence >= 0, "occurrence must be at least 0 but was %s", occurrence);
    long h = absorb(seed, text(policyId));
    h = absorb(h, text(ruleId));
    h = absorb(h, text((targetIsRule ? "rule:" : "endpoint:") + targetId));
    return absorb(h, occurrence);
  }

  /** The key of a client subnet cut to the key prefix ({@code ipv4Prefix} or {@code ipv6Prefix} bits). */
  public static long clientKey(ClientSubnet client, int ipv4Prefix, int ipv6Prefix) {
    checkNotNull(client, "client");
    return clientKey(client.address().getAddress(), client.prefixLength(), ipv4Prefix, ipv6Prefix);
  }

  /** {@link #clientKey(ClientSubnet, int, int)} for a subnet given by 4 or 16 address bytes and a prefix length. */
  static long clientKey(byte[] b, int prefixLength, int ipv4Prefix, int ipv6Prefix) {
    boolean v4 = b.length == 4;
    int p = Math.min(prefixLength, v4 ? ipv4Prefix : ipv6Prefix);
    if (v4) {
      long a = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
      long mask = p == 0 ? 0 : (0xffffffffL << (32 - p)) & 0xffffffffL;
      return absorb(absorb(4, p), a & mask);
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      hi = (hi << 8) | (b[i] & 0xffL);
      lo = (lo << 8) | (b[i + 8] & 0xffL);
    }
    hi &= p >= 64 ? -1L : (p == 0 ? 0 : -1L << (64 - p));
    lo &= p >= 128 ? -1L : (p <= 64 ? 0 : -1L << (128 - p));
    return absorb(absorb(absorb(6, p), hi), lo);
  }

  /** {@code absorb(entryKey, clientKey)}. */
  public static long draw(long entryKey, long clientKey) {
    return absorb(entryKey, clientKey);
  }

  /** {@code u = ((draw >>> 11) + 0.5) / 2^53}, uniform in (0, 1). */
  public static double uniform(long draw) {
    return ((draw >>> 11) + 0.5) * TWO_TO_MINUS_53;
  }

  /** {@code -ln(u) / weight}: lower wins. */
  public static double score(long entryKey, long clientKey, int weight) {
    checkArgument(weight > 0, "weight must be positive but was %s", weight);
    return -Math.log(uniform(draw(entryKey, clientKey))) / weight;
  }
}
