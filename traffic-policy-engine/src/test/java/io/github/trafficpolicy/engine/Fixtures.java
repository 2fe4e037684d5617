package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Rule;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Small helpers shared by the engine tests. */
public final class Fixtures {
  private Fixtures() {}

  public static final ClientSubnet CLIENT = ClientSubnet.parse("192.0.2.0/24");

  /** An A-record document starting at {@code start}, with value endpoints {@code a}…{@code j} (192.0.2.1…10). */
  public static PolicyDocument.Builder doc() {
    PolicyDocument.Builder b = PolicyDocument.builder().recordType(RecordType.A);
    for (int i = 0; i < 10; i++) {
      b.endpoint(String.valueOf((char) ('a' + i)), Endpoint.value("192.0.2." + (i + 1)));
    }
    return b;
  }

  /** {@link #doc()} plus alias endpoints {@code elb1}, {@code elb2}. */
  public static PolicyDocument.Builder docWithAliases() {
    return doc().endpoint("elb1", Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "dualstack.one.elb.amazonaws.com"))
        .endpoint("elb2", Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "dualstack.two.elb.amazonaws.com"));
  }

  public static PolicyDocument single(Rule rule) {
    return doc().rule("root", rule).startRule("root").build();
  }

  public static Optional<HealthCheckId> hc(String id) {
    return Optional.of(HealthCheckId.of(id));
  }

  public static HealthSnapshot health(Map<String, HealthStatus> checks) {
    HealthSnapshot.Builder b = HealthSnapshot.builder();
    checks.forEach(b::check);
    return b.build();
  }

  public static HealthStatus up(boolean healthy) {
    return healthy ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY;
  }

  public static CompiledPolicy compile(PolicyDocument d) {
    return compile(d, EvaluatorSettings.defaults());
  }

  public static CompiledPolicy compile(PolicyDocument d, EvaluatorSettings s) {
    return PolicyEvaluator.builder().settings(s).build().compile(d, "www.example.com");
  }

  /** The single endpoint id of the answer, or "NODATA". */
  public static String endpoint(Answer a) {
    if (a.outcome() == Outcome.NO_DATA) {
      return "NODATA";
    }
    if (a.endpoints().size() != 1) {
      throw new AssertionError("expected one endpoint but got " + a.endpoints());
    }
    return a.endpoints().get(0).value();
  }

  public static Query query(HealthSnapshot h) {
    return Query.builder(CLIENT).location(ClientLocation.UNKNOWN).health(h).build();
  }

  public static Query query(ClientLocation loc, HealthSnapshot h) {
    return Query.builder(CLIENT).location(loc).health(h).build();
  }

  /** Latency data from a map, valid for the given prefix. */
  public static ClientLatency latency(Map<String, Double> ms, int prefix) {
    return new ClientLatency() {
      @Override
      public OptionalDouble millis(String region) {
        Double d = ms.get(region);
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
      }

      @Override
      public int prefixLength() {
        return prefix;
      }
    };
  }
}
