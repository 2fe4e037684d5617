package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.time.Instant;

/**
 * The result of one probe (or, for a calculated check, one evaluation of its children).
 *
 * @param success whether the probe succeeded (before inversion)
 * @param reason what happened, for people: {@code "HTTP 200"}, {@code "connection refused"}, {@code "no status line
 *     within PT2S"} …
 * @param latency the time from the start of the probe to its result (zero for calculated and disabled checks)
 * @param at when the result was obtained
 */
public record ProbeResult(boolean success, String reason, Duration latency, Instant at) {
  public ProbeResult {
    checkNotNull(reason, "reason");
    checkNotNull(latency, "latency");
    checkArgument(!latency.isNegative(), "latency must not be negative but was %s", latency);
    checkNotNull(at, "at");
  }

  /** A successful result. */
  public static ProbeResult success(String reason, Duration latency, Instant at) {
    return new ProbeResult(true, reason, latency, at);
  }

  /** A failed result. */
  public static ProbeResult failure(String reason, Duration latency, Instant at) {
    return new ProbeResult(false, reason, latency, at);
  }
}
