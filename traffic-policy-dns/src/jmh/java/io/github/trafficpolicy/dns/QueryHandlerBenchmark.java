package io.github.trafficpolicy.dns;

import io.github.trafficpolicy.dns.config.ConfiguredServer;
import io.github.trafficpolicy.dns.config.ServeConfigReader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DNS logic without sockets: a policy query with an ECS option, a static answer and an NXDOMAIN, on three setups
 * ({@code mix}):
 *
 * <ul>
 *   <li>{@code bundled}: the bundled example (zone example.com, policy record www with the CIDR geo table), 256
 *       different client /24s;
 *   <li>{@code geolite-wide}: the dnsperf bench's policy (geolocation by continent and country, failover, weighted
 *       3:1) located with GeoLite2 City ({@code -Dgeolite.city=PATH}, default
 *       {@code ~/.cache/traffic-policy-bench/GeoLite2-City.mmdb}, see {@code src/bench/get-geolite.sh}), over
 *       360,000 distinct client subnets (300,000 IPv4 /24s, 60,000 IPv6 /56s, seeded), asked in turn: far more than
 *       any per-client cache would hold;
 *   <li>{@code latency-table}: a latency rule over four regions with a latency table of measurements (as
 *       {@code serve}'s {@code latencyTable}; regions a network has no figure for are estimated) and a CIDR location
 *       table, 4,096 client /24s.
 * </ul>
 *
 * <pre>
 * ./mvnw -q -Pbench -pl traffic-policy-dns -am test -DskipTests -Djmh.args="QueryHandlerBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class QueryHandlerBenchmark {
  private static final int WIDE_V4 = 300_000;
  private static final int WIDE_V6 = 60_000;
  private static final int LATENCY_NETWORKS = 4096;

  @Param({"bundled", "geolite-wide", "latency-table"})
  public String mix;

  private ConfiguredServer server;
  private QueryHandler handler;
  private final List<byte[]> policyQueries = new ArrayList<>();
  private byte[] staticQuery;
  private byte[] missingQuery;
  private final byte[] out = new byte[QueryHandler.MAX_MESSAGE + 2];
  private InetAddress source;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    source = InetAddress.getByName("127.0.0.1");
    String zone;
    if (mix.equals("bundled")) {
      server = ConfiguredServer.create(ServeConfigReader.bundledExample());
      zone = "example.com.";
      String[] nets = {"192.0.2.0", "198.51.100.0", "203.0.113.0", "10.%d.%d.0"};
      for (int i = 0; i < 256; i++) {
        String net = i < 3 ? nets[i] : String.format(nets[3], i / 16, i % 16);
        policyQueries.add(policyQuery("www." + zone, InetAddress.getByName(net), 24));
      }
    } else if (mix.equals("latency-table")) {
      server = ConfiguredServer.create(ServeConfigReader.read(latencySetup()));
      zone = "example.test.";
      for (int i = 0; i < LATENCY_NETWORKS; i++) {
        policyQueries.add(policyQuery("www." + zone,
            InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, 0}), 24));
      }
      Collections.shuffle(policyQueries, new Random(7));
    } else {
      server = ConfiguredServer.create(ServeConfigReader.read(wideSetup()));
      zone = "example.test.";
      SplittableRandom random = new SplittableRandom(20261204L);
      Set<String> seen = new HashSet<>();
      while (policyQueries.size() < WIDE_V4 + WIDE_V6) {
        boolean v4 = policyQueries.size() < WIDE_V4;
        byte[] a = new byte[v4 ? 4 : 16];
        random.nextBytes(a);
        if (v4) {
          a[0] = (byte) (1 + random.nextInt(223));
          a[3] = 0;
        } else {
          a[0] = (byte) (0x20 + random.nextInt(2));
          Arrays.fill(a, 7, 16, (byte) 0);
        }
        if (seen.add(Arrays.toString(a))) {
          policyQueries.add(policyQuery("www." + zone, InetAddress.getByAddress(a), v4 ? 24 : 56));
        }
      }
      // Interleave the families so that every stretch of the run sees both.
      Collections.shuffle(policyQueries, new Random(7));
    }
    handler = server.server().handler();
    staticQuery = Message.newQuery(Record.newRecord(Name.fromString("static." + zone), Type.A, DClass.IN))
        .toWire();
    missingQuery = Message.newQuery(Record.newRecord(Name.fromString("nope." + zone), Type.A, DClass.IN))
        .toWire();
  }

  private static byte[] policyQuery(String name, InetAddress net, int prefix) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(prefix, net))), Section.ADDITIONAL);
    return q.toWire();
  }

  /** A serve configuration of the bench's policy with GeoLite2 City, in a temporary directory. */
  private static Path wideSetup() throws Exception {
    Path mmdb = Path.of(System.getProperty("geolite.city",
        System.getProperty("user.home") + "/.cache/traffic-policy-bench/GeoLite2-City.mmdb"));
    if (!Files.isRegularFile(mmdb)) {
      throw new IllegalStateException(mmdb + " is missing: run traffic-policy-dns/src/bench/get-geolite.sh or set "
          + "-Dgeolite.city");
    }
    Path dir = Files.createTempDirectory("tp-bench");
    // Run from the module directory (as the bench profile does).
    Files.copy(Path.of("src/bench/www-example-test.json"), dir.resolve("www.json"));
    return serveConfig(dir, "www-example-test", "\"geo\": {\"maxmind\": \"" + mmdb + "\"}");
  }

  /**
   * A latency rule over four regions, with a CIDR location table and a latency table (as a server has them) of 4,096
   * client /24s under 10/8: measured figures for two or three of the regions per network, the others estimated.
   */
  private static Path latencySetup() throws Exception {
    Path dir = Files.createTempDirectory("tp-bench");
    Files.writeString(dir.resolve("www.json"), "{\"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\","
        + "\"StartRule\": \"lat\", \"Endpoints\": {"
        + "\"use1\": {\"Type\": \"value\", \"Value\": \"192.0.2.1\"},"
        + "\"euw1\": {\"Type\": \"value\", \"Value\": \"192.0.2.2\"},"
        + "\"apne1\": {\"Type\": \"value\", \"Value\": \"192.0.2.3\"},"
        + "\"sae1\": {\"Type\": \"value\", \"Value\": \"192.0.2.4\"}},"
        + "\"Rules\": {\"lat\": {\"RuleType\": \"latency\", \"Regions\": ["
        + "{\"Region\": \"us-east-1\", \"EndpointReference\": \"use1\"},"
        + "{\"Region\": \"eu-west-1\", \"EndpointReference\": \"euw1\"},"
        + "{\"Region\": \"ap-northeast-1\", \"EndpointReference\": \"apne1\"},"
        + "{\"Region\": \"sa-east-1\", \"EndpointReference\": \"sae1\"}]}}}");
    StringBuilder places = new StringBuilder("network,continent,country,subdivision,latitude,longitude\n");
    StringBuilder latency = new StringBuilder("network,region,milliseconds\n");
    SplittableRandom random = new SplittableRandom(20261204L);
    String[] regions = {"us-east-1", "eu-west-1", "ap-northeast-1", "sa-east-1"};
    for (int i = 0; i < LATENCY_NETWORKS; i++) {
      String net = "10." + (i >> 8) + "." + (i & 0xff) + ".0/24";
      places.append(net).append(",EU,DE,,").append(String.format(Locale.ROOT, "%.4f,%.4f",
          random.nextDouble(-60, 60), random.nextDouble(-180, 180))).append('\n');
      for (String region : regions) {
        if (random.nextInt(3) > 0) {
          latency.append(net).append(',').append(region).append(',').append(5 + random.nextInt(300)).append('\n');
        }
      }
    }
    Files.writeString(dir.resolve("places.csv"), places);
    Files.writeString(dir.resolve("latency.csv"), latency);
    return serveConfig(dir, "www-latency", "\"geo\": {\"cidrTable\": \"places.csv\"}, \"latencyTable\": \"latency.csv\"");
  }

  /**
   * Writes the zone example.test (with {@code static}) and a serve configuration of it with the policy record
   * www.example.test of {@code dir/www.json} and the {@code inputs} members; returns the configuration's path.
   */
  private static Path serveConfig(Path dir, String policyId, String inputs) throws Exception {
    Files.writeString(dir.resolve("example.test.zone"), String.join("\n",
        "$ORIGIN example.test.", "$TTL 300",
        "@ IN SOA ns1 hostmaster 1 3600 600 86400 300", "@ IN NS ns1", "ns1 IN A 127.0.0.1",
        "static IN A 192.0.2.80", ""));
    Files.writeString(dir.resolve("serve.json"), "{\"listen\": [\"127.0.0.1:0\"],"
        + "\"zones\": [{\"origin\": \"example.test\", \"file\": \"example.test.zone\"}],"
        + "\"policyRecords\": [{\"zone\": \"example.test\", \"name\": \"www.example.test\", \"ttl\": 30,"
        + "\"document\": \"www.json\", \"policyId\": \"" + policyId + "\", \"policyVersion\": 1}], "
        + inputs + "}");
    return dir.resolve("serve.json");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.close();
  }

  @Benchmark
  public int policyAnswerWithEcs() {
    byte[] q = policyQueries.get(next);
    next = next + 1 == policyQueries.size() ? 0 : next + 1;
    return handler.handle(q, q.length, source, false, out, 0);
  }

  @Benchmark
  public int staticAnswer() {
    return handler.handle(staticQuery, staticQuery.length, source, false, out, 0);
  }

  @Benchmark
  public int nxdomain() {
    return handler.handle(missingQuery, missingQuery.length, source, false, out, 0);
  }
}
