package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Test helpers for the end-to-end tests of the built jar: starting {@code java -jar target/traffic-policy.jar},
 * reading its output, and querying it with real {@code dig}/{@code kdig}.
 */
final class Jar {
  private Jar() {}

  /** {@code dig}, else {@code kdig}, from the PATH; empty when neither is installed. */
  static Optional<String> digTool() {
    return onPath("dig").or(() -> onPath("kdig"));
  }

  private static Optional<String> onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(d, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p.toString());
      }
    }
    return Optional.empty();
  }

  /** The command that runs the built jar with {@code jvmFlags} and {@code args}, on this test's JVM. */
  static ProcessBuilder builder(List<String> jvmFlags, String... args) {
    String jar = System.getProperty("traffic-policy.jar", "target/traffic-policy.jar");
    assertThat(Path.of(jar)).as("the built jar").exists();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m"));
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-jar", jar));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  /** Lines of the process's standard output, read by a thread; standard error lines go to {@code stderr}. */
  static BlockingQueue<String> pump(Process p, List<String> stderr) {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread out = new Thread(() -> readLines(p.getInputStream(), q::add));
    Thread err = new Thread(() -> readLines(p.getErrorStream(), l -> {
      synchronized (stderr) {
        stderr.add(l);
        stderr.notifyAll();
      }
    }));
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
    return q;
  }

  /**
   * Waits (a minute at most) until a line of {@code stderr} (filled by {@link #pump}) matches {@code test}; returns
   * whether one did.
   */
  static boolean awaitLine(List<String> stderr, java.util.function.Predicate<String> test)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    synchronized (stderr) {
      while (stderr.stream().noneMatch(test)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(stderr, left);
      }
      return true;
    }
  }

  /** Waits (a minute at most) for the startup line among {@code lines}; returns it, or null. */
  static String startupLine(BlockingQueue<String> lines) throws InterruptedException {
    String line = lines.poll(60, TimeUnit.SECONDS);
    while (line != null && !line.contains("listening on")) {
      line = lines.poll(60, TimeUnit.SECONDS);
    }
    return line;
  }

  /** The first loopback port named in a startup line. */
  static int port(String startupLine) {
    Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(startupLine);
    assertThat(m.find()).as(startupLine).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static void readLines(InputStream in, Consumer<String> sink) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) {
        sink.accept(l);
      }
    } catch (IOException e) {
      // the process ended
    }
  }

  /** Runs {@code tool} (dig or kdig) against 127.0.0.1:{@code port}; returns its output. */
  static String dig(String tool, int port, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(tool, "@127.0.0.1", "-p", String.valueOf(port), "+timeout=5",
        "+retry=1"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  /** The rcode of a dig reply ({@code status: NOERROR}). */
  static String status(String out) {
    Matcher m = Pattern.compile("status: ([A-Z]+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return m.group(1);
  }

  /** The header flags of a dig reply, lower case. */
  static String flags(String out) {
    Matcher m = Pattern.compile("(?i)flags: ([a-z ]+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return m.group(1).toLowerCase(Locale.ROOT);
  }

  /** The data of answer lines of {@code type} ({@code www.example.com. 60 IN A 192.0.2.10}). */
  static List<String> answers(String out, String name, String type) {
    List<String> data = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+\\d+\\s+IN\\s+" + type + "\\s+(.+)$")
        .matcher(out);
    while (m.find()) {
      data.add(m.group(1).trim());
    }
    return data;
  }

  /** The A records a server answers for {@code name} (from client subnet {@code ecs}, if not null), sorted. */
  static List<String> answer(DatagramSocket socket, int port, String name, String ecs) throws IOException {
    Message q = Dns.query(name, Type.A);
    if (ecs != null) {
      Dns.withEdns(q, 1232, Dns.ecs(ecs, 24));
    }
    byte[] wire = q.toWire();
    byte[] buf = new byte[4096];
    for (int attempt = 0; attempt < 5; attempt++) {
      socket.send(new DatagramPacket(wire, wire.length, InetAddress.getLoopbackAddress(), port));
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(in);
      } catch (SocketTimeoutException e) {
        continue;
      }
      Message reply = Dns.parse(Arrays.copyOf(in.getData(), in.getLength()));
      if (reply.getHeader().getID() != q.getHeader().getID()) {
        continue;
      }
      List<String> a = new ArrayList<>();
      for (Record r : reply.getSection(Section.ANSWER)) {
        if (r instanceof ARecord ar) {
          a.add(ar.getAddress().getHostAddress());
        }
      }
      Collections.sort(a);
      return a;
    }
    throw new IOException("no answer from 127.0.0.1:" + port + " for " + name);
  }

  /** A loopback UDP socket for {@link #answer}, with a receive timeout of a second. */
  static DatagramSocket socket() throws IOException {
    DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    s.setSoTimeout(1000);
    return s;
  }
}
