package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.LatencyRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.engine.input.CidrGeoLocator;
import io.github.trafficpolicy.engine.input.CsvLatencyTable;
import io.github.trafficpolicy.engine.input.EstimatedLatencyTable;
import io.github.trafficpolicy.engine.input.EvaluatorInputs;
import io.github.trafficpolicy.engine.input.GeoLocators;
import io.github.trafficpolicy.engine.input.LatencyTables;
import io.github.trafficpolicy.engine.internal.Addresses;
import io.github.trafficpolicy.engine.internal.MeasuredThenEstimated;
import io.github.trafficpolicy.testing.PolicyGenerator;
import java.io.IOException;
import java.io.StringReader;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link CompiledPolicy#evaluate(byte[], int, AnswerBuffer)} against {@link CompiledPolicy#evaluate(Query)} for the
 * same client: generated policies, health, CIDR geo tables and latency tables (seeded; a failure names the seed),
 * IPv4, IPv6 and IPv4-mapped clients, compiled policies and records bound to their programs, locators and tables that
 * read bytes and ones that do not.
 */
final class AddressEvaluationTest {
  private static final ClientLocation[] PLACES = {
      ClientLocation.of("NA", "US", "WA", new Coordinates(47.61, -122.33)),
      ClientLocation.of("NA", "US", null, new Coordinates(39.0, -98.0)),
      ClientLocation.of("EU", "DE", null, new Coordinates(52.52, 13.40)),
      ClientLocation.of("EU", "GB", null, null),
      ClientLocation.of("AS", "JP", null, new Coordinates(35.68, 139.69)),
      ClientLocation.of("OC", "AU", null, new Coordinates(-33.87, 151.21)),
      ClientLocation.of("SA", "BR", null, new Coordinates(-23.55, -46.63)),
      ClientLocation.of("AF", null, null, null),
  };
  private static final PolicyDocument GEO = Fixtures.single(GeolocationRule.of(
      GeolocationEntry.country("US", Target.endpoint("a")),
      GeolocationEntry.continent("EU", Target.endpoint("b")),
      GeolocationEntry.defaultLocation(Target.endpoint("c"))));
  private static final String[] REGIONS = {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
      "ap-northeast-1", "ap-southeast-2", "sa-east-1", "af-south-1"};

  @Test
  void evaluateIntoBuffer_generatedPoliciesAndClients_sameAnswerAsEvaluatingTheQuery() throws IOException {
    SplittableRandom seeds = new SplittableRandom(0x5EED_2026_1204L);
    for (int t = 0; t < 300; t++) {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      PolicyGenerator g = new PolicyGenerator(r);
      PolicyDocument d = g.document();
      CidrGeoLocator table = cidrTable(r);
      GeoLocator geo = switch (r.nextInt(3)) {
        case 0 -> table;
        // A chain of a byte-reading table and a locator that reads InetAddress objects only.
        case 1 -> GeoLocators.chain(table, address -> table.locate(address));
        default -> address -> table.locate(address);
      };
      HealthRegistry health = new HealthRegistry(PolicyEvaluatorProperties.randomHealth(g, d, r));
      PolicyEvaluator.Builder b = PolicyEvaluator.builder().geoLocator(geo).health(health);
      if (r.nextBoolean()) {
        b.latencyTable(latencyTable(r));
      }
      CompiledPolicy compiled = b.build().compile(d, "www.example.com");
      CompiledPolicy bound = compiled.program().orElseThrow().bind("other.example.com", 42);
      AnswerBuffer buffer = new AnswerBuffer();
      for (int q = 0; q < 20; q++) {
        byte[] address = randomAddress(r);
        int prefix = r.nextInt(address.length * 8 + 1);
        ClientSubnet client = new ClientSubnet(Addresses.inetAddress(address), prefix);
        for (CompiledPolicy p : List.of(compiled, bound)) {
          Answer expected = p.evaluate(Query.of(client));
          p.evaluate(address, prefix, buffer);
          assertThat(describe(buffer)).as("seed %s, client %s at %s, document %s", seed, client,
              p.binding().recordName(), d.rules()).isEqualTo(describe(expected));
        }
      }
    }
  }

