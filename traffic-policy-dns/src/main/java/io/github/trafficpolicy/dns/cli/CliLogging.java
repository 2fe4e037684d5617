package io.github.trafficpolicy.dns.cli;

import java.util.Locale;

/**
 * How the {@code traffic-policy} command logs: SLF4J (the facade of every module and of dnsjava) bound to
 * slf4j-simple, one line per event on standard error ({@code 2026-12-04T08:15:00.123Z WARN ConfiguredServer -
 * message}), from the {@code --log-level} the command was given. A {@code -Dorg.slf4j.simpleLogger.*} system
 * property given to the JVM wins over what is set here.
 */
final class CliLogging {
  static final String PREFIX = "org.slf4j.simpleLogger.";

  private CliLogging() {}

  /** The levels {@code --log-level} takes, from the most to the least verbose. */
  enum Level {
    TRACE, DEBUG, INFO, WARN, ERROR, OFF;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Configures slf4j-simple; must run before the first logger is made (that is, before any command runs). */
  static void configure(Level level) {
    set("defaultLogLevel", level.toString());
    set("showDateTime", "true");
    set("dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    set("showThreadName", "false");
    set("showShortLogName", "true");
    set("logFile", "System.err");
  }

  private static void set(String key, String value) {
    if (System.getProperty(PREFIX + key) == null) {
      System.setProperty(PREFIX + key, value);
    }
  }
}
