package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Bounds the number of asynchronous operations in flight (open sockets): operations beyond the limit wait in a FIFO
 * queue and start, on {@code starter}, as earlier ones complete (never recursively on the completing thread).
 * Thread-safe; holds no thread of its own.
 */
final class ProbeLimiter {
  private final int limit;
  private final Executor starter;
  private final Queue<Pending<?>> waiting = new ArrayDeque<>();
  private int running;

  ProbeLimiter(int limit, Executor starter) {
    checkArgument(limit >= 1, "limit must be at least 1 but was %s", limit);
    this.limit = limit;
    this.starter = checkNotNull(starter, "starter");
  }

  /** Starts {@code operation} now or when a slot frees; the returned future completes as the operation's. */
  <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> operation) {
    Pending<T> pending = new Pending<>(operation);
    boolean now;
    synchronized (this) {
      now = running < limit;
      if (now) {
        running++;
      } else {
        waiting.add(pending);
      }
    }
    if (now) {
      pending.run();
    }
    return pending.result;
  }

  /** Fails every waiting operation with a {@link CancellationException} (on shutdown). */
  void cancelWaiting() {
    List<Pending<?>> cancelled;
    synchronized (this) {
      cancelled = new ArrayList<>(waiting);
      waiting.clear();
    }
    cancelled.forEach(Pending::cancel);
  }

  private void release() {
    Pending<?> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        running--;
        return;
      }
    }
    try {
      starter.execute(next);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        running--;
      }
      next.cancel();
      cancelWaiting();
    }
  }

  private final class Pending<T> implements Runnable {
    final Supplier<CompletableFuture<T>> operation;
    final CompletableFuture<T> result = new CompletableFuture<>();

    Pending(Supplier<CompletableFuture<T>> operation) {
      this.operation = operation;
    }

    @Override
    public void run() {
      CompletableFuture<T> f;
      try {
        f = operation.get();
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      CompletableFuture<?> unused = f.whenComplete((value, error) -> {
        release();
        if (error != null) {
          result.completeExceptionally(error);
        } else {
          result.complete(value);
        }
      });
    }

    void cancel() {
      result.completeExceptionally(new CancellationException("health checker closed"));
    }
  }
}
