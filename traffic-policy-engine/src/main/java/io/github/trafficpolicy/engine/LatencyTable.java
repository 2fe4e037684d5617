package io.github.trafficpolicy.engine;

import java.net.InetAddress;

/**
 * Latency data per client network. Implementations: a CSV table (client network, region, milliseconds) and an
 * estimate from the great-circle distance between the client and built-in region coordinates.
 */
@FunctionalInterface
public interface LatencyTable {

  /** Latency data for a client at {@code address}, located at {@code location}. */
  ClientLatency forClient(InetAddress address, ClientLocation location);
}
