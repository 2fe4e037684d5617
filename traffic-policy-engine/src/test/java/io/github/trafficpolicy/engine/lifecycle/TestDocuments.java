package io.github.trafficpolicy.engine.lifecycle;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.ProblemCode;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Documents for registry tests and a {@link DocumentCodec} over them. The registry treats document text as opaque
 * (it stores it and hands it to its codec), so these tests use a codec that knows a fixed set of texts; texts it
 * does not know are invalid, with a problem at {@code /} like a real codec's parse error.
 */
final class TestDocuments {
  private TestDocuments() {}

  /** A weighted A policy over two values, the first with a health check. */
  static PolicyDocument weightedA(String first, String second, String healthCheck) {
    return PolicyDocument.builder()
        .recordType(RecordType.A)
        .startRule("split")
        .endpoint("first", Endpoint.value(first))
        .endpoint("second", Endpoint.value(second))
        .rule("split", WeightedRule.of(List.of(
            new WeightedEntry(Target.endpoint("first"), 70, Optional.empty(),
                Optional.of(HealthCheckId.of(healthCheck))),
            WeightedEntry.of(30, Target.endpoint("second")))))
        .build();
  }

  /** A failover AAAA policy. */
  static PolicyDocument failoverAaaa(String primary, String secondary) {
    return PolicyDocument.builder()
        .recordType(RecordType.AAAA)
        .startRule("fo")
        .endpoint("p", Endpoint.value(primary))
        .endpoint("s", Endpoint.value(secondary))
        .rule("fo", new FailoverRule(FailoverEntry.of(Target.endpoint("p")), FailoverEntry.of(Target.endpoint("s"))))
        .build();
  }

  /** An A policy answering one value. */
  static PolicyDocument singleA(String value) {
    return PolicyDocument.builder().recordType(RecordType.A).startEndpoint("only")
        .endpoint("only", Endpoint.value(value)).build();
  }

  /** A codec over registered texts. */
  static final class Codec implements DocumentCodec {
    private final Map<String, PolicyDocument> byText = new ConcurrentHashMap<>();

    /** Registers {@code document} under {@code text} and returns the text. */
    String text(String text, PolicyDocument document) {
      byText.put(text, document);
      return text;
    }

    @Override
    public PolicyDocument read(String text) {
      PolicyDocument d = byText.get(text);
      if (d == null) {
        throw new InvalidPolicyException(List.of(
            Problem.error("", ProblemCode.MALFORMED_JSON, "not a known test document: " + text)));
      }
      return d;
    }

    @Override
    public String write(PolicyDocument document) {
      String text = "{\"built\": " + byText.size() + "}\n";
      byText.put(text, document);
      return text;
    }
  }
}
