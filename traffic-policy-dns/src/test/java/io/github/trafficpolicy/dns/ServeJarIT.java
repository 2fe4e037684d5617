package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Jar.answers;
import static io.github.trafficpolicy.dns.Jar.builder;
import static io.github.trafficpolicy.dns.Jar.flags;
import static io.github.trafficpolicy.dns.Jar.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end: the built jar ({@code target/traffic-policy.jar}, made by the shade plugin in {@code package}) runs
 * {@code serve} on the bundled example's files, and real {@code dig} (or {@code kdig}) queries it over UDP and TCP.
 * Expected answers come from the example policy document (each continent's two endpoints) and the geo table.
 */
final class ServeJarIT {
  private static final String EXAMPLE = "io/github/trafficpolicy/dns/example/";
  private static String tool;
  private static Process server;
  private static int port;
  private static final List<String> stderr = new ArrayList<>();
  private static String startupLine;

  private static final int JAVA = Runtime.version().feature();

  /**
   * Whether this JVM (which runs the jar too) can serve UDP with mmsg when given the README's flags: Java 17
   * (jdk.incubator.foreign) and Java 22+ (java.lang.foreign; the build compiles that binding when it runs on a
   * JDK 22+, as here) on Linux.
   */
  private static final boolean MMSG_HERE = (JAVA == 17 || JAVA >= 22)
      && System.getProperty("os.name").equals("Linux")
      && List.of("amd64", "aarch64").contains(System.getProperty("os.arch"));

  /** The foreign-function API mmsg goes through on this JVM. */
  private static final String API = JAVA == 17 ? "jdk.incubator.foreign" : "java.lang.foreign";

  /** The JVM flags the README gives for batched UDP I/O: Java 17 needs two; Java 22+ reads the jar's manifest. */
  private static final List<String> MMSG_FLAGS = JAVA == 17
      ? List.of("--add-modules", "jdk.incubator.foreign", "--enable-native-access=ALL-UNNAMED") : List.of();

  /** Whether the plain {@code java -jar} (no flags) already serves with mmsg: Java 22+. */
  private static final boolean PLAIN_MMSG = MMSG_HERE && JAVA >= 22;

  @TempDir static Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    tool = Jar.digTool().orElse(null);
    assumeTrue(tool != null, "neither dig nor kdig is on PATH: install bind9-dnsutils or knot-dnsutils "
        + "(.ci/run does) to run the end-to-end tests");
    for (String f : new String[] {"example.com.zone", "www-policy.json", "geo.csv", "serve.json"}) {
      try (InputStream in = ServeJarIT.class.getClassLoader().getResourceAsStream(EXAMPLE + f)) {
        Files.write(dir.resolve(f), in.readAllBytes());
      }
    }
    Path config = dir.resolve("serve.json");
    // Free ports for DNS and for the example's API and console (8053), so that several servers run side by side.
    Files.writeString(config, Files.readString(config).replace("\"127.0.0.1:5353\"", "\"127.0.0.1:0\"")
        .replace("\"127.0.0.1:8053\"", "\"127.0.0.1:0\""));
    Path batch = dir.resolve("batch.json");
    Files.writeString(batch, Files.readString(config)
        .replace("\"udpScheduling\": \"normal\"", "\"udpScheduling\": \"batch\""));
    // The main server runs as the README recommends for a dedicated Linux host (batched UDP and SCHED_BATCH where
    // available); the SIGTERM test runs the plain `java -jar` command (java.nio) on the bundled configuration.
    server = builder(MMSG_HERE ? MMSG_FLAGS : List.of(), "serve", "--config", (MMSG_HERE ? batch : config).toString())
        .start();
    String line = Jar.startupLine(Jar.pump(server, stderr));
    assertThat(line).as("startup line; stderr: %s", stderr).isNotNull();
    startupLine = line;
    port = Jar.port(line);
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (server != null && server.isAlive()) {
      server.destroyForcibly();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static Process start(String... args) throws IOException {
    return builder(List.of(), args).start();
  }

  /** Runs dig/kdig against the server; returns its output. */
  private static String dig(String... args) throws Exception {
    return Jar.dig(tool, port, args);
  }

  @Test
  void answersDifferBySubnetAsTheExamplePolicySays() throws Exception {
    String na = answers(dig("www.example.com", "A", "+subnet=192.0.2.1/24"), "www.example.com.", "A").get(0);
    String eu = answers(dig("www.example.com", "A", "+subnet=198.51.100.1/24"), "www.example.com.", "A").get(0);
    String as = answers(dig("www.example.com", "A", "+subnet=203.0.113.1/24"), "www.example.com.", "A").get(0);
    String oc = answers(dig("www.example.com", "A", "+subnet=2001:db8::/48"), "www.example.com.", "A").get(0);
    // Each continent's endpoints in www-policy.json (weighted 3:1 between two failover orders).
    assertThat(na).isIn("192.0.2.10", "192.0.2.11");
    assertThat(eu).isIn("198.51.100.10", "198.51.100.11");
    assertThat(as).isIn("203.0.113.10", "203.0.113.11");
    assertThat(oc).isIn("192.0.2.30", "192.0.2.31");
  }

  @Test
  void ecsScopeEchoed() throws Exception {
    String out = dig("www.example.com", "A", "+subnet=198.51.100.1/24");
    Matcher m = Pattern.compile("CLIENT-SUBNET: ([0-9a-f.:]+)/(\\d+)/(\\d+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(m.group(1)).isEqualTo("198.51.100.0");
    assertThat(m.group(2)).isEqualTo("24");
    assertThat(Integer.parseInt(m.group(3))).as("scope").isPositive();
    String staticOut = dig("static.example.com", "A", "+subnet=198.51.100.1/24");
    assertThat(staticOut).contains("CLIENT-SUBNET: 198.51.100.0/24/0");
  }

  @Test
  void bigAnswerTruncatedOverUdpCompleteOverTcp() throws Exception {
    String udp = dig("big.example.com", "TXT", "+ignore", "+bufsize=1232");
    assertThat(flags(udp)).contains("tc");
    assertThat(answers(udp, "big.example.com.", "TXT")).isEmpty();
    String tcp = dig("big.example.com", "TXT", "+tcp");
    assertThat(flags(tcp)).doesNotContain("tc");
    assertThat(answers(tcp, "big.example.com.", "TXT")).hasSize(7);
  }

  @Test
  void missingNameNxdomainWithSoa() throws Exception {
    String out = dig("missing.example.com", "A");
    assertThat(status(out)).isEqualTo("NXDOMAIN");
    assertThat(flags(out)).contains("aa");
    assertThat(answers(out, "example.com.", "SOA")).hasSize(1);
  }

  @Test
  void otherTypeAtPolicyNameNodata() throws Exception {
    String out = dig("www.example.com", "AAAA");
    assertThat(status(out)).isEqualTo("NOERROR");
    assertThat(answers(out, "www.example.com.", "AAAA")).isEmpty();
    assertThat(answers(out, "example.com.", "SOA")).hasSize(1);
  }

  @Test
  void nameOutsideZonesRefused() throws Exception {
    assertThat(status(dig("www.example.org", "A"))).isEqualTo("REFUSED");
  }

  @Test
  void invalidConfiguration_exitsOneNamingThePlace() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{ \"listen\": [\"127.0.0.1:0\"], \"zones\": [ { \"origin\": \"example.com\" } ],"
        + " \"seed\": \"x\" }");
    Process p = start("serve", "--config", bad.toString());
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(err).contains("/zones/0/file: is required", "/seed: must be an integer");
  }

  @Test
  void startupLine_namesTheUdpIoAndScheduling() {
    assertThat(startupLine).contains(MMSG_HERE ? "(UDP I/O mmsg through " + API + ", scheduling batch)"
        : "(UDP I/O nio, scheduling normal");
  }

  @Test
  void batchSchedulingAskedForWithoutTheJvmFlags_exitsOneSayingWhatIsMissing() throws Exception {
    assumeTrue(!PLAIN_MMSG, "Java 22+ needs no flags for batch scheduling");
    Process p = start("serve", "--config", dir.resolve("batch.json").toString());
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(err).contains("/udpScheduling: \"batch\" is not available here: "
        + (MMSG_HERE ? "start the JVM with --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED"
            : ""));
  }

  @Test
  void mmsgAskedForWithoutTheJvmFlags_exitsOneSayingWhatIsMissing() throws Exception {
    assumeTrue(MMSG_HERE && JAVA == 17, "only Java 17 needs flags for mmsg");
    Path config = dir.resolve("mmsg.json");
    Files.writeString(config, Files.readString(dir.resolve("serve.json"))
        .replace("\"udpIo\": \"auto\"", "\"udpIo\": \"mmsg\""));
    Process p = start("serve", "--config", config.toString());
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(err).contains("/udpIo: \"mmsg\" is not available here: start the JVM with --add-modules "
        + "jdk.incubator.foreign --enable-native-access=ALL-UNNAMED");
  }

  @Test
  void sigterm_drainsAndPrintsCounters() throws Exception {
    Path config = dir.resolve("second.json");
    Files.writeString(config, Files.readString(dir.resolve("serve.json")));
    Path errFile = dir.resolve("second.err");
    Process p = builder(List.of(), "serve", "--config", config.toString()).redirectError(errFile.toFile()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.contains("listening on"));
    assertThat(line).isNotNull();
    Matcher m = Pattern.compile("127\\.0\\.0\\.1:(\\d+)").matcher(line);
    assertThat(m.find()).isTrue();
    int secondPort = Integer.parseInt(m.group(1));
    // Plain `java -jar`: mmsg on Java 22+ (the manifest grants native access); on Java 17 java.nio, and the line
    // says how to get mmsg.
    if (PLAIN_MMSG) {
      assertThat(line).contains("(UDP I/O mmsg through java.lang.foreign, scheduling normal)");
    } else {
      assertThat(line).contains("(UDP I/O nio, scheduling normal");
    }
    if (MMSG_HERE && JAVA == 17) {
      assertThat(line).contains("mmsg: start the JVM with --add-modules jdk.incubator.foreign");
    }
    assertThat(answers(Jar.dig(tool, secondPort, "www.example.com", "+subnet=198.51.100.1/24"), "www.example.com.", "A"))
        .singleElement().isIn("198.51.100.10", "198.51.100.11");
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // As the README and `serve --help` say: 128 + 15 after the drain.
    assertThat(p.exitValue()).isEqualTo(143);
    String err = Files.readString(errFile);
    assertThat(err).contains("stopped; counters:", "queries ");
    // Its UDP port is released.
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"),
        secondPort))) {
      assertThat(s.getLocalPort()).isEqualTo(secondPort);
    }
  }

  @Test
  void sigint_drainsAndExits130AsDocumented() throws Exception {
    ProcessBuilder pb = builder(List.of(), "serve", "--config", dir.resolve("serve.json").toString());
    // A job started in the background of a non-interactive shell (CI scripts, nohup) inherits SIGINT ignored, and a
    // JVM that starts with SIGINT ignored keeps ignoring it: give the server the default disposition, as a terminal's
    // foreground process has (coreutils env resets it).
    pb.command().addAll(0, List.of("env", "--default-signal=INT"));
    Process p = pb.start();
    List<String> err = new ArrayList<>();
    try {
      BlockingQueue<String> out = Jar.pump(p, err);
      assertThat(Jar.startupLine(out)).as("startup line; stderr: %s", err).isNotNull();
      // What Ctrl-C sends to the foreground process.
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
      assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
    assertThat(p.exitValue()).isEqualTo(130);
    assertThat(Jar.awaitLine(err, l -> l.startsWith("queries "))).as("stderr: %s", err).isTrue();
  }

  /** One event of the command's log: ISO time, level, logger's short name, message, on one line. */
  private static final Pattern LOG_LINE = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}"
      + "(Z|[+-]\\d\\d:\\d\\d) (TRACE|DEBUG|INFO|WARN|ERROR) \\w+ - .+");

  /** Runs {@code serve} on the bundled configuration with {@code logArgs} until its startup line; returns stderr. */
  private static List<String> serveAndStop(String... logArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of("serve", "--config", dir.resolve("serve.json").toString()));
    args.addAll(List.of(logArgs));
    Process p = builder(MMSG_FLAGS, args.toArray(String[]::new)).start();
    List<String> err = new ArrayList<>();
    try {
      BlockingQueue<String> out = Jar.pump(p, err);
      assertThat(Jar.startupLine(out)).as("startup line; stderr: %s", err).isNotNull();
    } finally {
      p.toHandle().destroy(); // SIGTERM (Process.destroy would also close the streams we read)
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    // The process has exited: wait for its stderr to be read to the end (the counters are its last lines).
    assertThat(Jar.awaitLine(err, l -> l.startsWith("queries "))).as("stderr: %s", err).isTrue();
    synchronized (err) {
      return new ArrayList<>(err);
    }
  }

  @Test
  void logLevelDebug_oneLinePerEventWithTimeLevelAndLogger() throws Exception {
    List<String> err = serveAndStop("--log-level", "DEBUG");
    assertThat(err).anySatisfy(l -> {
      assertThat(l).matches(LOG_LINE);
      assertThat(l).contains(" DEBUG AuthoritativeServer - listening on udp+tcp [/127.0.0.1:");
      assertThat(l).contains(MMSG_HERE ? "UDP I/O mmsg through " + API : "UDP I/O nio");
    });
    assertThat(err).noneMatch(l -> l.startsWith("SLF4J:"));
  }

  @Test
  void defaultLogLevelInfo_noDebugEvents_andNoSlf4jWarning() throws Exception {
    List<String> err = serveAndStop();
    assertThat(err).noneMatch(l -> l.contains(" DEBUG ")).noneMatch(l -> l.startsWith("SLF4J:"));
    // The main server's stderr too (the README's production command).
    synchronized (stderr) {
      assertThat(stderr).noneMatch(l -> l.startsWith("SLF4J:"));
    }
  }

  @Test
  void unknownLogLevel_usageErrorNamingTheLevels() throws Exception {
    Process p = start("serve", "--log-level", "loud");
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err).contains("--log-level", "loud", "trace, debug, info, warn, error, off");
  }
}
