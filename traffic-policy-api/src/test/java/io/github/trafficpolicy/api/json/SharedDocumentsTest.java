package io.github.trafficpolicy.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Problem;
import io.github.trafficpolicy.api.ProblemCode;
import io.github.trafficpolicy.api.RuleId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The shared Route 53 test documents: valid ones round-trip byte for byte, invalid ones fail for their reason. */
final class SharedDocumentsTest {
  private static final Path DIR = resourceDir("route53-policies");

  /**
   * Why each invalid document is invalid, as codes and paths. {@code invalid/expectations.json} gives the reasons in
   * prose; {@link #expectations_everyCase_hasAnExpectedProblemHere()} makes sure every case listed there is here.
   */
  private static final Map<String, List<String>> EXPECTED = Map.of(
      "multivalue-rule-reference.json", List.of("INVALID_RULE_FOR_TYPE /Rules/pool/Items/0/RuleReference"),
      "geo-continent-with-country.json", List.of("INVALID_LOCATION /Rules/geo/Locations/0"),
      "bias-out-of-range.json", List.of("INVALID_VALUE /Rules/gp/GeoproximityLocations/0/Bias"),
      "weight-out-of-range.json", List.of("INVALID_VALUE /Rules/w/Items/0/Weight"),
      "dangling-start-rule.json", List.of("DANGLING_REFERENCE /StartRule"),
      "cname-with-elb-endpoint.json", List.of("ENDPOINT_TYPE_MISMATCH /Endpoints/lb/Type"),
      "latitude-three-decimals.json", List.of("INVALID_VALUE /Rules/gp/GeoproximityLocations/0/Latitude",
          "INVALID_VALUE /Rules/gp/GeoproximityLocations/0/Longitude"));

  static Stream<Path> validDocuments() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(DIR)) {
      s.filter(p -> p.getFileName().toString().endsWith(".json"))
          .filter(p -> !p.getFileName().toString().endsWith(".expect.json"))
          .sorted()
          .forEach(out::add);
    }
    assertThat(out).hasSizeGreaterThanOrEqualTo(7);
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("validDocuments")
  void read_sharedDocument_roundTripsByteForByte(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    PolicyDocument d = PolicyDocumentJson.read(file);
    assertThat(PolicyDocumentJson.write(d).getBytes(StandardCharsets.UTF_8)).isEqualTo(bytes);
    try (InputStream in = Files.newInputStream(file)) {
      assertThat(PolicyDocumentJson.read(in)).isEqualTo(d);
    }
  }

  @ParameterizedTest
  @MethodSource("validDocuments")
  void read_sharedDocument_hasNoErrorsAndEqualsItsCanonicalForm(Path file) {
    PolicyDocument d = PolicyDocumentJson.read(file);
    PolicyDocument canonical = PolicyDocumentJson.read(PolicyDocumentJson.writeCanonical(d));
    assertThat(canonical).isEqualTo(d);
    assertThat(PolicyDocumentJson.writeCanonical(canonical)).isEqualTo(PolicyDocumentJson.writeCanonical(d));
  }

  static Stream<String> invalidDocuments() {
    return EXPECTED.keySet().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("invalidDocuments")
  void read_invalidSharedDocument_rejectedForItsReason(String name) {
    Path file = DIR.resolve("invalid").resolve(name);
    assertThatThrownBy(() -> PolicyDocumentJson.read(file)).isInstanceOfSatisfying(InvalidPolicyException.class,
        e -> assertThat(e.errors()).extracting(p -> p.code() + " " + p.path())
            .containsExactlyElementsOf(EXPECTED.get(name)));
  }

  @Test
  void read_latitudeThreeDecimalsLenient_truncatesWithWarning() {
    PolicyCheck c = PolicyDocumentJson.reader(PolicyDocumentJson.Options.defaults().withLenientCoordinates(true))
        .check(DIR.resolve("invalid/latitude-three-decimals.json"));
    assertThat(c.isValid()).isTrue();
    assertThat(c.warnings()).extracting(Problem::code).containsExactly(ProblemCode.TRUNCATED_COORDINATE,
        ProblemCode.TRUNCATED_COORDINATE);
    GeoproximityEntry first = (GeoproximityEntry) c.document().orElseThrow().rule(RuleId.of("gp")).entries().get(0);
    assertThat(first.location()).isEqualTo(GeoproximityLocation.Coordinate.of("47.61", "-122.34"));
  }

  @Test
  void expectations_everyCase_hasAnExpectedProblemHere() throws IOException {
    JsonNode cases = new ObjectMapper().readTree(DIR.resolve("invalid/expectations.json").toFile()).get("cases");
    List<String> files = new ArrayList<>();
    cases.forEach(c -> files.add(c.get("file").asText()));
    assertThat(files).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
    try (Stream<Path> s = Files.list(DIR.resolve("invalid"))) {
      assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("expectations.json")))
          .containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
    }
  }

  private static Path resourceDir(String name) {
    try {
      return Path.of(SharedDocumentsTest.class.getClassLoader().getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new UncheckedIOException(new IOException(e));
    }
  }
}
