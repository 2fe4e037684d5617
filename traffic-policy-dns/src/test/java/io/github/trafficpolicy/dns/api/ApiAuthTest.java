package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Route53Exception;

/** Who may call the API: SigV4 signatures by the configured keys, within 15 minutes; read-only keys only read. */
final class ApiAuthTest {
  private ApiFixture api;
  private SignedHttp http;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixture.inMemory();
    http = new SignedHttp(api.server.endpoint());
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private static void assertError(SignedHttp.Response r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.body()).contains("<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">")
        .contains("<Code>" + code + "</Code>").contains("<RequestId>" + r.requestId() + "</RequestId>");
    assertThat(r.requestId()).isNotBlank();
  }

  @Test
  void unsignedRequest_isMissingAuthenticationToken() throws Exception {
    SignedHttp.Response r = http.sendRaw("GET", "/2013-04-01/trafficpolicies", Map.of(), new byte[0]);
    assertError(r, 403, "MissingAuthenticationToken");
  }

  @Test
  void malformedAuthorization_isIncompleteSignature() throws Exception {
    SignedHttp.Response r = http.sendRaw("GET", "/2013-04-01/trafficpolicies",
        Map.of("Authorization", List.of("AWS4-HMAC-SHA256 Credential=" + ApiFixture.ADMIN_ID),
            "X-Amz-Date", List.of("20260101T000000Z")), new byte[0]);
    assertError(r, 400, "IncompleteSignature");
  }

  @Test
  void wrongSecret_isSignatureDoesNotMatch() {
    Route53Exception e = ApiFixture.refused(() -> api.client(ApiFixture.ADMIN_ID, "not-the-secret")
        .listTrafficPolicies());
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
    assertThat(e.statusCode()).isEqualTo(403);
  }

  @Test
  void unknownKey_isInvalidClientTokenId() {
    Route53Exception e = ApiFixture.refused(() -> api.client("AKIDUNKNOWN00000000", "whatever")
        .listTrafficPolicies());
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidClientTokenId");
    assertThat(e.statusCode()).isEqualTo(403);
  }

  @Test
  void signaturesOlderOrNewerThan15Minutes_areRequestExpired_withinTheWindow_accepted() throws Exception {
    Instant now = Instant.now();
    for (Duration offset : List.of(Duration.ofMinutes(-16), Duration.ofMinutes(16))) {
      Clock clock = Clock.fixed(now.plus(offset), ZoneOffset.UTC);
      SignedHttp.Response r = http.send("GET", "/2013-04-01/trafficpolicies", null, new byte[0],
          ApiFixture.ADMIN_ID, ApiFixture.ADMIN_SECRET, clock);
      assertError(r, 400, "RequestExpired");
    }
    for (Duration offset : List.of(Duration.ofMinutes(-14), Duration.ofMinutes(14))) {
      Clock clock = Clock.fixed(now.plus(offset), ZoneOffset.UTC);
      SignedHttp.Response r = http.send("GET", "/2013-04-01/trafficpolicies", null, new byte[0],
          ApiFixture.ADMIN_ID, ApiFixture.ADMIN_SECRET, clock);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
  }

  @Test
  void signaturesOverEncodedQueries_repeatedAndEmptyParameters_verify() throws Exception {
    for (String query : List.of("?dnsname=%2A.example.com&maxitems=1", "?maxitems=2&dnsname=ex%C3%A4mple.org",
        "?dnsname=a+b.example.com", "?dnsname=", "?maxitems=1&hostedzoneid=&dnsname=example.com")) {
      SignedHttp.Response r = http.send("GET", "/2013-04-01/hostedzonesbyname" + query, null, new byte[0]);
      assertThat(r.status()).as(query + ": " + r.body()).isEqualTo(200);
    }
  }

  @Test
  void aChangedRequest_afterSigning_isSignatureDoesNotMatch() throws Exception {
    byte[] body = create("p").getBytes(StandardCharsets.UTF_8);
    software.amazon.awssdk.http.SdkHttpRequest signed = software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner
        .create().sign(r -> r
            .identity(software.amazon.awssdk.identity.spi.AwsCredentialsIdentity.create(ApiFixture.ADMIN_ID,
                ApiFixture.ADMIN_SECRET))
            .request(software.amazon.awssdk.http.SdkHttpRequest.builder()
                .method(software.amazon.awssdk.http.SdkHttpMethod.POST)
                .uri(java.net.URI.create(api.server.endpoint() + "/2013-04-01/trafficpolicy")).build())
            .payload(software.amazon.awssdk.http.ContentStreamProvider.fromByteArray(body))
            .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.SERVICE_SIGNING_NAME,
                "route53")
            .putProperty(software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner.REGION_NAME, "us-east-1"))
        .request();
    byte[] tampered = create("q").getBytes(StandardCharsets.UTF_8);
    assertThat(signed.headers()).containsKey("x-amz-content-sha256");
    SignedHttp.Response r = http.sendRaw("POST", "/2013-04-01/trafficpolicy", signed.headers(), tampered);
    assertError(r, 400, "XAmzContentSHA256Mismatch");
    Map<String, List<String>> withoutHash = new java.util.HashMap<>(signed.headers());
    withoutHash.remove("x-amz-content-sha256");
    SignedHttp.Response unhashed = http.sendRaw("POST", "/2013-04-01/trafficpolicy", withoutHash, tampered);
    assertError(unhashed, 403, "SignatureDoesNotMatch");
    SignedHttp.Response moved = http.sendRaw("POST", "/2013-04-01/trafficpolicy?x=1", signed.headers(), body);
    assertError(moved, 403, "SignatureDoesNotMatch");
    assertThat(api.registry.listPolicies()).isEmpty();
    SignedHttp.Response original = http.sendRaw("POST", "/2013-04-01/trafficpolicy", signed.headers(), body);
    assertThat(original.status()).as(original.body()).isEqualTo(201);
  }

