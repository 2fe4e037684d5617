package io.github.trafficpolicy.engine;

import java.util.OptionalDouble;

/** Latency from one client network to AWS regions. */
public interface ClientLatency {

  /** Milliseconds from the client to {@code region} (a plain code such as {@code us-east-1}), if known. */
  OptionalDouble millis(String region);

  /** The prefix length of the client network this data holds for (0 when it does not depend on the address). */
  int prefixLength();
}
