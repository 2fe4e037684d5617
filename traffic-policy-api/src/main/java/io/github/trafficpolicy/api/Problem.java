package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One problem found in a document: where (a JSON pointer, {@code ""} for the whole document), what (a stable
 * {@link ProblemCode}), how bad ({@link Severity}) and a sentence for people.
 */
public record Problem(String path, ProblemCode code, Severity severity, String message) {
  public Problem {
    checkNotNull(path, "path");
    checkNotNull(code, "code");
    checkNotNull(severity, "severity");
    checkNotNull(message, "message");
  }

  /** Errors make a document invalid; warnings do not. */
  public enum Severity {
    ERROR,
    WARNING
  }

  /** An error at a path. */
  public static Problem error(String path, ProblemCode code, String message) {
    return new Problem(path, code, Severity.ERROR, message);
  }

  /** A warning at a path. */
  public static Problem warning(String path, ProblemCode code, String message) {
    return new Problem(path, code, Severity.WARNING, message);
  }

  /**
   * A JSON pointer (RFC 6901) made of these reference tokens, escaping {@code ~} as {@code ~0} and {@code /} as
   * {@code ~1}: {@code pointer("Rules", "a/b", 0)} is {@code /Rules/a~1b/0}. No tokens give {@code ""}, the whole
   * document.
   */
  public static String pointer(Object... tokens) {
    StringBuilder sb = new StringBuilder();
    for (Object token : tokens) {
      sb.append('/').append(escape(String.valueOf(checkNotNull(token, "token"))));
    }
    return sb.toString();
  }

  /** The pointer {@code parent} extended by one more reference token (escaped). */
  public static String childPointer(String parent, Object token) {
    checkNotNull(parent, "parent");
    return parent + "/" + escape(String.valueOf(checkNotNull(token, "token")));
  }

  private static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }

  /** True for {@link Severity#ERROR}. */
  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code PATH: CODE: message} (warnings say {@code warning CODE}); the path of the whole document is {@code /}. */
  @Override
  public String toString() {
    return (path.isEmpty() ? "/" : path) + ": " + (isError() ? "" : "warning ") + code + ": " + message;
  }
}
