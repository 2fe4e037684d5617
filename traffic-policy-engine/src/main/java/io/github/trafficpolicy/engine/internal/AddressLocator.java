package io.github.trafficpolicy.engine.internal;

import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.GeoLookup;

/**
 * A {@link GeoLocator} that also reads addresses as bytes and reports the prefix through a holder, so that the
 * allocation-free evaluation ({@code CompiledPolicy.evaluate(byte[], int, AnswerBuffer)}) locates clients without
 * making an {@link java.net.InetAddress} or a {@link GeoLookup} per query. Implemented by the shipped locators;
 * other locators are asked through {@link GeoLocator#locate} (which allocates). Not API: the engine's contract with
 * its own input implementations (package {@code engine.input}), public only because they are in another package.
 */
public interface AddressLocator {
  /**
   * The location of {@code address}: 4 bytes are an IPv4 address, 16 bytes an IPv6 address (also when IPv4-mapped).
   * The prefix length of the network it falls in, in the address's own family, is written to {@code prefix[0]}.
   * Gives the same location and prefix as {@link GeoLocator#locate} does for the same address as an
   * {@link java.net.InetAddress} of the same family. Allocates nothing once the location is known to the locator.
   */
  ClientLocation locate(byte[] address, int[] prefix);
}