  @Test
  void measuredThenEstimated_generatedPoliciesAndClients_answerAsTheGeneralChainDoes() throws IOException {
    SplittableRandom seeds = new SplittableRandom(0x1A7E_2026_1204L);
    EvaluatorSettings settings = EvaluatorSettings.defaults();
    for (int t = 0; t < 300; t++) {
      long seed = seeds.nextLong();
      SplittableRandom r = new SplittableRandom(seed);
      PolicyGenerator g = new PolicyGenerator(r);
      PolicyDocument d = g.document();
      CidrGeoLocator table = cidrTable(r);
      HealthRegistry health = new HealthRegistry(PolicyEvaluatorProperties.randomHealth(g, d, r));
      CsvLatencyTable csv = latencyTable(r);
      // What a server builds from its latency table, and the same chain through a table that reads only
      // InetAddress objects, which the evaluation asks as a whole (a ClientLatency per client and per table).
      LatencyTable fast = EvaluatorInputs.latency(List.of(csv), settings).orElseThrow();
      LatencyTable general = LatencyTables.chain((address, location) -> csv.forClient(address, location),
          EstimatedLatencyTable.using(settings.regionCoordinates()));
      assertThat(fast).isInstanceOf(MeasuredThenEstimated.class);
      assertThat(general).isNotInstanceOf(MeasuredThenEstimated.class);
      CompiledPolicy measured = PolicyEvaluator.builder().settings(settings).geoLocator(table).health(health)
          .latencyTable(fast).build().compile(d, "www.example.com");
      CompiledPolicy reference = PolicyEvaluator.builder().settings(settings).geoLocator(table).health(health)
          .latencyTable(general).build().compile(d, "www.example.com");
      AnswerBuffer buffer = new AnswerBuffer();
      for (int q = 0; q < 20; q++) {
        byte[] address = randomAddress(r);
        int prefix = r.nextInt(address.length * 8 + 1);
        ClientSubnet client = new ClientSubnet(Addresses.inetAddress(address), prefix);
        Query traced = Query.builder(client).trace(true).build();
        Answer expected = reference.evaluate(traced);
        String what = "seed " + seed + ", client " + client + ", document " + d.rules();
        measured.evaluate(address, prefix, buffer);
        assertThat(describe(buffer)).as(what).isEqualTo(describe(expected));
        Answer actual = measured.evaluate(traced);
        assertThat(describe(actual)).as(what).isEqualTo(describe(expected));
        assertThat(actual.trace().toString()).as(what).isNotEmpty().isEqualTo(expected.trace().toString());
      }
    }
  }

  @Test
  void measuredThenEstimated_regionWithoutFigure_isEstimatedAsTheEstimatedTableDoes() throws IOException {
    PolicyDocument d = Fixtures.single(LatencyRule.of(
        LatencyEntry.of("us-east-1", Target.endpoint("a")),
        LatencyEntry.of("eu-west-1", Target.endpoint("b"))));
    // Measured: us-east-1 only, and slower than the estimate to eu-west-1 for a client in Paris (about 11 ms).
    CsvLatencyTable csv = CsvLatencyTable.read("t", new StringReader("network,region,milliseconds\n"
        + "192.0.2.0/24,us-east-1,80\n"));
    CidrGeoLocator paris = CidrGeoLocator.builder()
        .add("192.0.2.0/24", ClientLocation.of("EU", "FR", null, new Coordinates(48.86, 2.35))).build();
    EvaluatorSettings settings = EvaluatorSettings.defaults();
    LatencyTable fast = EvaluatorInputs.latency(List.of(csv), settings).orElseThrow();
    CompiledPolicy p = PolicyEvaluator.builder().settings(settings).geoLocator(paris).latencyTable(fast).build()
        .compile(d, "www.example.com");
    Answer answer = p.evaluate(Query.builder(new ClientSubnet(InetAddress.getByName("192.0.2.1"), 24)).trace(true)
        .build());
    assertThat(answer.endpoints()).containsExactly(EndpointId.of("b"));
    double km = new Coordinates(48.86, 2.35).distanceKm(settings.regionCoordinates().find("eu-west-1").orElseThrow());
    assertThat(answer.trace().toString()).contains(
        "latency " + CompiledRule.fmt(EstimatedLatencyTable.estimateMillis(km)) + " ms to eu-west-1");
  }

  @Test
  void evaluateIntoBuffer_hostBitsPastThePrefix_areIgnored() throws UnknownHostException {
    CidrGeoLocator table = CidrGeoLocator.builder().add("192.0.2.0/25", PLACES[0]).add("192.0.2.128/25", PLACES[2])
        .build();
    CompiledPolicy p = PolicyEvaluator.builder().geoLocator(table).build().compile(GEO, "www.example.com");
    AnswerBuffer buffer = new AnswerBuffer();
    p.evaluate(new byte[] {(byte) 192, 0, 2, (byte) 200}, 24, buffer);
    Answer expected = p.evaluate(Query.of(new ClientSubnet(InetAddress.getByName("192.0.2.0"), 24)));
    assertThat(describe(buffer)).isEqualTo(describe(expected));
  }

