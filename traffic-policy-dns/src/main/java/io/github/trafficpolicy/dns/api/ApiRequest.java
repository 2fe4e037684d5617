package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import java.util.Locale;
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
