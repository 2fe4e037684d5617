package io.github.trafficpolicy.engine.lifecycle;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;

/**
 * A real etcd (Debian's {@code etcd-server}) started by a test: one member on two free loopback ports (client and
 * peer, from 2379 up) with its data in a temporary directory (in memory, under /dev/shm, where there is one: etcd
 * syncs its log at every commit, which on a shared disk would make the tests slow), or a member of a cluster. Tests call
 * {@link #assumeInstalled()} first: without the binary they are skipped, saying so, except in CI ({@code CI=true}),
 * where they fail.
 */
public final class EtcdProcess implements AutoCloseable {
  /** From 2379 up, at a random offset so that test runs side by side rarely probe the same ports. */
  private static final AtomicInteger NEXT_PORT =
      new AtomicInteger(2379 + java.util.concurrent.ThreadLocalRandom.current().nextInt(0, 4000));
  private static final Duration READY = Duration.ofSeconds(30);

  private final String name;
  private final Path dataDir;
  private final Path log;
  private final int clientPort;
  private final int peerPort;
  private final String initialCluster;
  private final boolean newCluster;
  private Process process;

  private EtcdProcess(String name, Path dir, int clientPort, int peerPort, String initialCluster,
                      boolean newCluster) throws IOException {
    this.name = name;
    Path shm = Path.of("/dev/shm");
    Files.createDirectories(dir);
    this.dataDir = Files.isDirectory(shm) && Files.isWritable(shm)
        ? Files.createTempDirectory(shm, "traffic-policy-etcd-" + name + "-") : dir.resolve(name);
    this.log = dir.resolve(name + ".log");
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.initialCluster = initialCluster;
    this.newCluster = newCluster;
  }

  /** The etcd binary on the PATH, if any. */
  public static Optional<Path> binary() {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "/usr/bin" : path).split(File.pathSeparator)) {
      Path p = Path.of(dir, "etcd");
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Skips the calling test when etcd is not installed, or fails it in CI ({@code CI=true}). */
  public static void assumeInstalled() {
    if (binary().isPresent()) {
      return;
    }
    String message = "etcd is not installed (apt-get install etcd-server etcd-client); .ci/run installs it";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(message + ", and CI=true: the etcd tests must run in CI");
    }
    Assumptions.abort(message);
  }

  /** Starts a one-member etcd with its data under {@code dir}, and waits until it is healthy. */
  public static EtcdProcess start(Path dir) throws IOException, InterruptedException {
    int client = freePort();
    int peer = freePort();
    EtcdProcess e = new EtcdProcess("m0", dir, client, peer, "m0=http://127.0.0.1:" + peer, true);
    e.start();
    return e;
  }

  /** Starts a cluster of {@code n} members (data under {@code dir}), waiting until each is healthy. */
  public static List<EtcdProcess> startCluster(Path dir, int n) throws IOException, InterruptedException {
    int[] clients = new int[n];
    int[] peers = new int[n];
    List<String> cluster = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clients[i] = freePort();
      peers[i] = freePort();
      cluster.add("m" + i + "=http://127.0.0.1:" + peers[i]);
    }
    List<EtcdProcess> members = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      members.add(new EtcdProcess("m" + i, dir, clients[i], peers[i], String.join(",", cluster), true));
    }
    for (EtcdProcess m : members) {
      m.launch();
    }
    for (EtcdProcess m : members) {
      m.awaitHealthy();
    }
    return members;
  }

  /** {@code HOST:PORT} of the client URL. */
  public String endpoint() {
    return "127.0.0.1:" + clientPort;
  }

  public String name() {
    return name;
  }

  /** (Re)starts the member on the same ports and data, waiting until it is healthy. */
  public void start() throws IOException, InterruptedException {
    launch();
    awaitHealthy();
  }

  /** Starts the stopped member again without waiting (members of a cluster need each other to become healthy). */
  public void launchForRestart() throws IOException {
    launch();
  }

  /** Waits until the member is healthy. */
  public void awaitReady() throws IOException, InterruptedException {
    awaitHealthy();
  }

  private void launch() throws IOException {
    Files.createDirectories(dataDir);
    boolean existing = Files.isDirectory(dataDir.resolve("member"));
    List<String> cmd = new ArrayList<>(List.of(binary().orElseThrow().toString(),
        "--name", name,
        "--data-dir", dataDir.toString(),
        "--listen-client-urls", "http://127.0.0.1:" + clientPort,
        "--advertise-client-urls", "http://127.0.0.1:" + clientPort,
        "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-cluster", initialCluster,
        "--initial-cluster-token", "traffic-policy-test",
        "--initial-cluster-state", existing || !newCluster ? "existing" : "new",
        "--heartbeat-interval", "50",
        "--election-timeout", "500",
        "--logger", "zap",
        "--log-level", "error"));
    process = new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  private void awaitHealthy() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + READY.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("etcd " + name + " exited with " + process.exitValue() + ": "
            + Files.readString(log));
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + endpoint() + "/health"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"true\"")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      process.waitFor(50, TimeUnit.MILLISECONDS);
    }
    throw new IOException("etcd " + name + " not healthy within " + READY);
  }

  /** Stops the member (SIGTERM) and waits for it to exit. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** Kills the member (SIGKILL), as a crash. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Stops the member and removes its data. */
  @Override
  public void close() throws InterruptedException, IOException {
    stop();
    if (Files.isDirectory(dataDir)) {
      try (var paths = Files.walk(dataDir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** A loopback port from 2379 up that nothing listens on now. */
  private static int freePort() throws IOException {
    for (int i = 0; i < 2000; i++) {
      int port = NEXT_PORT.getAndIncrement();
      if (port > 65_000) {
        NEXT_PORT.set(2379);
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException e) {
        // in use: the next one
      }
    }
    throw new IOException("no free loopback port from 2379 up");
  }
}
