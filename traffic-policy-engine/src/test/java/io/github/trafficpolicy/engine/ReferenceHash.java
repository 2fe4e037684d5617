package io.github.trafficpolicy.engine;

import java.nio.charset.StandardCharsets;

/**
 * An independent transcription of the hash documented in {@link RendezvousHash}'s javadoc, used to check that the
 * engine's choices are exactly the documented ones.
 */
final class ReferenceHash {
  private ReferenceHash() {}

  static long mix(long z) {
    z ^= z >>> 30;
    z *= 0xBF58476D1CE4E5B9L;
    z ^= z >>> 27;
    z *= 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static long absorb(long h, long v) {
    return mix(h ^ mix(v + 0x9E3779B97F4A7C15L));
  }

  static long text(String s) {
    long h = 0xCBF29CE484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001B3L;
    }
    return h;
  }

  static long entryKey(long seed, String policy, String rule, String kindAndTarget, int occurrence) {
    return absorb(absorb(absorb(absorb(seed, text(policy)), text(rule)), text(kindAndTarget)), occurrence);
  }

  static long clientKeyV4(byte[] address, int prefix) {
    long a = 0;
    for (byte b : address) {
      a = (a << 8) | (b & 0xff);
    }
    long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    return absorb(absorb(4, prefix), a & mask);
  }

  static double uniform(long draw) {
    return ((draw >>> 11) + 0.5) / 9007199254740992.0;
  }
}
