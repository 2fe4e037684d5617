package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.engine.input.MaxMindGeoLocator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Evaluation speed on the {@link BenchmarkPolicies} fixtures (small, medium: 40 rules / 200 endpoints, large: 400
 * rules / 2,000 endpoints / depth 8):
 *
 * <ul>
 *   <li>{@code evaluate}: location already resolved (Seattle), tracing off — the hot path of a DNS server that
 *       located the client itself;
 *   <li>{@code evaluateTraced}: the same with the trace recorded;
 *   <li>{@code evaluateWithMaxMind}: the client located by a MaxMind lookup in the real GeoLite2-City database,
 *       over 4,096 fixed pseudo-random public IPv4 clients;
 *   <li>{@code maxMindLookup}: that lookup alone.
 * </ul>
 *
 * <p>Clients cycle over 4,096 /24 subnets so weighted choices vary. The GeoLite2-City database is read from the
 * system property {@value #DATABASE_PROPERTY}, by default {@code ~/.cache/traffic-policy-bench/GeoLite2-City.mmdb};
 * {@link #main} leaves the two MaxMind cases out when it is absent. Run (from the repository root):
 *
 * <pre>
 * ./mvnw -q -Pbench -pl traffic-policy-engine -am test -DskipTests -Djmh.args="-prof gc"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EvaluateBenchmark {
  /** The system property naming the GeoLite2-City database. */
  public static final String DATABASE_PROPERTY = "traffic-policy.bench.geolite2-city";

  private static final int CLIENTS = 4096;

  @Param({"small", "medium", "large"})
  public String size;

  private Query[] located;
  private Query[] locatedTraced;
  private Query[] unlocated;
  private InetAddress[] addresses;
  private CompiledPolicy policy;
  private CompiledPolicy policyWithMaxMind;
  private MaxMindGeoLocator maxMind;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    PolicyDocument document = BenchmarkPolicies.named(size);
    PolicyBinding binding = PolicyBinding.standalone("www.example.com");
    policy = PolicyEvaluator.builder().build().compile(document, binding);
    located = new Query[CLIENTS];
    locatedTraced = new Query[CLIENTS];
    unlocated = new Query[CLIENTS];
    addresses = new InetAddress[CLIENTS];
    SplittableRandom random = new SplittableRandom(20261126);
    for (int i = 0; i < CLIENTS; i++) {
      ClientSubnet subnet = ClientSubnet.parse("10." + (i >> 8) + "." + (i & 255) + ".0/24");
      located[i] = Query.builder(subnet).location(BenchmarkPolicies.SEATTLE).build();
      locatedTraced[i] = Query.builder(subnet).location(BenchmarkPolicies.SEATTLE).trace(true).build();
      addresses[i] = publicIpv4(random);
      unlocated[i] = Query.of(new ClientSubnet(addresses[i], 24));
    }
    Path database = database();
    if (Files.isReadable(database)) {
      maxMind = MaxMindGeoLocator.open(database);
      policyWithMaxMind = PolicyEvaluator.builder().geoLocator(maxMind).build().compile(document, binding);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (maxMind != null) {
      maxMind.close();
    }
  }

  @Benchmark
  public Answer evaluate() {
    return policy.evaluate(located[next++ & (CLIENTS - 1)]);
  }

  @Benchmark
  public Answer evaluateTraced() {
    return policy.evaluate(locatedTraced[next++ & (CLIENTS - 1)]);
  }

  @Benchmark
  public Answer evaluateWithMaxMind() {
    return requireMaxMind(policyWithMaxMind).evaluate(unlocated[next++ & (CLIENTS - 1)]);
  }

  @Benchmark
  public GeoLookup maxMindLookup() {
    return requireMaxMind(maxMind).locate(addresses[next++ & (CLIENTS - 1)]);
  }

  private static <T> T requireMaxMind(T value) {
    if (value == null) {
      throw new IllegalStateException("no GeoLite2-City database at " + database()
          + "; set -D" + DATABASE_PROPERTY + " or run EvaluateBenchmark.main, which skips the MaxMind cases");
    }
    return value;
  }

  static Path database() {
    String configured = System.getProperty(DATABASE_PROPERTY);
    return configured != null ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "traffic-policy-bench", "GeoLite2-City.mmdb");
  }

  /** A pseudo-random address outside 0/8, 10/8, 127/8, 224/3 (mostly located by GeoLite2). */
  private static InetAddress publicIpv4(SplittableRandom random) {
    while (true) {
      int a = random.nextInt(1, 224);
      if (a == 10 || a == 127) {
        continue;
      }
      try {
        return InetAddress.getByAddress(new byte[] {(byte) a, (byte) random.nextInt(256),
            (byte) random.nextInt(256), (byte) random.nextInt(256)});
      } catch (UnknownHostException e) {
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Runs this benchmark with JMH's command-line options ({@code -prof gc}, {@code -p size=medium} …), leaving the
   * MaxMind cases out when the GeoLite2-City database is absent.
   */
  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    OptionsBuilder options = new OptionsBuilder();
    options.parent(cli);
    if (cli.getIncludes().isEmpty()) {
      options.include(EvaluateBenchmark.class.getName());
    }
    Path database = database();
    if (Files.isReadable(database)) {
      options.jvmArgsAppend("-D" + DATABASE_PROPERTY + "=" + database);
    } else {
      System.out.println("No GeoLite2-City database at " + database + ": skipping the MaxMind cases.");
      options.exclude(".*MaxMind.*");
    }
    new Runner(options.build()).run();
  }
}
