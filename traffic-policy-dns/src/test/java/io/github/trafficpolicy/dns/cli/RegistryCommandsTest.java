package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class RegistryCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private Path registry;
  private Path geo;
  private Path failover;
  private Path single;
  private Path aaaa;

  /** The outcome of one command. */
  record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  private Path copy(String resource) throws IOException {
    Path file = tmp.resolve(resource.substring(resource.lastIndexOf('/') + 1));
    try (InputStream in = RegistryCommandsTest.class.getResourceAsStream("/route53-policies/" + resource)) {
      assertThat(in).as(resource).isNotNull();
      Files.write(file, in.readAllBytes());
    }
    return file;
  }

  private Run run(String... args) {
    CommandLine cl = TrafficPolicyCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of(args));
    boolean usesRegistry = !all.contains("--help") && (!all.get(0).equals("render") || all.contains("--policy"));
    if (usesRegistry) {
      all.add("--registry");
      all.add(registry.toString());
    }
    int exit = cl.execute(all.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  private String createPolicy(String name, Path document) throws IOException {
    Run r = run("policy", "create", "--name", name, "--document", document.toString(), "--json");
    assertThat(r.exit()).as(r.err() + r.out()).isZero();
    assertThat(r.json().get("version").intValue()).isEqualTo(1);
    return r.json().get("id").textValue();
  }

  @BeforeEach
  void documents() throws IOException {
    registry = tmp.resolve("registry");
    geo = copy("04-geo-latency-failover.json");
    failover = copy("02-failover-health.json");
    single = copy("01-start-endpoint-only.json");
    aaaa = copy("05-multivalue-aaaa.json");
  }

  @Test
  void readingCommands_noRegistryDirectory_exit1WithoutCreatingIt() {
    // A mistyped --registry (or the wrong working directory) must not list an empty registry and leave one behind.
    Run policies = run("policy", "list");
    Run records = run("record", "list", "--json");

    assertThat(policies.exit()).isEqualTo(1);
    assertThat(policies.err()).contains("no registry at " + registry);
    assertThat(records.exit()).isEqualTo(1);
    assertThat(records.out()).contains("InvalidInput");
    assertThat(registry).doesNotExist();
  }

  @Test
  void policyCreate_printsIdAndVersionOne() {
    Run r = run("policy", "create", "--name", "web", "--document", geo.toString(), "--comment", "first");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).matches("policy [0-9a-f-]{36} version 1 \\(web, A\\)\\n(warning: .*\\n)*");
  }

  @Test
  void policyCreate_documentOverTheSizeLimit_refusedBeforeReading() throws IOException {
    Path huge = geo.resolveSibling("huge.json");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(50L << 20);
    }
    Run r = run("policy", "create", "--name", "web", "--document", huge.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("InvalidTrafficPolicyDocument", "is 52,428,800 bytes, over the limit of 409,600 "
        + "bytes for a policy document");
  }

  @Test
  void policyShow_printsTheDocumentExactlyAsGiven() throws IOException {
    String id = createPolicy("web", failover);

    Run latest = run("policy", "show", "--id", id);
    Run v1 = run("policy", "show", "--id", id, "--version", "1", "--json");

    assertThat(latest.out()).isEqualTo(Files.readString(failover, StandardCharsets.UTF_8));
    assertThat(v1.json().get("document").textValue()).isEqualTo(Files.readString(failover));
    assertThat(Files.readAllBytes(registry.resolve("policies/" + id + "/1.json")))
        .isEqualTo(Files.readAllBytes(failover));
  }

  @Test
  void policyShow_output_writesTheExactBytes() throws IOException {
    Path unicode = tmp.resolve("unicode.json");
    Files.writeString(unicode, Files.readString(single).replace("endpoint-start-Qx7p", "départ-ü"),
        StandardCharsets.UTF_8);
    String id = createPolicy("web", unicode);
    Path out = tmp.resolve("out.json");

    Run r = run("policy", "show", "--id", id, "--output", out.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(unicode));
  }

  @Test
  void policyVersion_printsNewNumber_neverReused() throws IOException {
    String id = createPolicy("web", geo);
    assertThat(run("policy", "version", "--id", id, "--document", failover.toString(), "--json").json()
        .get("version").intValue()).isEqualTo(2);
    assertThat(run("policy", "delete", "--id", id, "--version", "2").exit()).isZero();

    Run third = run("policy", "version", "--id", id, "--document", single.toString(), "--comment", "three");

    assertThat(third.exit()).isZero();
    assertThat(third.out()).startsWith("policy " + id + " version 3 (web, A)");
    Run versions = run("policy", "list", "--id", id);
    assertThat(versions.out()).isEqualTo("""
        VERSION  TYPE  RECORDS  COMMENT
        1        A     0
        3        A     0        three
        """);
  }

  @Test
  void policyComment_setAndRemove() throws IOException {
    String id = createPolicy("web", geo);

    Run set = run("policy", "comment", "--id", id, "--version", "1", "--comment", "reviewed");
    Run shown = run("policy", "list", "--id", id, "--json");
    Run removed = run("policy", "comment", "--id", id, "--version", "1", "--json");

    assertThat(set.out()).isEqualTo("policy " + id + " version 1 comment set\n");
    assertThat(shown.json().get(0).get("comment").textValue()).isEqualTo("reviewed");
    assertThat(removed.json().has("comment")).isFalse();
    assertThat(run("policy", "comment", "--id", id, "--version", "2", "--comment", "x").err())
        .startsWith("traffic-policy: NoSuchTrafficPolicy: ");
  }

  @Test
  void policyDelete_wholePolicyOnceUnused() throws IOException {
    String id = createPolicy("web", geo);
    run("policy", "version", "--id", id, "--document", failover.toString());
    run("record", "create", "--zone", "example.com", "--name", "www.example.com", "--ttl", "60", "--policy", id,
        "--version", "2");

    Run inUse = run("policy", "delete", "--id", id);
    run("record", "delete", "--name", "www.example.com");
    Run deleted = run("policy", "delete", "--id", id);

    assertThat(inUse.exit()).isEqualTo(1);
    assertThat(deleted.exit()).isZero();
    assertThat(deleted.out()).isEqualTo("deleted policy " + id + "\n");
    assertThat(run("policy", "list", "--json").json()).isEmpty();
    assertThat(registry.resolve("policies/" + id)).doesNotExist();
  }

  @Test
  void policyList_latestOfEachInCreationOrder() throws IOException {
    String web = createPolicy("web", geo);
    String v6 = createPolicy("v6", aaaa);
    run("policy", "version", "--id", web, "--document", single.toString());

    Run list = run("policy", "list", "--json");

    assertThat(list.exit()).isZero();
    JsonNode a = list.json();
    assertThat(a).hasSize(2);
    assertThat(a.get(0).get("id").textValue()).isEqualTo(web);
    assertThat(a.get(0).get("version").intValue()).isEqualTo(2);
    assertThat(a.get(0).get("versions").intValue()).isEqualTo(2);
    assertThat(a.get(1).get("id").textValue()).isEqualTo(v6);
    assertThat(a.get(1).get("type").textValue()).isEqualTo("AAAA");
    assertThat(run("policy", "list").out()).startsWith("ID").contains(web + "  web   A     2       2")
        .contains(v6 + "  v6    AAAA  1       1");
  }

  @Test
  void invalidDocument_printsErrorNameAndProblems_exit1() throws IOException {
    Path bad = copy("invalid/dangling-start-rule.json");

    Run text = run("policy", "create", "--name", "bad", "--document", bad.toString());
    Run json = run("policy", "create", "--name", "bad", "--document", bad.toString(), "--json");

    assertThat(text.exit()).isEqualTo(1);
    assertThat(text.err()).startsWith("traffic-policy: InvalidTrafficPolicyDocument: ").contains("/StartRule");
    assertThat(json.exit()).isEqualTo(1);
    assertThat(json.json().get("error").textValue()).isEqualTo("InvalidTrafficPolicyDocument");
    assertThat(json.json().get("problems").get(0).get("path").textValue()).isEqualTo("/StartRule");
  }

  @Test
  void errors_printRoute53Names() throws IOException {
    String id = createPolicy("web", geo);
    run("record", "create", "--zone", "example.com", "--name", "www.example.com", "--ttl", "60", "--policy", id,
        "--version", "1");

    assertThat(run("policy", "show", "--id", "nope").err()).startsWith("traffic-policy: NoSuchTrafficPolicy: ");
    assertThat(run("policy", "create", "--name", "web", "--document", geo.toString()).err())
        .startsWith("traffic-policy: TrafficPolicyAlreadyExists: ");
    assertThat(run("policy", "delete", "--id", id).err()).startsWith("traffic-policy: TrafficPolicyInUse: ");
    assertThat(run("record", "create", "--zone", "example.com", "--name", "www.example.com", "--ttl", "60",
        "--policy", id, "--version", "1").err()).startsWith("traffic-policy: TrafficPolicyInstanceAlreadyExists: ");
    assertThat(run("record", "delete", "--name", "api.example.com").err())
        .startsWith("traffic-policy: NoSuchTrafficPolicyInstance: ");
    assertThat(run("policy", "create", "--name", "x", "--document", tmp.resolve("missing.json").toString()).err())
        .startsWith("traffic-policy: InvalidInput: cannot read " + tmp.resolve("missing.json") + ": no such file");
    Run json = run("record", "delete", "--name", "api.example.com", "--json");
    assertThat(json.exit()).isEqualTo(1);
    assertThat(json.json().get("error").textValue()).isEqualTo("NoSuchTrafficPolicyInstance");
  }

  @Test
  void workflow_createVersionRecordUpdateAllRollback() throws IOException {
    String id = createPolicy("web", geo);
    assertThat(run("record", "create", "--zone", "example.com", "--name", "www.example.com", "--ttl", "60",
        "--policy", id, "--version", "1").out())
        .isEqualTo("created www.example.com.: policy " + id + " version 1, TTL 60, previous -\n");
    run("record", "create", "--zone", "example.org", "--name", "www.example.org", "--ttl", "300", "--policy", id,
        "--version", "1");
    run("policy", "version", "--id", id, "--document", failover.toString());

    Run all = run("record", "update", "--policy", id, "--version", "2", "--all");

    assertThat(all.exit()).isZero();
    assertThat(all.out()).isEqualTo(
        "updated www.example.com.: policy " + id + " version 2, TTL 60, previous v1\n"
            + "updated www.example.org.: policy " + id + " version 2, TTL 300, previous v1\n");
    Run back = run("record", "rollback", "--name", "www.example.org");
    assertThat(back.out()).isEqualTo("rolled back www.example.org.: policy " + id + " version 1, TTL 300, previous -\n");
    Run ttl = run("record", "update", "--name", "www.example.com", "--ttl", "30", "--json");
    assertThat(ttl.json().get(0).get("ttl").intValue()).isEqualTo(30);
    assertThat(ttl.json().get(0).get("version").intValue()).isEqualTo(2);

    Run list = run("record", "list");
    assertThat(list.out()).isEqualTo(String.join("\n",
        "NAME              ZONE          TYPE  TTL  POLICY" + " ".repeat(id.length() - 6) + "  VERSION  PREVIOUS",
        "www.example.com.  example.com.  A     30   " + id + "  2        v1",
        "www.example.org.  example.org.  A     300  " + id + "  1        -", ""));
    assertThat(run("record", "list", "--zone", "example.org", "--json").json()).hasSize(1);
    assertThat(run("record", "list", "--policy", id, "--version", "2", "--json").json().get(0).get("name")
        .textValue()).isEqualTo("www.example.com.");
    assertThat(run("record", "show", "--name", "www.example.com").out()).contains("history  v1  (newest first)");
  }

  @Test
  void recordUpdate_conflictingTypes_exit1_andBulkChangesNothing() throws IOException {
    String id = createPolicy("web", geo);
    run("record", "create", "--zone", "example.com", "--name", "a.example.com", "--ttl", "60", "--policy", id,
        "--version", "1");
    run("policy", "version", "--id", id, "--document", aaaa.toString());

    Run one = run("record", "update", "--name", "a.example.com", "--version", "2");
    Run all = run("record", "update", "--policy", id, "--version", "2", "--all");

    assertThat(one.exit()).isEqualTo(1);
    assertThat(one.err()).startsWith("traffic-policy: ConflictingTypes: ");
    assertThat(all.exit()).isEqualTo(1);
    assertThat(run("record", "list", "--json").json().get(0).get("version").intValue()).isEqualTo(1);
  }

  @Test
  void recordImport_csv_createsNewAndMovesExistingRecords() throws IOException {
    String id = createPolicy("web", geo);
    run("policy", "version", "--id", id, "--document", failover.toString());
    run("record", "create", "--zone", "example.com", "--name", "a.example.com", "--ttl", "60", "--policy", id,
        "--version", "1");
    Path csv = tmp.resolve("records.csv");
    Files.writeString(csv, "zone,name,ttl,policy,version\n# moved by name of the policy\n"
        + "example.com, a.example.com, 30, web, 2\n\nexample.com,b.example.com,60," + id + ",1\n");

    Run dry = run("record", "import", csv.toString(), "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    assertThat(dry.out()).startsWith("would import 2 records from " + csv + ": 1 created, 1 updated (dry run");
    assertThat(run("record", "list", "--json").json()).hasSize(1);
    Run imported = run("record", "import", csv.toString(), "--json");

    assertThat(imported.exit()).as(imported.err()).isZero();
    assertThat(imported.json().get("created").intValue()).isEqualTo(1);
    assertThat(imported.json().get("updated").intValue()).isEqualTo(1);
    JsonNode list = run("record", "list", "--json").json();
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("version").intValue()).isEqualTo(2);
    assertThat(list.get(0).get("ttl").intValue()).isEqualTo(30);
    assertThat(list.get(0).get("history").get(0).get("version").intValue()).isEqualTo(1);
    assertThat(list.get(1).get("name").textValue()).isEqualTo("b.example.com.");
  }

  @Test
  void recordImport_fileLargerThanAPolicyDocument_imported() throws IOException {
    createPolicy("web", geo);
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 12_000; i++) {
      rows.append("example.com,host-").append(i).append(".example.com,60,web,1\n");
    }
    Path csv = tmp.resolve("many.csv");
    Files.writeString(csv, rows);
    assertThat(Files.size(csv)).isGreaterThan(io.github.trafficpolicy.dns.InputLimits.POLICY_DOCUMENT_BYTES);

    Run imported = run("record", "import", csv.toString(), "--json");

    assertThat(imported.exit()).as(imported.err()).isZero();
    assertThat(imported.json().get("created").intValue()).isEqualTo(12_000);
  }

  @Test
  void recordImport_badRows_nothingWritten_everyBadRowReportedWithItsLine() throws IOException {
    String id = createPolicy("web", geo);
    run("policy", "version", "--id", id, "--document", aaaa.toString());
    run("record", "create", "--zone", "example.com", "--name", "a.example.com", "--ttl", "60", "--policy", id,
        "--version", "1");
    byte[] metadata = Files.readAllBytes(registry.resolve("registry.json"));
    Path csv = tmp.resolve("records.csv");
    Files.writeString(csv, String.join("\n",
        "example.com,ok.example.com,60,web,1",
        "example.com,ttl.example.com,soon,web,1",
        "example.com,short.example.com,60,web",
        "example.com,x.example.com,60,nope,1",
        "example.com,www.example.org,60,web,1",
        "example.com,ok.example.com,60,web,1",
        "example.com,a.example.com,60,web,2",
        "example.com,fine.example.com,60,web,1", ""));

    Run r = run("record", "import", csv.toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("InvalidInput: 6 of 8 rows of " + csv + " cannot be imported; nothing was changed")
        .contains(csv + ":2: ttl must be a whole number but was 'soon'")
        .contains(csv + ":3: expected 5 fields")
        .contains(csv + ":4: NoSuchTrafficPolicy")
        .contains(csv + ":5: ").contains("is not in hosted zone example.com.")
        .contains(csv + ":6: InvalidInput: ok.example.com. is given twice (first as record 1)")
        .contains(csv + ":7: ConflictingTypes");
    assertThat(r.err().indexOf(csv + ":2:")).isLessThan(r.err().indexOf(csv + ":7:"));
    assertThat(r.err()).doesNotContain(csv + ":1:").doesNotContain(csv + ":8:");
    assertThat(Files.readAllBytes(registry.resolve("registry.json"))).isEqualTo(metadata);
    assertThat(registry.resolve("registry.journal")).doesNotExist();
  }

  @Test
  void recordImport_json_badElementsReportedWithLineAndIndex() throws IOException {
    String id = createPolicy("web", geo);
    Path json = tmp.resolve("records.json");
    Files.writeString(json, "[\n  {\"zone\": \"example.com\", \"name\": \"a.example.com\", \"ttl\": 60,"
        + " \"policy\": \"" + id + "\", \"version\": 1},\n"
        + "  {\"zone\": \"example.com\", \"name\": \"b.example.com\", \"ttl\": 60, \"policy\": \"web\"},\n"
        + "  {\"zone\": \"example.com\", \"name\": \"c.example.com\", \"ttl\": 60, \"policy\": \"web\","
        + " \"version\": 1, \"color\": \"red\"}\n]\n");

    Run bad = run("record", "import", json.toString());

    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("2 of 3 rows")
        .contains(json + ":3 /1: missing or not a string or number: version")
        .contains(json + ":4 /2: unknown members: color");
    assertThat(run("record", "list", "--json").json()).isEmpty();
    Files.writeString(json, Files.readString(json).replace(", \"policy\": \"web\"},",
        ", \"policy\": \"web\", \"version\": 1},").replace(", \"color\": \"red\"", ""));
    Run good = run("record", "import", json.toString());
    assertThat(good.exit()).as(good.err()).isZero();
    assertThat(run("record", "list", "--json").json()).hasSize(3);
  }

  @Test
  void recordUpdate_badOptionCombinations_areUsageErrors() throws IOException {
    String id = createPolicy("web", geo);

    assertThat(run("record", "update", "--policy", id, "--all").exit()).isEqualTo(2);
    assertThat(run("record", "update", "--name", "www.example.com").exit()).isEqualTo(2);
    assertThat(run("record", "update", "--name", "www.example.com", "--all", "--policy", id, "--version", "1").exit())
        .isEqualTo(2);
    assertThat(run("record", "create", "--zone", "example.com").exit()).isEqualTo(2);
  }

  @Test
  void policyOptions_acceptNameInsteadOfId() throws IOException {
    String id = createPolicy("web", geo);

    Run version = run("policy", "version", "--id", "web", "--document", failover.toString(), "--json");
    Run record = run("record", "create", "--zone", "example.com", "--name", "www.example.com", "--ttl", "60",
        "--policy", "web", "--version", "2", "--json");
    Run unknown = run("policy", "show", "--id", "nope");

    assertThat(version.json().get("id").textValue()).isEqualTo(id);
    assertThat(record.json().get(0).get("policy").textValue()).isEqualTo(id);
    assertThat(run("record", "list", "--policy", "web", "--json").json()).hasSize(1);
    assertThat(unknown.err()).startsWith("traffic-policy: NoSuchTrafficPolicy: no traffic policy with ID nope");
  }

  @Test
  void usage_findsValuesAndHealthChecks() throws IOException {
    String web = createPolicy("web", geo);
    String fo = createPolicy("fo", failover);
    run("record", "create", "--zone", "example.com", "--name", "www.example.com", "--ttl", "60", "--policy", fo,
        "--version", "1");

    Run ip = run("usage", "198.51.100.21", "--json");
    Run hc = run("usage", "c41f7e0a-9d2b-4e6f-a3b5-0000000004e1");
    Run none = run("usage", "203.0.113.99");

    assertThat(ip.exit()).isZero();
    assertThat(ip.json()).hasSize(1);
    assertThat(ip.json().get(0).get("policy").textValue()).isEqualTo(fo);
    assertThat(ip.json().get(0).get("path").textValue()).isEqualTo("/Endpoints/backup-web/Value");
    assertThat(ip.json().get(0).get("records").get(0).textValue()).isEqualTo("www.example.com.");
    assertThat(hc.out()).contains(web).contains("/Rules/geo-root/Locations/2/HealthCheck");
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.out()).isEqualTo("not used: 203.0.113.99\n");
  }

  @Test
  void render_fileAsMermaidAndDot_andRegistryPolicy() throws IOException {
    Run mermaid = run("render", "--format", "mermaid", geo.toString());
    Run dot = run("render", "--format", "dot", geo.toString());
    String id = createPolicy("web", geo);
    Run fromRegistry = run("render", "--format", "mermaid", "--policy", id);

    assertThat(mermaid.exit()).isZero();
    assertThat(mermaid.out()).startsWith("flowchart LR\n").contains("geo-root<br/>geolocation rule")
        .contains("-->|\"US-WA<br/>evaluate target health\"|");
    assertThat(dot.out()).startsWith("digraph policy {").contains("label=\"us-west-2\\nevaluate target health\"");
    assertThat(fromRegistry.out()).isEqualTo(mermaid.out());
    assertThat(run("render", "--format", "svg", geo.toString()).exit()).isEqualTo(2);
  }

  @Test
  void render_invalidFile_exit1() throws IOException {
    Run r = run("render", "--format", "dot", copy("invalid/weight-out-of-range.json").toString());

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).startsWith("traffic-policy: InvalidTrafficPolicyDocument: ");
  }

  @Test
  void everySubcommand_hasHelp() {
    List<String[]> commands = new ArrayList<>();
    for (String policy : List.of("", "create", "version", "list", "show", "comment", "delete")) {
      commands.add(policy.isEmpty() ? new String[] {"policy", "--help"} : new String[] {"policy", policy, "--help"});
    }
    for (String record : List.of("", "create", "update", "rollback", "list", "show", "delete")) {
      commands.add(record.isEmpty() ? new String[] {"record", "--help"} : new String[] {"record", record, "--help"});
    }
    commands.add(new String[] {"usage", "--help"});
    commands.add(new String[] {"render", "--help"});
    for (String[] cmd : commands) {
      Run r = run(cmd);
      assertThat(r.exit()).as(String.join(" ", cmd) + r.err()).isZero();
      assertThat(r.out()).contains("Usage: traffic-policy");
    }
  }
}
