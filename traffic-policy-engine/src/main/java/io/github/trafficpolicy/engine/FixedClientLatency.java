package io.github.trafficpolicy.engine;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.Maps;
import io.github.trafficpolicy.engine.internal.RegionCodes;
import java.util.OptionalDouble;

/** Latency data from a map of region to milliseconds. */
final class FixedClientLatency implements ClientLatency {
  static final FixedClientLatency NONE = new FixedClientLatency(ImmutableMap.of(), 0);


  private final ImmutableMap<String, Double> millis;
  /** {@link #millis} as they are answered, made once: a server asks per query and allocates nothing. */
  private final ImmutableMap<String, OptionalDouble> answers;
  private final int prefixLength;

  FixedClientLatency(ImmutableMap<String, Double> millis, int prefixLength) {
    this.millis = millis;
    this.answers = ImmutableMap.copyOf(Maps.transformValues(millis, OptionalDouble::of));
    this.prefixLength = prefixLength;
  }

  @Override
  public OptionalDouble millis(String region) {
    OptionalDouble ms = answers.get(RegionCodes.plain(region));
    return ms == null ? OptionalDouble.empty() : ms;
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
