package io.github.trafficpolicy.engine.health;

import java.util.ArrayList;
import java.util.List;

/** What a test opened, closed at its end in the order opened. */
final class Closeables implements AutoCloseable {
  private final List<AutoCloseable> all = new ArrayList<>();

  /** {@code c}, to be closed by {@link #close()}. */
  <T extends AutoCloseable> T add(T c) {
    all.add(c);
    return c;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : all) {
      c.close();
    }
    all.clear();
  }
}
