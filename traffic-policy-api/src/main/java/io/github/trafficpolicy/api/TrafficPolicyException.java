package io.github.trafficpolicy.api;

import org.jspecify.annotations.Nullable;

/** The base of the library's own unchecked exceptions. */
public abstract class TrafficPolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected TrafficPolicyException(String message) {
    super(message);
  }

  protected TrafficPolicyException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
