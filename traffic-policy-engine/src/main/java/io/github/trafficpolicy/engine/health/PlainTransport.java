package io.github.trafficpolicy.engine.health;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;

/** A {@link Transport} straight over the channel. */
final class PlainTransport implements Transport {
  private final AsynchronousSocketChannel channel;

  PlainTransport(AsynchronousSocketChannel channel) {
    this.channel = channel;
  }

  @Override
  public CompletableFuture<Void> write(ByteBuffer bytes) {
    return writeFully(channel, bytes);
  }

  @Override
  public CompletableFuture<Integer> read(ByteBuffer dst) {
    return readSome(channel, dst);
  }

  /** Writes every remaining byte of {@code bytes}. */
  static CompletableFuture<Void> writeFully(AsynchronousSocketChannel channel, ByteBuffer bytes) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    writeRest(channel, bytes, done);
    return done;
  }

  private static void writeRest(AsynchronousSocketChannel channel, ByteBuffer bytes, CompletableFuture<Void> done) {
    if (!bytes.hasRemaining()) {
      done.complete(null);
      return;
    }
    try {
      channel.write(bytes, null, new CompletionHandler<Integer, Void>() {
        @Override
        public void completed(Integer written, Void attachment) {
          writeRest(channel, bytes, done);
        }

        @Override
        public void failed(Throwable exc, Void attachment) {
          done.completeExceptionally(exc);
        }
      });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
  }

  /** Reads some bytes; the count or -1 at the end of the stream. */
  static CompletableFuture<Integer> readSome(AsynchronousSocketChannel channel, ByteBuffer dst) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    try {
      channel.read(dst, null, new CompletionHandler<Integer, Void>() {
        @Override
        public void completed(Integer n, Void attachment) {
          done.complete(n);
        }

        @Override
        public void failed(Throwable exc, Void attachment) {
          done.completeExceptionally(exc);
        }
      });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }
}
