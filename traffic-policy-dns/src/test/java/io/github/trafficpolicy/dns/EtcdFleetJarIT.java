package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Jar.builder;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.EtcdProcess;
import io.github.trafficpolicy.engine.lifecycle.EtcdSettings;
import io.github.trafficpolicy.engine.lifecycle.ManagedPolicy;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code traffic-policy serve} processes of the built jar share one registry in a real etcd (started by the
 * test on loopback ports): a version created through the command line (another process) is answered by all three,
 * a bulk update is seen whole or not at all, the three answer alike for 10,000 client subnets, and two writer
 * processes racing versions and bulk updates lose and duplicate nothing. Prints the propagation figures (commit to
 * every server answering from it) that BENCHMARKS.md quotes.
 */
final class EtcdFleetJarIT {
  private static final String EXAMPLE = "io/github/trafficpolicy/dns/example/";
  private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);

  @TempDir static Path dir;
  private static EtcdProcess etcd;
  private static String uri;
  private static final List<Process> servers = new ArrayList<>();
  private static final List<List<String>> stderrs = new ArrayList<>();
  private static final List<Integer> ports = new ArrayList<>();
  private static TrafficPolicyRegistry writer;

  static String document(String address) {
    return "{\"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\", \"StartEndpoint\": \"e\","
        + " \"Endpoints\": {\"e\": {\"Type\": \"value\", \"Value\": \"" + address + "\"}}}\n";
  }

  @BeforeAll
  static void startFleet() throws Exception {
    EtcdProcess.assumeInstalled();
    etcd = EtcdProcess.start(dir.resolve("etcd"));
    uri = "etcd://" + etcd.endpoint() + "/fleet";
    for (String f : new String[] {"example.com.zone", "www-policy.json", "geo.csv"}) {
      try (InputStream in = EtcdFleetJarIT.class.getClassLoader().getResourceAsStream(EXAMPLE + f)) {
        Files.write(dir.resolve(f), in.readAllBytes());
      }
    }
    writer = TrafficPolicyRegistry.builder().codec(DocumentCodec.json())
        .etcd(EtcdSettings.parse(uri).withStartupWait(Duration.ofSeconds(20))).build();
    String www = writer.createPolicy("www", Files.readString(dir.resolve("www-policy.json")), Optional.empty()).id();
    writer.createRecord("example.com", "www.example.com", 60, www, 1);
    Files.writeString(dir.resolve("serve.json"), "{\"listen\": [\"127.0.0.1:0\"], \"udpThreads\": 1,"
        + " \"zones\": [{\"origin\": \"example.com\", \"file\": \"example.com.zone\"}],"
        + " \"geo\": {\"cidrTable\": \"geo.csv\"}, \"printCountersOnShutdown\": false,"
        + " \"registry\": {\"etcd\": \"" + uri + "\", \"pollMillis\": 200}}");
    List<java.util.concurrent.BlockingQueue<String>> outs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Process p = builder(List.of(), "serve", "--config", dir.resolve("serve.json").toString()).start();
      servers.add(p);
      List<String> stderr = new ArrayList<>();
      stderrs.add(stderr);
      outs.add(Jar.pump(p, stderr));
    }
    for (int i = 0; i < 3; i++) {
      String line = Jar.startupLine(outs.get(i));
      assertThat(line).as("startup line; stderr: %s", stderrs.get(i)).isNotNull();
      ports.add(Jar.port(line));
    }
  }

  @AfterAll
  static void stopFleet() throws Exception {
    if (writer != null) {
      writer.close();
    }
    for (Process p : servers) {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  private record Run(int exit, String out, String err) {}

  private static Run cli(String... args) throws Exception {
    // A command-line call is short: the quick JIT start suits it.
    Process p = builder(List.of("-XX:TieredStopAtLevel=1"), args).start();
    byte[] err = p.getErrorStream().readAllBytes();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  /** Nanoseconds from now until every server answers {@code expected} for {@code name}; fails past the bound. */
  private static long untilAllAnswer(DatagramSocket socket, String name, List<String> expected, long start)
      throws Exception {
    for (int port : ports) {
      while (!Jar.answer(socket, port, name, null).equals(expected)) {
        assertThat(System.nanoTime() - start).as("127.0.0.1:%s answering %s for %s; stderr %s", port, expected, name,
            stderrs).isLessThan(BOUND_NANOS);
        Thread.sleep(1);
      }
    }
    return System.nanoTime() - start;
  }

  @Test
  void aVersionCreatedThroughTheCommandLineIsAnsweredByAllThree() throws Exception {
    // The first version from this process; the second, and the record's move to it, by two command-line calls.
    Path v1 = dir.resolve("cli-v1.json");
    Path v2 = dir.resolve("cli-v2.json");
    Files.writeString(v1, document("192.0.2.41"));
    Files.writeString(v2, document("192.0.2.42"));
    String id = writer.createPolicy("cli", Files.readString(v1), Optional.empty()).id();
    writer.createRecord("example.com", "cli.example.com", 60, id, 1);
    try (DatagramSocket s = Jar.socket()) {
      untilAllAnswer(s, "cli.example.com", List.of("192.0.2.41"), System.nanoTime());
      assertThat(cli("policy", "version", "--registry", uri, "--id", "cli", "--document", v2.toString()).exit)
          .isZero();
      Run moved = cli("record", "update", "--registry", uri, "--name", "cli.example.com", "--version", "2");
      assertThat(moved.exit).as(moved.err).isZero();
      long start = System.nanoTime();
      untilAllAnswer(s, "cli.example.com", List.of("192.0.2.42"), start);
    }
  }

  @Test
  void propagationWithAThousandRecords_everyServerAnswersEachCommitWithinTheBound() throws Exception {
    String id = writer.createPolicy("big", document("10.0.0.1"), Optional.empty()).id();
    List<PolicyRecord> records = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      records.add(new PolicyRecord("example.com", "big" + i + ".example.com", 60, id, 1));
    }
    writer.putRecords(records);
    List<Long> micros = new ArrayList<>();
    try (DatagramSocket s = Jar.socket()) {
      untilAllAnswer(s, "big999.example.com", List.of("10.0.0.1"), System.nanoTime());
      for (int round = 2; round <= 41; round++) {
        int v = writer.createPolicyVersion(id, document("10.0.1." + round), Optional.empty()).version();
        String name = "big" + (round * 37 % 1000) + ".example.com";
        long start = System.nanoTime();
        writer.updateRecord(name, Optional.of(v), java.util.OptionalLong.empty());
        micros.add(untilAllAnswer(s, name, List.of("10.0.1." + round), start) / 1000);
      }
    }
    Collections.sort(micros);
    System.out.printf("etcd propagation, 1000 policy records, 3 servers, %d commits: p50 %.1f ms, p99 %.1f ms,"
            + " max %.1f ms%n", micros.size(), micros.get(micros.size() / 2) / 1000.0,
        micros.get((int) Math.ceil(micros.size() * 0.99) - 1) / 1000.0, micros.get(micros.size() - 1) / 1000.0);
  }

  @Test
  void aBulkUpdateOfAHundredRecordsIsSeenWholeOrNotAtAll() throws Exception {
    String id = writer.createPolicy("bulk", document("192.0.2.1"), Optional.empty()).id();
    writer.createPolicyVersion(id, document("192.0.2.2"), Optional.empty());
    List<PolicyRecord> records = IntStream.range(0, 100)
        .mapToObj(i -> new PolicyRecord("example.com", "bulk" + i + ".example.com", 60, id, 1)).toList();
    writer.putRecords(records);
    try (DatagramSocket s = Jar.socket()) {
      untilAllAnswer(s, "bulk99.example.com", List.of("192.0.2.1"), System.nanoTime());
    }
    AtomicBoolean moved = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<String>> clients = new ArrayList<>();
      for (int port : ports) {
        clients.add(pool.submit(() -> {
          // Once a server answers from the new state for one name, it never answers from the old one again: every
          // name answers the new version from then on.
          try (DatagramSocket s = Jar.socket()) {
            boolean seenNew = false;
            long deadline = System.nanoTime() + BOUND_NANOS;
            int sinceMoved = 0;
            for (int i = 0; sinceMoved < 200; i++) {
              List<String> a = Jar.answer(s, port, "bulk" + (i % 100) + ".example.com", null);
              if (a.equals(List.of("192.0.2.2"))) {
                seenNew = true;
              } else if (!a.equals(List.of("192.0.2.1")) || seenNew) {
                return "127.0.0.1:" + port + " answered " + a + " for bulk" + (i % 100) + " after the new state";
              }
              if (moved.get()) {
                sinceMoved++;
                assertThat(System.nanoTime()).isLessThan(deadline + BOUND_NANOS);
              }
            }
            return seenNew ? "" : "127.0.0.1:" + port + " never answered the new state";
          }
        }));
      }
      Thread.sleep(20);
      writer.updateAllRecords(id, 2);
      moved.set(true);
      for (Future<String> f : clients) {
        assertThat(f.get()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void allThreeAnswerAlikeForTenThousandClientSubnets() throws Exception {
    try (DatagramSocket s = Jar.socket()) {
      int differing = 0;
      for (int i = 0; i < 10_000; i++) {
        String subnet = i < 3 ? new String[] {"192.0.2.0", "198.51.100.0", "203.0.113.0"}[i]
            : (10 + i / 65_536) + "." + (i / 256 % 256) + "." + (i % 256) + ".0";
        List<String> first = Jar.answer(s, ports.get(0), "www.example.com", subnet);
        assertThat(first).isNotEmpty();
        for (int k = 1; k < 3; k++) {
          if (!Jar.answer(s, ports.get(k), "www.example.com", subnet).equals(first)) {
            differing++;
          }
        }
      }
      assertThat(differing).isZero();
    }
  }

  @Test
  void twoWriterProcessesRacing_noVersionLostOrDuplicated() throws Exception {
    String id = writer.createPolicy("race", document("192.0.2.100"), Optional.empty()).id();
    for (int i = 0; i < 10; i++) {
      writer.createRecord("example.com", "race" + i + ".example.com", 60, id, 1);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> writers = new ArrayList<>();
    for (String net : List.of("10.1.1", "10.2.2")) {
      writers.add(new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          EtcdWriterMain.class.getName(), uri, id, "100", net).redirectError(ProcessBuilder.Redirect.INHERIT)
          .start());
    }
    List<Integer> all = new ArrayList<>();
    for (Process p : writers) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      List<Integer> mine = out.lines().map(Integer::parseInt).toList();
      assertThat(mine).hasSize(100).isSorted();
      all.addAll(mine);
    }
    assertThat(all).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(2, 201).boxed().toList());
    writer.reloadIfChanged();
    ManagedPolicy p = writer.state().policy(id).orElseThrow();
    assertThat(p.versions().keySet()).containsExactlyElementsOf(IntStream.rangeClosed(1, 201).boxed().toList());
    // Serial equivalence: every record is on the version of the last bulk update committed, and that version's
    // document is the one its writer created.
    int last = writer.state().records().stream().filter(r -> r.name().startsWith("race"))
        .map(r -> r.current().version()).collect(Collectors.toSet()).stream().reduce((a, b) -> -1).orElseThrow();
    assertThat(last).isPositive();
    try (DatagramSocket s = Jar.socket()) {
      String expected = writer.getPolicy(id, last).documentText().replaceAll("(?s).*\"Value\": \"([^\"]+)\".*",
          "$1");
      untilAllAnswer(s, "race0.example.com", List.of(expected), System.nanoTime());
      untilAllAnswer(s, "race9.example.com", List.of(expected), System.nanoTime());
    }
  }
}
