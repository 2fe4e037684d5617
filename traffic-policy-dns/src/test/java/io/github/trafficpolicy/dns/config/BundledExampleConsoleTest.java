package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.Transport;
import io.github.trafficpolicy.dns.api.AccessKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The README's main command: {@code serve} with no arguments serves the bundled example from an in-memory registry
 * with the console beside it and a key made at startup, so its {@code www} policy can be changed and rolled out from
 * the console at once. Run here with the example's own configuration, its ports set to 0 (any free one).
 */
final class BundledExampleConsoleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  private static ServeConfig exampleOnFreePorts() throws IOException {
    ConfigSource source = ConfigSource.classpath(BundledExampleConsoleTest.class.getClassLoader(),
        ServeConfigReader.EXAMPLE_PREFIX);
    String text = new String(source.read("serve.json"), StandardCharsets.UTF_8);
    assertThat(text).contains("\"127.0.0.1:5353\"", "\"api\": { \"listen\": \"127.0.0.1:8053\" }",
        "\"registry\": { \"memory\": true }");
    return ServeConfigReader.parse("serve.json", text.replace("127.0.0.1:5353", "127.0.0.1:0")
        .replace("127.0.0.1:8053", "127.0.0.1:0"), source);
  }

  @Test
  void theExamplesWwwPolicyIsInTheConsoleAndAVersionRolledOutThereIsServedAtOnce() throws Exception {
    try (ConfiguredServer server = ConfiguredServer.create(exampleOnFreePorts()).start()) {
      AccessKeys.Key key = server.generatedApiKey().orElseThrow();
      assertThat(server.registryInMemory()).isTrue();
      String origin = server.api().orElseThrow().endpoint();
      QueryHandler dns = server.server().handler();
      assertThat(answer(dns, "198.51.100.0")).isIn("198.51.100.10", "198.51.100.11");

      HttpResponse<String> signIn = send(HttpRequest.newBuilder(URI.create(origin + "/console/api/session"))
          .header("Content-Type", "application/json").header("Origin", origin)
          .POST(body(Map.of("accessKeyId", key.accessKeyId(), "secretAccessKey", key.secret()))).build());
      assertThat(signIn.statusCode()).isEqualTo(200);
      String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      String csrf = JSON.readTree(signIn.body()).get("csrfToken").asText();

      JsonNode policies = JSON.readTree(send(HttpRequest.newBuilder(URI.create(origin + "/console/api/policies"))
          .header("Cookie", cookie).build()).body()).get("policies");
      assertThat(policies).singleElement().satisfies(p -> {
        assertThat(p.get("id").asText()).isEqualTo("www-example");
        assertThat(p.at("/versions/0/records").asInt()).isEqualTo(1);
      });
      String v1 = JSON.readTree(send(HttpRequest.newBuilder(URI.create(origin
          + "/console/api/policies/www-example/versions/1")).header("Cookie", cookie).build()).body())
          .get("documentText").asText();

      String v2 = v1.replace("198.51.100.10", "198.51.100.99").replace("198.51.100.11", "198.51.100.99");
      assertThat(write(origin, cookie, csrf, "policies/www-example/versions", Map.of("document", v2)).statusCode())
          .isEqualTo(201);
      assertThat(answer(dns, "198.51.100.0")).as("a new version alone changes nothing served")
          .isIn("198.51.100.10", "198.51.100.11");
      assertThat(write(origin, cookie, csrf, "records/update", Map.of("names", List.of("www.example.com"),
          "policyId", "www-example", "version", 2)).statusCode()).isEqualTo(200);
      assertThat(answer(dns, "198.51.100.0")).isEqualTo("198.51.100.99");

      assertThat(write(origin, cookie, csrf, "records/www.example.com./rollback", Map.of()).statusCode())
          .isEqualTo(200);
      assertThat(answer(dns, "198.51.100.0")).isIn("198.51.100.10", "198.51.100.11");
    }
  }

  private HttpResponse<String> write(String origin, String cookie, String csrf, String path, Object body)
      throws Exception {
    return send(HttpRequest.newBuilder(URI.create(origin + "/console/api/" + path)).header("Cookie", cookie)
        .header("X-CSRF-Token", csrf).header("Origin", origin).header("Content-Type", "application/json")
        .POST(body(body)).build());
  }

  private static HttpRequest.BodyPublisher body(Object o) throws IOException {
    return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(o));
  }

  private HttpResponse<String> send(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  private static String answer(QueryHandler h, String subnet) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(24, InetAddress.getByName(subnet)))),
        Section.ADDITIONAL);
    Message r = new Message(h.handle(q.toWire(), InetAddress.getByName("127.0.0.1"), Transport.UDP).get());
    return r.getSection(Section.ANSWER).get(0).rdataToString();
  }
}
