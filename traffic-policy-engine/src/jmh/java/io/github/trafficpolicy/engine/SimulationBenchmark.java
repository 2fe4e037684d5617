package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.engine.input.MaxMindGeoLocator;
import io.github.trafficpolicy.engine.simulation.Simulation;
import io.github.trafficpolicy.engine.simulation.SimulationReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Simulation} over every network of the real GeoLite2-City database (IPv4 and IPv6; read from
 * {@value EvaluateBenchmark#DATABASE_PROPERTY}, default {@code ~/.cache/traffic-policy-bench/GeoLite2-City.mmdb})
 * with the {@code medium} fixture ({@link BenchmarkPolicies}: 40 rules, 200 endpoints, weighted rules explored as
 * exact distributions), one whole run per measurement (single shot: listing the networks, decoding every record,
 * evaluating every location):
 *
 * <ul>
 *   <li>{@code simulate}: the baseline report;
 *   <li>{@code diff}: with a second version (the top geolocation rule without its DE and FR entries);
 *   <li>{@code failEach20}: the baseline plus 20 failure cases, one per health check (the first 20 of the policy).
 * </ul>
 *
 * <p>Run (from the repository root; EvaluateBenchmark's main passes the database on):
 *
 * <pre>
 * ./mvnw -q -Pbench -pl traffic-policy-engine -am test -DskipTests -Djmh.args="SimulationBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class SimulationBenchmark {
  private MaxMindGeoLocator geo;
  private CompiledPolicy current;
  private CompiledPolicy next;
  private List<String> checks;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    geo = MaxMindGeoLocator.open(EvaluateBenchmark.database());
    PolicyDocument medium = BenchmarkPolicies.named("medium");
    PolicyEvaluator evaluator = PolicyEvaluator.builder().build();
    current = evaluator.compile(medium, new PolicyBinding("medium", 1, "www.example.com", 60));
    next = evaluator.compile(withoutCountries(medium, "DE", "FR"), new PolicyBinding("medium", 2, "www.example.com",
        60));
    Set<String> ids = new LinkedHashSet<>();
    for (Rule r : medium.rules().values()) {
      for (RuleEntry e : r.entries()) {
        e.healthCheck().map(HealthCheckId::value).ifPresent(ids::add);
      }
    }
    checks = new ArrayList<>(ids).subList(0, 20);
  }

  /** The document with the start rule's entries for these countries left out. */
  static PolicyDocument withoutCountries(PolicyDocument d, String... countries) {
    String start = d.start().id();
    GeolocationRule geo = (GeolocationRule) d.rules().get(io.github.trafficpolicy.api.RuleId.of(start));
    List<GeolocationEntry> kept = new ArrayList<>();
    for (GeolocationEntry e : geo.locations()) {
      Optional<String> c = e.country();
      if (c.isEmpty() || !List.of(countries).contains(c.get()) || e.subdivision().isPresent()) {
        kept.add(e);
      }
    }
    return d.toBuilder().rule(start, GeolocationRule.of(kept)).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    geo.close();
  }

  @Benchmark
  public SimulationReport simulate() throws IOException {
    return Simulation.builder(next).networks(geo::forEachNetwork).build().run();
  }

  @Benchmark
  public SimulationReport diff() throws IOException {
    return Simulation.builder(next).against(current).networks(geo::forEachNetwork).build().run();
  }

  @Benchmark
  public SimulationReport failEach20() throws IOException {
    Simulation.Builder b = Simulation.builder(current).networks(geo::forEachNetwork);
    for (String c : checks) {
      b.fail(List.of(c));
    }
    return b.build().run();
  }
}
