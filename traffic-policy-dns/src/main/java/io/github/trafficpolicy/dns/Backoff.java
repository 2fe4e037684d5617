package io.github.trafficpolicy.dns;

/**
 * Pauses a server loop after consecutive failures (1 ms, doubling up to 1 s) so that a persistent error, such as
 * running out of file descriptors or buffers, does not spin a core; {@link #reset} after a success. One per thread.
 */
final class Backoff {
  static final long MAX_MILLIS = 1000;
  private int failures;

  /** A success: the next failure pauses briefly again. */
  void reset() {
    failures = 0;
  }

  /** A failure: pauses, longer after each consecutive one. */
  void pause() {
    long millis = Math.min(MAX_MILLIS, 1L << Math.min(failures++, 10));
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
