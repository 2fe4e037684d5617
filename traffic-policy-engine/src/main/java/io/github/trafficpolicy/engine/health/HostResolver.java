package io.github.trafficpolicy.engine.health;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a health check's host-name target into an address. The default is the system resolver
 * ({@link InetAddress#getByName}); an application can supply its own (a DNS client with its own servers and
 * time-outs). Called on the health checker's resolver threads, never on the probing threads; may block.
 */
@FunctionalInterface
public interface HostResolver {
  /** The system resolver. */
  HostResolver SYSTEM = InetAddress::getByName;

  /** The address of {@code host}; {@link UnknownHostException} when it has none. */
  InetAddress resolve(String host) throws UnknownHostException;
}
