package io.github.trafficpolicy.dns.console;

import static io.github.trafficpolicy.dns.console.ConsoleFixture.ADMIN_ID;
import static io.github.trafficpolicy.dns.console.ConsoleFixture.ADMIN_SECRET;
import static io.github.trafficpolicy.dns.console.ConsoleFixture.READER_ID;
import static io.github.trafficpolicy.dns.console.ConsoleFixture.READER_SECRET;
import static io.github.trafficpolicy.dns.console.ConsoleFixture.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's sign-in, session cookie, CSRF checks, read-only keys and security headers, over HTTP. */
class ConsoleSecurityTest {
  private static final String DOC = "{\"AWSPolicyFormatVersion\":\"2015-10-01\",\"RecordType\":\"A\","
      + "\"Endpoints\":{\"a\":{\"Type\":\"value\",\"Value\":\"192.0.2.1\"}},\"StartEndpoint\":\"a\"}";

  private ConsoleFixture console;

  @BeforeEach
  void start() throws IOException {
    console = new ConsoleFixture();
  }

  @AfterEach
  void stop() {
    console.close();
  }

  @Test
  void signInWithAGoodKeySetsAStrictHttpOnlyCookieAndAnswersTheSession() {
    HttpResponse<String> r = console.signInResponse(ADMIN_ID, ADMIN_SECRET);

    assertThat(r.statusCode()).isEqualTo(200);
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).matches("tp_console=[A-Za-z0-9_-]{43}; .*");
    List<String> attributes = List.of(cookie.split("; "));
    assertThat(attributes).contains("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800")
        .doesNotContain("Secure");
    JsonNode body = parse(r.body());
    assertThat(body.get("accessKeyId").asText()).isEqualTo(ADMIN_ID);
    assertThat(body.get("profile").asText()).isEqualTo("admin");
    assertThat(body.get("readOnly").asBoolean()).isFalse();
    assertThat(body.get("csrfToken").asText()).matches("[A-Za-z0-9_-]{43}");
    assertThat(Instant.parse(body.get("expiresAt").asText())).isEqualTo(console.clock.instant().plus(
        Duration.ofHours(8)));
    assertThat(r.body()).doesNotContain(ADMIN_SECRET);

