package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.MultivalueAnswerRule;
import io.github.trafficpolicy.api.MultivalueEntry;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import io.github.trafficpolicy.testing.PolicyGenerator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Properties of evaluation over generated policies and inputs. Every property runs a fixed number of tries from a
 * fixed seed; a failure message names the seed and the generated case so it replays.
 */
final class PolicyEvaluatorProperties {
  private static final long SEED = 0x5EED_2026L;

  private static final ClientLocation[] PLACES = {
      ClientLocation.of("NA", "US", "WA", new Coordinates(47.61, -122.33)),
      ClientLocation.of("NA", "US", "TX", new Coordinates(29.76, -95.37)),
      ClientLocation.of("NA", "US", "NY", null),
      ClientLocation.of("NA", "US", null, new Coordinates(39.0, -98.0)),
      ClientLocation.of("NA", "CA", null, new Coordinates(43.65, -79.38)),
      ClientLocation.of("NA", "MX", null, null),
      ClientLocation.of("EU", "DE", null, new Coordinates(52.52, 13.40)),
      ClientLocation.of("EU", "GB", null, new Coordinates(51.51, -0.13)),
      ClientLocation.of("EU", "FR", null, null),
      ClientLocation.of("AS", "JP", null, new Coordinates(35.68, 139.69)),
      ClientLocation.of("AS", "IN", null, new Coordinates(19.08, 72.88)),
      ClientLocation.of("SA", "BR", null, new Coordinates(-23.55, -46.63)),
      ClientLocation.of("OC", "AU", null, new Coordinates(-33.87, 151.21)),
      ClientLocation.of("AF", "ZA", null, new Coordinates(-26.2, 28.05)),
      ClientLocation.UNKNOWN};

  private static final String[] REGIONS = {"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
      "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-southeast-1", "ap-southeast-2",
      "ap-northeast-1", "ap-south-1", "sa-east-1", "af-south-1", "me-south-1", "il-central-1"};

  // ----- generated inputs -------------------------------------------------------------------------------------

