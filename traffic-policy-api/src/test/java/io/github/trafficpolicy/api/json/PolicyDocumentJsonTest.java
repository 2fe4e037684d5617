package io.github.trafficpolicy.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.GeoproximityRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.ProblemCode;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class PolicyDocumentJsonTest {

  /** A valid weighted document; tests replace {@code ITEMS} (and other markers) to make variants. */
  private static final String WEIGHTED = """
      {
        "AWSPolicyFormatVersion": "2015-10-01",
        "RecordType": "A",
        "StartRule": "w",
        "Endpoints": {
          "a": {"Type": "value", "Value": "192.0.2.1"},
          "b": {"Type": "value", "Value": "192.0.2.2"}
        },
        "Rules": {
          "w": {"RuleType": "weighted", "Items": [ITEMS]}
        }
      }""";

  private static final String ITEMS = """
      {"EndpointReference": "a", "Weight": "1"}, {"EndpointReference": "b", "Weight": "2"}""";

  private static String weighted(String items) {
    return WEIGHTED.replace("ITEMS", items);
  }

  private static List<String> errors(String text) {
    return PolicyDocumentJson.check(text).errors().stream().map(p -> p.code() + " " + p.path()).toList();
  }

  private static List<String> problems(String text) {
    return PolicyDocumentJson.check(text).problems().stream()
        .map(p -> (p.isError() ? "" : "warning ") + p.code() + " " + p.path()).toList();
  }

  @Test
  void read_validDocument_givesModel() {
    PolicyDocument d = PolicyDocumentJson.read(weighted(ITEMS));
    assertThat(d.recordType()).isEqualTo(RecordType.A);
    assertThat(d.start()).isEqualTo(Target.rule("w"));
    assertThat(d.rule(RuleId.of("w"))).isEqualTo(WeightedRule.of(WeightedEntry.of(1, Target.endpoint("a")),
        WeightedEntry.of(2, Target.endpoint("b"))));
  }

  @Test
  void read_everySource_givesTheSameDocument(@TempDir Path dir) throws IOException {
    String text = weighted(ITEMS);
    Path file = dir.resolve("p.json");
    Files.writeString(file, text);
    PolicyDocument d = PolicyDocumentJson.read(text);
    assertThat(PolicyDocumentJson.read(new StringReader(text))).isEqualTo(d);
    assertThat(PolicyDocumentJson.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(d);
    assertThat(PolicyDocumentJson.read(file)).isEqualTo(d);
    assertThat(PolicyDocumentJson.write(PolicyDocumentJson.read(file))).isEqualTo(text);
  }

  @Test
  void read_missingFile_invalidPolicyExceptionSayingSo(@TempDir Path dir) {
    assertThatThrownBy(() -> PolicyDocumentJson.read(dir.resolve("nope.json")))
        .isInstanceOf(InvalidPolicyException.class).hasMessageContaining("could not be read");
  }

  @Test
  void read_missingFile_messageSaysNoSuchFileWithoutExceptionClassName(@TempDir Path dir) {
    Path file = dir.resolve("nope.json");
    assertThatThrownBy(() -> PolicyDocumentJson.read(file))
        .hasMessageContaining("the file " + file + " could not be read: no such file")
        .message().doesNotContain("Exception");
  }

  @Test
  void read_directory_messageSaysWhyWithoutExceptionClassName(@TempDir Path dir) {
    assertThatThrownBy(() -> PolicyDocumentJson.read(dir))
        .hasMessageContaining("could not be read: ")
        .message().doesNotContain("Exception");
  }

  @Test
  void read_failingReader_invalidPolicyException() {
    Reader broken = new Reader() {
      @Override
      public int read(char[] buf, int off, int len) throws IOException {
        throw new IOException("disk on fire");
      }

      @Override
      public void close() {}
    };
    assertThatThrownBy(() -> PolicyDocumentJson.read(broken)).isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("disk on fire");
  }

  @Test
  void read_invalidUtf8_malformedJson() {
    byte[] bytes = weighted(ITEMS).getBytes(StandardCharsets.UTF_8);
    bytes[10] = (byte) 0xC3;
    bytes[11] = (byte) 0x28;
    assertThat(PolicyDocumentJson.check(new ByteArrayInputStream(bytes)).errors()).extracting(Problem::code)
        .containsExactly(ProblemCode.MALFORMED_JSON);
  }

  @Test
  void read_tokenStyles_allAcceptedAndEqual() {
    String strings = weighted("""
        {"EndpointReference": "a", "Weight": "1", "EvaluateTargetHealth": "true"},
        {"EndpointReference": "b", "Weight": "0", "EvaluateTargetHealth": "false"}""");
    String natives = weighted("""
        {"EndpointReference": "a", "Weight": 1, "EvaluateTargetHealth": true},
        {"Weight": 0, "EvaluateTargetHealth": false, "EndpointReference": "b"}""");
    assertThat(PolicyDocumentJson.read(strings)).isEqualTo(PolicyDocumentJson.read(natives));
    assertThat(PolicyDocumentJson.write(PolicyDocumentJson.read(natives))).isEqualTo(natives);
  }

  @Test
  void read_malformedJson_givesLineAndColumn() {
    PolicyCheck c =
        PolicyDocumentJson.check("{\n  \"AWSPolicyFormatVersion\": \"2015-10-01\",\n  \"RecordType\" \"A\"\n}");
    assertThat(c.errors()).hasSize(1);
    assertThat(c.errors().get(0).code()).isEqualTo(ProblemCode.MALFORMED_JSON);
    assertThat(c.errors().get(0).message()).contains("line 3, column 16");
  }

  @Test
  void read_byteOrderMark_malformedJsonSayingSo() {
    byte[] text = weighted(ITEMS).getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[text.length + 3];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(text, 0, bytes, 3, text.length);
    PolicyCheck c = PolicyDocumentJson.check(new ByteArrayInputStream(bytes));
    assertThat(c.errors()).extracting(Problem::code).containsExactly(ProblemCode.MALFORMED_JSON);
    assertThat(c.errors().get(0).message()).contains("byte order mark");
  }

  @Test
  void read_emptyAndTrailingContent_malformedJson() {
    assertThat(errors("")).containsExactly("MALFORMED_JSON ");
    assertThat(errors("  ")).containsExactly("MALFORMED_JSON ");
    assertThat(errors(weighted(ITEMS) + " {}")).containsExactly("MALFORMED_JSON ");
  }

  @Test
  void read_deepNesting_malformedJsonWithoutStackOverflow() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    PolicyCheck c = PolicyDocumentJson.check(deep);
    assertThat(c.errors()).extracting(Problem::code).containsExactly(ProblemCode.DOCUMENT_TOO_LARGE,
        ProblemCode.MALFORMED_JSON);
    assertThat(c.errors().get(1).message()).contains("nested deeper than");
  }

  @Test
  void read_notAnObject_wrongType() {
    assertThat(errors("[1, 2]")).containsExactly("WRONG_TYPE ");
    assertThat(errors("\"text\"")).containsExactly("WRONG_TYPE ");
  }

  @Test
  void read_wrongTypes_reportedAtTheirPaths() {
    String text = weighted("""
        {"EndpointReference": 5, "Weight": true}, {"EndpointReference": "b", "Weight": "2", "HealthCheck": 1,
         "EvaluateTargetHealth": 1}""").replace("\"Type\": \"value\", \"Value\": \"192.0.2.1\"", "\"Type\": "
        + "\"value\", \"Value\": null");
    assertThat(errors(text)).containsExactly("WRONG_TYPE /Endpoints/a/Value",
        "WRONG_TYPE /Rules/w/Items/0/EndpointReference", "WRONG_TYPE /Rules/w/Items/0/Weight",
        "WRONG_TYPE /Rules/w/Items/1/HealthCheck", "WRONG_TYPE /Rules/w/Items/1/EvaluateTargetHealth");
  }

  @Test
  void read_itemsNotArray_wrongType() {
    assertThat(errors(WEIGHTED.replace("[ITEMS]", "{}"))).containsExactly("WRONG_TYPE /Rules/w/Items");
  }

  @Test
  void read_emptyItems_invalidValue() {
    assertThat(errors(WEIGHTED.replace("[ITEMS]", "[]"))).containsExactly("INVALID_VALUE /Rules/w/Items");
  }

  @Test
  void read_unknownMember_errorOrWarningByOption() {
    String text = weighted(ITEMS.replace("\"Weight\": \"1\"", "\"Weight\": \"1\", \"Weigth\": \"3\""))
        .replace("\"StartRule\"", "\"Comment\": \"x\", \"StartRule\"");
    assertThat(errors(text)).containsExactly("UNKNOWN_MEMBER /Comment", "UNKNOWN_MEMBER /Rules/w/Items/0/Weigth");
    PolicyCheck lenient = PolicyDocumentJson.reader(PolicyDocumentJson.Options.defaults()
        .withUnknownMembersAsWarnings(true)).check(text);
    assertThat(lenient.isValid()).isTrue();
    assertThat(lenient.warnings()).extracting(Problem::code).containsExactly(ProblemCode.UNKNOWN_MEMBER,
        ProblemCode.UNKNOWN_MEMBER);
    assertThat(lenient.document().orElseThrow().warnings()).isEqualTo(lenient.warnings());
    assertThat(PolicyDocumentJson.write(lenient.document().orElseThrow())).isEqualTo(text);
  }

  @Test
  void read_duplicateMember_reportedAtTheDuplicate() {
    String text = weighted(ITEMS.replace("\"Weight\": \"1\"", "\"Weight\": \"1\", \"Weight\": \"2\""));
    List<Problem> errors = PolicyDocumentJson.check(text).errors();
    assertThat(errors).extracting(p -> p.code() + " " + p.path())
        .containsExactly("DUPLICATE_MEMBER /Rules/w/Items/0/Weight");
    assertThat(errors.get(0).message()).contains("line 10");
  }

  @Test
  void read_missingMembers_reportedAtTheirObject() {
    String text = weighted("{\"EndpointReference\": \"a\"}, {\"EndpointReference\": \"b\", \"Weight\": \"2\"}")
        .replace("\"RecordType\": \"A\",", "")
        .replace("{\"Type\": \"value\", \"Value\": \"192.0.2.1\"}", "{\"Type\": \"value\"}");
    assertThat(errors(text)).containsExactly("MISSING_MEMBER ", "MISSING_MEMBER /Endpoints/a",
        "MISSING_MEMBER /Rules/w/Items/0");
  }

  @Test
  void read_outOfRangeAndMalformedNumbers_invalidValue() {
    String text = weighted("""
        {"EndpointReference": "a", "Weight": "-1"}, {"EndpointReference": "b", "Weight": 2.5},
        {"EndpointReference": "b", "Weight": "99999999999999999999999"},
        {"EndpointReference": "a", "Weight": "ten"}""");
    assertThat(errors(text)).containsExactly("INVALID_VALUE /Rules/w/Items/0/Weight",
        "INVALID_VALUE /Rules/w/Items/1/Weight", "INVALID_VALUE /Rules/w/Items/2/Weight",
        "INVALID_VALUE /Rules/w/Items/3/Weight");
  }

  @Test
  void read_invalidBooleanString_invalidValue() {
    assertThat(errors(weighted(ITEMS.replace("\"Weight\": \"1\"", "\"Weight\": \"1\", \"EvaluateTargetHealth\": "
        + "\"yes\"")))).containsExactly("INVALID_VALUE /Rules/w/Items/0/EvaluateTargetHealth");
  }

  @Test
  void read_bothOrNeitherStart_startConflict() {
    assertThat(errors(weighted(ITEMS).replace("\"StartRule\": \"w\",", "\"StartRule\": \"w\", \"StartEndpoint\": "
        + "\"a\","))).containsExactly("START_CONFLICT ");
    assertThat(errors(weighted(ITEMS).replace("\"StartRule\": \"w\",", ""))).containsExactly("START_CONFLICT ");
  }

  @Test
  void read_nullReferenceBesideTheOther_wrongTypeLikeEveryNull() {
    assertThat(errors(weighted("""
        {"EndpointReference": null, "RuleReference": "w", "Weight": "1"},
        {"EndpointReference": "a", "RuleReference": null, "Weight": "2"}""")))
        .containsExactly("WRONG_TYPE /Rules/w/Items/0/EndpointReference",
            "WRONG_TYPE /Rules/w/Items/1/RuleReference");
    assertThat(errors(weighted(ITEMS).replace("\"StartRule\": \"w\",", "\"StartRule\": \"w\", \"StartEndpoint\": "
        + "null,"))).containsExactly("WRONG_TYPE /StartEndpoint");
  }

  @Test
  void read_bothOrNeitherReference_referenceConflict() {
    assertThat(errors(weighted("""
        {"EndpointReference": "a", "RuleReference": "w", "Weight": "1"}, {"Weight": "2"}""")))
        .containsExactly("REFERENCE_CONFLICT /Rules/w/Items/0", "REFERENCE_CONFLICT /Rules/w/Items/1");
  }

  @Test
  void read_invalidEnumLiterals_invalidValue() {
    String text = weighted(ITEMS).replace("2015-10-01", "2016-01-01").replace("\"A\"", "\"NS\"")
        .replace("\"Type\": \"value\", \"Value\": \"192.0.2.2\"", "\"Type\": \"elb\", \"Value\": \"x\"")
        .replace("weighted", "random");
    assertThat(errors(text)).containsExactly("INVALID_VALUE /AWSPolicyFormatVersion", "INVALID_VALUE /RecordType",
        "INVALID_VALUE /Endpoints/b/Type", "INVALID_VALUE /Rules/w/RuleType");
  }

  @Test
  void read_tooLarge_documentTooLargeWithOtherProblems() {
    String padding = "192.0.2.1" + " ".repeat(PolicyDocument.MAX_LENGTH);
    String text = weighted(ITEMS).replace("\"Value\": \"192.0.2.1\"", "\"Value\": \"" + padding + "\"")
        .replace("\"Weight\": \"2\"", "\"Weight\": \"300\"");
    assertThat(errors(text)).containsExactly("DOCUMENT_TOO_LARGE ", "INVALID_VALUE /Rules/w/Items/1/Weight");
  }

  @Test
  void read_exactlyMaxLengthInCodePoints_accepted() {
    String base = weighted(ITEMS);
    // Pad with a supplementary character (two chars, one code point) inside a JSON string member value.
    String pad = "\uD83D\uDE00".repeat(PolicyDocument.MAX_LENGTH - base.codePointCount(0, base.length())
        - "\"HealthCheck\": \"\", ".length());
    String text = base.replace("{\"EndpointReference\": \"a\",", "{\"HealthCheck\": \"" + pad + "\", "
        + "\"EndpointReference\": \"a\",");
    assertThat(text.codePointCount(0, text.length())).isEqualTo(PolicyDocument.MAX_LENGTH);
    assertThat(errors(text)).doesNotContain("DOCUMENT_TOO_LARGE ");
  }

  @Test
  void read_multivalueWithRuleReferenceOrHealthOption_rejected() {
    String text = """
        {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "m",
         "Endpoints": {"a": {"Type": "value", "Value": "192.0.2.1"}},
         "Rules": {"m": {"RuleType": "multivalue", "Items": [
           {"EndpointReference": "a", "EvaluateTargetHealth": true}, {"RuleReference": "m"}, {}]}}}""";
    assertThat(errors(text)).containsExactly("UNKNOWN_MEMBER /Rules/m/Items/0/EvaluateTargetHealth",
        "INVALID_RULE_FOR_TYPE /Rules/m/Items/1/RuleReference", "MISSING_MEMBER /Rules/m/Items/2");
  }

  @Test
  void read_regionOnNonS3Endpoint_unknownMember() {
    assertThat(errors(weighted(ITEMS).replace("\"Value\": \"192.0.2.2\"", "\"Value\": \"192.0.2.2\", \"Region\": "
        + "\"us-east-1\""))).containsExactly("UNKNOWN_MEMBER /Endpoints/b/Region");
  }

  @Test
  void read_geoLocationCombinations_invalidLocation() {
    String text = """
        {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "g",
         "Endpoints": {"a": {"Type": "value", "Value": "192.0.2.1"}},
         "Rules": {"g": {"RuleType": "geo", "Locations": [
           {"EndpointReference": "a", "Continent": "EU", "Subdivision": "WA"},
           {"EndpointReference": "a", "Subdivision": "WA"},
           {"EndpointReference": "a", "Country": "*", "IsDefault": "true"},
           {"EndpointReference": "a", "IsDefault": true}]}}}""";
    assertThat(errors(text)).containsExactly("INVALID_LOCATION /Rules/g/Locations/0",
        "INVALID_LOCATION /Rules/g/Locations/1", "DUPLICATE_DEFAULT /Rules/g/Locations/3");
  }

  private static final String GEOPROXIMITY = """
      {"AWSPolicyFormatVersion": "VERSION", "RecordType": "A", "StartRule": "g",
       "Endpoints": {"a": {"Type": "value", "Value": "192.0.2.1"}},
       "Rules": {"g": {"RuleType": "geoproximity", "GeoproximityLocations": [ENTRY]}}}""";

  private static String geoproximity(String version, String entry) {
    return GEOPROXIMITY.replace("VERSION", version).replace("ENTRY", entry);
  }

  @Test
  void read_geoproximity2023Syntax_allLocationKinds() {
    String text = geoproximity("2023-05-09", """
        {"EndpointReference": "a", "Location": {"Type": "Region", "LocationName": "aws:route53:us-east-1"}},
        {"EndpointReference": "a", "Location": {"Type": "LocalZone", "LocationName": "aws:route53:us-east-1-atl-1a"},
         "Bias": -10},
        {"EndpointReference": "a", "Location": {"Type": "Coordinate", "Latitude": "38.90", "Longitude": -77.01},
         "Bias": "5"}""");
    PolicyDocument d = PolicyDocumentJson.read(text);
    assertThat(d.formatVersion()).isEqualTo(FormatVersion.V2023_05_09);
    assertThat(d.rule(RuleId.of("g"))).isEqualTo(GeoproximityRule.of(
        GeoproximityEntry.of(Target.endpoint("a"), new GeoproximityLocation.Region("aws:route53:us-east-1")),
        new GeoproximityEntry(Target.endpoint("a"), new GeoproximityLocation.LocalZone(
            "aws:route53:us-east-1-atl-1a"), -10, Optional.empty(), Optional.empty()),
        new GeoproximityEntry(Target.endpoint("a"), GeoproximityLocation.Coordinate.of("38.90", "-77.01"), 5,
            Optional.empty(), Optional.empty())));
    assertThat(PolicyDocumentJson.read(PolicyDocumentJson.writeCanonical(d))).isEqualTo(d);
    assertThat(PolicyDocumentJson.writeCanonical(d)).contains("\"Location\": {", "\"Type\": \"LocalZone\"",
        "\"Latitude\": \"38.90\"", "\"Bias\": \"-10\"");
  }

  @Test
  void read_geoproximitySyntaxOfTheOtherVersion_invalidLocation() {
    assertThat(errors(geoproximity("2015-10-01", """
        {"EndpointReference": "a", "Location": {"Type": "Region", "LocationName": "aws:route53:us-east-1"}}""")))
        .containsExactly("INVALID_LOCATION /Rules/g/GeoproximityLocations/0/Location");
    assertThat(errors(geoproximity("2023-05-09", """
        {"EndpointReference": "a", "Region": "aws:route53:us-east-1"}""")))
        .containsExactly("INVALID_LOCATION /Rules/g/GeoproximityLocations/0");
  }

  @Test
  void read_geoproximityLocationProblems_reported() {
    assertThat(errors(geoproximity("2015-10-01", """
        {"EndpointReference": "a", "Region": "aws:route53:us-east-1", "Latitude": "1"},
        {"EndpointReference": "a", "Latitude": "1"},
        {"EndpointReference": "a"},
        {"EndpointReference": "a", "Latitude": "91", "Longitude": "1e2"},
        {"EndpointReference": "a", "Latitude": true, "Longitude": "-180.00"}""")))
        .containsExactly("INVALID_LOCATION /Rules/g/GeoproximityLocations/0",
            "MISSING_MEMBER /Rules/g/GeoproximityLocations/1",
            "MISSING_MEMBER /Rules/g/GeoproximityLocations/2",
            "INVALID_VALUE /Rules/g/GeoproximityLocations/3/Latitude",
            "INVALID_VALUE /Rules/g/GeoproximityLocations/3/Longitude",
            "WRONG_TYPE /Rules/g/GeoproximityLocations/4/Latitude");
    assertThat(errors(geoproximity("2023-05-09", """
        {"EndpointReference": "a", "Location": {"Type": "Place", "LocationName": "x"}},
        {"EndpointReference": "a", "Location": {"Type": "Region", "Latitude": "1"}},
        {"EndpointReference": "a", "Location": "aws:route53:us-east-1"}""")))
        .containsExactly("INVALID_VALUE /Rules/g/GeoproximityLocations/0/Location/Type",
            "MISSING_MEMBER /Rules/g/GeoproximityLocations/1/Location",
            "UNKNOWN_MEMBER /Rules/g/GeoproximityLocations/1/Location/Latitude",
            "WRONG_TYPE /Rules/g/GeoproximityLocations/2/Location");
  }

  @Test
  void read_failoverNeedsBothSides_missingMember() {
    String text = """
        {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "f",
         "Endpoints": {"a": {"Type": "value", "Value": "192.0.2.1"}},
         "Rules": {"f": {"RuleType": "failover", "Primary": {"EndpointReference": "a"}}}}""";
    assertThat(errors(text)).containsExactly("MISSING_MEMBER /Rules/f");
  }

  @Test
  void read_everyProblemAtOnce_syntaxAndSemanticsTogether() {
    String text = """
        {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "CNAME", "StartRule": "w",
         "Endpoints": {"lb": {"Type": "elastic-load-balancer", "Value": "lb.example.com"},
                       "bad": {"Type": "value", "Value": 7}},
         "Rules": {"w": {"RuleType": "weighted", "Items": [
           {"EndpointReference": "lb", "Weight": "1", "EvaluateTargetHealth": true},
           {"RuleReference": "missing", "Weight": "1", "EvaluateTargetHealth": true},
           {"EndpointReference": "bad", "Weight": "256"}]}}}""";
    assertThat(errors(text)).containsExactly("ENDPOINT_TYPE_MISMATCH /Endpoints/lb/Type",
        "WRONG_TYPE /Endpoints/bad/Value", "DANGLING_REFERENCE /Rules/w/Items/1/RuleReference",
        "INVALID_VALUE /Rules/w/Items/2/Weight");
  }

  @Test
  void read_brokenRule_notReportedAsDanglingOrUnreachable() {
    String text = weighted("{\"RuleReference\": \"x\", \"Weight\": \"1\", \"EvaluateTargetHealth\": true}, "
        + "{\"EndpointReference\": \"a\", \"Weight\": \"1\"}").replace("\"Rules\": {", "\"Rules\": {\"x\": "
        + "{\"RuleType\": \"weighted\", \"Items\": [{\"EndpointReference\": \"b\", \"Weight\": \"x\"}]},");
    assertThat(problems(text)).containsExactly("INVALID_VALUE /Rules/x/Items/0/Weight");
  }

  @Test
  void read_warnings_keptOnTheDocument() {
    String text = weighted(ITEMS).replace("\"b\": {", "\"c\": {\"Type\": \"value\", \"Value\": \"192.0.2.3\"}, "
        + "\"b\": {");
    PolicyDocument d = PolicyDocumentJson.read(text);
    assertThat(d.warnings()).extracting(p -> p.code() + " " + p.path()).containsExactly("UNREACHABLE /Endpoints/c");
  }

  @Test
  void read_escapedIds_pathsUseJsonPointerEscapes() {
    String text = weighted("{\"EndpointReference\": \"x/y~z\", \"Weight\": \"1\"}").replace("\"w\"", "\"r/1\"");
    assertThat(errors(text)).containsExactly("DANGLING_REFERENCE /Rules/r~11/Items/0/EndpointReference");
  }

  @Test
  void write_builtDocument_canonicalLayout() {
    PolicyDocument d = PolicyDocument.builder()
        .recordType(RecordType.A)
        .startRule("f")
        .endpoint("s3", Endpoint.s3Website("www.example.com", "us-east-1"))
        .endpoint("lb", Endpoint.alias(EndpointType.APPLICATION_LOAD_BALANCER, "lb.example.com"))
        .rule("f", new FailoverRule(new FailoverEntry(Target.endpoint("lb"), Optional.of(true), Optional.empty()),
            new FailoverEntry(Target.endpoint("s3"), Optional.of(false), Optional.empty())))
        .build();
    assertThat(PolicyDocumentJson.write(d)).isEqualTo("""
        {
          "AWSPolicyFormatVersion": "2015-10-01",
          "RecordType": "A",
          "StartRule": "f",
          "Endpoints": {
            "s3": {
              "Type": "s3-website",
              "Region": "us-east-1",
              "Value": "www.example.com"
            },
            "lb": {
              "Type": "application-load-balancer",
              "Value": "lb.example.com"
            }
          },
          "Rules": {
            "f": {
              "RuleType": "failover",
              "Primary": {
                "EndpointReference": "lb",
                "EvaluateTargetHealth": true
              },
              "Secondary": {
                "EndpointReference": "s3",
                "EvaluateTargetHealth": false
              }
            }
          }
        }""");
  }

  @Test
  void write_geoAndWeighted_stringsForNumbersAndDefaultsOmitted() {
    PolicyDocument d = PolicyDocument.builder()
        .recordType(RecordType.TXT)
        .startRule("g")
        .endpoint("t", Endpoint.value("\"hello \\\"q\\\"\""))
        .rule("g", GeolocationRule.of(
            GeolocationEntry.subdivision("US", "WA", Target.rule("w")),
            GeolocationEntry.defaultLocation(Target.endpoint("t"))))
        .rule("w", WeightedRule.of(new WeightedEntry(Target.endpoint("t"), 0, Optional.empty(),
            Optional.of(HealthCheckId.of("hc-1")))))
        .build();
    String text = PolicyDocumentJson.write(d);
    assertThat(text).contains("""
                "RuleReference": "w",
                "Country": "US",
                "Subdivision": "WA"
        """.stripIndent().indent(0).lines().map(String::strip).toList().get(0));
    assertThat(text).contains("\"Value\": \"\\\"hello \\\\\\\"q\\\\\\\"\\\"\"", "\"IsDefault\": true",
        "\"Weight\": \"0\"", "\"HealthCheck\": \"hc-1\"");
    assertThat(text).doesNotContain("\"IsDefault\": false");
    assertThat(PolicyDocumentJson.read(text)).isEqualTo(d);
  }

  @Test
  void write_startEndpointDocument_omitsRules() {
    PolicyDocument d = PolicyDocument.builder().recordType(RecordType.AAAA).startEndpoint("v")
        .endpoint("v", Endpoint.value("2001:db8::1")).build();
    assertThat(PolicyDocumentJson.write(d)).doesNotContain("Rules");
    assertThat(PolicyDocumentJson.read(PolicyDocumentJson.write(d))).isEqualTo(d);
  }

  @Test
  void write_controlCharactersAndLoneSurrogates_escapedAndReadBack() {
    PolicyDocument d = PolicyDocument.builder().recordType(RecordType.TXT).startEndpoint("id\n\t\u0001\uD800x")
        .endpoint("id\n\t\u0001\uD800x", Endpoint.value("\"a\"")).build();
    String text = PolicyDocumentJson.write(d);
    assertThat(text).contains("\"id\\n\\t\\u0001\\ud800x\"");
    assertThat(PolicyDocumentJson.read(text)).isEqualTo(d);
  }
}
