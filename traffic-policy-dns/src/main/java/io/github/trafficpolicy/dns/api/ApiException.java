package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A request the API refuses: Route 53's error {@link #code()} (for example {@code NoSuchTrafficPolicy}), the HTTP
 * status Route 53 answers it with, and a message for people. It becomes an {@code ErrorResponse} body.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  /** An error with its HTTP status and Route 53 code. */
  public ApiException(int status, String code, String message) {
    super(checkNotNull(message, "message"));
    checkArgument(status >= 400 && status <= 599, "status must be 4xx or 5xx but was %s", status);
    this.status = status;
    this.code = checkNotNull(code, "code");
  }

  /** {@code InvalidInput} (400). */
  static ApiException invalidInput(String message) {
    return new ApiException(400, "InvalidInput", message);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** Route 53's error code. */
  public String code() {
    return code;
  }

  /** {@code Sender} for 4xx, {@code Receiver} for 5xx, as in Route 53's error bodies. */
  public String type() {
    return status < 500 ? "Sender" : "Receiver";
  }
}
