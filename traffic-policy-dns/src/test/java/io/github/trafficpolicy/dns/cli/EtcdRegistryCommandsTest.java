package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.lifecycle.EtcdProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The registry commands on {@code --registry etcd://...} (a real etcd started on loopback ports), and bad values. */
final class EtcdRegistryCommandsTest {
  @TempDir static Path dir;
  private static EtcdProcess etcd;

  record Run(int exit, String out, String err) {}

  @BeforeAll
  static void startEtcd() throws Exception {
    EtcdProcess.assumeInstalled();
    etcd = EtcdProcess.start(dir.resolve("etcd"));
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
  }

  private static Run run(String... args) {
    CommandLine cl = TrafficPolicyCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static Path document(String name, String address) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, "{\"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\","
        + " \"StartEndpoint\": \"e\", \"Endpoints\": {\"e\": {\"Type\": \"value\", \"Value\": \"" + address + "\"}}}");
    return f;
  }

  @Test
  void policyAndRecordCommandsWorkOnAnEtcdRegistry_documentsByteForByte() throws Exception {
    String uri = "etcd://" + etcd.endpoint() + "/cli";
    Path v1 = document("v1.json", "192.0.2.1");
    Path v2 = document("v2.json", "192.0.2.2");
    assertThat(run("policy", "create", "--registry", uri, "--name", "web", "--document", v1.toString()).exit())
        .isZero();
    assertThat(run("policy", "version", "--registry", uri, "--id", "web", "--document", v2.toString()).exit())
        .isZero();
    assertThat(run("record", "create", "--registry", uri, "--zone", "example.com", "--name", "www.example.com",
        "--ttl", "60", "--policy", "web", "--version", "1").exit()).isZero();
    Run moved = run("record", "update", "--registry", uri, "--name", "www.example.com", "--version", "2");
    assertThat(moved.exit()).as(moved.err()).isZero();

    Run list = run("policy", "list", "--registry", uri, "--id", "web", "--json");
    assertThat(list.out()).contains("\"version\" : 1", "\"version\" : 2");
    Run record = run("record", "show", "--registry", uri, "--name", "www.example.com", "--json");
    assertThat(record.out()).contains("\"version\" : 2");
    Path copy = dir.resolve("copy.json");
    assertThat(run("policy", "show", "--registry", uri, "--id", "web", "--version", "1", "--output",
        copy.toString()).exit()).isZero();
    assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(v1));
  }

  @Test
  void anUnknownSchemeIsRefused_notTakenForADirectory() {
    Run r = run("policy", "list", "--registry", "zk://127.0.0.1:2181/x");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("unknown registry scheme 'zk'", "etcd://HOST:PORT[,HOST:PORT...]/PREFIX");
    assertThat(Path.of("zk:")).doesNotExist();
  }

  @Test
  void etcdOptionsWithADirectoryAndAUriWithoutPrefixAreRefused() {
    Run options = run("policy", "list", "--registry", dir.resolve("reg").toString(), "--etcd-user", "u");
    assertThat(options.exit()).isEqualTo(1);
    assertThat(options.err()).contains("the --etcd-* options go with an etcd registry");
    Run noPrefix = run("policy", "list", "--registry", "etcd://" + etcd.endpoint());
    assertThat(noPrefix.exit()).isEqualTo(1);
    assertThat(noPrefix.err()).contains("names no key prefix");
  }

  @Test
  void anUnreachableEtcdFailsTheCommandSayingSo() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Run r = run("policy", "list", "--registry", "etcd://127.0.0.1:" + closed + "/x", "--etcd-timeout-ms", "500");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("etcd at etcd://127.0.0.1:" + closed + "/x is unreachable");
  }
}
