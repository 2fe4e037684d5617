package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.PrintStream;
import org.slf4j.LoggerFactory;

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

  /**
   * A log of one INFO event per query ({@link QueryLogEntry#toString()}) through SLF4J, logger {@code
   * io.github.trafficpolicy.dns.QueryLog}: the application's logging decides where it goes.
   */
  static QueryLog toSlf4j() {
    org.slf4j.Logger log = LoggerFactory.getLogger(QueryLog.class);
    return entry -> log.info("{}", entry);
  }
}
