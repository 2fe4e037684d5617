package io.github.trafficpolicy.dns;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@link UdpIo#NIO}: a blocking {@link DatagramChannel}, one system call per datagram each way. */
final class NioUdpSocket extends UdpSocket {
  private final DatagramChannel channel;

  private NioUdpSocket(DatagramChannel channel) {
    this.channel = channel;
  }

  /** True when several sockets can share one address and port here. */
  static boolean supportsReusePort() {
    try (DatagramChannel c = DatagramChannel.open()) {
      return c.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
    } catch (IOException e) {
      return false;
    }
  }

  static NioUdpSocket bind(InetSocketAddress address, boolean reusePort) throws IOException {
    DatagramChannel s = DatagramChannel.open(address.getAddress() instanceof Inet6Address
        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    try {
      if (reusePort) {
        s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      s.setOption(StandardSocketOptions.SO_RCVBUF, AuthoritativeServer.SOCKET_BUFFER_BYTES);
      s.setOption(StandardSocketOptions.SO_SNDBUF, AuthoritativeServer.SOCKET_BUFFER_BYTES);
      s.bind(address);
      return new NioUdpSocket(s);
    } catch (IOException | RuntimeException e) {
      try {
        s.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  @Override
  InetSocketAddress localAddress() throws IOException {
    return (InetSocketAddress) channel.getLocalAddress();
  }

  @Override
  void serve(QueryHandler handler, AtomicBoolean busy) {
    byte[] in = new byte[65_535];
    byte[] out = new byte[QueryHandler.MAX_MESSAGE + 2];
    ByteBuffer request = ByteBuffer.wrap(in);
    ByteBuffer reply = ByteBuffer.wrap(out);
    Backoff backoff = new Backoff();
    while (true) {
      request.clear();
      SocketAddress from;
      try {
        from = channel.receive(request);
        backoff.reset();
      } catch (IOException e) {
        if (!channel.isOpen()) {
          return;
        }
        // A persistent error (the kernel out of buffers, say) must not spin a core.
        backoff.pause();
        continue;
      }
      busy.set(true);
      try {
        if (from instanceof InetSocketAddress client) {
          int n = handler.handle(in, request.position(), client.getAddress(), false, out, 0);
          if (n > 0) {
            reply.clear().limit(n);
            try {
              channel.send(reply, client);
            } catch (IOException e) {
              // the client is gone or the socket closed: nothing to do
            }
          }
        }
      } finally {
        busy.set(false);
      }
    }
  }

  @Override
  boolean isOpen() {
    return channel.isOpen();
  }

  @Override
  void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
