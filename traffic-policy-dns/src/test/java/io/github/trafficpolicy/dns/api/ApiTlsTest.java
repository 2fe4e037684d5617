package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.dns.Catalog;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.Zone;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a keystore; plain HTTP is refused on addresses that are not loopback. */
final class ApiTlsTest {
  private static final char[] PASSWORD = "test-password".toCharArray();

  @TempDir Path dir;

  private static ApiServer.Builder builder() {
    QueryHandler handler = QueryHandler.builder(Catalog.builder()
        .zone(Zone.parse("example.com", ApiFixture.zone("example.com"))).build()).build();
    return ApiServer.builder()
        .registry(TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).build())
        .dns(handler)
        .keys(AccessKeys.parse("credentials", ApiFixture.CREDENTIALS))
        .audit(new AuditLog(line -> {}, java.time.Clock.systemUTC()));
  }

  @Test
  void plainHttpOnANonLoopbackAddress_isRefusedBeforeBinding() {
    assertThatThrownBy(() -> builder().listen(new InetSocketAddress(InetAddresses.forString("192.0.2.1"), 0))
        .build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not a loopback address")
        .hasMessageContaining("TLS");
  }

  @Test
  void https_withAKeystore_servesSignedRequests() throws Exception {
    Path keystore = dir.resolve("api.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(out).isZero();

    try (ApiServer server = builder().listen(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0))
        .tls(keystore, PASSWORD).build().start()) {
      assertThat(server.endpoint()).startsWith("https://127.0.0.1:");
      KeyStore trust = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        trust.load(in, PASSWORD);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      HttpClient client = HttpClient.newBuilder().sslContext(ctx).build();
      HttpResponse<String> unsigned = client.send(HttpRequest.newBuilder(
          URI.create(server.endpoint() + "/2013-04-01/hostedzone")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(unsigned.statusCode()).isEqualTo(403);
      assertThat(unsigned.body()).contains("MissingAuthenticationToken");

      SignedHttp signed = new SignedHttp(server.endpoint(), client);
      SignedHttp.Response zones = signed.send("GET", "/2013-04-01/hostedzone", null, new byte[0]);
      assertThat(zones.status()).as(zones.body()).isEqualTo(200);
      assertThat(zones.body()).contains("<Name>example.com.</Name>");
      assertThat(zones.requestId()).isNotBlank();
    }
  }
}
