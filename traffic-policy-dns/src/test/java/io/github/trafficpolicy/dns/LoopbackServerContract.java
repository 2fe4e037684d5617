package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.ecs;
import static io.github.trafficpolicy.dns.Dns.query;
import static io.github.trafficpolicy.dns.Dns.withEdns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.trafficpolicy.api.RecordType;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The server over real loopback sockets (port 0), UDP and TCP, IPv4 and IPv6; run once per {@link UdpIo} by the
 * subclasses.
 */
abstract class LoopbackServerContract {
  AuthoritativeServer server;

  /** The UDP I/O under test. */
  abstract UdpIo io();

  /** www.example.com A: 198.51.100.4 for an IPv4 client, 198.51.100.6 for IPv6 (scope 24). */
  static FakePolicy byFamily() {
    return new FakePolicy("www.example.com", RecordType.A, 60,
        q -> new FakePolicy.Reply(List.of(q.client().isIpv4() ? "198.51.100.4" : "198.51.100.6"), 24));
  }

  /** slow.example.com A 198.51.100.9, answered only once {@code release} opens (after {@code entered}). */
  static FakePolicy gated(CountDownLatch entered, CountDownLatch release) {
    return new FakePolicy("slow.example.com", RecordType.A, 60, q -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new FakePolicy.Reply(List.of("198.51.100.9"), 0);
    });
  }

  @BeforeEach
  void start() throws IOException {
    FakePolicy www = byFamily();
    Catalog catalog = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(www).build();
    server = AuthoritativeServer.builder(catalog)
        .listen(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))
        .listen(new InetSocketAddress(InetAddress.getByName("::1"), 0))
        .udpThreads(2)
        .udpIo(io())
        .tcpMaxConnections(2)
        .tcpIdleTimeout(Duration.ofMillis(300))
        .build()
        .start();
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  SimpleResolver resolver(String address, boolean tcp) throws IOException {
    SimpleResolver r = new SimpleResolver(address);
    r.setPort(server.port());
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(5));
    return r;
  }

  @Test
  void udpAndTcpOnIpv4AndIpv6_answerWithAa() throws IOException {
    assertThat(server.addresses()).hasSize(2);
    assertThat(server.addresses().get(1).getPort()).isEqualTo(server.port());
    for (String address : new String[] {"127.0.0.1", "::1"}) {
      for (boolean tcp : new boolean[] {false, true}) {
        Message r = resolver(address, tcp).send(query("static.example.com.", Type.A));
        assertThat(r.getRcode()).as(address + " tcp=" + tcp).isEqualTo(Rcode.NOERROR);
        assertThat(r.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(r.getSection(Section.ANSWER)).singleElement().extracting(x -> x.rdataToString())
            .isEqualTo("192.0.2.80");
      }
    }
  }

  @Test
  void policyOverUdp_sourceAddressFamilyDecides() throws IOException {
    assertThat(resolver("127.0.0.1", false).send(query("www.example.com.", Type.A)).getSection(Section.ANSWER)
        .get(0).rdataToString()).isEqualTo("198.51.100.4");
    assertThat(resolver("::1", false).send(query("www.example.com.", Type.A)).getSection(Section.ANSWER)
        .get(0).rdataToString()).isEqualTo("198.51.100.6");
  }

  @Test
  void bigAnswer_truncatedOverUdpCompleteOverTcp() throws IOException {
    SimpleResolver udp = resolver("127.0.0.1", false);
    udp.setIgnoreTruncation(true);
    udp.setEDNS(-1);
    Message truncated = udp.send(query("big.example.com.", Type.TXT));
    assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
    Message full = resolver("127.0.0.1", true).send(query("big.example.com.", Type.TXT));
    assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
    assertThat(full.getSection(Section.ANSWER)).hasSize(3);
  }

  @Test
  void garbageOverUdp_formerr() throws IOException {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(5000);
      byte[] q = {0x12, 0x34, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1};
      s.send(new DatagramPacket(q, q.length, InetAddress.getByName("127.0.0.1"), server.port()));
      byte[] buf = new byte[512];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      s.receive(p);
      Message r = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
      assertThat(r.getHeader().getID()).isEqualTo(0x1234);
      assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
    }
  }

  @Test
  void tcpPipelined_threeQueriesOneConnectionAnsweredInOrder() throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      Message[] queries = {query("static.example.com.", Type.A), query("missing.example.com.", Type.A),
          withEdns(query("www.example.com.", Type.A), 1232, ecs("192.0.2.0", 24))};
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      for (Message q : queries) {
        byte[] w = q.toWire();
        all.write(w.length >> 8);
        all.write(w.length);
        all.write(w);
      }
      out.write(all.toByteArray());
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      int[] rcodes = {Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.NOERROR};
      for (int i = 0; i < 3; i++) {
        byte[] reply = new byte[in.readUnsignedShort()];
        in.readFully(reply);
        Message r = new Message(reply);
        assertThat(r.getHeader().getID()).isEqualTo(queries[i].getHeader().getID());
        assertThat(r.getRcode()).isEqualTo(rcodes[i]);
      }
    }
  }

  @Test
  void tcpIdleConnection_closedByServer() throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      // Nothing sent: the server closes after its 300 ms idle timeout, so the read sees end of stream.
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void tcpConnectionsBeyondLimit_newOneServedInPlaceOfTheLongestIdle() throws IOException {
    try (Socket a = new Socket("127.0.0.1", server.port());
        Socket b = new Socket("127.0.0.1", server.port())) {
      // Make sure both are being served (a query answered on each) before opening the third.
      for (Socket s : new Socket[] {a, b}) {
        s.setSoTimeout(5000);
        assertThat(tcpAsk(s).getRcode()).isEqualTo(Rcode.NOERROR);
      }
      try (Socket c = new Socket("127.0.0.1", server.port())) {
        c.setSoTimeout(5000);
        assertThat(tcpAsk(c).getRcode()).isEqualTo(Rcode.NOERROR);
        // a, the longest idle, gave its place.
        assertThat(a.getInputStream().read()).isEqualTo(-1);
      }
    }
  }

  /** One query for static.example.com A over an open TCP connection, and its reply. */
  static Message tcpAsk(Socket s) throws IOException {
    byte[] w = query("static.example.com.", Type.A).toWire();
    s.getOutputStream().write(new byte[] {(byte) (w.length >> 8), (byte) w.length});
    s.getOutputStream().write(w);
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] reply = new byte[in.readUnsignedShort()];
    in.readFully(reply);
    return new Message(reply);
  }

  @Test
  void stop_closesSocketsAndIsIdempotent() throws IOException {
    int port = server.port();
    server.stop();
    server.stop();
    assertThat(server.isRunning()).isFalse();
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
    // The UDP port is free again.
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void stop_queryInFlight_isAnsweredBeforeSocketsClose() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FakePolicy slow = gated(entered, release);
    AuthoritativeServer s = AuthoritativeServer.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE))
        .policyRecord(slow).build()).listen(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))
        .udpThreads(1).udpIo(io()).build().start();
    try (DatagramSocket client = new DatagramSocket()) {
      client.setSoTimeout(10_000);
      byte[] q = query("slow.example.com.", Type.A).toWire();
      client.send(new DatagramPacket(q, q.length, InetAddress.getByName("127.0.0.1"), s.port()));
      entered.await();
      Thread stopper = new Thread(s::stop);
      stopper.start();
      // stop() is waiting for the query in flight; let the policy answer.
      release.countDown();
      byte[] buf = new byte[512];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      client.receive(p);
      stopper.join(10_000);
      assertThat(new Message(java.util.Arrays.copyOf(buf, p.getLength())).getSection(Section.ANSWER).get(0)
          .rdataToString()).isEqualTo("198.51.100.9");
      assertThat(stopper.isAlive()).isFalse();
      assertThat(s.isRunning()).isFalse();
    }
  }

  @Test
  void udpIo_isTheOneAskedFor() {
    assertThat(server.udpIo()).isEqualTo(io());
  }

  @Test
  void udpScheduling_batch_everyReceiverThreadUnderSchedBatchAndAnswering() throws IOException {
    assumeTrue(UdpScheduling.BATCH.isAvailable(),
        () -> "batch: " + UdpScheduling.BATCH.unavailableReason().orElse(""));
    int inherited = schedulingPolicy(Path.of("/proc/thread-self/stat"));
    for (UdpScheduling scheduling : UdpScheduling.values()) {
      try (AuthoritativeServer s = AuthoritativeServer.builder(server.handler())
          .listen(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))
          .udpThreads(3).udpIo(io()).udpScheduling(scheduling).build().start()) {
        assertThat(s.udpScheduling()).isEqualTo(scheduling);
        // start() returns once every receiver has applied the policy; the kernel knows each by its short name.
        List<Integer> policies = receiverPolicies(s.port());
        assertThat(policies).as(scheduling.toString()).hasSize(3)
            .containsOnly(scheduling == UdpScheduling.BATCH ? SCHED_BATCH : inherited);
        SimpleResolver r = resolver("127.0.0.1", false);
        r.setPort(s.port());
        assertThat(r.send(query("www.example.com.", Type.A)).getSection(Section.ANSWER).get(0).rdataToString())
            .isEqualTo("198.51.100.4");
      }
    }
  }

  private static final int SCHED_BATCH = 3;

  /** The scheduling policy of each thread of this process named {@code dns-udp-PORT-…}. */
  private static List<Integer> receiverPolicies(int port) throws IOException {
    List<Integer> policies = new ArrayList<>();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          if (Files.readString(task.resolve("comm")).startsWith("dns-udp-" + port + "-")) {
            policies.add(schedulingPolicy(task.resolve("stat")));
          }
        } catch (java.nio.file.NoSuchFileException e) {
          // A thread of another test (a probe, a client) ended between the listing and the read: not a receiver.
        }
      }
    }
    return policies;
  }

  /** Field 41 ({@code policy}) of a {@code /proc/…/stat} line; the name before it is in parentheses. */
  private static int schedulingPolicy(Path stat) throws IOException {
    String line = Files.readString(stat);
    String[] fields = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
    return Integer.parseInt(fields[41 - 3]);
  }

  @Test
  void start_twice_throws() {
    assertThatThrownBy(() -> server.start()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void counters_seeQueriesFromTheNetwork() throws IOException {
    resolver("127.0.0.1", false).send(query("missing.example.com.", Type.A));
    assertThat(server.counters().byRcode()).containsEntry("NXDOMAIN", 1L);
  }
}
