package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.query;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * TCP under the attacks of the reliability audit, on loopback, each bounded in count and time: clients that never
 * read, clients that send one byte at a time, many connections from one address, bad frames in a pipeline. In each,
 * a normal client (from 127.0.0.1; the attackers use other loopback addresses) keeps getting answers over TCP.
 */
final class TcpHardeningTest {
  private AuthoritativeServer server;
  private final List<Socket> attackers = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    Catalog catalog = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).build();
    server = AuthoritativeServer.builder(catalog)
        .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).udpThreads(1)
        .tcpMaxConnections(32).tcpMaxConnectionsPerClient(4).tcpIdleTimeout(Duration.ofSeconds(30))
        .tcpQueryTimeout(Duration.ofMillis(500)).tcpWriteTimeout(Duration.ofSeconds(1)).build().start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : attackers) {
      s.close();
    }
    server.stop();
  }

  /** A connection from 127.0.0.{@code host}. */
  private Socket connectFrom(int host) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);   // before connecting, so that the window stays small
    s.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) host}), 0));
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5000);
    s.setSoTimeout(5000);
    attackers.add(s);
    return s;
  }

  /** A normal client: a new connection from 127.0.0.1, one query, its answer. */
  private void normalClientAnswered() throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(5000);
      Message r = LoopbackServerContract.tcpAsk(s);
      assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    }
  }

  private static byte[] frame(byte[] message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(message.length >> 8);
    out.write(message.length);
    out.writeBytes(message);
    return out.toByteArray();
  }

  /** Waits (30 s at most) until the server has closed {@code n} connections by its limits. */
  private void awaitClosedByLimits(long n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (server.tcpClosedByLimits() < n && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    assertThat(server.tcpClosedByLimits()).isGreaterThanOrEqualTo(n);
  }

  @Test
  void clientsThatNeverRead_doNotHoldTheServer_andAreCutOffAtTheWriteDeadline() throws IOException {
    byte[] bigQuery = frame(query("big.example.com.", Type.TXT).toWire());
    ByteArrayOutputStream many = new ByteArrayOutputStream();
    for (int i = 0; i < 300; i++) {
      many.writeBytes(bigQuery);   // 10 KB of queries asking for ~200 KB of replies, never read
    }
    for (int host = 2; host < 42; host++) {
      connectFrom(host).getOutputStream().write(many.toByteArray());
    }
    for (int i = 0; i < 20; i++) {
      normalClientAnswered();
    }
    // 40 attackers, 32 places: at least 8 gave their place to a newer one; the rest go at the write deadline.
    awaitClosedByLimits(40);
    normalClientAnswered();
  }

  @Test
  void slowloris_oneByteAtATime_cutOffAtTheQueryDeadline() throws Exception {
    byte[] q = frame(query("static.example.com.", Type.A).toWire());
    List<Socket> slow = new ArrayList<>();
    for (int host = 2; host < 12; host++) {
      Socket s = connectFrom(host);
      s.getOutputStream().write(q, 0, 1);
      slow.add(s);
    }
    // Each sends one more byte every 100 ms: a whole query would take over 3 s; the deadline is 500 ms.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    int sent = 1;
    while (System.nanoTime() < end && sent < q.length) {
      for (Socket s : slow) {
        try {
          s.getOutputStream().write(q, sent, 1);
        } catch (IOException e) {
          // closed by the server already
        }
      }
      sent++;
      normalClientAnswered();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
    }
    awaitClosedByLimits(10);
    for (Socket s : slow) {
      assertThat(readOrEnd(s.getInputStream())).as("closed by the server").isEqualTo(-1);
    }
  }

  @Test
  void manyConnectionsFromOneAddress_atMostTheLimitOpen_theNewestServed() throws IOException {
    List<Socket> mine = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      mine.add(connectFrom(7));
      // Each is accepted before the next is opened (an answer on it proves it), so the order is known.
      assertThat(LoopbackServerContract.tcpAsk(mine.get(i)).getRcode()).isEqualTo(Rcode.NOERROR);
    }
    // The limit is 4: the two longest idle gave their places to the two newest.
    assertThat(readOrEnd(mine.get(0).getInputStream())).isEqualTo(-1);
    assertThat(readOrEnd(mine.get(1).getInputStream())).isEqualTo(-1);
    for (Socket s : mine.subList(2, 6)) {
      assertThat(LoopbackServerContract.tcpAsk(s).getRcode()).isEqualTo(Rcode.NOERROR);
    }
    assertThat(server.tcpClosedByLimits()).isEqualTo(2);
    normalClientAnswered();
  }

  @Test
  void attackerOnTheSameAddressAsTheNormalClient_theNormalClientStillServed() throws IOException {
    for (int i = 0; i < 4; i++) {
      Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
      attackers.add(s);
      s.getOutputStream().write(frame(query("static.example.com.", Type.A).toWire()), 0, 3);   // never finished
    }
    normalClientAnswered();
  }

  @Test
  void badFramesInAPipeline_skipped_theQueriesAfterThemAnswered() throws IOException {
    Message first = query("static.example.com.", Type.A);
    Message last = query("missing.example.com.", Type.A);
    byte[] response = first.toWire();
    response[2] |= (byte) 0x80;   // QR set: a response, not a query
    ByteArrayOutputStream pipeline = new ByteArrayOutputStream();
    pipeline.writeBytes(frame(first.toWire()));
    pipeline.writeBytes(frame(new byte[0]));
    pipeline.writeBytes(frame(new byte[] {1, 2, 3, 4, 5}));
    pipeline.writeBytes(frame(response));
    pipeline.writeBytes(frame(last.toWire()));
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(pipeline.toByteArray());
      DataInputStream in = new DataInputStream(s.getInputStream());
      for (Message expected : new Message[] {first, last}) {
        byte[] reply = new byte[in.readUnsignedShort()];
        in.readFully(reply);
        assertThat(new Message(reply).getHeader().getID()).isEqualTo(expected.getHeader().getID());
      }
    }
  }

  @Test
  void idleConnections_costNoThread() throws IOException {
    long before = tcpThreads();
    for (int host = 2; host < 26; host++) {
      connectFrom(host);
    }
    normalClientAnswered();
    assertThat(tcpThreads()).isEqualTo(before);
  }

  private static long tcpThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("dns-tcp")).count();
  }

  private static int readOrEnd(InputStream in) throws IOException {
    try {
      return in.read();
    } catch (SocketTimeoutException e) {
      return -2;
    } catch (IOException e) {
      return -1;   // reset by the server
    }
  }
}
