package io.github.trafficpolicy.dns;

/** {@link LoopbackServerContract} with {@code java.nio} datagram channels. */
final class NioLoopbackServerTest extends LoopbackServerContract {
  @Override
  UdpIo io() {
    return UdpIo.NIO;
  }
}
