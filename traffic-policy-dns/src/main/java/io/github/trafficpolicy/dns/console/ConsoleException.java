package io.github.trafficpolicy.dns.console;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Problem;
import java.util.List;

/**
 * A console request refused: the HTTP status, a stable code ({@code CsrfCheckFailed}, {@code InvalidInput},
 * {@code NoSuchTrafficPolicy} …), a message for people and, for a document, its problems with their JSON pointers.
 * It becomes the body {@code {"error": {"code", "message", "problems": [...]}}}; a refused request changed nothing.
 */
final class ConsoleException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final ImmutableList<Problem> problems;

  ConsoleException(int status, String code, String message) {
    this(status, code, message, List.of());
  }

  ConsoleException(int status, String code, String message, List<Problem> problems) {
    super(checkNotNull(message, "message"));
    checkArgument(status >= 400 && status <= 599, "status must be 4xx or 5xx but was %s", status);
    this.status = status;
    this.code = checkNotNull(code, "code");
    this.problems = ImmutableList.copyOf(problems);
  }

  /** {@code InvalidInput} (400): a malformed request. */
  static ConsoleException invalidInput(String message) {
    return new ConsoleException(400, "InvalidInput", message);
  }

  /** {@code NotFound} (404). */
  static ConsoleException notFound(String message) {
    return new ConsoleException(404, "NotFound", message);
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  ImmutableList<Problem> problems() {
    return problems;
  }
}
