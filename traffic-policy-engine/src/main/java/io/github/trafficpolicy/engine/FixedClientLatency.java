package io.github.trafficpolicy.engine;

import com.google.common.collect.ImmutableMap;
import java.util.OptionalDouble;

/** Latency data from a map of region to milliseconds. */
final class FixedClientLatency implements ClientLatency {
  static final FixedClientLatency NONE = new FixedClientLatency(ImmutableMap.of(), 0);

  private static final String PREFIX = "aws:route53:";

  private final ImmutableMap<String, Double> millis;
  private final int prefixLength;

  FixedClientLatency(ImmutableMap<String, Double> millis, int prefixLength) {
    this.millis = millis;
    this.prefixLength = prefixLength;
  }

  /** {@code region} without the {@code aws:route53:} prefix. */
  static String plain(String region) {
    return region.startsWith(PREFIX) ? region.substring(PREFIX.length()) : region;
  }

  @Override
  public OptionalDouble millis(String region) {
    Double ms = millis.get(plain(region));
    return ms == null ? OptionalDouble.empty() : OptionalDouble.of(ms);
  }

  @Override
  public int prefixLength() {
    return prefixLength;
  }

  ImmutableMap<String, Double> asMap() {
    return millis;
  }

  @Override
  public String toString() {
    return millis + "/" + prefixLength;
  }
}
