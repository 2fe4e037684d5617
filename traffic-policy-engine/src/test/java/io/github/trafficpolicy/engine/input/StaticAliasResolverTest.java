package io.github.trafficpolicy.engine.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import org.junit.jupiter.api.Test;

final class StaticAliasResolverTest {
  private final StaticAliasResolver resolver = StaticAliasResolver.parse("""
      value,address
      # the production load balancer
      my-elb-1234.us-east-1.elb.amazonaws.com,192.0.2.10
      my-elb-1234.us-east-1.elb.amazonaws.com,192.0.2.11
      my-elb-1234.us-east-1.elb.amazonaws.com,2001:db8::10
      d111111abcdef8.cloudfront.net.,198.51.100.1
      www.example.com,203.0.113.80
      s3-website-eu-west-1.amazonaws.com,203.0.113.90
      """);

  @Test
  void resolve_a_returnsIpv4AddressesInTableOrder() {
    Endpoint elb = Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "my-elb-1234.us-east-1.elb.amazonaws.com");

    assertThat(resolver.resolve(elb, RecordType.A, "www.example.com")).extracting(RecordData::presentation)
        .containsExactly("192.0.2.10", "192.0.2.11");
    assertThat(resolver.resolve(elb, RecordType.AAAA, "www.example.com")).extracting(RecordData::presentation)
        .containsExactly("2001:db8::10");
  }

  @Test
  void resolve_dualstackCaseAndTrailingDot_findTheSameRow() {
    Endpoint elb = Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER,
        "DualStack.My-ELB-1234.us-east-1.elb.amazonaws.com.");
    Endpoint cloudfront = Endpoint.alias(EndpointType.CLOUDFRONT, "d111111abcdef8.cloudfront.net");

    assertThat(resolver.resolve(elb, RecordType.A, "x.example.com")).hasSize(2);
    assertThat(resolver.resolve(cloudfront, RecordType.A, "x.example.com")).extracting(RecordData::presentation)
        .containsExactly("198.51.100.1");
  }

  @Test
  void resolve_s3Website_foundByRecordNameThenRegionEndpoint() {
    Endpoint bucketNamedLikeRecord = Endpoint.s3Website("www.example.com", "us-east-1");
    Endpoint otherBucket = Endpoint.s3Website("assets.example.com", "eu-west-1");

    assertThat(resolver.resolve(bucketNamedLikeRecord, RecordType.A, "www.example.com"))
        .extracting(RecordData::presentation).containsExactly("203.0.113.80");
    assertThat(resolver.resolve(otherBucket, RecordType.A, "assets.example.com"))
        .extracting(RecordData::presentation).containsExactly("203.0.113.90");
  }

  @Test
  void resolve_unknownNameOrOtherType_isEmpty() {
    Endpoint unknown = Endpoint.alias(EndpointType.APPLICATION_LOAD_BALANCER, "other.elb.amazonaws.com");
    Endpoint elb = Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "my-elb-1234.us-east-1.elb.amazonaws.com");

    assertThat(resolver.resolve(unknown, RecordType.A, "www.example.com")).isEmpty();
    assertThat(resolver.resolve(elb, RecordType.TXT, "www.example.com")).isEmpty();
    assertThat(StaticAliasResolver.empty().resolve(elb, RecordType.A, "www.example.com")).isEmpty();
  }

  @Test
  void builder_addsAddressesPerName() {
    StaticAliasResolver built = StaticAliasResolver.builder()
        .add("lb.example.net", java.util.List.of("192.0.2.1", "2001:db8::1"))
        .build();
    Endpoint lb = Endpoint.alias(EndpointType.NETWORK_LOAD_BALANCER, "lb.example.net");

    assertThat(built.resolve(lb, RecordType.A, "x")).extracting(RecordData::presentation).containsExactly("192.0.2.1");
    assertThat(built.names()).containsExactly("lb.example.net");
  }

  @Test
  void parse_badLines_reportsEveryOne() {
    InvalidTableException e = catchThrowableOfType(InvalidTableException.class, () -> StaticAliasResolver.parse("""
        a.example.com,192.0.2.1
        a.example.com,192.0.2.1
        b.example.com,not-an-ip
        c.example.com
        """));

    assertThat(e.problems()).extracting(InvalidTableException.LineProblem::line).containsExactly(2, 3, 4);
    assertThat(e.getMessage()).contains(":2: 192.0.2.1 is listed twice for a.example.com")
        .contains(":3: 'not-an-ip' is not an IP address")
        .contains(":4: expected 2 fields");
  }
}
