package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A UDP receiver whose loop ends by an error (here an {@link OutOfMemoryError} thrown while logging a query, as a
 * full heap would) is reported and serves its socket again: the queries after it are answered.
 */
final class ReceiverSupervisionTest {

  @ParameterizedTest
  @EnumSource(value = UdpIo.class, names = {"NIO", "MMSG"})
  void receiverLoopDiesOfAnError_servedAgain_laterQueriesAnswered(UdpIo io) throws Exception {
    assumeTrue(io.isAvailable(), () -> io + ": " + io.unavailableReason().orElse(""));
    AtomicInteger failuresLeft = new AtomicInteger(2);
    QueryHandler handler = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).build())
        .queryLog(entry -> {
          if (failuresLeft.getAndDecrement() > 0) {
            throw new OutOfMemoryError("simulated: Java heap space");
          }
        })
        .build();
    try (AuthoritativeServer server = AuthoritativeServer.builder(handler)
        .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).udpThreads(1).udpIo(io).build()
        .start()) {
      SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
      resolver.setPort(server.port());
      resolver.setTimeout(Duration.ofMillis(500));
      int answered = 0;
      int lost = 0;
      for (int i = 0; i < 10; i++) {
        try {
          Message r = resolver.send(Dns.query("static.example.com.", Type.A));
          if (r.getRcode() == Rcode.NOERROR) {
            answered++;
          }
        } catch (SocketTimeoutException e) {
          lost++;
        } catch (IOException e) {
          lost++;
        }
      }
      // The two queries whose logging failed get no reply; each failure restarts the loop; the rest are answered.
      assertThat(server.loopFailures()).isEqualTo(2);
      assertThat(lost).isEqualTo(2);
      assertThat(answered).isEqualTo(8);
    }
  }
}