    ConsoleFixture.Session s = console.admin();
    HttpResponse<String> who = s.get("session");
    assertThat(who.statusCode()).isEqualTo(200);
    assertThat(parse(who.body()).get("csrfToken").asText()).isEqualTo(s.csrf);
    assertThat(s.get("policies").statusCode()).isEqualTo(200);
  }

  @Test
  void aWrongSecretOrUnknownKeyIsRefusedAlikeAndSetsNoCookie() {
    HttpResponse<String> wrong = console.signInResponse(ADMIN_ID, ADMIN_SECRET + "x");
    HttpResponse<String> unknown = console.signInResponse("AKIDNOBODY0000000000", ADMIN_SECRET);

    for (HttpResponse<String> r : List.of(wrong, unknown)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
      assertThat(parse(r.body()).at("/error/code").asText()).isEqualTo("InvalidClientTokenId");
    }
    assertThat(parse(wrong.body()).at("/error/message")).isEqualTo(parse(unknown.body()).at("/error/message"));
  }

  @Test
  void repeatedFailuresAreThrottledEvenForTheRightSecretUntilTheWindowPasses() {
    for (int i = 0; i < Sessions.MAX_FAILURES; i++) {
      assertThat(console.signInResponse(ADMIN_ID, "wrong" + i).statusCode()).isEqualTo(401);
    }

    HttpResponse<String> throttled = console.signInResponse(ADMIN_ID, ADMIN_SECRET);
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(parse(throttled.body()).at("/error/code").asText()).isEqualTo("Throttling");
    // The same address is throttled for another key too.
    assertThat(console.signInResponse(READER_ID, READER_SECRET).statusCode()).isEqualTo(429);

    console.advance(Sessions.FAILURE_WINDOW);
    assertThat(console.signInResponse(ADMIN_ID, ADMIN_SECRET).statusCode()).isEqualTo(200);
  }

  @Test
  void aSessionEndsAfterAnHourIdleOrEightHoursInAll() {
    ConsoleFixture.Session idle = console.admin();
    console.advance(Duration.ofMinutes(59));
    assertThat(idle.get("session").statusCode()).isEqualTo(200);
    console.advance(Duration.ofMinutes(61));
    assertThat(idle.get("session").statusCode()).isEqualTo(401);
    assertThat(idle.get("policies").statusCode()).isEqualTo(401);

    ConsoleFixture.Session busy = console.admin();
    for (int i = 0; i < 8; i++) {
      assertThat(busy.get("policies").statusCode()).as("hour %s", i).isEqualTo(200);
      console.advance(Duration.ofMinutes(59));
    }
    console.advance(Duration.ofMinutes(9));
    HttpResponse<String> expired = busy.get("policies");
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(parse(expired.body()).at("/error/code").asText()).isEqualTo("NotSignedIn");
  }

  @Test
  void signOutEndsTheSessionAndClearsTheCookie() {
    ConsoleFixture.Session s = console.admin();

    HttpResponse<String> out = s.delete("session");

    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("tp_console=;").contains("Max-Age=0");
    assertThat(s.get("session").statusCode()).isEqualTo(401);
  }

  @Test
  void writesWithoutTheTokenWithAWrongOneFromAnotherOriginOrNotJsonAreRefusedAndChangeNothing() {
    ConsoleFixture.Session s = console.admin();
    String body = ConsoleFixture.json(Map.of("name", "p", "document", parse(DOC)));
    Map<String, Function<HttpRequest.Builder, HttpRequest.Builder>> attacks = Map.of(
        "no token", b -> console.request("/console/api/policies").header("Cookie", s.cookie)
            .header("Content-Type", "application/json"),
        "wrong token", b -> b.setHeader("X-CSRF-Token", s.csrf.substring(1) + "A"),
        "other origin", b -> b.setHeader("Origin", "http://evil.example"),
        "other site", b -> b.header("Sec-Fetch-Site", "cross-site"),
        "form content type", b -> b.setHeader("Content-Type", "application/x-www-form-urlencoded"),
        "text content type", b -> b.setHeader("Content-Type", "text/plain"));

    attacks.forEach((name, attack) -> {
      HttpResponse<String> r = console.send(attack.apply(s.write("policies"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build());
      assertThat(r.statusCode()).as(name).isEqualTo(403);
      assertThat(parse(r.body()).at("/error/code").asText()).as(name).isEqualTo("CsrfCheckFailed");
    });
    assertThat(console.registry.listPolicies()).isEmpty();
    assertThat(console.audit).isEmpty();

    assertThat(s.post("policies", body).statusCode()).isEqualTo(201);
    assertThat(console.registry.listPolicies()).hasSize(1);
  }

  @Test
  void signOutAndSignInNeedTheSameOriginToo() {
    ConsoleFixture.Session s = console.admin();
    HttpResponse<String> noToken = console.send(console.request("/console/api/session").header("Cookie", s.cookie)
        .DELETE().build());
    assertThat(noToken.statusCode()).isEqualTo(403);
    assertThat(s.get("session").statusCode()).isEqualTo(200);

    HttpResponse<String> crossOriginSignIn = console.send(console.request("/console/api/session")
        .header("Content-Type", "application/json").header("Origin", "http://evil.example")
        .POST(HttpRequest.BodyPublishers.ofString(ConsoleFixture.json(
            Map.of("accessKeyId", ADMIN_ID, "secretAccessKey", ADMIN_SECRET)))).build());
    assertThat(crossOriginSignIn.statusCode()).isEqualTo(403);
    assertThat(crossOriginSignIn.headers().firstValue("Set-Cookie")).isEmpty();
  }

  @Test
  void aBuilderMissingAPart_isRefusedNamingIt() {
    assertThatThrownBy(() -> Console.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessage("registry is not set");
    assertThatThrownBy(() -> Console.builder().registry(console.registry).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("keys are not set");
  }

  @Test
  void aReadOnlyKeyReadsButCannotChangeAnything() {
    ConsoleFixture.Session s = console.reader();
    assertThat(s.signIn.get("readOnly").asBoolean()).isTrue();
    assertThat(s.get("policies").statusCode()).isEqualTo(200);

    HttpResponse<String> r = s.post("policies", Map.of("name", "p", "document", parse(DOC)));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(parse(r.body()).at("/error/code").asText()).isEqualTo("AccessDenied");
    assertThat(console.registry.listPolicies()).isEmpty();
    // Validating changes nothing: a read-only key may.
    assertThat(s.post("validate", Map.of("document", parse(DOC))).statusCode()).isEqualTo(200);
  }

  @Test
  void everyKindOfResponseCarriesTheSecurityHeaders() {
    ConsoleFixture.Session s = console.admin();
    List<HttpResponse<String>> responses = List.of(
        console.send(console.request("/").GET().build()),
        console.send(console.request("/console").GET().build()),
        console.send(console.request("/console/").GET().build()),
        console.send(console.request("/console/main.js").GET().build()),
        console.send(console.request("/console/vendor/d3.min.js").method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build()),
        console.send(console.request("/console/nothing.js").GET().build()),
        console.send(console.request("/console/main.js").POST(HttpRequest.BodyPublishers.noBody()).build()),
        console.send(console.request("/console/api/policies").GET().build()),
        s.get("policies"),
        s.get("no-such-operation"),
        s.post("policies", "{not json"),
        s.delete("session"));
    for (HttpResponse<String> r : responses) {
      String what = r.request().method() + " " + r.uri() + " " + r.statusCode();
      assertThat(r.headers().firstValue("Content-Security-Policy")).as(what).contains(Console.CSP);
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(what).contains("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(what).contains("no-referrer");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(what).contains("DENY");
      if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
        assertThat(r.headers().firstValue("Cache-Control")).as(what).contains("no-store");
      }
    }
    assertThat(responses).extracting(HttpResponse::statusCode)
        .containsExactly(302, 302, 200, 200, 200, 404, 405, 401, 200, 404, 400, 204);
  }

  @Test
  void staticFilesHaveTheirTypesAndETagsAndNothingOutsideIsReachable() {
    HttpResponse<String> root = console.send(console.request("/").GET().build());
    assertThat(root.headers().firstValue("Location")).contains("/console/");
    HttpResponse<String> index = console.send(console.request("/console/").GET().build());
    assertThat(index.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    assertThat(index.body()).contains("<script type=\"module\" src=\"main.js\">");
    HttpResponse<String> js = console.send(console.request("/console/main.js").GET().build());
    assertThat(js.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
    String etag = js.headers().firstValue("ETag").orElseThrow();
    assertThat(js.headers().firstValue("Cache-Control")).contains("no-cache");
    HttpResponse<String> again = console.send(console.request("/console/main.js").header("If-None-Match", etag)
        .GET().build());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    HttpResponse<String> css = console.send(console.request("/console/style.css").GET().build());
    assertThat(css.headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
    HttpResponse<String> d3 = console.send(console.request("/console/vendor/d3.min.js").GET().build());
    assertThat(d3.statusCode()).isEqualTo(200);
    assertThat(d3.body()).contains("d3js.org").hasSizeGreaterThan(100_000);

    for (String path : List.of("/console/../io/github/trafficpolicy/dns/example/serve.json",
        "/console/%2e%2e/example/serve.json", "/console/..%2Fexample%2Fserve.json", "/console/.hidden.js",
        "/console/vendor/../main.js", "/console/Console.class", "/console/%2Fetc%2Fpasswd.txt",
        "/console/META-INF/MANIFEST.MF", "/console/vendor/d3.js")) {
      HttpResponse<String> r = console.send(console.request("/").uri(java.net.URI.create(console.origin() + path))
          .GET().build());
      assertThat(r.statusCode()).as(path).isEqualTo(404);
    }
  }

  @Test
  void aLoopbackConsoleRefusesAHostNameOtherThanLocalhost() throws IOException {
    assertThat(raw("GET /console/ HTTP/1.1\r\nHost: localhost:" + console.server.address().getPort()
        + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200");
    String rebound = raw("GET /console/api/session HTTP/1.1\r\nHost: evil.example:"
        + console.server.address().getPort() + "\r\nConnection: close\r\n\r\n");
    assertThat(rebound).startsWith("HTTP/1.1 421").contains("MisdirectedRequest");
  }

  @Test
  void theRoute53ApiStillAnswersBesideTheConsole() {
    HttpResponse<String> r = console.send(console.request("/2013-04-01/trafficpolicies").GET().build());
    // Unsigned: Route 53's XML error, not the console's JSON.
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/xml");
    assertThat(r.body()).contains("<ErrorResponse");
  }

  private String raw(String request) throws IOException {
    try (Socket s = new Socket(console.server.address().getAddress(), console.server.address().getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
