package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.dns.UdpIo;
import io.github.trafficpolicy.dns.UdpScheduling;
import io.github.trafficpolicy.dns.api.AccessKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code traffic-policy serve} with configurations that must not start. */
final class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void invalidHealthCheck_exits1WithItsPlaceAndStartsNothing() throws IOException {
    Files.writeString(dir.resolve("example.net.zone"),
        "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n");
    Path config = Files.writeString(dir.resolve("serve.json"), "{ \"listen\": [\"127.0.0.1:0\"], \"zones\": [ {"
        + " \"origin\": \"example.net\", \"file\": \"example.net.zone\" } ], \"healthChecks\": [ { \"id\": \"hc\","
        + " \"type\": \"HTTP\", \"target\": \"127.0.0.1\", \"failureThreshold\": 11 } ] }");

    CliRun run = CliRun.run("serve", "--config", config.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("invalid configuration:")
        .contains(config + ": /healthChecks/0/failureThreshold: ");
    assertThat(run.out()).doesNotContain("listening");
  }

  @Test
  void udpPart_namesTheIoItsForeignApiAndTheScheduling() {
    assertThat(ServeCommand.udp(UdpIo.NIO, UdpScheduling.NORMAL)).isEqualTo("UDP I/O nio, scheduling normal"
        + UdpIo.MMSG.unavailableReason().map(why -> "; mmsg: " + why).orElse(""));
    if (UdpIo.MMSG.isAvailable()) {
      String api = UdpIo.MMSG.foreignApi().orElseThrow();
      assertThat(api).isEqualTo(Runtime.version().feature() >= 22 ? "java.lang.foreign" : "jdk.incubator.foreign");
      assertThat(ServeCommand.udp(UdpIo.MMSG, UdpScheduling.BATCH))
          .isEqualTo("UDP I/O mmsg through " + api + ", scheduling batch");
    } else {
      assertThat(UdpIo.MMSG.foreignApi()).isEmpty();
    }
  }

  @Test
  void consoleLines_giveTheUrlTheKeyMadeAtStartupAndSayAnInMemoryRegistryEndsWithTheServer() {
    AccessKeys.Key key = AccessKeys.generate("generated");
    StringWriter text = new StringWriter();
    ServeCommand.printConsole(new PrintWriter(text, true), "http://127.0.0.1:8053", Optional.of(key), true);
    assertThat(text.toString().lines()).containsExactly(
        "Console: http://127.0.0.1:8053/console/",
        "  Sign in with the access key made for this run (shown only now, valid until the server stops):",
        "    Access key ID:     " + key.accessKeyId(),
        "    Secret access key: " + key.secret(),
        "  The registry is in memory: what you change in the console or the API lasts until the server stops.");

    StringWriter configured = new StringWriter();
    ServeCommand.printConsole(new PrintWriter(configured, true), "http://127.0.0.1:8053", Optional.empty(), false);
    assertThat(configured.toString().lines()).containsExactly("Console: http://127.0.0.1:8053/console/");
  }
}
