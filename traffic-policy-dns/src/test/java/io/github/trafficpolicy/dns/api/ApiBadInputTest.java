package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or broken requests, correctly signed so they pass authentication: each gets a clear Route 53-style
 * error, nothing is stored, and the server keeps serving.
 */
final class ApiBadInputTest {
  @TempDir Path dir;

  private ApiFixture api;
  private SignedHttp http;
  private long generation;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixture.inDirectory(dir.resolve("registry"));
    http = new SignedHttp(api.server.endpoint());
    generation = api.registry.state().generation();
  }

  @AfterEach
  void stillServing_andNothingStored() throws Exception {
    try {
      assertThat(api.registry.state().generation()).as("nothing was stored").isEqualTo(generation);
      SignedHttp.Response ok = http.send("POST", "/2013-04-01/trafficpolicy", "text/xml",
          ApiAuthTest.create("after").getBytes(StandardCharsets.UTF_8));
      assertThat(ok.status()).as("the server still serves: " + ok.body()).isEqualTo(201);
    } finally {
      api.close();
    }
  }

  private SignedHttp.Response post(String path, String contentType, String body) throws Exception {
    return http.send("POST", path, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertError(SignedHttp.Response r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.body()).contains("<Code>" + code + "</Code>");
  }

  @Test
  void externalEntity_isRefused_andNeverResolved() throws Exception {
    Path secret = dir.resolve("secret.txt");
    Files.writeString(secret, "TOP-SECRET-CONTENT");
    String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>\n"
        + "<CreateTrafficPolicyRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
        + "<Name>&x;</Name><Document>{}</Document></CreateTrafficPolicyRequest>";
    SignedHttp.Response r = post("/2013-04-01/trafficpolicy", "text/xml", xxe);
    assertError(r, 400, "InvalidInput");
    assertThat(r.body()).contains("DOCTYPE").doesNotContain("TOP-SECRET-CONTENT");
  }

  @Test
  void entityExpansion_isRefused() throws Exception {
    StringBuilder dtd = new StringBuilder("<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">");
    for (char c = 'b'; c <= 'j'; c++) {
      String prev = String.valueOf((char) (c - 1));
      dtd.append("<!ENTITY ").append(c).append(" \"").append(("&" + prev + ";").repeat(10)).append("\">");
    }
    dtd.append("]>");
    String bomb = "<?xml version=\"1.0\"?>" + dtd + "<CreateTrafficPolicyRequest><Name>&j;</Name>"
        + "<Document>{}</Document></CreateTrafficPolicyRequest>";
    assertError(post("/2013-04-01/trafficpolicy", "text/xml", bomb), 400, "InvalidInput");
  }

  @Test
  void malformedXml_wrongRoot_missingElement_areInvalidInput() throws Exception {
    SignedHttp.Response broken = post("/2013-04-01/trafficpolicy", "text/xml", "<CreateTrafficPolicyRequest><Name>");
    assertError(broken, 400, "InvalidInput");
    assertThat(broken.body()).contains("Malformed XML");
    SignedHttp.Response root = post("/2013-04-01/trafficpolicy", "text/xml",
        "<CreateHealthCheckRequest><Name>x</Name></CreateHealthCheckRequest>");
    assertError(root, 400, "InvalidInput");
    assertThat(root.body()).contains("must be CreateTrafficPolicyRequest");
    SignedHttp.Response missing = post("/2013-04-01/trafficpolicy", "text/xml",
        "<CreateTrafficPolicyRequest><Name>x</Name></CreateTrafficPolicyRequest>");
    assertError(missing, 400, "InvalidInput");
    assertThat(missing.body()).contains("Missing required element Document");
    assertError(post("/2013-04-01/trafficpolicy", "text/xml", ""), 400, "InvalidInput");
  }

  @Test
  void oversizedBody_isRefused() throws Exception {
    String big = ApiAuthTest.create("x".repeat(ApiServer.MAX_BODY));
    SignedHttp.Response r = post("/2013-04-01/trafficpolicy", "text/xml", big);
    assertError(r, 413, "InvalidInput");
    assertThat(r.body()).contains("larger than " + ApiServer.MAX_BODY);
  }

  @Test
  void oversizedDocument_isRefusedWithRoute53sLimit() throws Exception {
    String doc = "{\"x\":\"" + "y".repeat(Route53Api.MAX_DOCUMENT) + "\"}";
    String body = "<CreateTrafficPolicyRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
        + "<Name>n</Name><Document>" + doc + "</Document></CreateTrafficPolicyRequest>";
    SignedHttp.Response r = post("/2013-04-01/trafficpolicy", "text/xml", body);
    assertError(r, 400, "InvalidInput");
    assertThat(r.body()).contains("at most 102400");
  }

  @Test
  void wrongContentType_isRefused() throws Exception {
    SignedHttp.Response r = post("/2013-04-01/trafficpolicy", "application/json", "{\"Name\":\"x\"}");
    assertError(r, 415, "InvalidInput");
    assertThat(r.body()).contains("Content-Type");
  }

  @Test
  void unknownActions_areInvalidAction() throws Exception {
    assertError(http.send("GET", "/2013-04-01/nonsense", (String) null, new byte[0]), 400, "InvalidAction");
    // "/" itself is the web console's: a redirect to /console/.
    assertThat(http.send("GET", "/", (String) null, new byte[0]).status()).isEqualTo(302);
    assertError(http.send("PUT", "/2013-04-01/trafficpolicy", (String) null, new byte[0]), 400, "InvalidAction");
    assertError(http.send("GET", "/2012-12-12/trafficpolicies", (String) null, new byte[0]), 400, "InvalidAction");
  }

  @Test
  void pathTraversalAndOddIds_areInvalidInput() throws Exception {
    for (String path : new String[] {
        "/2013-04-01/trafficpolicy/..%2F..%2Fetc%2Fpasswd/1",
        "/2013-04-01/trafficpolicy/%2e%2e/1",
        "/2013-04-01/trafficpolicyinstance/a%00b",
        "/2013-04-01/trafficpolicy/" + "a".repeat(37) + "/1",
        "/2013-04-01/trafficpolicy/abc/0",
        "/2013-04-01/hostedzone/..%2Fx",
    }) {
      SignedHttp.Response r = http.send("GET", path, (String) null, new byte[0]);
      assertError(r, 400, "InvalidInput");
    }
    assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsOnly("registry");
  }
}
