package io.github.trafficpolicy.engine.input;

import io.github.trafficpolicy.engine.ClientLocation;
import java.net.InetAddress;

/**
 * Receives the networks of a geo source, each with the location of every address in it
 * ({@link MaxMindGeoLocator#forEachNetwork}, {@link CidrGeoLocator#forEachNetwork}).
 */
@FunctionalInterface
public interface NetworkVisitor {

  /**
   * One network: its first address (an {@link java.net.Inet4Address} for IPv4 networks) and prefix length, and
   * where its clients are.
   */
  void network(InetAddress address, int prefixLength, ClientLocation location);
}
