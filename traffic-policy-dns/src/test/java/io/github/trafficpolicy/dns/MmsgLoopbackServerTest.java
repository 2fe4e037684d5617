package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * {@link LoopbackServerContract} with Linux {@code recvmmsg}/{@code sendmmsg}, plus what only batching can get
 * wrong: replies going to the wrong sender within a batch, stale slots, oversized datagrams, IPv4 clients of an
 * IPv6 socket.
 */
final class MmsgLoopbackServerTest extends LoopbackServerContract {
  private static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();

  @BeforeAll
  static void mmsgIsHere() {
    String arch = System.getProperty("os.arch");
    int feature = Runtime.version().feature();
    boolean expected = (feature == 17 || feature >= 22) && System.getProperty("os.name").equals("Linux")
        && (arch.equals("amd64") || arch.equals("aarch64"));
    if (expected) {
      // The build runs the tests with --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED
      // under Java 17 (profile test-java17) and, built by a JDK 22+, compiles the java.lang.foreign binding and
      // grants it native access (profile java22): here mmsg must work, not be skipped.
      assertThat(UdpIo.MMSG.unavailableReason()).isEmpty();
      assertThat(UdpIo.AUTO.resolve()).isEqualTo(UdpIo.MMSG);
    } else {
      assumeTrue(UdpIo.MMSG.isAvailable(), () -> "mmsg: " + UdpIo.MMSG.unavailableReason().orElse(""));
    }
  }

  @Override
  UdpIo io() {
    return UdpIo.MMSG;
  }

  @Test
  void burstQueuedWhileBusy_eachSenderGetsTheRepliesToItsOwnQueries() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakePolicy slow = gated(entered, release);
    FakePolicy www = byFamily();
    String[] names = {"static.example.com.", "missing.example.com.", "www.example.com."};
    int perSocket = 70;
    try (AuthoritativeServer s = AuthoritativeServer.builder(Catalog.builder()
        .zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(slow).policyRecord(www).build())
        .listen(new InetSocketAddress(LOCALHOST, 0)).udpThreads(1).udpIo(UdpIo.MMSG).build().start();
        DatagramSocket first = client(); DatagramSocket a = client(); DatagramSocket b = client();
        DatagramSocket c = client()) {
      send(first, s.port(), query("slow.example.com.", Type.A));
      entered.await();
      // The only receiver is busy: everything sent now queues and is taken in batches of up to 64.
      DatagramSocket[] clients = {a, b, c};
      for (int i = 0; i < perSocket; i++) {
        for (int k = 0; k < clients.length; k++) {
          Message q = query(names[(i + k) % names.length], Type.A);
          q.getHeader().setID(k * 1000 + i);
          send(clients[k], s.port(), q);
        }
      }
      release.countDown();
      assertThat(receive(first).getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("198.51.100.9");
      for (int k = 0; k < clients.length; k++) {
        Map<Integer, Message> byId = new HashMap<>();
        for (int i = 0; i < perSocket; i++) {
          Message r = receive(clients[k]);
          assertThat(byId.put(r.getHeader().getID(), r)).as("a second reply to one query").isNull();
        }
        for (int i = 0; i < perSocket; i++) {
          Message r = byId.get(k * 1000 + i);
          assertThat(r).as("client %s query %s", k, i).isNotNull();
          String name = names[(i + k) % names.length];
          assertThat(r.getQuestion().getName().toString()).isEqualTo(name);
          switch (name) {
            case "static.example.com." -> assertThat(r.getSection(Section.ANSWER).get(0).rdataToString())
                .isEqualTo("192.0.2.80");
            case "missing.example.com." -> assertThat(r.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            default -> assertThat(r.getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("198.51.100.4");
          }
        }
      }
      assertThat(s.counters().queries()).isEqualTo(1 + 3L * perSocket);
      assertThat(s.counters().dropped()).isZero();
    }
  }

  @Test
  void queryLongerThanTheSlot_droppedAndCounted_nextQueryAnswered() throws Exception {
    try (DatagramSocket s = client()) {
      byte[] big = Arrays.copyOf(query("static.example.com.", Type.A).toWire(), UdpIo.MMSG_MAX_QUERY + 100);
      s.send(new DatagramPacket(big, big.length, LOCALHOST, server.port()));
      send(s, server.port(), query("static.example.com.", Type.A));
      Message r = receive(s);
      assertThat(r.getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("192.0.2.80");
      assertThat(server.counters().dropped()).isEqualTo(1);
      assertThat(server.counters().queries()).isEqualTo(2);
    }
  }

  @Test
  void ipv6WildcardSocket_ipv4ClientIsSeenAsIpv4() throws Exception {
    FakePolicy www = byFamily();
    try (AuthoritativeServer s = AuthoritativeServer.builder(Catalog.builder()
        .zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(www).build())
        .listen(new InetSocketAddress(InetAddress.getByName("::"), 0)).udpThreads(1).udpIo(UdpIo.MMSG).build()
        .start()) {
      assertThat(resolverAt("127.0.0.1", s.port()).send(query("www.example.com.", Type.A))
          .getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("198.51.100.4");
      assertThat(resolverAt("::1", s.port()).send(query("www.example.com.", Type.A))
          .getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("198.51.100.6");
    }
  }

  @Test
  void portTakenByAnotherSocket_startFailsWithBindException_nothingRuns() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(LOCALHOST, 0))) {
      AuthoritativeServer s = AuthoritativeServer.builder(Catalog.builder()
          .zone(Zone.parse("example.com", Dns.ZONE)).build())
          .listen(new InetSocketAddress(LOCALHOST, taken.getLocalPort())).udpThreads(2).udpIo(UdpIo.MMSG).build();
      assertThatThrownBy(s::start).isInstanceOf(BindException.class).hasMessageContaining("in use");
      assertThat(s.isRunning()).isFalse();
    }
  }

  private org.xbill.DNS.SimpleResolver resolverAt(String address, int port) throws IOException {
    org.xbill.DNS.SimpleResolver r = new org.xbill.DNS.SimpleResolver(address);
    r.setPort(port);
    r.setTimeout(java.time.Duration.ofSeconds(5));
    return r;
  }

  private static DatagramSocket client() throws IOException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOCALHOST, 0));
    s.setSoTimeout(10_000);
    s.setReceiveBufferSize(1 << 20);
    return s;
  }

  private static void send(DatagramSocket s, int port, Message q) throws IOException {
    byte[] wire = q.toWire();
    s.send(new DatagramPacket(wire, wire.length, LOCALHOST, port));
  }

  private static Message receive(DatagramSocket s) throws IOException {
    byte[] buf = new byte[4096];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    s.receive(p);
    return new Message(Arrays.copyOf(buf, p.getLength()));
  }
}
