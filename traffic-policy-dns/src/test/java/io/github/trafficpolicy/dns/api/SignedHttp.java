package io.github.trafficpolicy.dns.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Raw HTTP requests to the API, signed by the AWS SDK's own SigV4 signer ({@link AwsV4HttpSigner}) with any clock,
 * for the cases the SDK's clients never send (old signatures, hostile bodies, odd paths).
 */
final class SignedHttp {
  /** Headers {@link HttpClient} sets itself. */
  private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

  private final String endpoint;
  private final HttpClient http;

  SignedHttp(String endpoint) {
    this(endpoint, HttpClient.newHttpClient());
  }

  SignedHttp(String endpoint, HttpClient http) {
    this.endpoint = endpoint;
    this.http = http;
  }

  /** A response: status, body, request ID header. */
  record Response(int status, String body, String requestId) {}

  /** The request signed now with the admin key. */
  Response send(String method, String pathAndQuery, String contentType, byte[] body) throws Exception {
    return send(method, pathAndQuery, contentType, body, ApiFixture.ADMIN_ID, ApiFixture.ADMIN_SECRET,
        Clock.systemUTC());
  }

  /** The request signed by {@code id}/{@code secret} at the time of {@code clock}. */
  Response send(String method, String pathAndQuery, String contentType, byte[] body, String id, String secret,
                Clock clock) throws Exception {
    SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method))
        .uri(URI.create(endpoint + pathAndQuery));
    if (contentType != null) {
      unsigned.putHeader("Content-Type", contentType);
    }
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(id, secret))
        .request(unsigned.build())
        .payload(ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "route53")
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
        .putProperty(HttpSigner.SIGNING_CLOCK, clock));
    return sendRaw(method, pathAndQuery, signed.request().headers(), body);
  }

  /** The request with exactly these headers (none added but the ones {@link HttpClient} always sets). */
  Response sendRaw(String method, String pathAndQuery, Map<String, List<String>> headers, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + pathAndQuery))
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach((name, values) -> {
      if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        values.forEach(v -> b.header(name, v));
      }
    });
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body(), r.headers().firstValue("x-amzn-RequestId").orElse(""));
  }
}
