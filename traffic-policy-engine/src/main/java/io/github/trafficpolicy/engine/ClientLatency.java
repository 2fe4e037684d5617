package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.engine.internal.RegionCodes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/** Latency from one client network to AWS regions. */
public interface ClientLatency {

  /** Milliseconds from the client to {@code region} (a plain code such as {@code us-east-1}), if known. */
  OptionalDouble millis(String region);

  /** The prefix length of the client network this data holds for (0 when it does not depend on the address). */
  int prefixLength();

  /** Latency data that knows no region, for prefix length 0. */
  static ClientLatency none() {
    return FixedClientLatency.NONE;
  }

  /**
   * Fixed latency data: milliseconds per region (plain codes, or with the {@code aws:route53:} prefix), each finite
   * and not negative, holding for prefix length {@code prefixLength}.
   */
  static ClientLatency of(Map<String, ? extends Number> millis, int prefixLength) {
    checkNotNull(millis, "millis");
    checkArgument(prefixLength >= 0 && prefixLength <= 128, "prefix length must be in [0, 128] but was %s",
        prefixLength);
    Map<String, Double> m = new LinkedHashMap<>();
    millis.forEach((region, ms) -> {
      double v = checkNotNull(ms, "milliseconds of %s", region).doubleValue();
      checkArgument(Double.isFinite(v) && v >= 0, "milliseconds of %s must be finite and not negative but was %s",
          region, v);
      m.put(RegionCodes.plain(checkNotNull(region, "region")), v);
    });
    return new FixedClientLatency(ImmutableMap.copyOf(m), prefixLength);
  }
}
