package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request as the API sees it: the method, the path and query exactly as sent (still percent-encoded), the
 * headers (names in lower case, values in order) and the body.
 */
@SuppressWarnings("ArrayRecordComponent") // never compared or hashed: a request is read once, then dropped
public record ApiRequest(String method, String rawPath, String rawQuery,
                         ImmutableListMultimap<String, String> headers, byte[] body) {
  public ApiRequest {
    checkNotNull(method, "method");
    checkNotNull(rawPath, "rawPath");
    checkNotNull(rawQuery, "rawQuery (use \"\")");
    checkNotNull(headers, "headers");
    checkNotNull(body, "body");
    for (String name : headers.keySet()) {
      checkNotNull(name, "header name");
      if (!name.equals(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("header names must be lower case: " + name);
      }
    }
  }

  /**
   * Reads a request from an exchange: the headers, and the body up to {@link ApiServer#MAX_BODY} bytes.
   *
   * @throws ApiException {@code InvalidInput} (400) for a bad {@code Content-Length}, 413 for a larger body (what the
   *     client still sends is read and dropped, up to a bound, so that it sees the error rather than a reset)
   */
  public static ApiRequest read(HttpExchange ex) throws IOException {
    ImmutableListMultimap.Builder<String, String> headers = ImmutableListMultimap.builder();
    for (Map.Entry<String, List<String>> e : ex.getRequestHeaders().entrySet()) {
      headers.putAll(e.getKey().toLowerCase(Locale.ROOT), e.getValue());
    }
    ImmutableListMultimap<String, String> h = headers.build();
    byte[] body = readBody(ex, h);
    String rawQuery = ex.getRequestURI().getRawQuery();
    return new ApiRequest(ex.getRequestMethod().toUpperCase(Locale.ROOT), ex.getRequestURI().getRawPath(),
        rawQuery == null ? "" : rawQuery, h, body);
  }

  private static byte[] readBody(HttpExchange ex, ImmutableListMultimap<String, String> h) throws IOException {
    List<String> length = h.get("content-length");
    long declared = -1;
    if (!length.isEmpty()) {
      try {
        declared = Long.parseLong(length.get(0).strip());
      } catch (NumberFormatException e) {
        throw ApiException.invalidInput("Invalid Content-Length: " + length.get(0));
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = declared > ApiServer.MAX_BODY ? new byte[ApiServer.MAX_BODY + 1]
          : in.readNBytes(ApiServer.MAX_BODY + 1);
      if (body.length > ApiServer.MAX_BODY) {
        // Read what the client still sends (up to a bound) so it sees the error rather than a reset connection.
        byte[] sink = new byte[1 << 16];
        long left = DRAIN_LIMIT;
        for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0; ) {
          left -= n;
        }
        ex.getResponseHeaders().set("Connection", "close");
        throw new ApiException(413, "InvalidInput", "The request body is larger than " + ApiServer.MAX_BODY
            + " bytes");
      }
      return body;
    }
  }

  /** How much of a too-large body is read and discarded before the error is sent. */
  private static final long DRAIN_LIMIT = 64L << 20;

  /** Every value of a header (any case of {@code name}). */
  public ImmutableList<String> headers(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The first value of a header, if any. */
  public Optional<String> header(String name) {
    ImmutableList<String> v = headers(name);
    return v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  /** Whether the request only reads ({@code GET} or {@code HEAD}). */
  public boolean isRead() {
    return method.equals("GET") || method.equals("HEAD");
  }
}
