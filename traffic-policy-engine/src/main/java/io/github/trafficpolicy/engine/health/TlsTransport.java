package io.github.trafficpolicy.engine.health;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * A client-side TLS {@link Transport}: an {@link SSLEngine} driven over an asynchronous channel. Delegated tasks
 * (certificate parsing, key exchange) run inline on the I/O thread; they are short for a client.
 */
final class TlsTransport implements Transport {
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final AsynchronousSocketChannel channel;
  private final SSLEngine engine;
  /** Encrypted bytes received, in write mode (position = end of data). */
  private ByteBuffer netIn;
  /** Encrypted bytes to send. */
  private final ByteBuffer netOut;
  /** Decrypted bytes not yet handed out, in write mode. */
  private ByteBuffer appIn;
  private boolean closed;

  TlsTransport(AsynchronousSocketChannel channel, SSLEngine engine) {
    this.channel = channel;
    this.engine = engine;
    int packet = engine.getSession().getPacketBufferSize();
    this.netIn = ByteBuffer.allocate(packet);
    this.netOut = ByteBuffer.allocate(packet);
    this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
  }

  /** Runs the handshake. */
  CompletableFuture<Void> handshake() {
    try {
      engine.beginHandshake();
      return step();
    } catch (SSLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<Void> step() {
    try {
      while (true) {
        switch (engine.getHandshakeStatus()) {
          case NOT_HANDSHAKING:
          case FINISHED:
            return CompletableFuture.completedFuture(null);
          case NEED_TASK:
            runTasks();
            break;
          case NEED_WRAP:
            return wrapAndSend(EMPTY).thenCompose(v -> step());
          case NEED_UNWRAP:
          case NEED_UNWRAP_AGAIN:
            SSLEngineResult r = unwrap();
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
              return receive().thenCompose(n -> n < 0
                  ? CompletableFuture.failedFuture(new SSLException("connection closed during the TLS handshake"))
                  : step());
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
              return CompletableFuture.failedFuture(new SSLException("TLS closed during the handshake"));
            }
            break;
          default:
            throw new AssertionError(engine.getHandshakeStatus());
        }
      }
    } catch (SSLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> write(ByteBuffer bytes) {
    try {
      if (!bytes.hasRemaining()) {
        return CompletableFuture.completedFuture(null);
      }
      return wrapAndSend(bytes).thenCompose(v -> write(bytes));
    } catch (SSLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Integer> read(ByteBuffer dst) {
    try {
      while (true) {
        if (appIn.position() > 0) {
          appIn.flip();
          int n = Math.min(appIn.remaining(), dst.remaining());
          ByteBuffer slice = appIn.slice();
          slice.limit(n);
          dst.put(slice);
          appIn.position(appIn.position() + n);
          appIn.compact();
          return CompletableFuture.completedFuture(n);
        }
        if (closed) {
          return CompletableFuture.completedFuture(-1);
        }
        SSLEngineResult r = unwrap();
        switch (r.getStatus()) {
          case BUFFER_UNDERFLOW:
            return receive().thenCompose(n -> {
              if (n < 0) {
                closed = true; // the peer closed without close_notify: treat as end of stream
              }
              return read(dst);
            });
          case CLOSED:
            closed = true;
            break;
          default:
            break;
        }
        if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
          runTasks();
        }
        if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
          // e.g. a TLS 1.3 key update: answer it, then go on reading
          return wrapAndSend(EMPTY).thenCompose(v -> read(dst));
        }
      }
    } catch (SSLException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private SSLEngineResult unwrap() throws SSLException {
    while (true) {
      netIn.flip();
      SSLEngineResult r;
      try {
        r = engine.unwrap(netIn, appIn);
      } finally {
        netIn.compact();
      }
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
        continue;
      }
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW && !netIn.hasRemaining()) {
        netIn = grow(netIn, engine.getSession().getPacketBufferSize());
      }
      return r;
    }
  }

  private CompletableFuture<Void> wrapAndSend(ByteBuffer app) throws SSLException {
    netOut.clear();
    SSLEngineResult r = engine.wrap(app, netOut);
    if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
      return CompletableFuture.failedFuture(new SSLException("TLS closed"));
    }
    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
      // cannot happen with a packet-sized buffer; failing beats looping without progress
      return CompletableFuture.failedFuture(new SSLException("TLS record larger than the packet buffer"));
    }
    netOut.flip();
    return PlainTransport.writeFully(channel, netOut);
  }

  private CompletableFuture<Integer> receive() {
    return PlainTransport.readSome(channel, netIn);
  }

  private void runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  private static ByteBuffer grow(ByteBuffer buffer, int atLeast) {
    ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + atLeast));
    buffer.flip();
    bigger.put(buffer);
    return bigger;
  }
}