  @Test
  void readOnlyKey_reads_butCannotWrite() {
    Route53Client admin = api.admin();
    String id = admin.createTrafficPolicy(b -> b.name("p").document(ApiSdkTest.single("A", "192.0.2.1")))
        .trafficPolicy().id();
    Route53Client reader = api.client(ApiFixture.READER_ID, ApiFixture.READER_SECRET);
    assertThat(reader.getTrafficPolicy(b -> b.id(id).version(1)).trafficPolicy().name()).isEqualTo("p");
    assertThat(reader.listHostedZones().hostedZones()).hasSize(2);
    long generation = api.registry.state().generation();
    for (Runnable write : List.<Runnable>of(
        () -> reader.createTrafficPolicy(b -> b.name("q").document(ApiSdkTest.single("A", "192.0.2.1"))),
        () -> reader.createTrafficPolicyVersion(b -> b.id(id).document(ApiSdkTest.single("A", "192.0.2.2"))),
        () -> reader.updateTrafficPolicyComment(b -> b.id(id).version(1).comment("x")),
        () -> reader.deleteTrafficPolicy(b -> b.id(id).version(1)))) {
      Route53Exception e = ApiFixture.refused(write);
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
      assertThat(e.statusCode()).isEqualTo(403);
    }
    assertThat(api.registry.state().generation()).isEqualTo(generation);
  }

  @Test
  void everyWrite_writesOneAuditLine_withWhoWhatBeforeAndAfter_readsAndRefusalsNone() throws Exception {
    Route53Client admin = api.admin();
    String id = admin.createTrafficPolicy(b -> b.name("p").document(ApiSdkTest.single("A", "192.0.2.1")))
        .trafficPolicy().id();
    admin.createTrafficPolicyVersion(b -> b.id(id).document(ApiSdkTest.single("A", "192.0.2.2")));
    String zone = HostedZones.zoneId("example.com");
    String instance = admin.createTrafficPolicyInstance(b -> b.hostedZoneId(zone).name("www.example.com")
        .ttl(60L).trafficPolicyId(id).trafficPolicyVersion(1)).trafficPolicyInstance().id();
    admin.updateTrafficPolicyInstance(b -> b.id(instance).ttl(30L).trafficPolicyId(id).trafficPolicyVersion(2));
    admin.listTrafficPolicies();
    admin.getTrafficPolicyInstance(b -> b.id(instance));
    ApiFixture.refused(() -> admin.deleteTrafficPolicy(b -> b.id(id).version(2)));
    ApiFixture.refused(() -> api.client(ApiFixture.READER_ID, ApiFixture.READER_SECRET).deleteTrafficPolicyInstance(
        b -> b.id(instance)));
    admin.deleteTrafficPolicyInstance(b -> b.id(instance));
    admin.deleteTrafficPolicy(b -> b.id(id).version(1));

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = api.audit.stream().map(l -> {
      try {
        return json.readTree(l);
      } catch (Exception e) {
        throw new AssertionError(l, e);
      }
    }).toList();
    assertThat(lines).extracting(l -> l.get("action").asText()).containsExactly("CreateTrafficPolicy",
        "CreateTrafficPolicyVersion", "CreateTrafficPolicyInstance", "UpdateTrafficPolicyInstance",
        "DeleteTrafficPolicyInstance", "DeleteTrafficPolicy");
    assertThat(lines).allSatisfy(l -> {
      assertThat(l.get("accessKeyId").asText()).isEqualTo(ApiFixture.ADMIN_ID);
      assertThat(l.get("profile").asText()).isEqualTo("admin");
      assertThat(l.get("requestId").asText()).isNotBlank();
      assertThat(Instant.parse(l.get("time").asText())).isNotNull();
    });
    JsonNode update = lines.get(3);
    assertThat(update.get("target").asText()).isEqualTo(instance);
    assertThat(update.get("before").get("policyVersion").asInt()).isEqualTo(1);
    assertThat(update.get("before").get("ttl").asLong()).isEqualTo(60);
    assertThat(update.get("after").get("policyVersion").asInt()).isEqualTo(2);
    assertThat(update.get("after").get("ttl").asLong()).isEqualTo(30);
    assertThat(update.get("after").get("name").asText()).isEqualTo("www.example.com.");
    assertThat(lines.get(1).get("after").get("version").asInt()).isEqualTo(2);
    assertThat(lines.get(1).get("before").isNull()).isTrue();
    assertThat(lines.get(4).get("after").isNull()).isTrue();
    assertThat(lines.get(5).get("target").asText()).isEqualTo(id + "/1");
  }

  static String create(String name) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<CreateTrafficPolicyRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
        + "<Name>" + name + "</Name><Document>" + ApiSdkTest.single("A", "192.0.2.1") + "</Document>"
        + "</CreateTrafficPolicyRequest>";
  }
}
