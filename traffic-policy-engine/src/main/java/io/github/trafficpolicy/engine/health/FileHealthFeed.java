package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HealthFeed} read from a watched file, for systems that can write a file but not call Java. The file holds
 * health check ID → status, either as a JSON object or as CSV lines:
 *
 * <pre>
 * {"web-1": "HEALTHY", "web-2": "UNHEALTHY"}
 *
 * # id,status   (a header line "id,status" and # comments are allowed)
 * web-1,HEALTHY
 * web-2,UNHEALTHY
 * </pre>
 *
 * <p>Statuses are {@code HEALTHY} or {@code UNHEALTHY} (case-insensitive). Every status's age is the age of the
 * file's modification time, so a writer that stops rewriting the file makes its statuses go stale and fall back to
 * the feed's stale status. The file is polled ({@link #poll()}; every {@code pollInterval} once
 * {@linkplain #start() started}) and re-read when its modification time or content changed. A file that cannot be
 * read or parsed keeps the last good statuses (which then age) and is reported by {@link #lastError()}; IDs that
 * disappear from the file fall back to the stale status. Thread-safe.
 */
public final class FileHealthFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FileHealthFeed.class);
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final Path file;
  private final HealthFeed feed;
  private final Duration pollInterval;
  private final Optional<ScheduledExecutorService> givenScheduler;
  private Instant loadedModified = Instant.MIN;
  private byte[] loadedContent = new byte[0];
  private Optional<String> lastError = Optional.empty();
  private ScheduledExecutorService ownScheduler;
  private ScheduledFuture<?> polling;
  private boolean closed;

  private FileHealthFeed(Builder b) {
    this.file = b.file;
    this.feed = b.feed.build();
    this.pollInterval = b.pollInterval;
    this.givenScheduler = b.scheduler;
  }

  /** A builder for a feed from {@code file} publishing to {@code registry}. */
  public static Builder builder(Path file, HealthRegistry registry) {
    return new Builder(file, registry);
  }

  /** The watched file. */
  public Path file() {
    return file;
  }

  /** The statuses and their ages, as the underlying feed holds them. */
  public ImmutableMap<HealthCheckId, FeedEntry> entries() {
    return feed.entries();
  }

  /** Why the last poll could not load the file; empty when it could. */
  public synchronized Optional<String> lastError() {
    return lastError;
  }

  /**
   * Reads the file if it changed since the last load, publishes its statuses, and re-evaluates every age. Returns
   * true when the file was (re)loaded. Never throws for a bad file: see {@link #lastError()}.
   */
  public synchronized boolean poll() {
    boolean loaded = false;
    try {
      Instant modified = Files.getLastModifiedTime(file).toInstant();
      byte[] content = Files.readAllBytes(file);
      if (!modified.equals(loadedModified) || !Arrays.equals(content, loadedContent)) {
        ImmutableMap<HealthCheckId, HealthStatus> statuses = parse(new String(content, StandardCharsets.UTF_8));
        feed.replaceAll(statuses, modified);
        loadedModified = modified;
        loadedContent = content;
        loaded = true;
      }
      lastError = Optional.empty();
    } catch (NoSuchFileException e) {
      fail("health feed file " + file + " does not exist");
    } catch (IOException e) {
      fail("cannot read health feed file " + file + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      fail("invalid health feed file " + file + ": " + e.getMessage());
    }
    feed.refresh();
    return loaded;
  }

  /**
   * Polls now and then every {@code pollInterval}, on the given scheduler or on a daemon thread of its own. Does
   * nothing when already started.
   */
  public synchronized void start() {
    checkState(!closed, "the feed is closed");
    if (polling != null) {
      return;
    }
    ScheduledExecutorService s = givenScheduler.orElseGet(() -> {
      ownScheduler = Executors.newSingleThreadScheduledExecutor(
          new ThreadFactoryBuilder().setNameFormat("health-file-feed-%d").setDaemon(true).build());
      return ownScheduler;
    });
    polling = s.scheduleWithFixedDelay(this::poll, 0, pollInterval.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Stops polling (and the feed's own thread); the published statuses stay. */
  @Override
  public synchronized void close() {
    closed = true;
    if (polling != null) {
      polling.cancel(false);
      polling = null;
    }
    if (ownScheduler != null) {
      ownScheduler.shutdownNow();
      ownScheduler = null;
    }
    feed.close();
  }

  private void fail(String message) {
    if (!lastError.equals(Optional.of(message))) {
      LOG.warn("{} (keeping the last good statuses)", message);
    }
    lastError = Optional.of(message);
  }

  /**
   * Parses feed content: a JSON object (when it starts with <code>{</code>) or CSV lines.
   *
   * @throws IllegalArgumentException listing every problem (JSON path or line number)
   */
  public static ImmutableMap<HealthCheckId, HealthStatus> parse(String content) {
    checkNotNull(content, "content");
    String trimmed = content.strip();
    if (trimmed.startsWith("\uFEFF")) {
      trimmed = trimmed.substring(1).strip();
    }
    return trimmed.startsWith("{") ? parseJson(trimmed) : parseCsv(trimmed);
  }

  private static ImmutableMap<HealthCheckId, HealthStatus> parseJson(String content) {
    JsonNode root;
    try {
      root = JSON.readTree(content);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage() + " at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
    }
    Map<HealthCheckId, HealthStatus> statuses = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String path = "/" + field.getKey().replace("~", "~0").replace("/", "~1");
      Optional<HealthCheckId> id = id(field.getKey(), path, problems);
      Optional<HealthStatus> status = field.getValue().isTextual()
          ? status(field.getValue().asText(), path, problems)
          : problem(path + ": must be \"HEALTHY\" or \"UNHEALTHY\" but was " + field.getValue(), problems);
      if (id.isPresent() && status.isPresent()) {
        statuses.put(id.get(), status.get());
      }
    }
    checkArgument(problems.isEmpty(), String.join("; ", problems));
    return ImmutableMap.copyOf(statuses);
  }

  private static ImmutableMap<HealthCheckId, HealthStatus> parseCsv(String content) {
    Map<HealthCheckId, HealthStatus> statuses = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    ImmutableList<String> lines = ImmutableList.copyOf(content.split("\r?\n", -1));
    boolean first = true;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String where = "line " + (i + 1);
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (first && cells.length == 2 && cells[0].strip().equalsIgnoreCase("id")
          && cells[1].strip().equalsIgnoreCase("status")) {
        first = false;
        continue;
      }
      first = false;
      if (cells.length != 2) {
        problems.add(where + ": expected id,status but was '" + line + "'");
        continue;
      }
      Optional<HealthCheckId> id = id(cells[0].strip(), where, problems);
      Optional<HealthStatus> status = status(cells[1].strip(), where, problems);
      if (id.isPresent() && status.isPresent() && statuses.putIfAbsent(id.get(), status.get()) != null) {
        problems.add(where + ": duplicate ID " + id.get());
      }
    }
    checkArgument(problems.isEmpty(), String.join("; ", problems));
    return ImmutableMap.copyOf(statuses);
  }

  private static Optional<HealthCheckId> id(String value, String where, List<String> problems) {
    try {
      return Optional.of(HealthCheckId.of(value));
    } catch (IllegalArgumentException e) {
      return problem(where + ": invalid health check ID '" + value + "': " + e.getMessage(), problems);
    }
  }

  private static Optional<HealthStatus> status(String value, String where, List<String> problems) {
    String upper = value.toUpperCase(Locale.ROOT);
    if (upper.equals("HEALTHY")) {
      return Optional.of(HealthStatus.HEALTHY);
    }
    if (upper.equals("UNHEALTHY")) {
      return Optional.of(HealthStatus.UNHEALTHY);
    }
    return problem(where + ": status must be HEALTHY or UNHEALTHY but was '" + value + "'", problems);
  }

  private static <T> Optional<T> problem(String message, List<String> problems) {
    problems.add(message);
    return Optional.empty();
  }

  /** Builds a {@link FileHealthFeed}. */
  public static final class Builder {
    private final Path file;
    private final HealthFeed.Builder feed;
    private Duration pollInterval = Duration.ofSeconds(1);
    private Optional<ScheduledExecutorService> scheduler = Optional.empty();

    private Builder(Path file, HealthRegistry registry) {
      this.file = checkNotNull(file, "file");
      this.feed = HealthFeed.builder(registry);
    }

    /** How old the file may be before its statuses are stale (positive; default 5 minutes). */
    public Builder maxAge(Duration maxAge) {
      feed.maxAge(maxAge);
      return this;
    }

    /** The status published for stale and vanished statuses (default {@code UNKNOWN}). */
    public Builder staleStatus(HealthStatus staleStatus) {
      feed.staleStatus(staleStatus);
      return this;
    }

    /** The clock ages are measured with (default the system clock, UTC). */
    public Builder clock(Clock clock) {
      feed.clock(clock);
      return this;
    }

    /** How often a started feed polls the file (positive; default 1 s). */
    public Builder pollInterval(Duration pollInterval) {
      checkNotNull(pollInterval, "pollInterval");
      checkArgument(!pollInterval.isNegative() && !pollInterval.isZero(), "pollInterval must be positive but was %s",
          pollInterval);
      this.pollInterval = pollInterval;
      return this;
    }

    /** The scheduler a started feed polls on (default a daemon thread of its own, ended by {@link #close()}). */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Optional.of(checkNotNull(scheduler, "scheduler"));
      return this;
    }

    /** The feed (not started, nothing read yet). */
    public FileHealthFeed build() {
      return new FileHealthFeed(this);
    }
  }
}
