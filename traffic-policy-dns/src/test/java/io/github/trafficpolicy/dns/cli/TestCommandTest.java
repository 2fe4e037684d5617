package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code traffic-policy test}, in-process, on the shared policy test files. */
final class TestCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static List<Path> expectFiles;

  @BeforeAll
  static void fixtures() {
    expectFiles = CliRun.copySharedPolicies(dir).stream()
        .filter(p -> p.getFileName().toString().endsWith(".expect.json"))
        .toList();
  }

  @Test
  void test_everySharedExpectFile_passesEveryCase() throws IOException {
    int cases = 0;
    List<String> args = new ArrayList<>(List.of("test"));
    for (Path f : expectFiles) {
      cases += JSON.readTree(f.toFile()).get("cases").size();
      args.add(f.toString());
    }

    CliRun r = CliRun.run(args.toArray(String[]::new));

    assertThat(expectFiles).hasSizeGreaterThanOrEqualTo(7);
    assertThat(r.exitCode()).as(r.out()).isZero();
    assertThat(r.lastLine()).isEqualTo(cases + " passed, 0 failed");
    assertThat(r.out()).doesNotContain("FAIL");
  }

  @Test
  void test_failingCase_printsExpectedActualAndTraceAndExits1() throws IOException {
    Path original = dir.resolve("02-failover-health.expect.json");
    ObjectNode file = (ObjectNode) JSON.readTree(original.toFile());
    int cases = file.get("cases").size();
    ObjectNode first = (ObjectNode) file.get("cases").get(0);
    ((ObjectNode) first.get("expect")).put("endpoint", "no-such-endpoint").remove("answer");
    Path broken = Files.writeString(dir.resolve("02-broken.expect.json"), JSON.writeValueAsString(file));

    CliRun r = CliRun.run("test", broken.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL 02-broken.expect.json#" + first.get("id").asText(), "expected:", "actual:",
        "trace:", "no-such-endpoint");
    assertThat(r.lastLine()).isEqualTo((cases - 1) + " passed, 1 failed");
  }

  @Test
  void test_unreadableFile_countsAsOneFailure() throws IOException {
    Path garbage = Files.writeString(dir.resolve("garbage.expect.json"), "{ not json");

    CliRun r = CliRun.run("test", garbage.toString(), dir.resolve("01-start-endpoint-only.expect.json").toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("FAIL " + garbage + " (cannot be read)");
    assertThat(r.lastLine()).endsWith(" passed, 1 failed");
  }

  @Test
  void test_commentsAndTrailingCommas_acceptedAsInTheReadme() throws IOException {
    String text = Files.readString(dir.resolve("01-start-endpoint-only.expect.json")).strip();
    // The README shows test files with // comments: every line gets one, and a block comment leads.
    String commented = "/* a policy test file */\n" + text.replaceAll("(?m),$", ",  // a comment")
        .replaceFirst("\\}$", ", }");
    Path file = Files.writeString(dir.resolve("commented.expect.json"), commented);

    CliRun r = CliRun.run("test", file.toString());

    assertThat(commented).contains("// a comment");
    assertThat(r.exitCode()).as(r.out()).isZero();
    assertThat(r.lastLine()).endsWith(" passed, 0 failed");
  }

  @Test
  void test_malformedJson_placeWithoutParserInternals() throws IOException {
    Path garbage = Files.writeString(dir.resolve("broken.expect.json"), "{\n  \"policy\": x }");

    CliRun r = CliRun.run("test", garbage.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("not valid JSON (line 2, column").doesNotContain("Source").doesNotContain("REDACTED")
        .doesNotContain("Exception");
  }

  @Test
  void test_missingPolicyNextToTheFile_saysWhichFileAndWhy() throws IOException {
    Path file = Files.writeString(dir.resolve("orphan.expect.json"),
        "{\"policy\": \"nowhere.json\", \"policyRecordName\": \"www.example.com\", \"cases\": []}");

    CliRun r = CliRun.run("test", file.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("cannot read " + dir.resolve("nowhere.json") + ": no such file");
  }

  @Test
  void test_verbose_printsPassingCasesToo() {
    CliRun r = CliRun.run("test", "-v", dir.resolve("01-start-endpoint-only.expect.json").toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("PASS 01-start-endpoint-only.expect.json#");
  }

  @Test
  void test_noFile_isAUsageError() {
    assertThat(CliRun.run("test").exitCode()).isEqualTo(2);
  }
}
