package io.github.trafficpolicy.engine.input;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A recursive resolver stand-in on a loopback UDP socket: it answers from records the test puts in, following CNAME
 * chains among them as a resolver does (or not, with {@link #chase(boolean)}), with NXDOMAIN and NODATA carrying an
 * SOA whose negative TTL is {@link #NEGATIVE_TTL}; or it answers SERVFAIL, or nothing at all ({@link Mode}). It counts
 * the questions it gets.
 */
public final class FakeUpstream implements AutoCloseable {
  static final long NEGATIVE_TTL = 30;

  enum Mode { ANSWER, SERVFAIL, SILENT }

  private final DatagramSocket socket;
  private final Thread thread;
  private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
  private final AtomicInteger questions = new AtomicInteger();
  private volatile Mode mode = Mode.ANSWER;
  private volatile boolean chase = true;

  public FakeUpstream() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "fake-upstream");
    thread.setDaemon(true);
    thread.start();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** Replaces the records of {@code name}: zone-file lines without the owner, e.g. {@code "60 IN A 192.0.2.1"}. */
  public FakeUpstream put(String name, String... rrs) {
    List<Record> list = new ArrayList<>();
    try {
      Name owner = Name.fromString(name, Name.root);
      for (String rr : rrs) {
        String[] f = rr.split(" ", 4);
        list.add(Record.fromString(owner, Type.value(f[2]), DClass.IN, Long.parseLong(f[0]), f[3], Name.root));
      }
      records.put(owner, list);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
    return this;
  }

  FakeUpstream remove(String name) {
    try {
      records.remove(Name.fromString(name, Name.root));
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
    return this;
  }

  FakeUpstream mode(Mode m) {
    this.mode = m;
    return this;
  }

  /** Whether a CNAME is followed to its target's records (a resolver does; an authoritative server may not). */
  FakeUpstream chase(boolean on) {
    this.chase = on;
    return this;
  }

  int questions() {
    return questions.get();
  }

  @Override
  public void close() {
    socket.close();
  }

  private void serve() {
    byte[] buf = new byte[1500];
    while (!socket.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
        Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        questions.incrementAndGet();
        Mode m = mode;
        if (m == Mode.SILENT) {
          continue;
        }
        byte[] out = (m == Mode.SERVFAIL ? error(q, Rcode.SERVFAIL) : answer(q)).toWire();
        socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private static Message error(Message q, int rcode) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    r.getHeader().setRcode(rcode);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    return r;
  }

  private Message answer(Message q) throws IOException {
    Message r = error(q, Rcode.NOERROR);
    Record question = q.getQuestion();
    Name current = question.getName();
    for (int links = 0; links < 20; links++) {
      List<Record> rrs = records.get(current);
      if (rrs == null) {
        r.getHeader().setRcode(Rcode.NXDOMAIN);
        r.addRecord(soa(), Section.AUTHORITY);
        return r;
      }
      Record cname = rrs.stream().filter(x -> x.getType() == Type.CNAME).findFirst().orElse(null);
      if (cname == null) {
        boolean any = false;
        for (Record x : rrs) {
          if (x.getType() == question.getType()) {
            r.addRecord(x, Section.ANSWER);
            any = true;
          }
        }
        if (!any) {
          r.addRecord(soa(), Section.AUTHORITY);
        }
        return r;
      }
      r.addRecord(cname, Section.ANSWER);
      if (!chase) {
        return r;
      }
      current = ((org.xbill.DNS.CNAMERecord) cname).getTarget();
    }
    return r;
  }

  private static Record soa() throws TextParseException {
    return new SOARecord(Name.fromString("amazonaws.com."), DClass.IN, 900, Name.fromString("ns.amazonaws.com."),
        Name.fromString("hostmaster.amazonaws.com."), 1, 7200, 900, 1209600, NEGATIVE_TTL);
  }
}
