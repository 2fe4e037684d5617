package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code "api"} member of the serve configuration: every problem reported with its place, nothing bound. */
final class ApiConfigTest {
  @TempDir Path dir;

  private ServeConfig config(String registry, String api) throws IOException {
    Files.writeString(dir.resolve("example.com.zone"), "$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
        + "@ IN NS ns1\nns1 IN A 192.0.2.53\n");
    Files.writeString(dir.resolve("keys"), "[admin]\naws_access_key_id = AKIDTEST0001\naws_secret_access_key = s\n");
    Files.writeString(dir.resolve("bad-keys"), "[admin]\naws_access_key_id = AKIDTEST0001\n[x]\nread_only = maybe\n");
    Path config = dir.resolve("serve.json");
    Files.writeString(config, "{\"listen\": [\"127.0.0.1:0\"], \"udpThreads\": 1,\n"
        + " \"zones\": [{\"origin\": \"example.com\", \"file\": \"example.com.zone\"}],\n"
        + (registry == null ? "" : " \"registry\": " + registry + ",\n")
        + " \"api\": " + api + "}\n");
    return ServeConfigReader.read(config);
  }

  @Test
  void apiWithoutRegistry_badCredentials_nonLoopbackWithoutTls_unknownKey_areReportedTogether()
      throws IOException {
    ServeConfig c = config(null, "{\"listen\": \"192.0.2.1:8053\", \"colour\": \"blue\", \"credentials\": 5}");
    assertThatThrownBy(() -> ConfiguredServer.create(c)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            dir.resolve("serve.json") + ": /api/colour: unknown key (known: [listen, credentials, auditLog, tls])",
            dir.resolve("serve.json") + ": /api: needs the \"registry\" member: the API manages the server's registry",
            dir.resolve("serve.json") + ": /api/credentials: must be the access keys file (AWS shared credentials "
                + "format)",
            dir.resolve("serve.json") + ": /api/listen: /192.0.2.1:8053 is not a loopback address: add \"tls\" (a "
                + "keystore)"));
  }

  @Test
  void badCredentialsFile_listsEveryProblemWithItsLine() throws IOException {
    ServeConfig c = config("\"registry\"", "{\"credentials\": \"bad-keys\"}");
    assertThatThrownBy(() -> ConfiguredServer.create(c)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).hasSize(2).allSatisfy(p -> assertThat(p).contains("/api/credentials: "))
            .anySatisfy(p -> assertThat(p).contains("bad-keys:1: [admin]: needs aws_access_key_id and "
                + "aws_secret_access_key"))
            .anySatisfy(p -> assertThat(p).contains("bad-keys:3: [x]: needs aws_access_key_id")));
  }

  @Test
  void badListenAddress_isAProblem() throws IOException {
    ServeConfig c = config("\"registry\"", "{\"credentials\": \"keys\", \"listen\": \"localhost\"}");
    assertThatThrownBy(() -> ConfiguredServer.create(c)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).singleElement().asString().contains("/api/listen: must be an IP address"));
  }

  @Test
  void withoutCredentials_oneReadWriteKeyIsMadeAtStartup() throws Exception {
    ServeConfig c = config("\"registry\"", "{\"listen\": \"127.0.0.1:0\"}");
    try (ConfiguredServer server = ConfiguredServer.create(c).start()) {
      assertThat(server.generatedApiKey()).hasValueSatisfying(k -> {
        assertThat(k.accessKeyId()).matches("TP[A-Z2-7]{20}");
        assertThat(k.secret()).matches("[A-Za-z0-9_-]{43}");
        assertThat(k.readOnly()).isFalse();
        assertThat(server.api().orElseThrow().keys().keys()).containsExactly(k);
      });
    }
    try (ConfiguredServer one = ConfiguredServer.create(c); ConfiguredServer two = ConfiguredServer.create(c)) {
      assertThat(one.generatedApiKey().orElseThrow().secret()).as("a new key each start")
          .isNotEqualTo(two.generatedApiKey().orElseThrow().secret());
    }
    ServeConfig withKeys = config("\"registry\"", "{\"credentials\": \"keys\", \"listen\": \"127.0.0.1:0\"}");
    try (ConfiguredServer server = ConfiguredServer.create(withKeys)) {
      assertThat(server.generatedApiKey()).isEmpty();
    }
  }

  @Test
  void validMember_bindsOnStart_andStops() throws Exception {
    ServeConfig c = config("\"registry\"", "{\"credentials\": \"keys\", \"listen\": \"127.0.0.1:0\"}");
    try (ConfiguredServer server = ConfiguredServer.create(c)) {
      assertThat(server.api()).as("nothing bound before start").isEmpty();
      server.start();
      assertThat(server.api()).hasValueSatisfying(a -> {
        assertThat(a.address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(a.keys().keys()).singleElement().satisfies(k -> assertThat(k.profile()).isEqualTo("admin"));
      });
    }
  }
}
