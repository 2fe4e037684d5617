package io.github.trafficpolicy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.github.trafficpolicy.api.internal.DocumentParts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class PolicyValidatorTest {
  private static final Optional<Boolean> NO = Optional.of(false);

  /** A small document under test: endpoints and rules added in order. */
  private static final class Doc {
    FormatVersion version = FormatVersion.V2015_10_01;
    RecordType type = RecordType.A;
    Target start = Target.rule("root");
    final ImmutableMap.Builder<EndpointId, Endpoint> endpoints = ImmutableMap.builder();
    final ImmutableMap.Builder<RuleId, Rule> rules = ImmutableMap.builder();

    Doc endpoint(String id, Endpoint e) {
      endpoints.put(EndpointId.of(id), e);
      return this;
    }

    Doc rule(String id, Rule r) {
      rules.put(RuleId.of(id), r);
      return this;
    }

    ImmutableList<Problem> problems() {
      return PolicyValidator.validate(version, type, start, endpoints.buildOrThrow(), rules.buildOrThrow());
    }

    List<String> codesAndPaths() {
      List<String> out = new ArrayList<>();
      for (Problem p : problems()) {
        out.add((p.isError() ? "" : "warning ") + p.code() + " " + p.path());
      }
      return out;
    }
  }

  private static WeightedEntry weighted(int weight, Target t) {
    return new WeightedEntry(t, weight, NO, Optional.empty());
  }

  private static Doc twoValues() {
    return new Doc().endpoint("a", Endpoint.value("192.0.2.1")).endpoint("b", Endpoint.value("192.0.2.2"));
  }

  @Test
  void validate_validDocument_noProblems() {
    Doc d = twoValues().rule("root", WeightedRule.of(weighted(1, Target.endpoint("a")), weighted(0,
        Target.endpoint("b"))));
    assertThat(d.problems()).isEmpty();
  }

  @Test
  void validate_danglingStartRule_reportsStartRule() {
    Doc d = twoValues();
    d.start = Target.rule("missing");
    assertThat(d.codesAndPaths()).containsExactly("DANGLING_REFERENCE /StartRule");
  }

  @Test
  void validate_danglingStartEndpoint_reportsStartEndpoint() {
    Doc d = new Doc().endpoint("a", Endpoint.value("192.0.2.1"));
    d.start = Target.endpoint("nope");
    assertThat(d.codesAndPaths()).containsExactly("DANGLING_REFERENCE /StartEndpoint");
  }

  @Test
  void validate_danglingReferences_reportEachWithEscapedPath() {
    Doc d = twoValues().rule("root", new FailoverRule(
        new FailoverEntry(Target.endpoint("x/y"), NO, Optional.empty()),
        new FailoverEntry(Target.rule("z~1"), NO, Optional.empty())));
    d.rules.put(RuleId.of("r/1"), WeightedRule.of(weighted(1, Target.endpoint("a")), weighted(1,
        Target.endpoint("gone"))));
    assertThat(d.codesAndPaths()).containsExactly(
        "warning UNREACHABLE /Endpoints/a",
        "warning UNREACHABLE /Endpoints/b",
        "DANGLING_REFERENCE /Rules/root/Primary/EndpointReference",
        "DANGLING_REFERENCE /Rules/root/Secondary/RuleReference",
        "warning UNREACHABLE /Rules/r~11",
        "DANGLING_REFERENCE /Rules/r~11/Items/1/EndpointReference");
  }

  @Test
  void validate_cycle_reportsTheClosingReference() {
    Doc d = twoValues()
        .rule("root", new FailoverRule(new FailoverEntry(Target.rule("x"), NO, Optional.empty()),
            new FailoverEntry(Target.endpoint("b"), NO, Optional.empty())))
        .rule("x", WeightedRule.of(weighted(1, Target.rule("y")), weighted(1, Target.endpoint("a"))))
        .rule("y", WeightedRule.of(weighted(1, Target.rule("x"))));
    assertThat(d.codesAndPaths()).containsExactly("REFERENCE_CYCLE /Rules/y/Items/0/RuleReference");
  }

  @Test
  void validate_selfReference_isACycle() {
    Doc d = twoValues().rule("root", WeightedRule.of(weighted(1, Target.endpoint("a")), weighted(1,
        Target.endpoint("b")), weighted(1, Target.rule("root"))));
    assertThat(d.codesAndPaths()).containsExactly("REFERENCE_CYCLE /Rules/root/Items/2/RuleReference");
  }

  @Test
  void validate_sharedRule_isNotACycle() {
    Doc d = twoValues()
        .rule("root", new FailoverRule(new FailoverEntry(Target.rule("shared"), NO, Optional.empty()),
            new FailoverEntry(Target.rule("other"), NO, Optional.empty())))
        .rule("other", WeightedRule.of(weighted(1, Target.rule("shared"))))
        .rule("shared", WeightedRule.of(weighted(1, Target.endpoint("a")), weighted(1, Target.endpoint("b"))));
    assertThat(d.problems()).isEmpty();
  }

  @Test
  void validate_longChain_noStackOverflow() {
    Doc d = twoValues();
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      d.rule(i == 0 ? "root" : "r" + i, WeightedRule.of(weighted(1, i == n - 1 ? Target.endpoint("a")
          : Target.rule("r" + (i + 1)))));
    }
    d.rule("r" + n, WeightedRule.of(weighted(1, Target.rule("root")), weighted(1, Target.endpoint("b"))));
    assertThat(d.codesAndPaths())
        .containsExactly("warning UNREACHABLE /Endpoints/b", "warning UNREACHABLE /Rules/r" + n);
  }

  @Test
  void validate_aliasEndpointInCnamePolicy_typeMismatch() {
    Doc d = new Doc().endpoint("lb", Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "lb.example.com"));
    d.type = RecordType.CNAME;
    d.start = Target.endpoint("lb");
    assertThat(d.codesAndPaths()).containsExactly("ENDPOINT_TYPE_MISMATCH /Endpoints/lb/Type");
  }

  @Test
  void validate_s3WebsiteInAaaaPolicy_typeMismatch() {
    Doc d = new Doc().endpoint("s3", Endpoint.s3Website("www.example.com", "us-east-1"));
    d.type = RecordType.AAAA;
    d.start = Target.endpoint("s3");
    assertThat(d.codesAndPaths()).containsExactly("ENDPOINT_TYPE_MISMATCH /Endpoints/s3/Type");
  }

  @Test
  void validate_cloudfrontInAaaaPolicy_isFine() {
    Doc d = new Doc().endpoint("cf", Endpoint.alias(EndpointType.CLOUDFRONT, "d1.cloudfront.net"));
    d.type = RecordType.AAAA;
    d.start = Target.endpoint("cf");
    assertThat(d.problems()).isEmpty();
  }

  @Test
  void validate_s3WebsiteWithoutRegion_missingMember() {
    Doc d = new Doc().endpoint("s3", new Endpoint(EndpointType.S3_WEBSITE, "www.example.com", Optional.empty()));
    d.start = Target.endpoint("s3");
    assertThat(d.codesAndPaths()).containsExactly("MISSING_MEMBER /Endpoints/s3");
  }

  @Test
  void validate_s3WebsiteWithMalformedRegion_invalidValue() {
    Doc d = new Doc().endpoint("s3", Endpoint.s3Website("www.example.com", "aws:route53:us-east-1"));
    d.start = Target.endpoint("s3");
    assertThat(d.codesAndPaths()).containsExactly("INVALID_VALUE /Endpoints/s3/Region");
  }

  @Test
  void validate_emptyAliasValue_invalidValue() {
    Doc d = new Doc().endpoint("lb", Endpoint.alias(EndpointType.NETWORK_LOAD_BALANCER, ""));
    d.start = Target.endpoint("lb");
    assertThat(d.codesAndPaths()).containsExactly("INVALID_VALUE /Endpoints/lb/Value");
  }

  @Test
  void validate_valueNotRecordDataOfType_invalidRecordData() {
    Doc d = new Doc().endpoint("mx", Endpoint.value("mail.example.com"));
    d.type = RecordType.MX;
    d.start = Target.endpoint("mx");
    ImmutableList<Problem> problems = d.problems();
    assertThat(d.codesAndPaths()).containsExactly("INVALID_RECORD_DATA /Endpoints/mx/Value");
    assertThat(problems.get(0).message()).contains("MX");
  }

  @Test
  void validate_multivalueReferencingAlias_invalidRuleForType() {
    Doc d = new Doc().endpoint("a", Endpoint.value("192.0.2.1"))
        .endpoint("lb", Endpoint.alias(EndpointType.APPLICATION_LOAD_BALANCER, "lb.example.com"))
        .rule("root", MultivalueAnswerRule.of(MultivalueEntry.of("a"), MultivalueEntry.of("lb")));
    assertThat(d.codesAndPaths()).containsExactly("INVALID_RULE_FOR_TYPE /Rules/root/Items/1/EndpointReference");
  }

  @Test
  void validate_multivalueInCnamePolicy_invalidRuleForType() {
    Doc d = new Doc().endpoint("a", Endpoint.value("a.example.com"))
        .rule("root", MultivalueAnswerRule.of(MultivalueEntry.of("a")));
    d.type = RecordType.CNAME;
    assertThat(d.codesAndPaths()).containsExactly("INVALID_RULE_FOR_TYPE /Rules/root/RuleType");
  }

  @Test
  void validate_multivalueSameEndpointTwice_duplicateEntry() {
    Doc d = twoValues().rule("root", MultivalueAnswerRule.of(MultivalueEntry.of("a"), MultivalueEntry.of("b"),
        MultivalueEntry.of("a")));
    assertThat(d.codesAndPaths()).containsExactly("DUPLICATE_ENTRY /Rules/root/Items/2/EndpointReference");
  }

  @Test
  void validate_weightedOver100Items_invalidValue() {
    List<WeightedEntry> items = new ArrayList<>();
    for (int i = 0; i < 101; i++) {
      items.add(weighted(1, Target.endpoint(i % 2 == 0 ? "a" : "b")));
    }
    Doc d = twoValues().rule("root", WeightedRule.of(items));
    assertThat(d.codesAndPaths()).containsExactly("INVALID_VALUE /Rules/root/Items");
  }

  @Test
  void validate_geoTwoDefaults_duplicateDefault() {
    GeolocationEntry star = new GeolocationEntry(Target.endpoint("b"), Optional.empty(), Optional.of("*"),
        Optional.empty(), false, Optional.empty(), Optional.empty());
    Doc d = twoValues().rule("root", GeolocationRule.of(GeolocationEntry.defaultLocation(Target.endpoint("a")),
        GeolocationEntry.country("FR", Target.endpoint("a")), star));
    assertThat(d.codesAndPaths()).containsExactly("DUPLICATE_DEFAULT /Rules/root/Locations/2");
  }

  @Test
  void validate_geoStarWithIsDefault_isOneDefault() {
    GeolocationEntry both = new GeolocationEntry(Target.endpoint("b"), Optional.empty(), Optional.of("*"),
        Optional.empty(), true, Optional.empty(), Optional.empty());
    Doc d = twoValues().rule("root", GeolocationRule.of(GeolocationEntry.country("FR", Target.endpoint("a")), both));
    assertThat(d.problems()).isEmpty();
  }

  @Test
  void validate_geoDefaultWithCountry_invalidLocation() {
    GeolocationEntry e = new GeolocationEntry(Target.endpoint("b"), Optional.empty(), Optional.of("FR"),
        Optional.empty(), true, Optional.empty(), Optional.empty());
    Doc d = twoValues().rule("root", GeolocationRule.of(GeolocationEntry.country("DE", Target.endpoint("a")), e));
    assertThat(d.codesAndPaths()).containsExactly("INVALID_LOCATION /Rules/root/Locations/1");
  }

  @Test
  void validate_geoEntryWithoutLocation_invalidLocation() {
    GeolocationEntry e = new GeolocationEntry(Target.endpoint("b"), Optional.empty(), Optional.empty(),
        Optional.empty(), false, Optional.empty(), Optional.empty());
    Doc d = twoValues().rule("root", GeolocationRule.of(GeolocationEntry.country("DE", Target.endpoint("a")), e));
    assertThat(d.codesAndPaths()).containsExactly("INVALID_LOCATION /Rules/root/Locations/1");
  }

  @Test
  void validate_geoSubdivisionOutsideUs_warning() {
    Doc d = twoValues().rule("root", GeolocationRule.of(GeolocationEntry.subdivision("US", "WA",
        Target.endpoint("a")), GeolocationEntry.subdivision("CA", "QC", Target.endpoint("b"))));
    assertThat(d.codesAndPaths()).containsExactly("warning INVALID_LOCATION /Rules/root/Locations/1/Subdivision");
  }

  @Test
  void validate_geoMalformedCodes_invalidValue() {
    Doc d = twoValues().rule("root", GeolocationRule.of(GeolocationEntry.continent("XX", Target.endpoint("a")),
        GeolocationEntry.country("fra", Target.endpoint("b")),
        GeolocationEntry.subdivision("US", "wash", Target.endpoint("b"))));
    assertThat(d.codesAndPaths()).containsExactly("INVALID_VALUE /Rules/root/Locations/0/Continent",
        "INVALID_VALUE /Rules/root/Locations/1/Country", "INVALID_VALUE /Rules/root/Locations/2/Subdivision");
  }

  @Test
  void validate_geoDuplicateLocation_duplicateEntry() {
    Doc d = twoValues().rule("root", GeolocationRule.of(GeolocationEntry.country("FR", Target.endpoint("a")),
        GeolocationEntry.subdivision("US", "WA", Target.endpoint("a")),
        GeolocationEntry.country("FR", Target.endpoint("b"))));
    assertThat(d.codesAndPaths()).containsExactly("DUPLICATE_ENTRY /Rules/root/Locations/2");
  }

  @Test
  void validate_latencyDuplicateRegion_duplicateEntry() {
    Doc d = twoValues().rule("root", LatencyRule.of(
        new LatencyEntry(Target.endpoint("a"), "us-east-1", NO, Optional.empty()),
        new LatencyEntry(Target.endpoint("b"), "us-east-1", NO, Optional.empty())));
    assertThat(d.codesAndPaths()).containsExactly("DUPLICATE_ENTRY /Rules/root/Regions/1/Region");
  }

  @Test
  void validate_latencyPrefixedRegion_invalidValue() {
    Doc d = twoValues().rule("root", LatencyRule.of(
        new LatencyEntry(Target.endpoint("a"), "aws:route53:us-east-1", NO, Optional.empty()),
        new LatencyEntry(Target.endpoint("b"), "eusc-de-east-1", NO, Optional.empty())));
    assertThat(d.codesAndPaths()).containsExactly("INVALID_VALUE /Rules/root/Regions/0/Region");
  }

  @Test
  void validate_localZoneIn2015_invalidLocation() {
    Doc d = twoValues().rule("root", GeoproximityRule.of(
        new GeoproximityEntry(Target.endpoint("a"), new GeoproximityLocation.LocalZone("aws:route53:us-east-1-atl-1a"),
            0, NO, Optional.empty()),
        new GeoproximityEntry(Target.endpoint("b"), GeoproximityLocation.Coordinate.of("1.5", "2"), 0, NO,
            Optional.empty())));
    assertThat(d.codesAndPaths()).containsExactly("INVALID_LOCATION /Rules/root/GeoproximityLocations/0");
    d.version = FormatVersion.V2023_05_09;
    assertThat(d.problems()).isEmpty();
  }

  @Test
  void validate_geoproximityUnprefixedRegion_invalidValueAtVersionPath() {
    Doc d = twoValues().rule("root", GeoproximityRule.of(
        new GeoproximityEntry(Target.endpoint("a"), new GeoproximityLocation.Region("us-east-1"), 0, NO,
            Optional.empty())));
    assertThat(d.codesAndPaths()).containsExactly("warning UNREACHABLE /Endpoints/b",
        "INVALID_VALUE /Rules/root/GeoproximityLocations/0/Region");
    d.version = FormatVersion.V2023_05_09;
    assertThat(d.codesAndPaths()).containsExactly("warning UNREACHABLE /Endpoints/b",
        "INVALID_VALUE /Rules/root/GeoproximityLocations/0/Location/LocationName");
  }

  @Test
  void validate_geoproximityDuplicateCoordinates_duplicateEntry() {
    Doc d = twoValues().rule("root", GeoproximityRule.of(
        new GeoproximityEntry(Target.endpoint("a"), GeoproximityLocation.Coordinate.of("1.50", "2"), 0, NO,
            Optional.empty()),
        new GeoproximityEntry(Target.endpoint("b"), GeoproximityLocation.Coordinate.of("1.50", "2"), 5, NO,
            Optional.empty())));
    assertThat(d.codesAndPaths()).containsExactly("DUPLICATE_ENTRY /Rules/root/GeoproximityLocations/1");
  }

  @Test
  void validate_unreachableEndpointAndRule_warnings() {
    Doc d = twoValues().endpoint("c", Endpoint.value("192.0.2.3"))
        .rule("root", WeightedRule.of(weighted(1, Target.endpoint("a"))))
        .rule("orphan", WeightedRule.of(weighted(1, Target.endpoint("b"))));
    assertThat(d.codesAndPaths()).containsExactly("warning UNREACHABLE /Endpoints/b",
        "warning UNREACHABLE /Endpoints/c", "warning UNREACHABLE /Rules/orphan");
    assertThat(d.problems()).noneMatch(Problem::isError);
  }

  @Test
  void validate_omittedEvaluateTargetHealth_warnsOnRuleAndAliasOnly() {
    Doc d = twoValues().endpoint("lb", Endpoint.alias(EndpointType.ELASTIC_BEANSTALK, "env.elasticbeanstalk.com"))
        .endpoint("cf", Endpoint.alias(EndpointType.CLOUDFRONT, "d1.cloudfront.net"))
        .rule("root", WeightedRule.of(WeightedEntry.of(1, Target.rule("leaf")), WeightedEntry.of(1,
            Target.endpoint("lb")), WeightedEntry.of(1, Target.endpoint("a")), WeightedEntry.of(1,
            Target.endpoint("cf"))))
        .rule("leaf", WeightedRule.of(weighted(1, Target.endpoint("b"))));
    assertThat(d.codesAndPaths()).containsExactly("warning IMPLICIT_EVALUATE_TARGET_HEALTH /Rules/root/Items/0",
        "warning IMPLICIT_EVALUATE_TARGET_HEALTH /Rules/root/Items/1");
  }

  @Test
  void validate_evaluateTargetHealthTrueOnCloudfront_ignoredWarning() {
    Doc d = new Doc().endpoint("cf", Endpoint.alias(EndpointType.CLOUDFRONT, "d1.cloudfront.net"))
        .rule("root", new FailoverRule(new FailoverEntry(Target.endpoint("cf"), Optional.of(true), Optional.empty()),
            new FailoverEntry(Target.endpoint("cf"), NO, Optional.empty())));
    assertThat(d.codesAndPaths()).containsExactly(
        "warning IGNORED_EVALUATE_TARGET_HEALTH /Rules/root/Primary/EvaluateTargetHealth");
  }

  @Test
  void validate_brokenParts_areNeitherDanglingNorUnreachableCause() {
    DocumentParts parts = new DocumentParts(Optional.of(FormatVersion.V2015_10_01),
        Optional.empty(), Optional.of(Target.rule("root")),
        ImmutableMap.of(EndpointId.of("a"), Endpoint.value("not an address")),
        ImmutableMap.of(RuleId.of("root"), WeightedRule.of(weighted(1, Target.endpoint("a")), weighted(1,
            Target.rule("broken")), weighted(1, Target.endpoint("brokenEndpoint")))),
        ImmutableSet.of(EndpointId.of("brokenEndpoint")), ImmutableSet.of(RuleId.of("broken")), ImmutableMap.of());
    assertThat(PolicyValidator.validate(parts)).isEmpty();
  }

  @Test
  void validate_partialRule_pathsUseDocumentPositions() {
    DocumentParts parts = new DocumentParts(Optional.of(FormatVersion.V2015_10_01),
        Optional.of(RecordType.A), Optional.of(Target.rule("root")),
        ImmutableMap.of(EndpointId.of("a"), Endpoint.value("192.0.2.1")),
        ImmutableMap.of(RuleId.of("root"), WeightedRule.of(weighted(1, Target.endpoint("a")), weighted(1,
            Target.endpoint("gone")))),
        ImmutableSet.of(), ImmutableSet.of(), ImmutableMap.of(RuleId.of("root"), ImmutableList.of(0, 3)));
    assertThat(PolicyValidator.validate(parts)).extracting(p -> p.code() + " " + p.path())
        .containsExactly("DANGLING_REFERENCE /Rules/root/Items/3/EndpointReference");
  }

  @Test
  void documentBuilder_invalidDocument_throwsWithEveryError() {
    PolicyDocument.Builder b = PolicyDocument.builder().recordType(RecordType.CNAME).startRule("root")
        .endpoint("lb", Endpoint.alias(EndpointType.ELASTIC_LOAD_BALANCER, "lb.example.com"))
        .rule("root", WeightedRule.of(weighted(1, Target.endpoint("lb")), weighted(1, Target.endpoint("x"))));
    assertThatThrownBy(b::build).isInstanceOfSatisfying(InvalidPolicyException.class, e ->
        assertThat(e.errors()).extracting(Problem::code).containsExactly(ProblemCode.ENDPOINT_TYPE_MISMATCH,
            ProblemCode.DANGLING_REFERENCE));
  }

  @Test
  void pointer_escapesTildeAndSlash() {
    assertThat(Problem.pointer("Rules", "a/b~c", 0)).isEqualTo("/Rules/a~1b~0c/0");
    assertThat(Problem.pointer()).isEmpty();
  }
}
