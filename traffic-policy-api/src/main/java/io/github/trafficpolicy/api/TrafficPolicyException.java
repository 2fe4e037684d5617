package io.github.trafficpolicy.api;

/** The base of the library's own unchecked exceptions. */
public abstract class TrafficPolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected TrafficPolicyException(String message) {
    super(message);
  }

  protected TrafficPolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
