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
import java.nio.charset.StandardCharsets;
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
 *
 * <p>{@link #startTls} starts one serving its clients over TLS only, with client certificate authentication, from
 * {@link Tls} material the test generates with the {@code openssl} command; {@link #enableAuth} then turns etcd's
 * users and roles on through {@code etcdctl}.
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
  private final Optional<Tls> tls;
  /** Plain-HTTP port of /health (and /metrics), so that readiness is polled without client certificates. */
  private final int metricsPort;
  /** The root user's password once {@link #enableAuth} turned authentication on. */
  private Optional<String> rootPassword = Optional.empty();
  private Process process;

  /**
   * TLS material for one test, generated with the {@code openssl} command: a CA, a certificate for the server at
   * 127.0.0.1 ({@code subjectAltName IP:127.0.0.1}) and one for a client, each signed by the CA, with PKCS#8 PEM
   * keys (what {@link EtcdSettings#withClientCertificate} takes).
   */
  public record Tls(Path ca, Path serverCertificate, Path serverKey, Path clientCertificate, Path clientKey) {
    /** Generates a new CA and the two certificates it signs, in {@code dir} (P-256 keys: fast to make). */
    public static Tls generate(Path dir) throws IOException, InterruptedException {
      Files.createDirectories(dir);
      Path caKey = dir.resolve("ca.key");
      Path ca = dir.resolve("ca.pem");
      key(caKey);
      openssl(dir, "req", "-x509", "-new", "-key", caKey.toString(), "-out", ca.toString(), "-days", "2",
          "-subj", "/CN=traffic-policy test CA " + dir.getFileName(),
          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
      Path serverKey = dir.resolve("server.key");
      Path server = dir.resolve("server.pem");
      signed(dir, ca, caKey, serverKey, server, "/CN=127.0.0.1",
          "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
      Path clientKey = dir.resolve("client.key");
      Path client = dir.resolve("client.pem");
      signed(dir, ca, caKey, clientKey, client, "/CN=traffic-policy-client",
          "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n");
      return new Tls(ca, server, serverKey, client, clientKey);
    }

    private static void key(Path key) throws IOException, InterruptedException {
      // genpkey writes PKCS#8 ("BEGIN PRIVATE KEY") whatever the OpenSSL version
      openssl(key.getParent(), "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
          key.toString());
    }

    private static void signed(Path dir, Path ca, Path caKey, Path key, Path certificate, String subject,
                               String extensions) throws IOException, InterruptedException {
      key(key);
      Path csr = dir.resolve(certificate.getFileName() + ".csr");
      Path ext = dir.resolve(certificate.getFileName() + ".ext");
      Files.writeString(ext, extensions);
      openssl(dir, "req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", subject);
      openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
          "-CAcreateserial", "-days", "2", "-extfile", ext.toString(), "-out", certificate.toString());
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>();
      cmd.add(onPath("openssl").orElseThrow().toString());
      cmd.addAll(List.of(args));
      run(dir, cmd);
    }
  }

  private EtcdProcess(String name, Path dir, int clientPort, int peerPort, String initialCluster,
                      boolean newCluster) throws IOException {
    this(name, dir, clientPort, peerPort, initialCluster, newCluster, Optional.empty(), 0);
  }

  private EtcdProcess(String name, Path dir, int clientPort, int peerPort, String initialCluster,
                      boolean newCluster, Optional<Tls> tls, int metricsPort) throws IOException {
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
    this.tls = tls;
    this.metricsPort = metricsPort;
  }

  /** The etcd binary on the PATH, if any. */
  public static Optional<Path> binary() {
    return onPath("etcd");
  }

  private static Optional<Path> onPath(String command) {
    String path = System.getenv("PATH");
    for (String dir : (path == null ? "/usr/bin" : path).split(File.pathSeparator)) {
      Path p = Path.of(dir, command);
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
    skipOrFail("etcd is not installed (apt-get install etcd-server etcd-client); .ci/run installs it");
  }

  /**
   * As {@link #assumeInstalled()}, and also skips (or in CI fails) the calling test when {@code etcdctl} or
   * {@code openssl}, which {@link #enableAuth} and {@link Tls#generate} run, is not installed.
   */
  public static void assumeTlsAndAuthInstalled() {
    assumeInstalled();
    for (String command : List.of("etcdctl", "openssl")) {
      if (onPath(command).isEmpty()) {
        skipOrFail(command + " is not installed (apt-get install etcd-client openssl); .ci/run installs it");
      }
    }
  }

  private static void skipOrFail(String message) {
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

  /**
   * Starts a one-member etcd with its data under {@code dir} that serves its clients over TLS only, with the
   * certificate of {@code tls}, and requires a client certificate signed by its CA ({@code --client-cert-auth});
   * waits until it is healthy.
   */
  public static EtcdProcess startTls(Path dir, Tls tls) throws IOException, InterruptedException {
    int client = freePort();
    int peer = freePort();
    int metrics = freePort();
    EtcdProcess e = new EtcdProcess("m0", dir, client, peer, "m0=http://127.0.0.1:" + peer, true, Optional.of(tls),
        metrics);
    e.start();
    return e;
  }

  /**
   * Turns etcd's authentication on through {@code etcdctl} (over TLS when the member serves TLS): user {@code root}
   * with {@code rootPassword}, and {@code user} with {@code password} and a role that may read and write every key
   * under {@code keyPrefix} (and nothing else).
   */
  public void enableAuth(String rootPassword, String user, String password, String keyPrefix)
      throws IOException, InterruptedException {
    etcdctl("user", "add", "root:" + rootPassword);
    etcdctl("user", "add", user + ":" + password);
    etcdctl("role", "add", user + "-rw");
    etcdctl("role", "grant-permission", user + "-rw", "--prefix=true", "readwrite", keyPrefix);
    etcdctl("user", "grant-role", user, user + "-rw");
    etcdctl("auth", "enable");
    this.rootPassword = Optional.of(rootPassword);
  }

  /** Runs {@code etcdctl} against this member (with its TLS client certificate and the root user, if on). */
  public String etcdctl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(onPath("etcdctl").orElseThrow().toString(),
        "--endpoints", (tls.isPresent() ? "https://" : "http://") + endpoint(), "--dial-timeout", "5s",
        "--command-timeout", "10s"));
    if (tls.isPresent()) {
      cmd.addAll(List.of("--cacert", tls.get().ca().toString(), "--cert", tls.get().clientCertificate().toString(),
          "--key", tls.get().clientKey().toString()));
    }
    rootPassword.ifPresent(p -> cmd.addAll(List.of("--user", "root:" + p)));
    if (args.length >= 2 && args[0].equals("user") && args[1].equals("add")) {
      cmd.add("--interactive=false");
    }
    cmd.addAll(List.of(args));
    return run(log.getParent(), cmd);
  }

  /** Runs {@code cmd} in {@code dir}; its output, or an {@link IOException} with it when it fails. */
  private static String run(Path dir, List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      throw new IOException(String.join(" ", cmd) + " did not finish within 60 s: " + out);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out);
    }
    return out;
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
    String clientUrl = (tls.isPresent() ? "https://127.0.0.1:" : "http://127.0.0.1:") + clientPort;
    List<String> cmd = new ArrayList<>(List.of(binary().orElseThrow().toString(),
        "--name", name,
        "--data-dir", dataDir.toString(),
        "--listen-client-urls", clientUrl,
        "--advertise-client-urls", clientUrl,
        "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-cluster", initialCluster,
        "--initial-cluster-token", "traffic-policy-test",
        "--initial-cluster-state", existing || !newCluster ? "existing" : "new",
        "--heartbeat-interval", "50",
        "--election-timeout", "500",
        "--logger", "zap",
        "--log-level", "error"));
    if (tls.isPresent()) {
      cmd.addAll(List.of("--cert-file", tls.get().serverCertificate().toString(),
          "--key-file", tls.get().serverKey().toString(),
          "--trusted-ca-file", tls.get().ca().toString(),
          "--client-cert-auth",
          "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort));
    }
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
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(tls.isPresent()
            ? "http://127.0.0.1:" + metricsPort + "/health" : "http://" + endpoint() + "/health"))
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
