package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.dns.cli.TrafficPolicyCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** {@code serve} with a {@code "registry"} member, driven by the {@code policy}/{@code record} commands. */
final class RegistryConfigTest {
  private static final String ZONE = String.join("\n",
      "$TTL 3600",
      "@        IN SOA ns1 hostmaster 2024010101 7200 900 1209600 300",
      "@        IN NS  ns1",
      "ns1      IN A   192.0.2.53",
      "static   IN A   192.0.2.80",
      "");

  @TempDir Path dir;

  /** A policy document answering {@code address} only. */
  static String single(String address) {
    return "{\"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\", \"StartEndpoint\": \"only\",\n"
        + " \"Endpoints\": {\"only\": {\"Type\": \"value\", \"Value\": \"" + address + "\"}}}\n";
  }

  /** Runs a command in-process against the test registry; returns its standard output; fails on a non-zero exit. */
  private String cli(String... args) {
    picocli.CommandLine cl = TrafficPolicyCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = Stream.concat(Arrays.stream(args), Stream.of("--registry", dir.resolve("registry").toString()))
        .toArray(String[]::new);
    assertThat(cl.execute(all)).as(String.join(" ", args) + ": " + err).isZero();
    return out.toString();
  }

  private Path config(String registryMember) throws IOException {
    Files.writeString(dir.resolve("example.com.zone"), ZONE);
    Path config = dir.resolve("serve.json");
    Files.writeString(config, "{\n  \"listen\": [\"127.0.0.1:0\"],\n  \"udpThreads\": 1,\n"
        + "  \"zones\": [{\"origin\": \"example.com\", \"file\": \"example.com.zone\"}],\n"
        + "  \"registry\": " + registryMember + "\n}\n");
    return config;
  }

  private static List<String> query(int port, String name) throws IOException {
    SimpleResolver r = new SimpleResolver("127.0.0.1");
    r.setPort(port);
    r.setTimeout(Duration.ofSeconds(5));
    Message reply = r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
    return reply.getSection(Section.ANSWER).stream().map(Record::rdataToString).toList();
  }

  @Test
  void serve_followsRecordCommands() throws Exception {
    Files.writeString(dir.resolve("v1.json"), single("192.0.2.1"));
    Files.writeString(dir.resolve("v2.json"), single("192.0.2.2"));
    cli("policy", "create", "--name", "www", "--document", dir.resolve("v1.json").toString());
    cli("record", "create", "--zone", "example.com", "--name", "www.example.com", "--ttl", "60", "--policy", "www",
        "--version", "1");

    try (ConfiguredServer server = ConfiguredServer.create(ServeConfigReader.read(config(
        "{\"directory\": \"registry\", \"pollMillis\": 5}"))).start()) {
      int port = server.server().port();
      assertThat(query(port, "www.example.com.")).containsExactly("192.0.2.1");
      assertThat(query(port, "static.example.com.")).containsExactly("192.0.2.80");

      cli("policy", "version", "--id", "www", "--document", dir.resolve("v2.json").toString());
      cli("record", "update", "--name", "www.example.com", "--version", "2");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!query(port, "www.example.com.").equals(List.of("192.0.2.2")) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(query(port, "www.example.com.")).containsExactly("192.0.2.2");
      assertThat(server.registry().orElseThrow().catalog().policyRecord("www.example.com").orElseThrow().binding()
          .policyVersion()).isEqualTo(2);

      cli("record", "rollback", "--name", "www.example.com");
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!query(port, "www.example.com.").equals(List.of("192.0.2.1")) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(query(port, "www.example.com.")).containsExactly("192.0.2.1");
    }
  }

  @Test
  void create_registryRecordOutsideTheZones_isAConfigProblem() throws IOException {
    Files.writeString(dir.resolve("v1.json"), single("192.0.2.1"));
    cli("policy", "create", "--name", "www", "--document", dir.resolve("v1.json").toString());
    cli("record", "create", "--zone", "example.org", "--name", "www.example.org", "--ttl", "60", "--policy", "www",
        "--version", "1");
    ServeConfig config = ServeConfigReader.read(config("\"registry\""));

    assertThatThrownBy(() -> ConfiguredServer.create(config)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).singleElement().asString()
            .contains("/registry").contains("www.example.org. A is not in any zone"));
  }

  @Test
  void create_badRegistryMember_isAConfigProblem() throws IOException {
    ServeConfig config = ServeConfigReader.read(config("{\"directory\": \"registry\", \"pollMillis\": 0}"));

    assertThatThrownBy(() -> ConfiguredServer.create(config)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).singleElement().asString().contains("/registry/pollMillis"));
  }

  @Test
  void create_registryWithAnotherScheme_isRefusedNotTakenForADirectory() throws IOException {
    ServeConfig config = ServeConfigReader.read(config("\"zk://127.0.0.1:2181/x\""));

    assertThatThrownBy(() -> ConfiguredServer.create(config)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).singleElement().asString()
            .contains("/registry: unknown registry scheme 'zk'"));
    assertThat(dir.resolve("zk:")).doesNotExist();
  }

  @Test
  void create_badEtcdMembers_eachAProblemWithItsPlace() throws IOException {
    ServeConfig config = ServeConfigReader.read(config("{\"etcd\": \"etcd://127.0.0.1:2379/x\", \"user\": \"u\","
        + " \"tls\": {\"ca\": \"missing.pem\", \"crt\": \"c.pem\"}, \"timeoutMillis\": 0, \"colour\": 1}"));

    assertThatThrownBy(() -> ConfiguredServer.create(config)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(String.join("\n", e.problems())).contains(
            "/registry/colour: unknown key",
            "/registry/user: a user name (string) goes with \"passwordFile\"",
            "/registry/tls/crt: unknown key",
            "/registry/tls/ca: ",
            "/registry/timeoutMillis: must be an integer from 1 to 600000 but was 0"));
  }
}
