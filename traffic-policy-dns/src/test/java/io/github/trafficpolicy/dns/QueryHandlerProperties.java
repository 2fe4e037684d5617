package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.ecs;
import static io.github.trafficpolicy.dns.Dns.query;
import static io.github.trafficpolicy.dns.Dns.withEdns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.trafficpolicy.api.RecordType;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The handler never crashes: a million random and mutated packets (truncated headers, compression loops, bad
 * lengths, huge counts, broken OPT and ECS options) each get no reply or a reply that dnsjava parses, carries the
 * query's ID, fits the transport, and is never SERVFAIL (which would mean an internal exception was caught).
 * Seeded; a failure prints the seed, the case number and the packet in hex so it replays.
 */
final class QueryHandlerProperties {
  private static final long SEED = 0x5eed_d25L;
  private static final int CASES = 1_000_000;

  @Test
  void garbageNeverCrashesAndEveryReplyParses() {
    FakePolicy www = new FakePolicy("www.example.com", RecordType.A, 60,
        q -> new FakePolicy.Reply(List.of("198.51.100." + (q.client().prefixLength() % 250 + 1)),
            q.client().prefixLength()));
    FakePolicy none = new FakePolicy("nodata.example.com", RecordType.A, 60, q -> new FakePolicy.Reply(List.of(), 0));
    Catalog catalog = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(www)
        .policyRecord(none).build();
    QueryHandler plain = QueryHandler.builder(catalog).build();
    // Half of the packets (those with bit 2 of their index set) go to a handler whose static reply table holds
    // only 8 replies (evicting on almost every new question).
    QueryHandler cached = QueryHandler.builder(catalog).staticReplies(8).build();
    List<byte[]> seeds = seedQueries();
    InetAddress v4 = Dns.ip("203.0.113.9");
    InetAddress v6 = Dns.ip("2001:db8::9");
    assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
      SplittableRandom random = new SplittableRandom(SEED);
      int replies = 0;
      for (int i = 0; i < CASES; i++) {
        byte[] packet = generate(random, seeds);
        Transport t = (i & 1) == 0 ? Transport.UDP : Transport.TCP;
        Optional<byte[]> reply;
        try {
          reply = ((i & 4) == 0 ? plain : cached).handle(packet, (i & 2) == 0 ? v4 : v6, t);
        } catch (RuntimeException e) {
          throw new AssertionError(describe(i, packet) + " threw " + e, e);
        }
        if (reply.isEmpty()) {
          assertThat(packet.length < 12 || (packet[2] & 0x80) != 0).as(describe(i, packet)).isTrue();
          continue;
        }
        replies++;
        check(i, packet, reply.get(), t);
      }
      assertThat(replies).as("replies").isGreaterThan(CASES / 2);
    });
  }

  private static void check(int i, byte[] packet, byte[] reply, Transport t) {
    Message m;
    try {
      m = new Message(reply);
    } catch (Exception e) {
      fail(describe(i, packet) + " gave an unparsable reply " + HexFormat.of().formatHex(reply) + ": " + e);
      return;
    }
    assertThat(m.getHeader().getID()).as(describe(i, packet)).isEqualTo(((packet[0] & 0xff) << 8)
        | (packet[1] & 0xff));
    assertThat(m.getHeader().getFlag(Flags.QR)).as(describe(i, packet)).isTrue();
    assertThat(m.getRcode()).as(describe(i, packet)).isNotEqualTo(Rcode.SERVFAIL);
    if (t == Transport.UDP) {
      assertThat(reply.length).as(describe(i, packet)).isLessThanOrEqualTo(1232);
    }
  }

  private static String describe(int i, byte[] packet) {
    return "seed " + Long.toHexString(SEED) + " case " + i + " packet " + HexFormat.of().formatHex(packet);
  }

  /** Valid queries of many shapes, to mutate. */
  private static List<byte[]> seedQueries() {
    List<byte[]> out = new ArrayList<>();
    String[] names = {"www.example.com.", "static.example.com.", "alias.example.com.", "x.wild.example.com.",
        "missing.example.com.", "big.example.com.", "host.sub.example.com.", "example.com.", "nodata.example.com.",
        "loop1.example.com.", "www.example.org."};
    int[] types = {Type.A, Type.AAAA, Type.TXT, Type.ANY, Type.MX, Type.NS, Type.SOA, Type.CNAME};
    for (String n : names) {
      for (int type : types) {
        out.add(query(n, type).toWire());
        out.add(withEdns(query(n, type), 1232).toWire());
        out.add(withEdns(query(n, type), 4096, ecs("192.0.2.0", 24)).toWire());
        out.add(withEdns(query(n, type), 512, ecs("2001:db8::", 56)).toWire());
        out.add(withEdns(query(n, type), 1232, ecs("0.0.0.0", 0)).toWire());
      }
    }
    Message v1 = query("www.example.com.", Type.A);
    v1.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
    out.add(v1.toWire());
    return out;
  }

  private static byte[] generate(SplittableRandom r, List<byte[]> seeds) {
    int kind = r.nextInt(10);
    if (kind == 0) {
      byte[] b = new byte[r.nextInt(0, 64)];
      r.nextBytes(b);
      return b;
    }
    if (kind == 1) {
      byte[] b = new byte[r.nextInt(12, 600)];
      r.nextBytes(b);
      b[2] &= 0x7f;
      b[4] = 0;
      b[5] = 1;
      return b;
    }
    byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
    int mutations = r.nextInt(1, 4);
    for (int m = 0; m < mutations; m++) {
      b = mutate(r, b);
    }
    return b;
  }

  private static byte[] mutate(SplittableRandom r, byte[] b) {
    if (b.length == 0) {
      return b;
    }
    switch (r.nextInt(9)) {
      case 0: { // flip random bytes
        int n = r.nextInt(1, 4);
        for (int i = 0; i < n; i++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        return b;
      }
      case 1: // truncate anywhere
        return java.util.Arrays.copyOf(b, r.nextInt(b.length));
      case 2: { // append garbage
        byte[] extra = new byte[r.nextInt(1, 40)];
        r.nextBytes(extra);
        byte[] c = java.util.Arrays.copyOf(b, b.length + extra.length);
        System.arraycopy(extra, 0, c, b.length, extra.length);
        return c;
      }
      case 3: // huge or odd section counts
        if (b.length >= 12) {
          int at = 4 + 2 * r.nextInt(4);
          int v = r.nextBoolean() ? 0xffff : r.nextInt(4);
          b[at] = (byte) (v >> 8);
          b[at + 1] = (byte) v;
        }
        return b;
      case 4: // a compression pointer somewhere (often a loop or a forward pointer)
        if (b.length > 14) {
          int at = r.nextInt(12, b.length - 1);
          int target = r.nextInt(b.length + 4);
          b[at] = (byte) (0xc0 | (target >> 8));
          b[at + 1] = (byte) target;
        }
        return b;
      case 5: // a bad label length
        if (b.length > 12) {
          b[12 + r.nextInt(Math.min(20, b.length - 12))] = (byte) (r.nextBoolean() ? r.nextInt(64, 192) : 63);
        }
        return b;
      case 6: // break the OPT / ECS tail: lengths, family, prefixes
        if (b.length > 12 + 11) {
          int at = b.length - r.nextInt(1, Math.min(20, b.length - 12));
          b[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : (b[at] + r.nextInt(-3, 4)));
        }
        return b;
      case 7: // opcode and flag noise
        if (b.length >= 4) {
          b[2] = (byte) (r.nextInt(256) & 0x7f);
          b[3] = (byte) r.nextInt(256);
        }
        return b;
      default: { // splice two halves of different lengths
        int cut = r.nextInt(b.length);
        byte[] c = new byte[b.length + cut];
        System.arraycopy(b, 0, c, 0, b.length);
        System.arraycopy(b, 0, c, b.length, cut);
        return c;
      }
    }
  }
}
