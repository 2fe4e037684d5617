package io.github.trafficpolicy.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One bound UDP socket of an {@link AuthoritativeServer}, served by one thread: {@link #serve} receives
 * queries, asks the handler and sends the replies until {@link #close} is called.
 */
abstract class UdpSocket {
  /** The address actually bound (the port is filled in when 0 was asked for). */
  abstract InetSocketAddress localAddress() throws IOException;

  /**
   * Answers queries until the socket is closed. {@code busy} is true while received queries are being answered, so
   * that {@link AuthoritativeServer#stop()} can let them finish before closing. Throws nothing but an {@link Error}
   * (out of memory, say), after which the socket stays open and may be served again.
   */
  abstract void serve(QueryHandler handler, AtomicBoolean busy);

  /** Stops {@link #serve} (waking it if it waits for a datagram) and releases the socket. Idempotent. */
  abstract void close();

  /**
   * Whether the socket is still open: after {@link #serve} ended by an error (an {@link Error} it lets through, such
   * as {@link OutOfMemoryError}), serving it again is possible exactly when it is.
   */
  abstract boolean isOpen();
}
