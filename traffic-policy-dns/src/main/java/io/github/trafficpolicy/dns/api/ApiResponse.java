package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.internal.IoMessages;

/** A response: the HTTP status, extra headers (such as {@code Location}) and the XML body (empty for none). */
public record ApiResponse(int status, ImmutableMap<String, String> headers, String body) {
  public ApiResponse {
    checkNotNull(headers, "headers");
    checkNotNull(body, "body");
  }

  static ApiResponse ok(String body) {
    return new ApiResponse(200, ImmutableMap.of(), body);
  }

  static ApiResponse created(String location, String body) {
    return new ApiResponse(201, ImmutableMap.of("Location", location), body);
  }

  /** Route 53's error body for {@code e}. */
  static ApiResponse error(ApiException e, String requestId) {
    String body = new Xml.Writer("ErrorResponse").start("Error").element("Type", e.type()).element("Code", e.code())
        .element("Message", IoMessages.message(e)).end().element("RequestId", requestId).finish();
    return new ApiResponse(e.status(), ImmutableMap.of(), body);
  }
}
