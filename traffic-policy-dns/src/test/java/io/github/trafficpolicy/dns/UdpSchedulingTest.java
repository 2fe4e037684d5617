package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** What {@link UdpScheduling} promises without a server; the loopback tests check the threads' policy itself. */
final class UdpSchedulingTest {
  @Test
  void normal_alwaysAvailable_andApplyingItDoesNothing() {
    assertThat(UdpScheduling.NORMAL.isAvailable()).isTrue();
    assertThat(UdpScheduling.NORMAL.unavailableReason()).isEmpty();
    assertThat(UdpScheduling.NORMAL.applyToCurrentThread()).isEmpty();
  }

  @Test
  void batch_availableExactlyWhereMmsgIs_forTheSameReason() {
    assertThat(UdpScheduling.BATCH.unavailableReason()).isEqualTo(UdpIo.MMSG.unavailableReason());
    assertThat(UdpScheduling.BATCH.isAvailable()).isEqualTo(UdpIo.MMSG.isAvailable());
  }

  @Test
  void names_asWrittenInConfiguration() {
    assertThat(UdpScheduling.NORMAL).hasToString("normal");
    assertThat(UdpScheduling.BATCH).hasToString("batch");
  }

  @Test
  void batchWhereUnavailable_startFailsSayingWhyAndBindsNothing() throws IOException {
    assumeFalse(UdpScheduling.BATCH.isAvailable(), "batch is available here: the loopback tests cover it");
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    AuthoritativeServer server = AuthoritativeServer.builder(Catalog.builder().build())
        .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        .udpScheduling(UdpScheduling.BATCH).build();
    assertThatThrownBy(server::start).isInstanceOf(IOException.class)
        .hasMessageContaining("UDP scheduling batch is not available: "
            + UdpScheduling.BATCH.unavailableReason().orElseThrow());
    try (DatagramSocket again = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }
}
