package io.github.trafficpolicy.engine.health;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.internal.JsonMessages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health-status file: statuses another system decides (a deployment tool, an operator's switch, a monitoring
 * bridge) written to a file that the server watches. It is the project's one file format for health statuses (the
 * {@code healthStatus} member of the {@code serve} configuration reads it):
 *
 * <pre>{@code
 * { "checks":  { "<health check id>": "HEALTHY" | "UNHEALTHY" | "UNKNOWN", ... },
 *   "targets": { "<alias endpoint id>": "HEALTHY" | "UNHEALTHY" | "UNKNOWN", ... } }
 * }</pre>
 *
 * <p>Both members are optional; any other member is an error, as is any other status. {@code //} comments and
 * trailing commas are allowed; a duplicate ID is an error. {@link #parse} reports every problem at once.
 *
 * <p>A {@code HealthStatusFile} publishes the file's statuses into a {@link HealthRegistry} beside other sources (the
 * active health checks): it sets only the IDs the file lists, sets the IDs it listed before and lists no more back
 * to {@code UNKNOWN}, and never touches the IDs health checks probe (such entries are ignored and returned by
 * {@link #apply}). As a {@link Runnable} it polls the file every second and re-reads it when its modification time
 * or size changed; a file that cannot be read or parsed is logged and the last good statuses stay published.
 * Thread-safe.
 */
public final class HealthStatusFile implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthStatusFile.class);
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
      .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final long POLL_MILLIS = 1000;

  private final Optional<Path> file;
  private final HealthRegistry registry;
  private final Set<HealthCheckId> probed;
  private final Set<HealthCheckId> ownChecks = new HashSet<>();
  private final Set<EndpointId> ownTargets = new HashSet<>();
  /** The file's stamp and size when this was created (taken before the first read, so no change is missed). */
  private final @Nullable FileTime initialStamp;
  private final long initialSize;

  private HealthStatusFile(Optional<Path> file, HealthRegistry registry, Set<HealthCheckId> probed) {
    this.file = file;
    this.registry = checkNotNull(registry, "registry");
    this.probed = Set.copyOf(probed);
    this.initialStamp = file.map(HealthStatusFile::stamp).orElse(null);
    this.initialSize = file.map(HealthStatusFile::size).orElse(-1L);
  }

  /**
   * Publishes the statuses of {@code file} into {@code registry}, except those of the {@code probed} IDs; create it
   * before the first read (its file stamp is then older than any change), {@link #apply} what was read, then run it
   * on a thread to follow the file.
   */
  public static HealthStatusFile watching(Path file, HealthRegistry registry, Set<HealthCheckId> probed) {
    return new HealthStatusFile(Optional.of(checkNotNull(file, "file")), registry, probed);
  }

  /** Publishes statuses read elsewhere (not a file on disk: nothing to watch) into {@code registry}. */
  public static HealthStatusFile publishing(HealthRegistry registry, Set<HealthCheckId> probed) {
    return new HealthStatusFile(Optional.empty(), registry, probed);
  }

  /**
   * Parses a health-status file named {@code place} (for messages).
   *
   * @throws IllegalArgumentException listing every problem, one per line, each with {@code place} and its JSON
   *     pointer
   */
  public static HealthSnapshot parse(byte[] json, String place) {
    checkNotNull(json, "json");
    checkNotNull(place, "place");
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(place + ": " + JsonMessages.notValidJson(e), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(place + ": " + IoMessages.describe(e), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(place + ": must be an object with \"checks\" and \"targets\"");
    }
    List<String> problems = new ArrayList<>();
    HealthSnapshot.Builder b = HealthSnapshot.builder();
    for (Map.Entry<String, JsonNode> section : root.properties()) {
      boolean checks = section.getKey().equals("checks");
      if (!checks && !section.getKey().equals("targets")) {
        problems.add(place + ": /" + section.getKey() + ": unknown key (known: checks, targets)");
        continue;
      }
      if (!section.getValue().isObject()) {
        problems.add(place + ": /" + section.getKey() + ": must be an object of id -> HEALTHY|UNHEALTHY|UNKNOWN");
        continue;
      }
      for (Map.Entry<String, JsonNode> entry : section.getValue().properties()) {
        String path = "/" + section.getKey() + "/" + entry.getKey();
        HealthStatus status;
        try {
          status = HealthStatus.valueOf(entry.getValue().isTextual() ? entry.getValue().textValue() : "");
        } catch (IllegalArgumentException x) {
          problems.add(place + ": " + path + ": must be HEALTHY, UNHEALTHY or UNKNOWN but was " + entry.getValue());
          continue;
        }
        try {
          if (checks) {
            b.check(entry.getKey(), status);
          } else {
            b.target(entry.getKey(), status);
          }
        } catch (IllegalArgumentException x) {
          problems.add(place + ": " + path + ": " + x.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    return b.build();
  }

  /**
   * Publishes {@code next} (the whole file) as one snapshot; returns the IDs it ignored because health checks
   * probe them.
   */
  public synchronized List<HealthCheckId> apply(HealthSnapshot next) {
    checkNotNull(next, "next");
    List<HealthCheckId> ignored = new ArrayList<>();
    Map<HealthCheckId, HealthStatus> checks = new LinkedHashMap<>();
    next.checks().forEach((id, status) -> {
      if (probed.contains(id)) {
        ignored.add(id);
      } else {
        checks.put(id, status);
      }
    });
    Set<HealthCheckId> dropped = new HashSet<>(ownChecks);
    dropped.removeAll(checks.keySet());
    Set<EndpointId> droppedTargets = new HashSet<>(ownTargets);
    droppedTargets.removeAll(next.targets().keySet());
    registry.update(b -> {
      dropped.forEach(id -> b.check(id, HealthStatus.UNKNOWN));
      droppedTargets.forEach(id -> b.target(id, HealthStatus.UNKNOWN));
      checks.forEach(b::check);
      next.targets().forEach(b::target);
      return b;
    });
    ownChecks.clear();
    ownChecks.addAll(checks.keySet());
    ownTargets.clear();
    ownTargets.addAll(next.targets().keySet());
    return ignored;
  }

  /** Follows the file until the thread is interrupted (only for {@link #watching}). */
  @Override
  public void run() {
    checkState(file.isPresent(), "not a file on disk: nothing to watch");
    Path path = file.get();
    FileTime last = initialStamp;
    long size = initialSize;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      FileTime now = stamp(path);
      long s = size(path);
      if (now == null || (now.equals(last) && s == size)) {
        continue;
      }
      last = now;
      size = s;
      try {
        HealthSnapshot next = parse(Files.readAllBytes(path), path.toString());
        List<HealthCheckId> ignored = apply(next);
        LOG.info("health status reloaded from {} ({} checks, {} targets){}", path, next.checks().size(),
            next.targets().size(), ignored.isEmpty() ? "" : "; ignored " + ignored + ": probed by health checks");
      } catch (IOException e) {
        LOG.warn("health status NOT reloaded, keeping the last good one: {}", IoMessages.cannotRead(path, e));
      } catch (IllegalArgumentException e) {
        LOG.warn("health status NOT reloaded, keeping the last good one: {}", e.getMessage());
      }
    }
  }

  private static @Nullable FileTime stamp(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      return null;
    }
  }

  private static long size(Path path) {
    try {
      return Files.size(path);
    } catch (IOException e) {
      return -1;
    }
  }
}
