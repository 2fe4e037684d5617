package io.github.trafficpolicy.dns;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, polling politely; never asserts on elapsed time. */
public final class Eventually {
  private Eventually() {}

  /** True once {@code condition} holds (looked at every 10 ms), false if it still does not after 30 s. */
  public static boolean until(BooleanSupplier condition) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return true;
  }
}
