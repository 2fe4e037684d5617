package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.engine.input.DnsAliasResolver;
import io.github.trafficpolicy.engine.input.FakeUpstream;
import io.github.trafficpolicy.engine.input.StaticAliasResolver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

/**
 * The cost of answering with an alias target: the geolocation → latency → failover example of the test data
 * ({@code 04-geo-latency-failover.json}, whose Washington clients end at a load balancer), evaluated for located
 * clients (4,096 /24 subnets in Seattle) three ways:
 *
 * <ul>
 *   <li>{@code value}: every load balancer replaced by a {@code value} endpoint with one address (the baseline);
 *   <li>{@code live}: the load balancers resolved by a {@link DnsAliasResolver} (looked up once, from a resolver on
 *       loopback, before measuring: the fresh, cached state every query reads);
 *   <li>{@code table}: the load balancers answered from a {@link StaticAliasResolver}.
 * </ul>
 *
 * <p>Run (from the repository root):
 *
 * <pre>
 * ./mvnw -q -Pbench -pl traffic-policy-engine -am test -DskipTests -Djmh.args="AliasBenchmark -prof gc"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AliasBenchmark {
  private static final int CLIENTS = 4096;
  private static final Pattern ELB = Pattern.compile(
      "\"Type\": \"elastic-load-balancer\",\\s*\"Value\": \"([^\"]+)\"");

  @Param({"value", "live", "table"})
  public String endpoints;

  private Query[] queries;
  private CompiledPolicy policy;
  private FakeUpstream upstream;
  private DnsAliasResolver live;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    String text = resource("route53-policies/04-geo-latency-failover.json");
    PolicyBinding binding = new PolicyBinding("geo", 1, "www.example.com", 60);
    PolicyEvaluator.Builder evaluator = PolicyEvaluator.builder();
    PolicyDocument document = PolicyDocumentJson.read(text);
    StringBuilder table = new StringBuilder("value,address\n");
    upstream = new FakeUpstream();
    Matcher m = ELB.matcher(text);
    StringBuilder values = new StringBuilder();
    int i = 0;
    while (m.find()) {
      String address = "192.0.2." + (100 + i++);
      upstream.put(m.group(1), "60 IN A " + address);
      table.append(m.group(1)).append(',').append(address).append('\n');
      m.appendReplacement(values, Matcher.quoteReplacement("\"Type\": \"value\", \"Value\": \"" + address + "\""));
    }
    m.appendTail(values);
    upstream.put("s3-website-us-east-1.amazonaws.com", "60 IN A 192.0.2.150");
    table.append("s3-website-us-east-1.amazonaws.com,192.0.2.150\n");
    switch (endpoints) {
      case "value" -> document = PolicyDocumentJson.read(values.toString());
      case "live" -> {
        live = DnsAliasResolver.builder().resolver(upstream.address()).build();
        evaluator.aliasResolver(live);
      }
      case "table" -> evaluator.aliasResolver(StaticAliasResolver.parse(table.toString()));
      default -> throw new IllegalArgumentException(endpoints);
    }
    policy = evaluator.build().compile(document, binding);
    if (live != null && !live.awaitTargets(Duration.ofSeconds(30))) {
      throw new IllegalStateException("alias targets not resolved: " + live.targets());
    }
    queries = new Query[CLIENTS];
    for (int c = 0; c < CLIENTS; c++) {
      queries[c] = Query.builder(ClientSubnet.parse("10." + (c >> 8) + "." + (c & 255) + ".0/24"))
          .location(BenchmarkPolicies.SEATTLE).build();
    }
    Answer a = policy.evaluate(queries[0]);
    if (a.records().isEmpty() || !a.endpoints().get(0).value().equals("usw2-primary-elb")) {
      throw new IllegalStateException("unexpected answer " + a);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (live != null) {
      live.close();
    }
    upstream.close();
  }

  @Benchmark
  public Answer evaluate() {
    return policy.evaluate(queries[next++ & (CLIENTS - 1)]);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = AliasBenchmark.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("no resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
