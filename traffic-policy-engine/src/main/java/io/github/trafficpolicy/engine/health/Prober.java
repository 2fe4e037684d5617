package io.github.trafficpolicy.engine.health;

import com.google.common.base.Ticker;
import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs single probes with asynchronous socket I/O: {@link AsynchronousSocketChannel}s in one
 * {@link AsynchronousChannelGroup} (a fixed, small pool), TLS through an {@link SSLEngine}, and deadlines on a
 * shared {@link ScheduledExecutorService} that close the channel when they fire. Every probe closes its channel on
 * every path (result, failure, timeout, shutdown); {@link #openChannels()} counts the channels not yet closed.
 */
final class Prober {
  private static final Logger LOG = LoggerFactory.getLogger(Prober.class);

  private final AsynchronousChannelGroup group;
  private final ScheduledExecutorService timer;
  private final ExecutorService resolver;
  private final HostResolver hosts;
  private final SSLContext tls;
  private final Ticker ticker;
  private final Clock clock;
  private final AtomicInteger openChannels = new AtomicInteger();
  private final AtomicInteger peakOpenChannels = new AtomicInteger();
  private final Set<Probe> active = ConcurrentHashMap.newKeySet();

  Prober(AsynchronousChannelGroup group, ScheduledExecutorService timer, ExecutorService resolver,
      HostResolver hosts, Ticker ticker, Clock clock) {
    this.group = group;
    this.timer = timer;
    this.resolver = resolver;
    this.hosts = hosts;
    this.tls = trustAllContext();
    this.ticker = ticker;
    this.clock = clock;
  }

  /** Channels opened and not yet closed. */
  int openChannels() {
    return openChannels.get();
  }

  /** The most channels that were open at once. */
  int peakOpenChannels() {
    return peakOpenChannels.get();
  }

  /** Probes {@code check} once. The future always completes normally. */
  CompletableFuture<ProbeResult> probe(EndpointHealthCheck check) {
    Probe p = new Probe(check);
    active.add(p);
    p.start();
    return p.result;
  }

  /** Fails every probe in flight (closing its channel), for shutdown. */
  void abortAll() {
    for (Probe p : active) {
      p.finish(false, "health checker closed");
    }
  }

  /** One probe: a small state machine whose every exit goes through {@link #finish}. */
  private final class Probe {
    final EndpointHealthCheck check;
    final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    final long startNanos = ticker.read();
    private @Nullable AsynchronousSocketChannel channel;
    private @Nullable ScheduledFuture<?> deadline;
    /** The host-name lookup, queued or running, while it is; cancelled (and unqueued) when the probe ends. */
    private @Nullable FutureTask<Void> lookup;
    private boolean done;

    Probe(EndpointHealthCheck check) {
      this.check = check;
    }

    void start() {
      String target = check.target();
      String noConnection = "no connection within " + format(check.connectTimeout());
      // One deadline covers the host-name lookup and the connection; its reason says which was still under way.
      arm(check.connectTimeout(), () -> lookupPending() ? "cannot resolve " + target + " within "
          + format(check.connectTimeout()) : noConnection);
      if (InetAddresses.isInetAddress(target)) {
        connect(InetAddresses.forString(target));
        return;
      }
      FutureTask<Void> task = new FutureTask<>(() -> {
        InetAddress address;
        try {
          address = hosts.resolve(target);
        } catch (UnknownHostException e) {
          finish(false, "cannot resolve " + target);
          return;
        } catch (RuntimeException e) {
          finish(false, "cannot resolve " + target + ": " + e);
          return;
        }
        synchronized (this) {
          lookup = null;
          if (done) {
            return;
          }
        }
        connect(address);
      }, null);
      synchronized (this) {
        lookup = task;
      }
      try {
        resolver.execute(task);
      } catch (RejectedExecutionException e) {
        finish(false, resolver.isShutdown() ? "health checker closed"
            : "cannot resolve " + target + ": host-name lookups backed up (queue full)");
      }
    }

    private void connect(InetAddress address) {
      AsynchronousSocketChannel ch;
      try {
        ch = AsynchronousSocketChannel.open(group);
      } catch (IOException | RuntimeException e) {
        finish(false, "cannot open a socket: " + describe(e));
        return;
      }
      int open = openChannels.incrementAndGet();
      peakOpenChannels.accumulateAndGet(open, Math::max);
      if (!attach(ch)) {
        return;
      }
      try {
        ch.connect(new InetSocketAddress(address, check.port()), null, new CompletionHandler<Void, Void>() {
          @Override
          public void completed(Void v, Void attachment) {
            connected(ch);
          }

          @Override
          public void failed(Throwable exc, Void attachment) {
            finish(false, "connection failed: " + describe(exc));
          }
        });
      } catch (RuntimeException e) {
        finish(false, "connection failed: " + describe(e));
      }
    }

    private void connected(AsynchronousSocketChannel ch) {
      try {
        exchange(ch);
      } catch (RuntimeException e) {
        finish(false, describe(e));
      }
    }

    private void exchange(AsynchronousSocketChannel ch) {
      if (!check.type().usesHttp()) {
        finish(true, "connected");
        return;
      }
      arm(check.responseTimeout(), "no status line within " + format(check.responseTimeout()) + " of connecting");
      CompletableFuture<Transport> transport;
      if (check.type().usesTls()) {
        TlsTransport t = new TlsTransport(ch, engine());
        transport = t.handshake().thenApply(v -> t);
      } else {
        transport = CompletableFuture.completedFuture(new PlainTransport(ch));
      }
      transport
          .thenCompose(t -> t.write(request()).thenApply(v -> t))
          .thenAccept(t -> readResponse(t, new HttpResponseParser(check.searchString()), ByteBuffer.allocate(4096)))
          .exceptionally(e -> {
            finish(false, describe(e));
            return null;
          });
    }

    private void readResponse(Transport t, HttpResponseParser parser, ByteBuffer buffer) {
      buffer.clear();
      CompletableFuture<?> unused = t.read(buffer).whenComplete((n, error) -> {
        try {
          received(t, parser, buffer, n, error);
        } catch (RuntimeException e) {
          finish(false, describe(e));
        }
      });
    }

    private void received(Transport t, HttpResponseParser parser, ByteBuffer buffer, Integer n, Throwable error) {
      if (isDone()) {
        return;
      }
      if (error != null) {
        finish(false, (parser.status() < 0 ? "" : "HTTP " + parser.status() + ", ") + describe(error));
        return;
      }
      boolean wasAwaitingBody = parser.awaitingBody();
      Optional<HttpResponseParser.Verdict> verdict;
      if (n < 0) {
        verdict = Optional.of(parser.endOfStream());
      } else {
        buffer.flip();
        verdict = parser.feed(buffer);
      }
      if (verdict.isPresent()) {
        finish(verdict.get().success(), verdict.get().reason());
        return;
      }
      if (!wasAwaitingBody && parser.awaitingBody()) {
        arm(check.responseTimeout(), "HTTP " + parser.status() + ", body not complete within "
            + format(check.responseTimeout()) + " of the status line");
      }
      readResponse(t, parser, buffer);
    }

    private ByteBuffer request() {
      String request = "GET " + check.resourcePath().orElse("/") + " HTTP/1.1\r\n"
          + "Host: " + check.effectiveHostHeader() + "\r\n"
          + "User-Agent: traffic-policy-health-check\r\n"
          + "Accept: */*\r\n"
          + "Connection: close\r\n"
          + "\r\n";
      return ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    private SSLEngine engine() {
      Optional<String> serverName = check.serverName();
      SSLEngine engine = serverName.isPresent()
          ? tls.createSSLEngine(serverName.get(), check.port())
          : tls.createSSLEngine();
      engine.setUseClientMode(true);
      SSLParameters parameters = engine.getSSLParameters();
      serverName.ifPresent(name -> parameters.setServerNames(List.of(new SNIHostName(name))));
      engine.setSSLParameters(parameters);
      return engine;
    }

    /** Replaces the pending deadline: when it fires the probe fails with {@code reason}. */
    private synchronized boolean lookupPending() {
      return lookup != null;
    }

    private void arm(Duration timeout, String reason) {
      arm(timeout, () -> reason);
    }

    private void arm(Duration timeout, java.util.function.Supplier<String> reason) {
      ScheduledFuture<?> next;
      try {
        next = timer.schedule(() -> finish(false, reason.get()), timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        finish(false, "health checker closed");
        return;
      }
      ScheduledFuture<?> previous;
      synchronized (this) {
        if (done) {
          next.cancel(false);
          return;
        }
        previous = deadline;
        deadline = next;
      }
      if (previous != null) {
        previous.cancel(false);
      }
    }

    private synchronized boolean isDone() {
      return done;
    }

    private synchronized boolean attach(AsynchronousSocketChannel ch) {
      if (done) {
        close(ch);
        return false;
      }
      channel = ch;
      return true;
    }

    private void finish(boolean success, String reason) {
      AsynchronousSocketChannel ch;
      ScheduledFuture<?> pending;
      FutureTask<Void> resolving;
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
        ch = channel;
        channel = null;
        pending = deadline;
        deadline = null;
        resolving = lookup;
        lookup = null;
      }
      if (pending != null) {
        pending.cancel(false);
      }
      if (resolving != null && !resolving.isDone()) {
        // A lookup still queued is taken out (it would run for nothing); one running is left to end on its own.
        resolving.cancel(false);
        if (resolver instanceof ThreadPoolExecutor pool) {
          pool.remove(resolving);
        }
      }
      if (ch != null) {
        close(ch);
      }
      active.remove(this);
      Duration latency = Duration.ofNanos(Math.max(0, ticker.read() - startNanos));
      result.complete(new ProbeResult(success, reason, latency, clock.instant()));
    }
  }

  private void close(AsynchronousSocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      LOG.debug("closing a probe channel failed", e);
    } finally {
      openChannels.decrementAndGet();
    }
  }

  static String format(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  /** A short description of a failure for a probe's reason text. */
  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t.getClass() == RuntimeException.class) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    if (t instanceof ClosedChannelException) {
      return "connection closed";
    }
    if (t instanceof SSLException) {
      return "TLS failure: " + t.getMessage();
    }
    String message = t.getMessage();
    return message == null || message.isEmpty() ? t.getClass().getSimpleName() : message;
  }

  /**
   * A TLS context that accepts every server certificate, as Route 53 does not validate certificates: a health
   * check asks whether the server answers, not whether it is the right server.
   */
  private static SSLContext trustAllContext() {
    // An X509ExtendedTrustManager, so the JDK adds no checks of its own around it (host name, constraints).
    TrustManager trustAll = new X509ExtendedTrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // the client side is never checked by a probe
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // the client side is never checked by a probe
      }

      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // the client side is never checked by a probe
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        // accepted without validation, deliberately (Route 53 semantics)
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // accepted without validation, deliberately (Route 53 semantics)
      }

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // accepted without validation, deliberately (Route 53 semantics)
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available", e);
    }
  }
}
