package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP and TCP listeners around a {@link QueryHandler}, on any number of IPv4 and IPv6 addresses.
 *
 * <p>UDP: each address gets {@link Builder#udpThreads} receiver threads; where the platform supports
 * {@code SO_REUSEPORT} each thread has its own socket (the kernel spreads datagrams over them), else they share
 * one. How datagrams are read and written is {@link Builder#udpIo}: batched Linux {@code recvmmsg}/{@code
 * sendmmsg} where available, else {@code java.nio} channels; how the receiver threads are scheduled is {@link
 * Builder#udpScheduling}. A receiver thread is named {@code dns-udp-PORT-N ADDRESS}, so that tools showing the
 * first 15 characters ({@code top -H}, {@code ps -L}) tell the threads apart. TCP: one acceptor per address;
 * each connection is served by its own thread, reading length-prefixed queries one after the other (pipelined
 * queries are answered in order) until the client closes, stays idle for {@link Builder#tcpIdleTimeout}, or the
 * server stops; connections beyond {@link Builder#tcpMaxConnections} are closed at once.
 *
 * <p>{@link #start()} binds everything or nothing (a failure closes what was bound). {@link #stop()} stops
 * accepting, lets queries being answered finish (up to {@link Builder#drainTimeout}), then closes every socket.
 * Thread-safe.
 *
 * <pre>{@code
 * try (AuthoritativeServer server = AuthoritativeServer.builder(handler)
 *     .listen(new InetSocketAddress("127.0.0.1", 0))
 *     .build()
 *     .start()) {
 *   int port = server.port();
 * }
 * }</pre>
 */
public final class AuthoritativeServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuthoritativeServer.class);

  private final QueryHandler handler;
  private final ImmutableList<InetSocketAddress> requested;
  private final int udpThreads;
  private final int tcpMaxConnections;
  private final Duration tcpIdleTimeout;
  private final int tcpMaxConnectionsPerClient;
  private final Duration tcpQueryTimeout;
  private final Duration tcpWriteTimeout;
  private final Duration drainTimeout;

  private final Object lock = new Object();
  private volatile boolean running;
  private boolean started;
  private final UdpIo udpIo;
  private final UdpScheduling udpScheduling;
  private final AtomicBoolean schedulingReported = new AtomicBoolean();
  private final java.util.concurrent.atomic.LongAdder loopFailures = new java.util.concurrent.atomic.LongAdder();
  private @Nullable CountDownLatch udpReady; // set before the threads start (Thread.start publishes it)
  private final List<UdpSocket> udpSockets = new ArrayList<>();
  private final List<AtomicBoolean> udpBusy = new ArrayList<>();
  private final List<ServerSocketChannel> tcpSockets = new ArrayList<>();
  private final List<TcpListener> tcpListeners = new ArrayList<>();
  private final java.util.concurrent.atomic.LongAdder tcpClosedByLimits = new java.util.concurrent.atomic.LongAdder();
  private final List<Thread> threads = new ArrayList<>();
  private ImmutableList<InetSocketAddress> bound = ImmutableList.of();

  private AuthoritativeServer(Builder b) {
    this.handler = b.handler;
    this.requested = ImmutableList.copyOf(b.listen);
    this.udpThreads = b.udpThreads;
    this.udpIo = b.udpIo;
    this.udpScheduling = b.udpScheduling;
    this.tcpMaxConnections = b.tcpMaxConnections;
    this.tcpIdleTimeout = b.tcpIdleTimeout;
    this.tcpMaxConnectionsPerClient = b.tcpMaxConnectionsPerClient;
    this.tcpQueryTimeout = b.tcpQueryTimeout;
    this.tcpWriteTimeout = b.tcpWriteTimeout;
    this.drainTimeout = b.drainTimeout;
  }

  /** A builder for a server around {@code handler}. */
  public static Builder builder(QueryHandler handler) {
    return new Builder(checkNotNull(handler, "handler"));
  }

  /** A builder for a server answering from {@code catalog} with a default handler. */
  public static Builder builder(Catalog catalog) {
    return new Builder(QueryHandler.builder(checkNotNull(catalog, "catalog")).build());
  }

  /** The handler answering the queries. */
  public QueryHandler handler() {
    return handler;
  }

  /**
   * Binds every address (UDP and TCP) and starts serving; returns this server.
   *
   * @throws IOException when an address cannot be bound (nothing stays bound)
   * @throws IllegalStateException when called twice
   */
  public AuthoritativeServer start() throws IOException {
    synchronized (lock) {
      checkState(!started, "the server was already started");
      started = true;
      running = true;
      boolean anyEphemeral = requested.stream().anyMatch(a -> a.getPort() == 0);
      for (int attempt = 1; ; attempt++) {
        try {
          bound = bindAll();
          break;
        } catch (java.net.BindException e) {
          // Port 0 picks a free UDP port, which TCP (or the next address) then needs too; another process may
          // hold it for TCP. Pick again rather than fail.
          closeAll();
          forgetUnstarted();
          if (!anyEphemeral || attempt == MAX_BIND_ATTEMPTS) {
            running = false;
            throw e;
          }
        } catch (IOException | RuntimeException e) {
          running = false;
          closeAll();
          throw e;
        }
      }
      udpReady = new CountDownLatch(udpBusy.size());
      threads.forEach(Thread::start);
      try {
        // Each receiver applies its scheduling policy first: once start() returns, the policy is in place.
        udpReady.await(READY_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (LOG.isDebugEnabled()) {
        UdpIo io = udpIo.resolve();
        LOG.debug("listening on udp+tcp {}: {} UDP receiver thread(s) per address, UDP I/O {}{}, scheduling {}",
            bound, udpThreads, io, io.foreignApi().map(api -> " through " + api).orElse(""), udpScheduling);
      }
      return this;
    }
  }

  /** How long {@link #start()} waits for the receiver threads to be ready (they are at once, barring trouble). */
  private static final long READY_WAIT_SECONDS = 10;

  /** How often {@link #start()} picks new ports when an ephemeral port is taken for TCP or another address. */
  private static final int MAX_BIND_ATTEMPTS = 16;

  private ImmutableList<InetSocketAddress> bindAll() throws IOException {
    UdpIo io = udpIo.resolve();
    Optional<String> noScheduling = udpScheduling.unavailableReason();
    if (noScheduling.isPresent()) {
      throw new IOException("UDP scheduling " + udpScheduling + " is not available: " + noScheduling.get());
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    int sharedPort = 0;
    for (InetSocketAddress a : requested) {
      int port = a.getPort() == 0 ? sharedPort : a.getPort();
      InetSocketAddress want = new InetSocketAddress(a.getAddress(), port);
      boolean reuse = udpThreads > 1 && io.supportsReusePort();
      UdpSocket first = bindUdp(io, want, reuse);
      InetSocketAddress actual = first.localAddress();
      if (a.getPort() == 0 && sharedPort == 0) {
        sharedPort = actual.getPort();
      }
      List<UdpSocket> sockets = new ArrayList<>();
      sockets.add(first);
      for (int i = 1; i < udpThreads && reuse; i++) {
        sockets.add(bindUdp(io, actual, true));
      }
      ServerSocketChannel tcp = ServerSocketChannel.open();
      tcpSockets.add(tcp);
      tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      // Inherited by accepted connections (set before bind, so that the window scale fits it).
      tcp.setOption(StandardSocketOptions.SO_RCVBUF, TcpListener.SOCKET_BUFFER);
      tcp.bind(actual, 128);
      TcpListener listener = new TcpListener(handler, tcp, tcpMaxConnections, tcpMaxConnectionsPerClient,
          tcpIdleTimeout.toNanos(), tcpQueryTimeout.toNanos(), tcpWriteTimeout.toNanos(), tcpClosedByLimits);
      tcpListeners.add(listener);
      addresses.add(actual);
      for (int i = 0; i < udpThreads; i++) {
        UdpSocket s = sockets.get(Math.min(i, sockets.size() - 1));
        AtomicBoolean busy = new AtomicBoolean();
        udpBusy.add(busy);
        String name = "UDP receiver " + i + " on " + actual;
        threads.add(thread("dns-udp-" + actual.getPort() + "-" + i + " " + actual, () -> {
          scheduleCurrentThread();
          checkNotNull(udpReady).countDown();
          supervise(name, () -> s.serve(handler, busy), () -> {
            busy.set(false);
            return s.isOpen();
          });
        }));
      }
      threads.add(thread("dns-tcp-" + actual, () -> supervise("TCP listener on " + actual, listener::run,
          tcp::isOpen)));
    }
    return ImmutableList.copyOf(addresses);
  }

  /**
   * Applies {@link Builder#udpScheduling} to the calling receiver thread. A refusal at this point (checked as
   * available at start, so a system-call filter or similar) is reported once and the thread serves anyway.
   */
  private void scheduleCurrentThread() {
    udpScheduling.applyToCurrentThread().ifPresent(why -> {
      if (schedulingReported.compareAndSet(false, true)) {
        LOG.warn("UDP scheduling {} not applied: {}", udpScheduling, why);
      }
    });
  }

  private UdpSocket bindUdp(UdpIo io, InetSocketAddress address, boolean reusePort) throws IOException {
    UdpSocket s = io.bind(address, reusePort);
    udpSockets.add(s);
    return s;
  }

  /** Receive and send buffer size asked of the kernel for each UDP socket. */
  static final int SOCKET_BUFFER_BYTES = 4 << 20;

  private static Thread thread(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** The addresses actually bound (UDP and TCP share each), in the order given; empty before start. */
  public ImmutableList<InetSocketAddress> addresses() {
    synchronized (lock) {
      return bound;
    }
  }

  /** The port of the first address (useful with port 0). */
  public int port() {
    ImmutableList<InetSocketAddress> a = addresses();
    checkState(!a.isEmpty(), "the server is not started");
    return a.get(0).getPort();
  }

  /** How the UDP receiver threads are scheduled: the builder's choice. */
  public UdpScheduling udpScheduling() {
    return udpScheduling;
  }

  /** How UDP datagrams are read and written: the builder's choice, with {@link UdpIo#AUTO} resolved. */
  public UdpIo udpIo() {
    return udpIo.resolve();
  }

  /** True between {@link #start()} and {@link #stop()}. */
  public boolean isRunning() {
    return running;
  }

  /** A snapshot of the handler's counters. */
  public ServerCounters counters() {
    return handler.counters();
  }

  /**
   * Stops: no new queries or connections are taken; queries being answered finish (up to the drain timeout);
   * then every socket is closed. Idempotent.
   */
  public void stop() {
    List<Thread> toJoin;
    synchronized (lock) {
      if (!running) {
        return;
      }
      running = false;
      toJoin = new ArrayList<>(threads);
    }
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    // TCP: no new connections or queries; replies owed are sent until the deadline.
    for (TcpListener l : tcpListeners) {
      l.stop(deadline);
    }
    // UDP receivers wait for datagrams until their socket is closed: first let every query being answered
    // finish (its busy flag drops), then close the sockets, which ends the receivers.
    for (AtomicBoolean busy : udpBusy) {
      while (busy.get() && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
      }
    }
    synchronized (lock) {
      udpSockets.forEach(UdpSocket::close);
    }
    for (Thread t : toJoin) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        try {
          t.join(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    synchronized (lock) {
      closeAll();
    }
  }

  /** Same as {@link #stop()}. */
  @Override
  public void close() {
    stop();
  }

  /** Drops the sockets and threads of a failed binding attempt (none of the threads was started). */
  private void forgetUnstarted() {
    udpSockets.clear();
    udpBusy.clear();
    tcpSockets.clear();
    tcpListeners.clear();
    threads.clear();
  }

  private void closeAll() {
    udpSockets.forEach(UdpSocket::close);
    tcpSockets.forEach(AuthoritativeServer::closeQuietly);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing anyway
    }
  }

  /**
   * Runs a receiver or acceptor loop, and runs it again when it ends by an error (out of memory, a bug) while the
   * server is running and its socket open ({@code canResume}, which also resets what the failed run left): the
   * failure is reported and counted ({@link #loopFailures()}), never a bound socket that nobody reads.
   */
  private void supervise(String name, Runnable loop, java.util.function.BooleanSupplier canResume) {
    Backoff backoff = new Backoff();
    while (true) {
      try {
        loop.run();
        return;
      } catch (Throwable t) {
        loopFailures.increment();
        if (!running || !canResume.getAsBoolean()) {
          LOG.warn("{} failed while stopping", name, t);
          return;
        }
        LOG.error("{} failed and serves again", name, t);
        backoff.pause();
      }
    }
  }

  /**
   * How many times a UDP receiver or TCP acceptor loop ended by an error and was started again (each is reported on
   * standard error). Zero on a healthy server.
   */
  public long loopFailures() {
    return loopFailures.sum();
  }

  /** TCP connections open now, over every listen address (0 when stopped). */
  public int tcpConnections() {
    synchronized (lock) {
      return tcpListeners.stream().mapToInt(TcpListener::openConnections).sum();
    }
  }

  /** TCP connections accepted since the server was started, over every listen address. */
  public long tcpAccepted() {
    synchronized (lock) {
      return tcpListeners.stream().mapToLong(TcpListener::acceptedConnections).sum();
    }
  }

  /**
   * TCP connections closed by a limit: over the per-client limit, given up for a new one when a listener was full,
   * or cut off by the query or write deadline.
   */
  public long tcpClosedByLimits() {
    return tcpClosedByLimits.sum();
  }

  /** Builds an {@link AuthoritativeServer}. */
  public static final class Builder {
    private final QueryHandler handler;
    private final List<InetSocketAddress> listen = new ArrayList<>();
    private int udpThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private UdpIo udpIo = UdpIo.AUTO;
    private UdpScheduling udpScheduling = UdpScheduling.NORMAL;
    private int tcpMaxConnections = 256;
    private int tcpMaxConnectionsPerClient = 16;
    private Duration tcpIdleTimeout = Duration.ofSeconds(10);
    private Duration tcpQueryTimeout = Duration.ofSeconds(2);
    private Duration tcpWriteTimeout = Duration.ofSeconds(5);
    private Duration drainTimeout = Duration.ofSeconds(5);

    private Builder(QueryHandler handler) {
      this.handler = handler;
    }

    /** Listens on this address over UDP and TCP (port 0: a free port, shared by every port-0 address). */
    public Builder listen(InetSocketAddress address) {
      checkNotNull(address, "address");
      checkArgument(!address.isUnresolved(), "address %s is unresolved", address);
      listen.add(address);
      return this;
    }

    /** UDP receiver threads per address (default: the number of processors). */
    public Builder udpThreads(int threads) {
      checkArgument(threads >= 1 && threads <= 256, "udpThreads must be in [1, 256] but was %s", threads);
      this.udpThreads = threads;
      return this;
    }

    /**
     * How UDP datagrams are read and written (default {@link UdpIo#AUTO}: batched {@code recvmmsg}/{@code
     * sendmmsg} where available, else {@code java.nio}). {@link #start()} fails when {@link UdpIo#MMSG} is
     * asked for where it is not available.
     */
    public Builder udpIo(UdpIo io) {
      this.udpIo = checkNotNull(io, "io");
      return this;
    }

    /**
     * How the operating system schedules the UDP receiver threads (default {@link UdpScheduling#NORMAL}). With
     * {@link UdpScheduling#BATCH}, {@link #start()} fails where it is not available.
     */
    public Builder udpScheduling(UdpScheduling scheduling) {
      this.udpScheduling = checkNotNull(scheduling, "scheduling");
      return this;
    }

    /**
     * Open TCP connections at most per listen address (default 256). A new connection to a full listener takes the
     * place of the worst open one: one whose replies are not being read, else one whose query arrives slowly, else
     * the longest idle.
     */
    public Builder tcpMaxConnections(int max) {
      checkArgument(max >= 1, "tcpMaxConnections must be at least 1 but was %s", max);
      this.tcpMaxConnections = max;
      return this;
    }

    /** A TCP connection with no query under way for this long is closed (default 10 s). */
    public Builder tcpIdleTimeout(Duration timeout) {
      this.tcpIdleTimeout = positive(timeout, "tcpIdleTimeout");
      return this;
    }

    /** Open TCP connections at most from one client address (default 16); more are closed at once. */
    public Builder tcpMaxConnectionsPerClient(int max) {
      checkArgument(max >= 1, "tcpMaxConnectionsPerClient must be at least 1 but was %s", max);
      this.tcpMaxConnectionsPerClient = max;
      return this;
    }

    /**
     * A TCP query must arrive whole within this of its first byte, however its bytes are paced, or the connection
     * is closed (default 2 s).
     */
    public Builder tcpQueryTimeout(Duration timeout) {
      this.tcpQueryTimeout = positive(timeout, "tcpQueryTimeout");
      return this;
    }

    /**
     * A TCP reply must be taken by the client within this of its first byte being sent, or the connection is
     * closed (default 5 s); a client that does not read stops being read once 64 KiB of replies wait for it.
     */
    public Builder tcpWriteTimeout(Duration timeout) {
      this.tcpWriteTimeout = positive(timeout, "tcpWriteTimeout");
      return this;
    }

    private static Duration positive(Duration timeout, String what) {
      checkNotNull(timeout, what);
      checkArgument(!timeout.isNegative() && !timeout.isZero(), "%s must be positive but was %s", what, timeout);
      return timeout;
    }

    /** How long {@link #stop()} waits for queries being answered (default 5 s). */
    public Builder drainTimeout(Duration timeout) {
      checkNotNull(timeout, "timeout");
      checkArgument(!timeout.isNegative(), "drainTimeout must not be negative but was %s", timeout);
      this.drainTimeout = timeout;
      return this;
    }

    /**
     * The server (not started).
     *
     * @throws IllegalStateException when no listen address was given
     */
    public AuthoritativeServer build() {
      checkState(!listen.isEmpty(), "no listen address: call listen(...)");
      return new AuthoritativeServer(this);
    }
  }
}
