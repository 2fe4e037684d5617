package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.engine.HealthStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * What one vantage point (one server's {@link HealthChecker}) concluded about one endpoint check, as it shares it
 * with the others ({@link SharedHealth}).
 *
 * @param vantage the vantage point's ID: 1–64 characters of letters, digits, {@code . _ : -}
 * @param status its own status of the check before inversion, after its failure threshold ({@code UNKNOWN} before
 *     its first result decided anything; such a vantage point does not count)
 * @param reason the latest probe's outcome, for people ({@code "HTTP 200"}, {@code "connection refused"} …)
 * @param at when the latest probe's result was obtained
 * @param latency the latest probe's latency
 */
public record VantageResult(String vantage, HealthStatus status, String reason, Instant at, Duration latency) {
  private static final Pattern VANTAGE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The longest reason kept (a reason is for people; a longer one is cut). */
  static final int MAX_REASON = 256;

  public VantageResult {
    checkVantage(vantage);
    checkNotNull(status, "status");
    checkNotNull(reason, "reason");
    if (reason.length() > MAX_REASON) {
      reason = reason.substring(0, MAX_REASON);
    }
    checkNotNull(at, "at");
    checkNotNull(latency, "latency");
    checkArgument(!latency.isNegative(), "latency must not be negative but was %s", latency);
  }

  /** Whether this vantage point sees the endpoint healthy (before inversion). */
  public boolean healthy() {
    return status == HealthStatus.HEALTHY;
  }

  /** Whether this vantage point has decided yet (its status is not {@code UNKNOWN}) and so counts. */
  public boolean decided() {
    return status != HealthStatus.UNKNOWN;
  }

  /** Checks a vantage point ID; returns it. */
  public static String checkVantage(String vantage) {
    checkNotNull(vantage, "vantage");
    checkArgument(VANTAGE.matcher(vantage).matches(),
        "a vantage point ID is 1-64 letters, digits, '.', '_', ':' or '-' but was '%s'", vantage);
    return vantage;
  }

  /**
   * The shared form, UTF-8 JSON: {@code {"status": "HEALTHY", "healthy": true, "reason": "HTTP 200", "at":
   * "2026-01-01T00:00:00Z", "latencyMs": 1.25}} (the vantage point is named by where it is stored).
   */
  public byte[] toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("status", status.name());
    o.put("healthy", healthy());
    o.put("reason", reason);
    o.put("at", at.toString());
    o.put("latencyMs", latency.toNanos() / 1e6);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads the shared form of {@code vantage}'s result.
   *
   * @throws IllegalArgumentException saying what is wrong with it
   */
  public static VantageResult fromJson(String vantage, byte[] json) {
    JsonNode o;
    try {
      o = JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    HealthStatus status;
    try {
      status = HealthStatus.valueOf(o.path("status").asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("/status: must be HEALTHY, UNHEALTHY or UNKNOWN but was " + o.get("status"));
    }
    if (!o.path("reason").isTextual()) {
      throw new IllegalArgumentException("/reason: must be a string");
    }
    Instant at;
    try {
      at = Instant.parse(o.path("at").asText());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("/at: must be an ISO-8601 instant but was " + o.get("at"));
    }
    JsonNode ms = o.path("latencyMs");
    if (!ms.isNumber() || ms.doubleValue() < 0 || ms.doubleValue() > 86_400_000) {
      throw new IllegalArgumentException("/latencyMs: must be a number of milliseconds, 0 or more, but was " + ms);
    }
    return new VantageResult(vantage, status, o.get("reason").textValue(), at,
        Duration.ofNanos(Math.round(ms.doubleValue() * 1e6)));
  }
}
