package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class RendezvousHashTest {

  @Test
  void mix_matchesSplitMix64() {
    // SplittableRandom(seed).nextLong() is mix(seed + GAMMA) with the same finalizer.
    for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
      assertThat(RendezvousHash.mix(seed + 0x9E3779B97F4A7C15L)).isEqualTo(new SplittableRandom(seed).nextLong());
    }
  }

  @Test
  void text_isFnv1a64() {
    assertThat(RendezvousHash.text("")).isEqualTo(0xCBF29CE484222325L);
    assertThat(RendezvousHash.text("a")).isEqualTo(0xAF63DC4C8601EC8CL);
    assertThat(RendezvousHash.text("foobar")).isEqualTo(0x85944171F73967E8L);
  }

  @Test
  void functions_matchTheReferenceTranscription() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 1_000; i++) {
      long h = r.nextLong();
      long v = r.nextLong();
      assertThat(RendezvousHash.absorb(h, v)).isEqualTo(ReferenceHash.absorb(h, v));
      assertThat(RendezvousHash.uniform(h)).isEqualTo(ReferenceHash.uniform(h)).isGreaterThan(0).isLessThan(1);
    }
    assertThat(RendezvousHash.entryKey(3, "p", "r", true, "child", 2))
        .isEqualTo(ReferenceHash.entryKey(3, "p", "r", "rule:child", 2));
    assertThat(RendezvousHash.entryKey(3, "p", "r", false, "child", 0))
        .isEqualTo(ReferenceHash.entryKey(3, "p", "r", "endpoint:child", 0));
  }

  @Test
  void clientKey_dependsOnlyOnTheKeyPrefix() {
    long a = RendezvousHash.clientKey(ClientSubnet.parse("198.51.100.7"), 24, 56);
    long b = RendezvousHash.clientKey(ClientSubnet.parse("198.51.100.250/32"), 24, 56);
    long c = RendezvousHash.clientKey(ClientSubnet.parse("198.51.101.7"), 24, 56);
    assertThat(a).isEqualTo(b).isNotEqualTo(c);
    assertThat(a).isEqualTo(ReferenceHash.clientKeyV4(new byte[] {(byte) 198, 51, 100, 0}, 24));
    long v6a = RendezvousHash.clientKey(ClientSubnet.parse("2001:db8:0:1100::1"), 24, 56);
    long v6b = RendezvousHash.clientKey(ClientSubnet.parse("2001:db8:0:11ff:ffff::"), 24, 56);
    long v6c = RendezvousHash.clientKey(ClientSubnet.parse("2001:db8:0:1200::1"), 24, 56);
    assertThat(v6a).isEqualTo(v6b).isNotEqualTo(v6c);
    long shortEcs = RendezvousHash.clientKey(ClientSubnet.parse("198.51.0.0/16"), 24, 56);
    assertThat(shortEcs).isEqualTo(ReferenceHash.clientKeyV4(new byte[] {(byte) 198, 51, 0, 0}, 16)).isNotEqualTo(a);
  }
}