  @Test
  void evaluateIntoBuffer_badAddressOrPrefix_isRejected() {
    CompiledPolicy p = PolicyEvaluator.builder().build().compile(GEO, "www.example.com");
    AnswerBuffer buffer = new AnswerBuffer();
    assertThatThrownBy(() -> p.evaluate(new byte[5], 8, buffer)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 or 16 bytes");
    assertThatThrownBy(() -> p.evaluate(new byte[4], 33, buffer)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[0, 32]");
    assertThatThrownBy(() -> p.evaluate(new byte[16], -1, buffer)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void evaluateIntoBuffer_otherImplementation_answersThroughTheQuery() {
    CompiledPolicy real = PolicyEvaluator.builder().build().compile(GEO, "www.example.com");
    List<Query> seen = new ArrayList<>();
    CompiledPolicy wrapper = new CompiledPolicy() {
      @Override
      public PolicyDocument document() {
        return real.document();
      }

      @Override
      public PolicyBinding binding() {
        return real.binding();
      }

      @Override
      public Answer evaluate(Query query) {
        seen.add(query);
        return real.evaluate(query);
      }
    };
    AnswerBuffer buffer = new AnswerBuffer();
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1};
    wrapper.evaluate(mapped, 120, buffer);
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).client().address()).isInstanceOf(Inet6Address.class);
    assertThat(seen.get(0).client().prefixLength()).isEqualTo(120);
    assertThat(describe(buffer)).isEqualTo(describe(real.evaluate(seen.get(0))));
  }

  static String describe(Answer a) {
    return a.outcome() + " " + a.endpoints() + " " + a.records() + " ttl " + a.ttl() + " scope " + a.ecsScope();
  }

  static String describe(AnswerBuffer b) {
    List<EndpointId> endpoints = new ArrayList<>();
    for (int i = 0; i < b.endpointCount(); i++) {
      endpoints.add(b.endpoint(i));
    }
    List<RecordData> records = new ArrayList<>();
    for (int i = 0; i < b.recordCount(); i++) {
      records.add(b.record(i));
    }
    return b.outcome() + " " + endpoints + " " + records + " ttl " + b.ttl() + " scope " + b.ecsScope();
  }

  /** IPv4 (half), IPv6 under 2001::/16 or an IPv4-mapped IPv6 address. */
  private static byte[] randomAddress(SplittableRandom r) {
    int kind = r.nextInt(4);
    if (kind <= 1) {
      byte[] b = new byte[4];
      r.nextBytes(b);
      b[0] = (byte) (r.nextBoolean() ? 10 : 192);
      return b;
    }
    byte[] b = new byte[16];
    r.nextBytes(b);
    if (kind == 2) {
      b[0] = 0x20;
      b[1] = 0x01;
    } else {
      for (int i = 0; i < 10; i++) {
        b[i] = 0;
      }
      b[10] = (byte) 0xff;
      b[11] = (byte) 0xff;
      b[12] = (byte) (r.nextBoolean() ? 10 : 192);
    }
    return b;
  }

  /** Random networks of 10/8, 192/8 and 2001::/16 (nested ones too) with random places. */
  private static CidrGeoLocator cidrTable(SplittableRandom r) {
    CidrGeoLocator.Builder b = CidrGeoLocator.builder();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 12; i++) {
      String network = randomNetwork(r);
      if (seen.add(network)) {
        b.add(network, PLACES[r.nextInt(PLACES.length)]);
      }
    }
    return b.build();
  }

  private static CsvLatencyTable latencyTable(SplittableRandom r) throws IOException {
    StringBuilder csv = new StringBuilder("network,region,milliseconds\n");
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 10; i++) {
      String network = randomNetwork(r);
      if (!seen.add(network)) {
        continue;
      }
      for (String region : REGIONS) {
        if (r.nextInt(3) > 0) {
          csv.append(network).append(',').append(region).append(',').append(1 + r.nextInt(250)).append('\n');
        }
      }
    }
    return CsvLatencyTable.read("generated", new StringReader(csv.toString()));
  }

  private static String randomNetwork(SplittableRandom r) {
    if (r.nextInt(3) > 0) {
      int prefix = 8 + r.nextInt(17);
      int a = (r.nextBoolean() ? 10 : 192) << 24 | r.nextInt(1 << 24);
      a &= prefix == 0 ? 0 : -1 << (32 - prefix);
      return (a >>> 24) + "." + (a >>> 16 & 0xff) + "." + (a >>> 8 & 0xff) + "." + (a & 0xff) + "/" + prefix;
    }
    int prefix = 16 + r.nextInt(33);
    long hi = 0x2001L << 48 | (r.nextLong() >>> 16);
    hi &= -1L << (64 - prefix);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      s.append(Long.toHexString(hi >>> (48 - 16 * i) & 0xffff)).append(':');
    }
    return s.append(":/").append(prefix).toString();
  }
}
