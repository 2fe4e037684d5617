package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.PrintStream;

/**
 * Receives one {@link QueryLogEntry} per answered query. Called from the serving threads: implementations must be
 * thread-safe and fast. When no log is configured the handler builds no entries at all.
 */
@FunctionalInterface
public interface QueryLog {

  /** Records one query. */
  void log(QueryLogEntry entry);

  /** A log writing one line per query ({@link QueryLogEntry#toString()}) to {@code out}. */
  static QueryLog to(PrintStream out) {
    checkNotNull(out, "out");
    return entry -> {
      String line = entry.toString();
      synchronized (out) {
        out.println(line);
      }
    };
  }
}
