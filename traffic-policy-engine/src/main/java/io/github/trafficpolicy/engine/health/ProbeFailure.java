package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;

/**
 * Why a probe failed, in a few kinds an operator can count and alert on (a bounded set, so it can label a metric).
 * {@link #of} reads a failed {@link ProbeResult}'s reason as this package's probes write it.
 */
public enum ProbeFailure {
  /** No connection, status line or body within its timeout. */
  TIMEOUT,
  /** The endpoint refused the connection (nothing listening). */
  CONNECTION_REFUSED,
  /** Another connection failure: reset, closed before a complete response, no socket. */
  CONNECTION_ERROR,
  /** An HTTP status other than 2xx or 3xx. */
  BAD_STATUS,
  /** A response that is not HTTP as expected: malformed status line, headers too long, malformed chunks. */
  BAD_RESPONSE,
  /** The search string was not in the first 5,120 bytes of the body. */
  STRING_MISMATCH,
  /** The TLS handshake or the TLS session failed. */
  TLS,
  /** The target's host name could not be resolved (including in time). */
  DNS,
  /** Anything else. */
  OTHER;

  /** The kind of a failed result. */
  public static ProbeFailure of(ProbeResult result) {
    checkNotNull(result, "result");
    checkArgument(!result.success(), "the probe succeeded: %s", result.reason());
    String r = result.reason();
    if (r.startsWith("cannot resolve ")) {
      return DNS;
    }
    if (r.contains("TLS failure")) {
      return TLS;
    }
    if (r.startsWith("no connection within ") || r.startsWith("no status line within ")
        || r.contains("not complete within ")) {
      return TIMEOUT;
    }
    if (r.contains("search string not found")) {
      return STRING_MISMATCH;
    }
    if (r.endsWith("connection refused")) {
      return CONNECTION_REFUSED;
    }
    if (r.startsWith("connection failed: ") || r.startsWith("cannot open a socket") || r.contains("connection closed")
        || r.toLowerCase(Locale.ROOT).contains("connection reset")) {
      return CONNECTION_ERROR;
    }
    if (r.startsWith("malformed status line") || r.startsWith("status line too long")
        || r.contains("headers longer than") || r.contains("malformed chunked body")) {
      return BAD_RESPONSE;
    }
    if (r.matches("HTTP \\d{3}(?!,).*")) {
      return BAD_STATUS;
    }
    return OTHER;
  }

  /** The lower-case name, for metric labels ({@code connection_refused}). */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