  private static ClientSubnet randomClient(SplittableRandom r) {
    try {
      if (r.nextInt(4) == 0) {
        byte[] b = new byte[16];
        r.nextBytes(b);
        b[0] = 0x20;
        b[1] = 0x01;
        return ClientSubnet.of(InetAddress.getByAddress(b));
      }
      byte[] b = new byte[4];
      r.nextBytes(b);
      int[] prefixes = {32, 32, 24, 20, 16};
      return new ClientSubnet(InetAddress.getByAddress(b), prefixes[r.nextInt(prefixes.length)]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static HealthSnapshot randomHealth(PolicyGenerator g, PolicyDocument d, SplittableRandom r) {
    HealthSnapshot.Builder b = HealthSnapshot.builder();
    g.healthStatuses(d, r.nextDouble()).forEach((id, ok) -> b.check(id, Fixtures.up(ok)));
    for (EndpointId e : d.endpoints().keySet()) {
      if (d.endpoints().get(e).type().isAlias() && r.nextBoolean()) {
        b.target(e, Fixtures.up(r.nextInt(3) > 0));
      }
    }
    return b.build();
  }

  static Query randomQuery(SplittableRandom r, HealthSnapshot h, boolean trace) {
    Query.Builder q = Query.builder(randomClient(r)).health(h).trace(trace)
        .location(PLACES[r.nextInt(PLACES.length)]);
    if (r.nextBoolean()) {
      Map<String, Double> ms = new HashMap<>();
      for (String region : REGIONS) {
        if (r.nextInt(5) > 0) {
          ms.put(region, 1.0 + r.nextInt(300));
        }
      }
      q.latency(Fixtures.latency(ms, 24));
    }
    return q.build();
  }

  static String describe(Answer a) {
    return a.outcome() + " " + a.endpoints() + " " + a.records() + " scope " + a.ecsScope();
  }

  // ----- properties -------------------------------------------------------------------------------------------

  @Test
  void evaluationIsDeterministic() {
    SplittableRandom seeds = new SplittableRandom(SEED);
    for (int t = 0; t < 300; t++) {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      PolicyGenerator g = new PolicyGenerator(r);
      PolicyDocument d = g.document();
      CompiledPolicy one = PolicyEvaluator.builder().build().compile(d, "www.example.com");
      CompiledPolicy two = PolicyEvaluator.builder().build().compile(d, "www.example.com");
      for (int q = 0; q < 5; q++) {
        Query query = randomQuery(r, randomHealth(g, d, r), q % 2 == 0);
        Answer a = one.evaluate(query);
        Answer b = two.evaluate(query);
        Answer c = one.evaluate(query);
        assertThat(describe(b)).as("seed %s, query %s, document %s", seed, query, d.rules()).isEqualTo(describe(a));
        assertThat(describe(c)).as("seed %s, query %s", seed, query).isEqualTo(describe(a));
        assertThat(b.trace().toString()).isEqualTo(a.trace().toString());
        Query flipped = new Query(query.client(), query.location(), query.latency(), query.health(), !query.trace());
        assertThat(describe(one.evaluate(flipped))).as("seed %s: tracing changed the answer", seed)
            .isEqualTo(describe(a));
        if (!query.trace()) {
          assertThat(a.trace().steps()).isEmpty();
        }
      }
    }
  }

  @Test
  void healthOfEntriesOffTheChosenPathNeverChangesTheAnswer() {
    SplittableRandom seeds = new SplittableRandom(SEED + 1);
    int checked = 0;
    for (int t = 0; t < 400; t++) {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      PolicyGenerator g = new PolicyGenerator(r);
      PolicyDocument d = g.document();
      CompiledPolicy p = PolicyEvaluator.builder().build().compile(d, "www.example.com");
      HealthSnapshot h = randomHealth(g, d, r);
      Query q = randomQuery(r, h, true);
      Answer before = p.evaluate(q);
      boolean failedOpen = before.trace().steps().stream()
          .anyMatch(s -> s.kind() == TraceStep.Kind.FAIL_OPEN || s.kind() == TraceStep.Kind.FAIL_CLOSED);
      if (failedOpen || before.outcome() == Outcome.NO_DATA) {
        continue;
      }
      Set<HealthCheckId> onPath = new HashSet<>();
      for (TraceStep s : before.trace().steps()) {
        if (s.kind() == TraceStep.Kind.CHOOSE || s.kind() == TraceStep.Kind.ENDPOINT) {
          if (s.rule().isEmpty()) {
            continue;
          }
          Rule rule = d.rule(RuleId.of(s.rule()));
          List<? extends RuleEntry> entries = rule.entries();
          if (s.entry() >= 0) {
            entries.get(s.entry()).healthCheck().ifPresent(onPath::add);
          }
        }
      }
      List<HealthCheckId> candidates = new ArrayList<>();
      for (Map.Entry<HealthCheckId, HealthStatus> e : h.checks().entrySet()) {
        if (e.getValue() == HealthStatus.HEALTHY && !onPath.contains(e.getKey())) {
          candidates.add(e.getKey());
        }
      }
      if (candidates.isEmpty()) {
        continue;
      }
      HealthCheckId flip = candidates.get(r.nextInt(candidates.size()));
      HealthSnapshot after = h.toBuilder().check(flip, HealthStatus.UNHEALTHY).build();
      Query q2 = Query.builder(q.client()).location(q.location().orElseThrow()).health(after).trace(true).build();
      if (q.latency().isPresent()) {
        q2 = new Query(q.client(), q.location(), q.latency(), Optional.of(after), true);
      }
      Answer changed = p.evaluate(q2);
      assertThat(changed.endpoints())
          .as("seed %s: flipping %s (off the path) changed the answer%nbefore:%n%s%nafter:%n%s", seed, flip,
              before.trace(), changed.trace())
          .isEqualTo(before.endpoints());
      checked++;
    }
    assertThat(checked).isGreaterThan(50);
  }

  @Test
  void weightedSharesConvergeToWeights() {
    SplittableRandom r = new SplittableRandom(SEED + 2);
    for (int t = 0; t < 6; t++) {
      int n = 2 + r.nextInt(4);
      List<WeightedEntry> items = new ArrayList<>();
      int total = 0;
      int[] w = new int[n];
      for (int i = 0; i < n; i++) {
        w[i] = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(255);
        total += w[i];
        items.add(WeightedEntry.of(w[i], Target.endpoint(String.valueOf((char) ('a' + i)))));
      }
      if (total == 0) {
        continue;
      }
      CompiledPolicy p = Fixtures.compile(Fixtures.single(WeightedRule.of(items)),
          EvaluatorSettings.builder().seed(r.nextLong()).build());
      int clients = 20_000;
      Map<String, Integer> counts = new HashMap<>();
      for (int c = 0; c < clients; c++) {
        counts.merge(Fixtures.endpoint(p.evaluate(Query.builder(WeightedTest.client(c))
            .location(ClientLocation.UNKNOWN).health(HealthSnapshot.empty()).build())), 1, Integer::sum);
      }
      for (int i = 0; i < n; i++) {
        double share = counts.getOrDefault(String.valueOf((char) ('a' + i)), 0) / (double) clients;
        assertThat(share).as("try %s, weights %s", t, java.util.Arrays.toString(w))
            .isCloseTo(w[i] / (double) total, org.assertj.core.data.Offset.offset(0.02));
      }
    }
  }

  @Test
  void removingAWeightedEntryMovesOnlyItsClients() {
    SplittableRandom r = new SplittableRandom(SEED + 3);
    for (int t = 0; t < 20; t++) {
      int n = 3 + r.nextInt(5);
      List<WeightedEntry> items = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        items.add(WeightedEntry.of(1 + r.nextInt(255), Target.endpoint(String.valueOf((char) ('a' + i)))));
      }
      int removed = r.nextInt(n);
      List<WeightedEntry> fewer = new ArrayList<>(items);
      String gone = fewer.remove(removed).target().id();
      CompiledPolicy full = Fixtures.compile(Fixtures.single(WeightedRule.of(items)));
      CompiledPolicy less = Fixtures.compile(Fixtures.single(WeightedRule.of(fewer)));
      for (int c = 0; c < 2_000; c++) {
        Query q = Query.builder(WeightedTest.client(c)).location(ClientLocation.UNKNOWN)
            .health(HealthSnapshot.empty()).build();
        String before = Fixtures.endpoint(full.evaluate(q));
        String after = Fixtures.endpoint(less.evaluate(q));
        if (!before.equals(gone)) {
          assertThat(after).as("try %s: removing %s moved client %s", t, gone, q.client()).isEqualTo(before);
        }
      }
    }
  }

  @Test
  void multivalueAnswersAtMostEightAndOnlyHealthyWheneverAnyIsHealthy() {
    SplittableRandom seeds = new SplittableRandom(SEED + 4);
    for (int t = 0; t < 200; t++) {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      int n = 1 + r.nextInt(20);
      PolicyDocument.Builder b = Fixtures.doc();
      List<MultivalueEntry> items = new ArrayList<>();
      HealthSnapshot.Builder h = HealthSnapshot.builder();
      Set<String> healthy = new HashSet<>();
      double chance = r.nextDouble();
      for (int i = 0; i < n; i++) {
        String id = "v" + i;
        b.endpoint(id, io.github.trafficpolicy.api.Endpoint.value("198.51.100." + (i + 1)));
        boolean checked = r.nextInt(4) > 0;
        items.add(checked ? MultivalueEntry.of(id, "hc" + i) : MultivalueEntry.of(id));
        boolean ok = !checked || r.nextDouble() < chance;
        if (checked) {
          h.check("hc" + i, Fixtures.up(ok));
        }
        if (ok) {
          healthy.add(id);
        }
      }
      PolicyDocument d = b.rule("root", MultivalueAnswerRule.of(items)).startRule("root").build();
      CompiledPolicy p = Fixtures.compile(d);
      for (int c = 0; c < 20; c++) {
        Answer a = p.evaluate(Query.builder(randomClient(r)).location(ClientLocation.UNKNOWN).health(h.build())
            .build());
        Set<String> got = new HashSet<>();
        a.endpoints().forEach(e -> got.add(e.value()));
        String why = "seed " + seed + ", healthy " + healthy + ", got " + a.endpoints();
        assertThat(a.endpoints()).as(why).hasSize(got.size());
        if (!healthy.isEmpty()) {
          assertThat(healthy).as(why).containsAll(got);
          assertThat(got).as(why).hasSize(Math.min(8, healthy.size()));
        } else {
          assertThat(got).as(why).hasSize(Math.min(8, n));
        }
        assertThat(a.records()).hasSize(got.size());
      }
    }
  }

  // ----- ECS scope ---------------------------------------------------------------------------------------------

  /** A locator whose answer is a function of the address cut to a prefix that varies by first byte. */
  private static final GeoLocator LOCATOR = address -> {
    byte[] b = address.getAddress();
    boolean v4 = address instanceof Inet4Address;
    int p = v4 ? 8 + (b[0] & 0xff) % 21 : 24 + (b[2] & 0xff) % 41;
    long h = hashPrefix(address, p);
    return new GeoLookup(PLACES[(int) Long.remainderUnsigned(h, PLACES.length)], p);
  };

  /** A latency table that is a function of the address cut to /20 (IPv4) or /48 (IPv6). */
  private static final LatencyTable LATENCY = (address, location) -> {
    int p = address instanceof Inet4Address ? 20 : 48;
    long h = hashPrefix(address, p);
    return new ClientLatency() {
      @Override
      public OptionalDouble millis(String region) {
        long x = RendezvousHash.absorb(h, RendezvousHash.text(region));
        return Long.remainderUnsigned(x, 7) == 0 ? OptionalDouble.empty()
            : OptionalDouble.of(1 + Long.remainderUnsigned(x, 300));
      }

      @Override
      public int prefixLength() {
        return p;
      }
    };
  };

  private static long hashPrefix(InetAddress a, int prefix) {
    byte[] b = ClientSubnet.mask(a, prefix).getAddress();
    long h = prefix;
    for (byte x : b) {
      h = RendezvousHash.absorb(h, x);
    }
    return h;
  }

  private static InetAddress randomInside(InetAddress base, int prefix, SplittableRandom r) {
    byte[] b = base.getAddress();
    for (int bit = prefix; bit < b.length * 8; bit++) {
      if (r.nextBoolean()) {
        b[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
      }
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void ecsScopeIsNeverWiderThanAPrefixOverWhichTheAnswerChanges() {
    SplittableRandom seeds = new SplittableRandom(SEED + 5);
    PolicyEvaluator evaluator = PolicyEvaluator.builder().geoLocator(LOCATOR).latencyTable(LATENCY).build();
    int nonZero = 0;
    for (int t = 0; t < 300; t++) {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      PolicyGenerator g = new PolicyGenerator(r);
      PolicyDocument d = g.document();
      CompiledPolicy p = evaluator.compile(d, "www.example.com");
      HealthSnapshot h = randomHealth(g, d, r);
      for (int q = 0; q < 4; q++) {
        ClientSubnet client = ClientSubnet.of(randomClient(r).address());
        Answer a = p.evaluate(Query.builder(client).health(h).build());
        assertThat(a.ecsScope()).isLessThanOrEqualTo(client.prefixLength());
        if (a.ecsScope() > 0) {
          nonZero++;
        }
        for (int s = 0; s < 16; s++) {
          ClientSubnet other = ClientSubnet.of(randomInside(client.address(), a.ecsScope(), r));
          Answer b = p.evaluate(Query.builder(other).health(h).build());
          assertThat(b.endpoints())
              .as("seed %s: %s got %s with scope /%s but %s got %s%n%s", seed, client, a.endpoints(), a.ecsScope(),
                  other, b.endpoints(), p.evaluate(Query.builder(client).health(h).trace(true).build()).trace())
              .isEqualTo(a.endpoints());
        }
      }
    }
    assertThat(nonZero).isGreaterThan(100);
  }

  @Test
  void ecsScopeIsZeroWhenNothingDependsOnTheClient() {
    CompiledPolicy p = PolicyEvaluator.builder().geoLocator(LOCATOR).latencyTable(LATENCY).build()
        .compile(Fixtures.single(MultivalueAnswerRule.of(MultivalueEntry.of("a"), MultivalueEntry.of("b"))),
            "www.example.com");
    Answer a = p.evaluate(Query.of(ClientSubnet.parse("203.0.113.7")));
    assertThat(a.ecsScope()).isZero();
    assertThat(ImmutableMap.of("n", a.endpoints().size())).containsEntry("n", 2);
  }
}
