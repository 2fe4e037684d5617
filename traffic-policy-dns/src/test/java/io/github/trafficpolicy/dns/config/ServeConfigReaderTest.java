package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.dns.UdpIo;
import io.github.trafficpolicy.dns.UdpScheduling;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ServeConfigReaderTest {
  @TempDir Path dir;

  private static ServeConfig parse(String text) {
    return ServeConfigReader.parse("test.json", text, ConfigSource.directory(Path.of(".")));
  }

  private static ConfigException parseFails(String text) {
    try {
      parse(text);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException for " + text);
  }

  @Test
  void bundledExample_readsWithCommentsAndDefaults() {
    ServeConfig c = ServeConfigReader.bundledExample();
    assertThat(c.listen()).hasSize(1);
    assertThat(c.listen().get(0).getPort()).isEqualTo(5353);
    assertThat(c.zones()).extracting(ServeConfig.ZoneEntry::origin).containsExactly("example.com");
    assertThat(c.policyRecords()).singleElement().satisfies(p -> {
      assertThat(p.name()).isEqualTo("www.example.com");
      assertThat(p.ttl()).isEqualTo(60);
      assertThat(p.policyId()).isEqualTo("www-example");
    });
    assertThat(c.cidrTable()).contains("geo.csv");
    assertThat(c.queryLog().enabled()).isFalse();
  }

  @Test
  void parse_minimal_defaults() {
    ServeConfig c = parse("{ \"zones\": [] }");
    assertThat(c.listen().get(0).getPort()).isEqualTo(5353);
    assertThat(c.listen().get(0).getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    assertThat(c.udpThreads()).isEmpty();
    assertThat(c.udpIo()).isEqualTo(UdpIo.AUTO);
    assertThat(c.udpScheduling()).isEqualTo(UdpScheduling.NORMAL);
    assertThat(c.maxUdpPayload()).isEqualTo(1232);
    assertThat(c.seed()).isZero();
    assertThat(c.printCountersOnShutdown()).isTrue();
  }

  @Test
  void parse_udpIo_eachNameAsWritten() {
    for (UdpIo io : UdpIo.values()) {
      assertThat(parse("{ \"zones\": [], \"udpIo\": \"" + io + "\" }").udpIo()).isEqualTo(io);
    }
    assertThat(parseFails("{ \"zones\": [], \"udpIo\": \"MMSG\" }").problems())
        .containsExactly("test.json: /udpIo: must be \"auto\", \"nio\" or \"mmsg\" but was \"MMSG\"");
  }

  @Test
  void parse_udpScheduling_eachNameAsWritten() {
    for (UdpScheduling s : UdpScheduling.values()) {
      assertThat(parse("{ \"zones\": [], \"udpScheduling\": \"" + s + "\" }").udpScheduling()).isEqualTo(s);
    }
    assertThat(parseFails("{ \"zones\": [], \"udpScheduling\": \"fifo\" }").problems())
        .containsExactly("test.json: /udpScheduling: must be \"normal\" or \"batch\" but was \"fifo\"");
    assertThat(parseFails("{ \"zones\": [], \"udpScheduling\": 3 }").problems())
        .containsExactly("test.json: /udpScheduling: must be \"normal\" or \"batch\" but was 3");
  }

  @Test
  void parse_commentsAndTrailingCommas_accepted() {
    ServeConfig c = parse("// a comment\n{ /* inline */ \"zones\": [], \"seed\": 7, }");
    assertThat(c.seed()).isEqualTo(7);
  }

  @Test
  void parse_ipv6ListenAddress() {
    ServeConfig c = parse("{ \"zones\": [], \"listen\": [\"[::1]:5300\", \"127.0.0.1:0\"] }");
    assertThat(c.listen()).hasSize(2);
    assertThat(c.listen().get(0).getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(c.listen().get(1).getPort()).isZero();
  }

  @Test
  void parse_policyIdDefaultsToDocumentFileName() {
    ServeConfig c = parse("{ \"zones\": [], \"policyRecords\": [ { \"zone\": \"example.com\", \"name\": "
        + "\"www.example.com\", \"document\": \"policies/www-v2.json\" } ] }");
    assertThat(c.policyRecords().get(0).policyId()).isEqualTo("www-v2");
    assertThat(c.policyRecords().get(0).policyVersion()).isEqualTo(1);
    assertThat(c.policyRecords().get(0).ttl()).isEqualTo(60);
  }

  @Test
  void parse_extensionSections_keptRaw() {
    ServeConfig c = parse("{ \"zones\": [], \"healthChecks\": [ { \"id\": \"x\", \"type\": \"TCP\", \"target\": "
        + "\"127.0.0.1\", \"port\": 9 } ], \"registry\": \"reg\" }");
    assertThat(c.extensions()).containsOnlyKeys("healthChecks", "registry");
    assertThat(c.extensions().get("healthChecks").get(0).get("id").asText()).isEqualTo("x");
  }

  @Test
  void parse_everyProblemReportedWithItsPointer() {
    ConfigException e = parseFails("{ \"listen\": [\"localhost\", 5], \"udpThreads\": 0, \"udpIo\": \"epoll\", "
        + "\"zones\": [ { \"file\": "
        + "\"a.zone\", \"extra\": 1 } ], \"policyRecords\": [ { \"zone\": \"example.com\", \"name\": \"www\", "
        + "\"document\": \"d.json\", \"ttl\": -1 } ], \"bogus\": true, \"tcp\": { \"idleTimeoutSeconds\": 0 } }");
    assertThat(e.problems()).containsExactlyInAnyOrder(
        "test.json: /bogus: unknown key (known: [listen, udpThreads, udpIo, udpScheduling, maxUdpPayload, tcp, "
            + "zones, policyRecords, geo, latencyTable, healthStatus, seed, queryLog, printCountersOnShutdown, aliasTargets, rateLimit, cookies] and [healthChecks, registry, api, metrics, sharedHealth])",
        "test.json: /listen/0: must be an IP address and a port, e.g. \"127.0.0.1:5353\" or \"[::1]:5353\", but was "
            + "\"localhost\"",
        "test.json: /listen/1: must be a \"host:port\" string but was 5",
        "test.json: /udpThreads: must be an integer in [1, 256] but was 0",
        "test.json: /udpIo: must be \"auto\", \"nio\" or \"mmsg\" but was \"epoll\"",
        "test.json: /tcp/idleTimeoutSeconds: must be an integer in [1, 3600] but was 0",
        "test.json: /zones/0/extra: unknown key (known: [origin, file])",
        "test.json: /zones/0/origin: is required",
        "test.json: /policyRecords/0/ttl: must be an integer in [0, 2147483647] but was -1");
    assertThat(e.getMessage()).contains("/zones/0/origin: is required");
  }

  @Test
  void parse_missingZones_reported() {
    assertThat(parseFails("{}").problems()).containsExactly(
        "test.json: /zones: must be an array of { \"origin\": ..., \"file\": ... }");
  }

  @Test
  void parse_brokenJson_reportsLineAndColumn() {
    assertThatThrownBy(() -> parse("{\n  \"zones\": [\n  }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("test.json: not valid JSON (line 3, column");
  }

  @Test
  void parse_duplicateKey_rejected() {
    assertThatThrownBy(() -> parse("{ \"zones\": [], \"zones\": [] }"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("Duplicate field 'zones'");
  }

  @Test
  void read_missingFile_namesIt() {
    Path missing = dir.resolve("nope.json");
    assertThatThrownBy(() -> ServeConfigReader.read(missing))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith(missing + ": cannot read");
  }

  @Test
  void read_relativePathsResolveAgainstTheConfigDirectory() throws Exception {
    Files.writeString(dir.resolve("serve.json"), "{ \"zones\": [ { \"origin\": \"a.test\", \"file\": \"z/a.zone\" } ] }");
    ServeConfig c = ServeConfigReader.read(dir.resolve("serve.json"));
    assertThat(c.source().file("z/a.zone")).contains(dir.resolve("z/a.zone"));
  }

  @Test
  void read_missingOrNonUtf8File_saysWhyWithoutExceptionNames(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.json");
    assertThatThrownBy(() -> ServeConfigReader.read(missing))
        .hasMessage(missing + ": cannot read: no such file");
    Path latin1 = dir.resolve("latin1.json");
    Files.write(latin1, new byte[] {'{', '"', 's', (byte) 0xe9, '"', ':', '1', '}'});
    assertThatThrownBy(() -> ServeConfigReader.read(latin1))
        .hasMessage(latin1 + ": cannot read: not UTF-8 text");
  }
}
