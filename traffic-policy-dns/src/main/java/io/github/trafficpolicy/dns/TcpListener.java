package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * DNS over TCP on one listen address (RFC 7766), served by one thread with non-blocking sockets: no thread and a
 * few hundred bytes per idle connection, at most one query and {@value #MAX_PENDING} bytes of unsent replies
 * buffered per connection. Nothing a client does can hold the server:
 *
 * <ul>
 *   <li>a query must arrive whole within the query timeout of its first byte (a client sending one byte at a time
 *       is cut off, whatever its pace), and a connection with no query under way is closed after the idle timeout;
 *   <li>replies must leave within the write timeout; a client that does not read stops being read
 *       (its unsent replies are bounded), then is closed;
 *   <li>each client address has at most {@code maxPerClient} connections and the listener at most
 *       {@code maxConnections}: a new connection beyond either takes the place of the worst one (of that client's,
 *       or of all): one whose replies are stuck, else one with a query arriving slowly, else the longest idle. So
 *       connections held open by anyone cannot lock a new client out.
 * </ul>
 *
 * <p>Queries are answered in order. A frame that deserves no reply (shorter than a DNS header, or a response) is
 * skipped and the queries after it are answered.
 */
final class TcpListener {
  /** Unsent reply bytes above which a connection is no longer read until its client reads. */
  static final int MAX_PENDING = 64 * 1024;
  private static final int INITIAL_BUFFER = 512;
  /** Kernel send and receive buffer per connection. */
  static final int SOCKET_BUFFER = 64 * 1024;
  /** The longest the listener goes without looking at its connections' deadlines. */
  private static final long SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final QueryHandler handler;
  private final ServerSocketChannel server;
  private final Selector selector;
  private final int maxConnections;
  private final int maxPerClient;
  private final long idleNanos;
  private final long queryNanos;
  private final long writeNanos;
  private final LongAdder closedByLimits;
  private final Map<InetAddress, Integer> perClient = new HashMap<>();
  private final List<Connection> connections = new ArrayList<>();
  /** {@code connections.size()}, published for other threads. */
  private volatile int open;
  private final LongAdder accepted = new LongAdder();
  private final byte[] query = new byte[65_535];
  private final byte[] reply = new byte[QueryHandler.MAX_MESSAGE + 2];
  private volatile boolean stopping;
  /** When the connections' deadlines are next looked at. */
  private long nextScan = System.nanoTime();
  private volatile long drainDeadline;

  TcpListener(QueryHandler handler, ServerSocketChannel server, int maxConnections, int maxPerClient,
      long idleNanos, long queryNanos, long writeNanos, LongAdder closedByLimits) throws IOException {
    this.handler = handler;
    this.server = server;
    this.maxConnections = maxConnections;
    this.maxPerClient = maxPerClient;
    this.idleNanos = idleNanos;
    this.queryNanos = queryNanos;
    this.writeNanos = writeNanos;
    this.closedByLimits = closedByLimits;
    this.selector = Selector.open();
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
  }

  /** Open connections (for tests and counters; read on the listener's thread). */
  int connections() {
    return connections.size();
  }

  /** Open connections, readable from any thread (as of the last accept or close). */
  int openConnections() {
    return open;
  }

  /** Connections accepted since the listener started. */
  long acceptedConnections() {
    return accepted.sum();
  }

  /** Stops accepting; connections finish sending what they owe until {@code deadlineNanos}, then close. */
  void stop(long deadlineNanos) {
    drainDeadline = deadlineNanos;
    stopping = true;
    selector.wakeup();
  }

  /** The selector loop: until stopped and drained (or the drain deadline). May throw only an {@link Error}. */
  void run() {
    try {
      loop();
    } catch (ClosedSelectorException e) {
      // closed by a previous run's cleanup
    } finally {
      if (stopping) {
        closeEverything();
      }
    }
  }

  private void loop() {
    Backoff backoff = new Backoff();
    while (true) {
      long now = System.nanoTime();
      if (stopping) {
        if (server.isOpen()) {
          close(server);
          for (Connection c : new ArrayList<>(connections)) {
            c.draining = true;
            c.updateInterest();
          }
        }
        if (connections.stream().noneMatch(c -> c.pending.size() > 0) || now - drainDeadline >= 0) {
          return;
        }
      }
      try {
        if (now - nextScan >= 0) {
          nextScan = nextDeadline(now);
        }
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextScan - now) + 1));
        backoff.reset();
      } catch (IOException e) {
        backoff.pause();
        continue;
      }
      now = System.nanoTime();
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        if (!key.isValid()) {
          continue;
        }
        if (key.isAcceptable()) {
          acceptAll(now);
        } else {
          Connection c = (Connection) key.attachment();
          if (key.isWritable()) {
            c.write(now);
          }
          if (key.isValid() && key.isReadable()) {
            c.read(now);
          }
        }
      }
      // Deadlines are checked when the earliest one is due (at most every SCAN_NANOS), not at every wake-up: a
      // busy listener with many connections does not walk all of them per query.
      long after = System.nanoTime();
      if (after - nextScan >= 0) {
        expire(after);
        nextScan = nextDeadline(after);
      }
    }
  }

  private long nextDeadline(long now) {
    long next = now + SCAN_NANOS;
    for (Connection c : connections) {
      next = Math.min(next, c.deadline());
    }
    if (stopping) {
      next = Math.min(next, drainDeadline);
    }
    return next;
  }

  private void acceptAll(long now) {
    while (!stopping) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        return;   // out of descriptors, say: the loop's next select tries again
      }
      if (ch == null) {
        return;
      }
      InetAddress client = ((InetSocketAddress) remote(ch)).getAddress();
      Connection evict = perClient.getOrDefault(client, 0) >= maxPerClient ? worst(now, client)
          : connections.size() >= maxConnections ? worst(now, null) : null;
      if (evict != null) {
        closedByLimits.increment();
        evict.close();
      }
      try {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        // A fixed send buffer: the kernel holds at most this much for a client that does not read (autotuning
        // would let it grow to megabytes per connection).
        ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
        Connection c = new Connection(ch, client, now);
        c.key = ch.register(selector, SelectionKey.OP_READ, c);
        connections.add(c);
        open = connections.size();
        accepted.increment();
        perClient.merge(client, 1, Integer::sum);
      } catch (IOException e) {
        close(ch);
      }
    }
  }

  private static java.net.SocketAddress remote(SocketChannel ch) {
    try {
      return ch.getRemoteAddress();
    } catch (IOException e) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }
  }

  /**
   * The connection to give up for a new one (of {@code client}'s, or of anyone's when null): stuck replies first,
   * then a slow query, then the longest idle.
   */
  private @Nullable Connection worst(long now, @Nullable InetAddress client) {
    Connection worst = null;
    long worstScore = Long.MIN_VALUE;
    for (Connection c : connections) {
      if (client != null && !client.equals(c.client)) {
        continue;
      }
      long score;
      if (c.pending.size() > 0) {
        score = (3L << 60) + Math.min(now - c.writeSince, 1L << 59);
      } else if (c.querySince != 0) {
        score = (2L << 60) + Math.min(now - c.querySince, 1L << 59);
      } else {
        score = (1L << 60) + Math.min(now - c.idleSince, 1L << 59);
      }
      if (score > worstScore) {
        worstScore = score;
        worst = c;
      }
    }
    return worst;
  }

  private void expire(long now) {
    for (int i = connections.size() - 1; i >= 0; i--) {
      Connection c = connections.get(i);
      if (now - c.deadline() >= 0) {
        if (c.pending.size() > 0 || c.querySince != 0) {
          closedByLimits.increment();
        }
        c.close();
      }
    }
  }

  private void closeEverything() {
    for (Connection c : new ArrayList<>(connections)) {
      c.close();
    }
    close(server);
    try {
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private static void close(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** One client connection: the bytes of the query arriving, and the replies not yet sent. */
  private final class Connection {
    final SocketChannel channel;
    final InetAddress client;
    @Nullable SelectionKey key;
    ByteBuffer in = ByteBuffer.allocate(INITIAL_BUFFER);
    final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    int pendingBytes;
    long idleSince;
    /** When the first byte of the query now arriving came, or 0. */
    long querySince;
    /** When the oldest unsent reply was queued. */
    long writeSince;
    boolean eof;
    boolean draining;
    boolean closed;

    Connection(SocketChannel channel, InetAddress client, long now) {
      this.channel = channel;
      this.client = client;
      this.idleSince = now;
    }

    long deadline() {
      if (pending.size() > 0) {
        return writeSince + writeNanos;
      }
      if (querySince != 0) {
        return querySince + queryNanos;
      }
      return idleSince + idleNanos;
    }

    void read(long now) {
      int n;
      try {
        n = channel.read(in);
      } catch (IOException e) {
        close();
        return;
      }
      if (n < 0) {
        eof = true;
        if (pending.isEmpty()) {
          close();
        } else {
          updateInterest();
        }
        return;
      }
      if (n > 0 && querySince == 0) {
        querySince = now;
      }
      frames(now);
    }

    /** Answers every whole frame in the buffer, in order; grows the buffer for a frame that does not fit. */
    private void frames(long now) {
      while (true) {
        if (in.position() < 2) {
          break;
        }
        int len = ((in.get(0) & 0xff) << 8) | (in.get(1) & 0xff);
        if (in.position() < 2 + len) {
          if (in.capacity() < 2 + len) {
            ByteBuffer bigger = ByteBuffer.allocate(2 + len);
            in.flip();
            bigger.put(in);
            in = bigger;
          }
          break;
        }
        in.flip();
        in.position(2);
        in.get(query, 0, len);
        in.compact();
        int r = handler.handle(query, len, client, true, reply, 2);
        if (r > 0) {
          ReplyWriter.put16(reply, 0, r);
          enqueue(ByteBuffer.wrap(java.util.Arrays.copyOf(reply, r + 2)), now);
        }
        idleSince = now;
        querySince = in.position() > 0 ? now : 0;
      }
      if (in.position() == 0 && in.capacity() > INITIAL_BUFFER) {
        in = ByteBuffer.allocate(INITIAL_BUFFER);
      }
      write(now);
    }

    private void enqueue(ByteBuffer b, long now) {
      if (pending.isEmpty()) {
        writeSince = now;
      }
      pending.add(b);
      pendingBytes += b.remaining();
    }

    void write(long now) {
      try {
        while (!pending.isEmpty()) {
          ByteBuffer b = pending.peek();
          int n = channel.write(b);
          pendingBytes -= n;
          if (b.hasRemaining()) {
            break;   // the deadline counts from when this reply started: reading it slowly does not extend it
          }
          pending.poll();
          writeSince = now;
        }
      } catch (IOException e) {
        close();
        return;
      }
      if (pending.isEmpty() && (eof || draining)) {
        close();
        return;
      }
      updateInterest();
    }

    void updateInterest() {
      if (closed) {
        return;
      }
      int ops = 0;
      if (!eof && !draining && pendingBytes < MAX_PENDING) {
        ops |= SelectionKey.OP_READ;
      }
      if (!pending.isEmpty()) {
        ops |= SelectionKey.OP_WRITE;
      }
      if (ops == 0 && pending.isEmpty()) {
        close();
        return;
      }
      checkNotNull(key, "registered").interestOps(ops);
    }

    void close() {
      if (closed) {
        return;
      }
      closed = true;
      connections.remove(this);
      open = connections.size();
      perClient.computeIfPresent(client, (k, v) -> v == 1 ? null : v - 1);
      if (key != null) {
        key.cancel();
      }
      TcpListener.close(channel);
    }
  }
}
