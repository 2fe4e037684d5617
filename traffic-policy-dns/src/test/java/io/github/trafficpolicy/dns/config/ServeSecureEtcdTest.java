package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.trafficpolicy.dns.Eventually;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.EtcdProcess;
import io.github.trafficpolicy.engine.lifecycle.EtcdSettings;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with its registry (and shared health) in a real etcd that serves TLS only, requires a client
 * certificate and has authentication on, configured as a user writes it: {@code "registry": {"etcd": URI, "user":
 * NAME, "passwordFile": FILE, "tls": {"ca", "cert", "key"}}}. The CA and certificates are made by {@code openssl}
 * for this run.
 */
final class ServeSecureEtcdTest {

  @TempDir static Path dir;
  private static EtcdProcess etcd;
  private static EtcdProcess.Tls tls;
  private static int prefixes;

  @BeforeAll
  static void startEtcd() throws Exception {
    EtcdProcess.assumeTlsAndAuthInstalled();
    tls = EtcdProcess.Tls.generate(dir.resolve("tls"));
    etcd = EtcdProcess.startTls(dir.resolve("etcd"), tls);
    etcd.enableAuth("root-secret", "app", "app-secret", "/serve/");
    Files.writeString(dir.resolve("example.net.zone"), ServeHealthChecksTest.ZONE);
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
  }

  /**
   * A configuration next to the TLS files, with the password in {@code password}, sharing the health of check
   * {@code hc-a} (probing {@code port}) through the same etcd.
   */
  private static Path config(String prefix, String password, int port) throws IOException {
    Path passwordFile = dir.resolve(prefix.replace('/', '-') + ".password");
    Files.writeString(passwordFile, password + "\n");
    Path config = dir.resolve(prefix.replace('/', '-') + ".json");
    Files.writeString(config, "{\"listen\": [\"127.0.0.1:0\"], \"udpThreads\": 1,"
        + " \"zones\": [{\"origin\": \"example.net\", \"file\": \"example.net.zone\"}],"
        + " \"healthChecks\": [{\"id\": \"hc-a\", \"type\": \"TCP\", \"target\": \"127.0.0.1\", \"port\": " + port
        + ", \"requestIntervalSeconds\": 3600}],"
        + " \"registry\": {\"etcd\": \"etcd://" + etcd.endpoint() + "/" + prefix + "\", \"user\": \"app\","
        + " \"passwordFile\": \"" + passwordFile.getFileName() + "\","
        + " \"tls\": {\"ca\": \"tls/ca.pem\", \"cert\": \"tls/client.pem\", \"key\": \"tls/client.key\"},"
        + " \"pollMillis\": 200},"
        + " \"sharedHealth\": {\"vantage\": \"ns1\", \"leaseSeconds\": 2}}");
    return config;
  }

  @Test
  void serveReachesTheRegistryAndSharesHealthOverTlsAsItsUser() throws Exception {
    String prefix = "serve/p" + (++prefixes);
    EtcdSettings writerSettings = EtcdSettings.parse("etcd://" + etcd.endpoint() + "/" + prefix).withTls(tls.ca())
        .withClientCertificate(tls.clientCertificate(), tls.clientKey()).withCredentials("app", "app-secret")
        .withStartupWait(Duration.ofSeconds(30));
    TrafficPolicyRegistry writer = TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).etcd(writerSettings)
        .build();
    try (ServerSocket endpoint = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String id = writer.createPolicy("www", RegistryConfigTest.single("192.0.2.7"), Optional.empty()).id();
      writer.createRecord("example.net", "www.example.net", 60, id, 1);
      ConfiguredServer serve = ConfiguredServer.load(config(prefix, "app-secret", endpoint.getLocalPort())).start();
      try {
        assertThat(ServeSharedHealthTest.answer(serve)).isEqualTo("192.0.2.7");
        int v2 = writer.createPolicyVersion(id, RegistryConfigTest.single("192.0.2.8"), Optional.empty()).version();
        writer.updateRecord("www.example.net", Optional.of(v2), OptionalLong.empty());
        assertThat(Eventually.until(() -> {
          try {
            return ServeSharedHealthTest.answer(serve).equals("192.0.2.8");
          } catch (IOException e) {
            throw new AssertionError(e);
          }
        })).as("the server answering version 2").isTrue();
        serve.healthChecker().orElseThrow().runOnce().get(30, TimeUnit.SECONDS);
        assertThat(Eventually.until(() -> serve.sharedHealth().orElseThrow().connected()
            && serve.sharedHealth().orElseThrow().view().values().stream().anyMatch(v -> v.decided() == 1)))
            .as("shared health connected over TLS, counting ns1's result").isTrue();
        assertThat(etcd.etcdctl("get", "--prefix", "--keys-only", "/" + prefix + "/health/"))
            .contains("/" + prefix + "/health/hc-a/ns1");
      } finally {
        serve.close();
      }
    } finally {
      writer.close();
    }
  }

  @Test
  void aWrongPasswordInThePasswordFileStopsServeAtOnceNamingTheUser() {
    // without startupWaitSeconds, serve waits for an unreachable etcd without limit: a refusal must not look like one
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(
        () -> ConfiguredServer.load(config("serve/wrong", "not-the-password", 9)).start())
        .hasMessageContaining("refused the user 'app': authentication failed (wrong user name or password)"));
  }
}
