package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class ValidateCommandTest {
  private static final String VALID = """
      {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartEndpoint": "a",
       "Endpoints": {"a": {"Type": "value", "Value": "192.0.2.1"}}}""";

  private static final String WITH_WARNING = """
      {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartEndpoint": "a",
       "Endpoints": {"a": {"Type": "value", "Value": "192.0.2.1"}, "b": {"Type": "value", "Value": "192.0.2.2"}}}""";

  private static final String INVALID = """
      {"AWSPolicyFormatVersion": "2015-10-01", "RecordType": "CNAME", "StartEndpoint": "lb",
       "Endpoints": {"lb": {"Type": "elastic-load-balancer", "Value": "lb.example.com", "Extra": 1}}}""";

  @TempDir Path dir;

  /** The outcome of one in-process run. */
  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cl = TrafficPolicyCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Path file(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void validate_validFile_printsOkAndExits0() throws IOException {
    Path f = file("ok.json", VALID);
    Run r = run("validate", f.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo(f + ": OK" + System.lineSeparator());
    assertThat(r.err()).isEmpty();
  }

  @Test
  void validate_warningsOnly_printsThemAndExits0() throws IOException {
    Path f = file("warn.json", WITH_WARNING);
    Run r = run("validate", f.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines()).containsExactly(
        f + ": /Endpoints/b: warning UNREACHABLE: endpoint 'b' is not reachable from the start; it is never used",
        f + ": OK (1 warning)");
  }

  @Test
  void validate_invalidFile_printsEveryProblemAndExits1() throws IOException {
    Path ok = file("ok.json", VALID);
    Path bad = file("bad.json", INVALID);
    Run r = run("validate", ok.toString(), bad.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out().lines()).containsExactly(
        ok + ": OK",
        bad + ": /Endpoints/lb/Type: ENDPOINT_TYPE_MISMATCH: endpoint type elastic-load-balancer is an alias to an "
            + "AWS resource and needs RecordType A or AAAA, but the policy's RecordType is CNAME",
        bad + ": /Endpoints/lb/Extra: UNKNOWN_MEMBER: \"Extra\" is not a member of an endpoint (expected Type, "
            + "Value, Region)");
  }

  @Test
  void validate_unknownMembersAsWarnings_option_makesFileValid() throws IOException {
    Path f = file("extra.json", VALID.replace("\"Value\": \"192.0.2.1\"", "\"Value\": \"192.0.2.1\", \"X\": 1"));
    assertThat(run("validate", f.toString()).exit()).isEqualTo(1);
    Run r = run("validate", "--unknown-members-as-warnings", f.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("warning UNKNOWN_MEMBER", ": OK (1 warning)");
  }

  @Test
  void validate_lenientCoordinates_option_truncates() throws IOException {
    String text;
    try (InputStream in = getClass().getResourceAsStream("/route53-policies/invalid/latitude-three-decimals.json")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Path f = file("lat.json", text);
    assertThat(run("validate", f.toString()).out()).contains("INVALID_VALUE");
    Run r = run("validate", "--lenient-coordinates", f.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("warning TRUNCATED_COORDINATE", ": OK (2 warnings)");
  }

  @Test
  void validate_quiet_printsErrorsOnly() throws IOException {
    Path warn = file("warn.json", WITH_WARNING);
    Path bad = file("bad.json", INVALID);
    Run r = run("validate", "-q", warn.toString(), bad.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out().lines()).hasSize(2).allMatch(l -> l.startsWith(bad + ": /Endpoints/lb/"));
  }

  @Test
  void validate_malformedJson_reportsLineAndColumn() throws IOException {
    Path f = file("broken.json", "{\n  \"RecordType\": \"A\",,\n}");
    Run r = run("validate", f.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).startsWith(f + ": /RecordType: MALFORMED_JSON: malformed JSON at line 2, column 21: ");
  }

  @Test
  void validate_unreadableFile_messageOnStderrAndExit1() throws IOException {
    Path ok = file("ok.json", VALID);
    Path missing = dir.resolve("missing.json");
    Run r = run("validate", missing.toString(), ok.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).isEqualTo(missing + ": cannot read: no such file" + System.lineSeparator());
    assertThat(r.out()).isEqualTo(ok + ": OK" + System.lineSeparator());
  }

  @Test
  void validate_dash_readsStandardInput() {
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream(INVALID.getBytes(StandardCharsets.UTF_8)));
      Run r = run("validate", "-");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.out()).startsWith("-: /Endpoints/lb/Type: ENDPOINT_TYPE_MISMATCH");
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void validate_directory_cannotRead() {
    Run r = run("validate", dir.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith(dir + ": cannot read: ");
  }

  @Test
  void validate_noFile_usageErrorExit2() {
    Run r = run("validate");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter", "Usage:");
  }

  @Test
  void validate_unknownOption_usageErrorExit2() {
    assertThat(run("validate", "--frobnicate", "x.json").exit()).isEqualTo(2);
  }

  @Test
  void validate_help_exit0() {
    Run r = run("validate", "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: traffic-policy validate", "--lenient-coordinates");
  }
}
