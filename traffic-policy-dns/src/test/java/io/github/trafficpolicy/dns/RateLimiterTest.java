package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.ip;
import static io.github.trafficpolicy.dns.Dns.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.dns.RateLimiter.Decision;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Response-rate limiting: the limiter with time given, and the handler applying it. */
final class RateLimiterTest {
  private static final long SECOND = 1_000_000_000L;
  private static final byte[] WWW = query("static.example.com.", Type.A).toWire();

  private static Map<Decision, Integer> decide(RateLimiter l, byte[] q, InetAddress from, int rcode, int n,
      long now) {
    Map<Decision, Integer> counts = new EnumMap<>(Decision.class);
    for (int i = 0; i < n; i++) {
      counts.merge(l.check(q, q.length, from, rcode, now), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void overTheRate_everySlipThSlippedTheRestDropped_refilledWithTime() {
    RateLimiter l = new RateLimiter(10, 2, 24, 56);
    long t = 5 * SECOND;
    assertThat(decide(l, WWW, ip("198.51.100.7"), 0, 100, t))
        .containsEntry(Decision.SEND, 10).containsEntry(Decision.SLIP, 45).containsEntry(Decision.DROP, 45);
    // Half a second later: five more responses' worth.
    assertThat(decide(l, WWW, ip("198.51.100.7"), 0, 5, t + SECOND / 2)).containsEntry(Decision.SEND, 5);
    // A whole second refills the bucket (no more than its size).
    assertThat(decide(l, WWW, ip("198.51.100.7"), 0, 20, t + 10 * SECOND)).containsEntry(Decision.SEND, 10);
  }

  @Test
  void slipZero_everythingOverTheRateDropped() {
    RateLimiter l = new RateLimiter(3, 0, 24, 56);
    assertThat(decide(l, WWW, ip("198.51.100.7"), 0, 10, SECOND))
        .containsEntry(Decision.SEND, 3).containsEntry(Decision.DROP, 7).doesNotContainKey(Decision.SLIP);
  }

  @Test
  void key_sameNetworkShares_otherNetworkOrQuestionHasItsOwn_caseDoesNotMatter() {
    RateLimiter l = new RateLimiter(5, 0, 24, 56);
    assertThat(decide(l, WWW, ip("198.51.100.7"), 0, 5, SECOND)).containsEntry(Decision.SEND, 5);
    assertThat(decide(l, WWW, ip("198.51.100.200"), 0, 1, SECOND)).as("same /24").containsEntry(Decision.DROP, 1);
    assertThat(decide(l, WWW, ip("198.51.101.7"), 0, 1, SECOND)).as("other /24").containsEntry(Decision.SEND, 1);
    byte[] upper = query("STATIC.EXAMPLE.COM.", Type.A).toWire();
    assertThat(decide(l, upper, ip("198.51.100.7"), 0, 1, SECOND)).as("case").containsEntry(Decision.DROP, 1);
    byte[] other = query("static.example.com.", Type.AAAA).toWire();
    assertThat(decide(l, other, ip("198.51.100.7"), 0, 1, SECOND)).as("type").containsEntry(Decision.SEND, 1);
    assertThat(decide(l, WWW, ip("2001:db8:1:2::1"), 0, 5, SECOND)).containsEntry(Decision.SEND, 5);
    assertThat(decide(l, WWW, ip("2001:db8:1:ff::1"), 0, 1, SECOND)).as("same /56").containsEntry(Decision.DROP, 1);
  }

  @Test
  void errors_keyedByRcodeNotQuestion_randomNamesShareOneStream() {
    RateLimiter l = new RateLimiter(5, 0, 24, 56);
    int sent = 0;
    for (int i = 0; i < 50; i++) {
      byte[] q = query("r" + i + ".example.com.", Type.A).toWire();
      if (l.check(q, q.length, ip("198.51.100.7"), Rcode.NXDOMAIN, SECOND) == Decision.SEND) {
        sent++;
      }
    }
    assertThat(sent).isEqualTo(5);
  }

  @Test
  void handler_udpFloodLimited_slipsAreTruncatedWithTheQuestion_tcpNeverLimited() throws Exception {
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).build())
        .rateLimit(5, 2, 24, 56).build();
    int full = 0;
    int truncated = 0;
    int none = 0;
    for (int i = 0; i < 60; i++) {
      var reply = h.handle(WWW, ip("198.51.100.7"), Transport.UDP);
      if (reply.isEmpty()) {
        none++;
        continue;
      }
      Message m = Dns.parse(reply.get());
      if (m.getHeader().getFlag(Flags.TC)) {
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(m.getQuestion().getName().toString()).isEqualTo("static.example.com.");
        truncated++;
      } else {
        assertThat(m.getSection(Section.ANSWER)).isNotEmpty();
        full++;
      }
    }
    // 5 per second: unless this loop took over a second, 5 or 6 full answers, the rest split between TC and none.
    assertThat(full).isBetween(5, 6);
    assertThat(truncated).isBetween(26, 28);
    assertThat(none).isBetween(26, 28);
    assertThat(h.rateLimitSlips()).isEqualTo(truncated);
    assertThat(h.rateLimitDrops()).isEqualTo(none);
    for (int i = 0; i < 20; i++) {
      assertThat(h.handle(WWW, ip("198.51.100.7"), Transport.TCP)).isPresent();
    }
  }
}
