package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.trafficpolicy.dns.api.ApiServer;
import io.github.trafficpolicy.dns.api.HostedZones;
import io.github.trafficpolicy.dns.config.ConfiguredServer;
import io.github.trafficpolicy.dns.config.ServeConfigReader;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS CLI (Debian's {@code awscli}, installed by {@code .ci/run}), unchanged but for {@code --endpoint-url},
 * manages policy records of a running {@code serve} (configuration with {@code registry} and {@code api}) while
 * real {@code dig} queries the same server: create a policy, add a version, create policy records in two zones,
 * update them, {@code test-dns-answer} and {@code dig}, delete. Skips (saying why) where the AWS CLI or dig is not
 * installed. Only loopback is contacted: the credentials come from a temporary file and instance metadata is off.
 */
final class AwsCliWorkflowTest {
  private static final String CREDENTIALS = "[default]\naws_access_key_id = AKIDCLI000000000001\n"
      + "aws_secret_access_key = cli/secret+0000000000000000000000000000\n\n"
      + "[viewer]\naws_access_key_id = AKIDVIEW00000000001\n"
      + "aws_secret_access_key = view-secret-000000000000000000000000000\nread_only = true\n";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private String aws;
  private String dig;
  private ConfiguredServer server;
  private ApiServer api;

  /** The AWS CLI: $AWS_CLI, else Debian's /usr/bin/aws, else {@code aws} on the PATH. */
  private static Optional<String> awsCli() {
    String env = System.getenv("AWS_CLI");
    if (env != null && !env.isBlank()) {
      return Optional.of(env);
    }
    List<String> dirs = new ArrayList<>(List.of("/usr/bin"));
    dirs.addAll(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
    return dirs.stream().map(d -> Path.of(d, "aws")).filter(Files::isExecutable).map(Path::toString).findFirst();
  }

  @BeforeEach
  void start() throws Exception {
    aws = awsCli().orElse(null);
    assumeTrue(aws != null, "the AWS CLI is not installed (apt-get install awscli; .ci/run does): skipping the "
        + "AWS CLI workflow");
    dig = Jar.digTool().orElse(null);
    assumeTrue(dig != null, "neither dig nor kdig is on PATH: install bind9-dnsutils (.ci/run does)");
    for (String zone : List.of("example.com", "example.org")) {
      Files.writeString(dir.resolve(zone + ".zone"), "$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
          + "@ IN NS ns1\nns1 IN A 192.0.2.53\n");
    }
    Files.writeString(dir.resolve("credentials"), CREDENTIALS);
    Files.createDirectories(dir.resolve("registry"));
    Files.writeString(dir.resolve("serve.json"), "{\n"
        + "  \"listen\": [\"127.0.0.1:0\"], \"udpThreads\": 1,\n"
        + "  \"zones\": [{\"origin\": \"example.com\", \"file\": \"example.com.zone\"},\n"
        + "            {\"origin\": \"example.org\", \"file\": \"example.org.zone\"}],\n"
        + "  \"registry\": \"registry\",\n"
        + "  \"api\": {\"listen\": \"127.0.0.1:0\", \"credentials\": \"credentials\", \"auditLog\": \"audit.log\"}\n"
        + "}\n");
    server = ConfiguredServer.create(ServeConfigReader.read(dir.resolve("serve.json"))).start();
    api = server.api().orElseThrow();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Runs {@code aws route53 ARGS --endpoint-url ... --output json} as {@code profile}; returns its JSON output. */
  private JsonNode route53(String profile, String... args) throws Exception {
    Result r = run(profile, args);
    assertThat(r.exit()).as("aws route53 " + String.join(" ", args) + ":\n" + r.output()).isZero();
    return r.output().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.output());
  }

  private record Result(int exit, String output) {}

  private Result run(String profile, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(aws, "route53"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--endpoint-url", api.endpoint(), "--output", "json", "--region", "us-east-1",
        "--profile", profile));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("credentials").toString());
    env.put("AWS_CONFIG_FILE", dir.resolve("no-config").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    env.put("AWS_PAGER", "");
    env.put("AWS_CLI_AUTO_PROMPT", "off");
    env.put("HOME", dir.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("aws did not finish: " + cmd);
    }
    return new Result(p.exitValue(), out);
  }

  private List<String> digA(String name) throws Exception {
    String out = Jar.dig(dig, server.server().port(), name, "A");
    assertThat(Jar.status(out)).as(out).isEqualTo("NOERROR");
    return Jar.answers(out, name + ".", "A");
  }

  @Test
  void awsCli_managesPolicyRecords_andDigSeesEveryChange() throws Exception {
    Files.writeString(dir.resolve("v1.json"), single("192.0.2.10"));
    Files.writeString(dir.resolve("v2.json"), single("192.0.2.20"));
    JsonNode created = route53("default", "create-traffic-policy", "--name", "www", "--document", "file://v1.json",
        "--comment", "first");
    String id = created.at("/TrafficPolicy/Id").asText();
    assertThat(created.at("/TrafficPolicy/Version").asInt()).isEqualTo(1);
    assertThat(created.at("/TrafficPolicy/Document").asText()).isEqualTo(single("192.0.2.10"));
    JsonNode v2 = route53("default", "create-traffic-policy-version", "--id", id, "--document", "file://v2.json");
    assertThat(v2.at("/TrafficPolicy/Version").asInt()).isEqualTo(2);

    JsonNode zones = route53("default", "list-hosted-zones-by-name");
    assertThat(zones.at("/HostedZones").findValuesAsText("Name")).containsExactly("example.com.", "example.org.");
    String com = HostedZones.zoneId("example.com");
    String org = HostedZones.zoneId("example.org");
    assertThat(zones.at("/HostedZones/0/Id").asText()).isEqualTo("/hostedzone/" + com);

    List<String> instances = new ArrayList<>();
    for (String[] z : new String[][] {{com, "www.example.com"}, {org, "www.example.org"}}) {
      JsonNode i = route53("default", "create-traffic-policy-instance", "--hosted-zone-id", z[0], "--name", z[1],
          "--ttl", "60", "--traffic-policy-id", id, "--traffic-policy-version", "1");
      assertThat(i.at("/TrafficPolicyInstance/State").asText()).isEqualTo("Applied");
      instances.add(i.at("/TrafficPolicyInstance/Id").asText());
    }
    assertThat(digA("www.example.com")).containsExactly("192.0.2.10");
    assertThat(digA("www.example.org")).containsExactly("192.0.2.10");

    for (String instance : instances) {
      JsonNode u = route53("default", "update-traffic-policy-instance", "--id", instance, "--ttl", "30",
          "--traffic-policy-id", id, "--traffic-policy-version", "2");
      assertThat(u.at("/TrafficPolicyInstance/TrafficPolicyVersion").asInt()).isEqualTo(2);
    }
    JsonNode answer = route53("default", "test-dns-answer", "--hosted-zone-id", com, "--record-name",
        "www.example.com", "--record-type", "A");
    assertThat(answer.get("RecordData").get(0).asText()).isEqualTo("192.0.2.20");
    assertThat(answer.get("ResponseCode").asText()).isEqualTo("NOERROR");
    assertThat(digA("www.example.com")).containsExactly("192.0.2.20");
    assertThat(digA("www.example.org")).containsExactly("192.0.2.20");
    JsonNode byPolicy = route53("viewer", "list-traffic-policy-instances-by-policy", "--traffic-policy-id", id,
        "--traffic-policy-version", "2");
    assertThat(byPolicy.get("TrafficPolicyInstances")).hasSize(2);

    Result denied = run("viewer", "delete-traffic-policy-instance", "--id", instances.get(0));
    assertThat(denied.exit()).isNotZero();
    assertThat(denied.output()).contains("AccessDenied");

    Result inUse = run("default", "delete-traffic-policy", "--id", id, "--traffic-policy-version", "2");
    assertThat(inUse.exit()).isNotZero();
    assertThat(inUse.output()).contains("TrafficPolicyInUse");
    for (String instance : instances) {
      route53("default", "delete-traffic-policy-instance", "--id", instance);
    }
    String gone = Jar.dig(dig, server.server().port(), "www.example.com", "A");
    assertThat(Jar.status(gone)).isEqualTo("NXDOMAIN");
    route53("default", "delete-traffic-policy", "--id", id, "--traffic-policy-version", "1");
    route53("default", "delete-traffic-policy", "--id", id, "--traffic-policy-version", "2");
    assertThat(route53("default", "list-traffic-policies").get("TrafficPolicySummaries")).isEmpty();

    List<String> audit = Files.readAllLines(dir.resolve("audit.log"));
    assertThat(audit).hasSize(2 + 2 + 2 + 2 + 2);
    assertThat(audit).allMatch(l -> l.contains("\"accessKeyId\":\"AKIDCLI000000000001\""));
  }

  @Test
  void awsCli_managesHealthChecks_probedByTheRunningServer() throws Exception {
    // A TCP check of the server's own DNS-over-TCP listener: an endpoint that is up while the test runs.
    String config = "Type=TCP,IPAddress=127.0.0.1,Port=" + server.server().port() + ",RequestInterval=30,"
        + "FailureThreshold=1";
    JsonNode created = route53("default", "create-health-check", "--caller-reference", "cli-1",
        "--health-check-config", config);
    String id = created.at("/HealthCheck/Id").asText();
    assertThat(created.at("/HealthCheck/HealthCheckConfig/Port").asInt()).isEqualTo(server.server().port());
    assertThat(created.at("/HealthCheck/HealthCheckVersion").asLong()).isEqualTo(1);
    assertThat(route53("default", "create-health-check", "--caller-reference", "cli-1", "--health-check-config",
        config).at("/HealthCheck/Id").asText()).as("same reference and settings: the same check").isEqualTo(id);

    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonNode status;
    do {
      status = route53("viewer", "get-health-check-status", "--health-check-id", id);
    } while (status.at("/HealthCheckObservations").isEmpty() && System.nanoTime() < end);
    assertThat(status.at("/HealthCheckObservations/0/StatusReport/Status").asText()).isEqualTo("Success: connected");

    JsonNode updated = route53("default", "update-health-check", "--health-check-id", id,
        "--health-check-version", "1", "--inverted");
    assertThat(updated.at("/HealthCheck/HealthCheckVersion").asLong()).isEqualTo(2);
    assertThat(updated.at("/HealthCheck/HealthCheckConfig/Inverted").asBoolean()).isTrue();
    Result stale = run("default", "update-health-check", "--health-check-id", id, "--health-check-version", "1",
        "--no-inverted");
    assertThat(stale.exit()).isNotZero();
    assertThat(stale.output()).contains("HealthCheckVersionMismatch");
    assertThat(route53("viewer", "list-health-checks").at("/HealthChecks").findValuesAsText("Id"))
        .containsExactly(id);
    assertThat(route53("viewer", "get-health-check-count").get("HealthCheckCount").asInt()).isEqualTo(1);

    route53("default", "delete-health-check", "--health-check-id", id);
    Result gone = run("default", "get-health-check", "--health-check-id", id);
    assertThat(gone.exit()).isNotZero();
    assertThat(gone.output()).contains("NoSuchHealthCheck");
    assertThat(Files.readAllLines(dir.resolve("audit.log"))).hasSize(3);
  }

  private static String single(String address) {
    return "{\n  \"AWSPolicyFormatVersion\": \"2015-10-01\",\n  \"RecordType\": \"A\",\n"
        + "  \"StartEndpoint\": \"only\",\n"
        + "  \"Endpoints\": {\"only\": {\"Type\": \"value\", \"Value\": \"" + address + "\"}}\n}\n";
  }
}
