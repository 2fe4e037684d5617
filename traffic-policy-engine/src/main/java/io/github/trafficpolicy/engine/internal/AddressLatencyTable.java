package io.github.trafficpolicy.engine.internal;

import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.LatencyTable;

/**
 * A {@link LatencyTable} that also reads client addresses as bytes, so that the evaluation of a client given by its
 * address ({@code CompiledPolicy.evaluate(byte[], int, AnswerBuffer)}) needs no {@link java.net.InetAddress}. Not API,
 * like {@link AddressLocator}.
 */
public interface AddressLatencyTable {
  /**
   * {@link LatencyTable#forClient} for an address of 4 or 16 bytes (16 bytes are IPv6, also when IPv4-mapped).
   */
  ClientLatency forClient(byte[] address, ClientLocation location);
}
