package io.github.trafficpolicy.dns;

import io.github.trafficpolicy.api.TrafficPolicyException;

/** A zone file that cannot be served: the message names the file and, where known, the line. */
public final class ZoneFileException extends TrafficPolicyException {
  private static final long serialVersionUID = 1L;

  /** An exception with this message ({@code file:line: problem}). */
  public ZoneFileException(String message) {
    super(message);
  }

  /** An exception with this message and cause. */
  public ZoneFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
