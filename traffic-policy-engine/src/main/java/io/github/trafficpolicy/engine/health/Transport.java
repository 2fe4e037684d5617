package io.github.trafficpolicy.engine.health;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** A byte stream over an asynchronous socket: plain or TLS. Not thread-safe: one operation at a time. */
interface Transport {
  /** Writes all of {@code bytes}. */
  CompletableFuture<Void> write(ByteBuffer bytes);

  /** Reads some bytes into {@code dst}; the count, or -1 at the end of the stream. */
  CompletableFuture<Integer> read(ByteBuffer dst);
}
