package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkNotNull;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.health.CalculatedHealthCheck;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.ProbeResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The health checks the API manages: those of the serve configuration (read-only through the API: they are edited in
 * the configuration) and those made through the API, which are kept in {@value #FILE} in the registry directory and
 * applied to the running {@link HealthChecker}, if any, at once.
 *
 * <p><b>Why the registry directory.</b> The policies whose documents name these checks live there, the API that makes
 * them manages that directory (alone, {@code traffic-policy api}, or inside {@code serve}), and a server following
 * the directory picks them up: one place to back up and restore together, and no second path to configure. The serve
 * configuration's own checks stay in the configuration, which the API never writes.
 *
 * <p><b>Writes</b> are serialized in the process and across processes (a lock on {@code health-checks.lock}); each
 * reads the file again if another process changed it, checks the whole new set (a calculated check's children must
 * be defined endpoint checks), applies it to the checker (which publishes one health snapshot), and then replaces the
 * file atomically (written beside it, forced to disk, renamed). When the file cannot be written the checker gets the
 * previous set back, so memory and disk never disagree. Thread-safe.
 */
public final class HealthCheckStore {
  /** The file, in the registry directory, holding the checks made through the API. */
  public static final String FILE = "health-checks.json";
  /** The most health checks (configured and API-made together). */
  static final int MAX_CHECKS = 10_000;
  private static final String LOCK = "health-checks.lock";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One check as the API shows it. */
  record Stored(String id, String callerReference, long version, Route53HealthCheckConfig config,
                boolean configured) {
    ObjectNode toJson() {
      ObjectNode o = AuditLog.object();
      o.put("Id", id);
      o.put("CallerReference", callerReference);
      o.put("HealthCheckVersion", version);
      o.set("HealthCheckConfig", config.toJson());
      return o;
    }
  }

  private final Optional<Path> directory;
  private final ImmutableList<HealthCheck> configured;
  private final Map<String, ProbeResult> lastFailures = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private volatile Optional<HealthChecker> checker = Optional.empty();
  /** The API-made checks by ID, in creation order, and every caller reference ever used (deleted ones too). */
  private volatile Map<String, Stored> made = Map.of();
  private Set<String> callerReferences = new LinkedHashSet<>();
  private @Nullable FileTime seen;
  /** The stamp of the last file refused, so {@link #reloadIfChanged} reports it once, not at every look. */
  private Optional<FileTime> refused = Optional.empty();

  private HealthCheckStore(Optional<Path> directory, List<HealthCheck> configured) {
    this.directory = directory;
    this.configured = ImmutableList.copyOf(configured);
  }

  /**
   * The store of a registry directory ({@code empty}: in memory only), beside the {@code configured} checks; reads
   * {@value #FILE} when it exists.
   *
   * @throws IllegalArgumentException when the file is not valid (every problem with its JSON pointer), or one of its
   *     checks has the ID of a configured one
   * @throws IOException when it cannot be read
   */
  public static HealthCheckStore open(Optional<Path> directory, List<HealthCheck> configured) throws IOException {
    checkNotNull(directory, "directory");
    checkNotNull(configured, "configured");
    HealthCheckStore store = new HealthCheckStore(directory, configured);
    synchronized (store.lock) {
      store.reload();
    }
    return store;
  }

  /**
   * Every check to probe: the configured ones, then the API-made ones. {@code serve} builds its checker from this and
   * then hands it over with {@link #serve}.
   */
  public ImmutableList<HealthCheck> checks() {
    ImmutableList.Builder<HealthCheck> b = ImmutableList.<HealthCheck>builder().addAll(configured);
    made.values().forEach(s -> b.add(s.config().toCheck(s.id())));
    return b.build();
  }

  /**
   * Makes this store drive {@code checker} (whose checks are {@link #checks()}): changes are applied to it, and its
   * probe results give {@code GetHealthCheckStatus} and {@code GetHealthCheckLastFailureReason} their answers.
   */
  public void serve(HealthChecker checker) {
    checkNotNull(checker, "checker");
    checker.addListener(new HealthChecker.Listener() {
      @Override
      public void probed(EndpointHealthCheck check, ProbeResult result) {
        if (!result.success()) {
          lastFailures.put(check.id().value(), result);
        }
      }
    });
    this.checker = Optional.of(checker);
  }

  /** The checker this store drives, if any (none in {@code traffic-policy api} alone: {@code serve} probes). */
  public Optional<HealthChecker> checker() {
    return checker;
  }

  /** The latest failed probe of a check, if any since the server started. */
  Optional<ProbeResult> lastFailure(String id) {
    return Optional.ofNullable(lastFailures.get(id));
  }

  /** Every check, sorted by ID. */
  List<Stored> list() {
    List<Stored> all = new ArrayList<>();
    configured.forEach(c -> all.add(configuredView(c)));
    all.addAll(made.values());
    all.sort(Comparator.comparing(Stored::id));
    return all;
  }

  /** One check; {@code NoSuchHealthCheck} (404) when there is none. */
  Stored get(String id) {
    Stored s = made.get(id);
    if (s != null) {
      return s;
    }
    return configured.stream().filter(c -> c.id().value().equals(id)).findFirst().map(HealthCheckStore::configuredView)
        .orElseThrow(() -> noSuch(id));
  }

  /** What {@code CreateHealthCheck} answers: the check and whether it was made now (else it existed already). */
  record Created(Stored check, boolean isNew) {}

  /**
   * Creates a check (Route 53's rules for {@code CallerReference}: the same reference and configuration as an
   * existing check return that check; another configuration, or the reference of a deleted check, is
   * {@code HealthCheckAlreadyExists}).
   */
  Created create(String callerReference, Route53HealthCheckConfig config) throws IOException {
    synchronized (lock) {
      return locked(() -> {
        for (Stored s : made.values()) {
          if (s.callerReference().equals(callerReference)) {
            if (s.config().equals(config) && s.version() == 1) {
              return new Created(s, false);
            }
            throw alreadyExists(callerReference);
          }
        }
        if (callerReferences.contains(callerReference)) {
          throw alreadyExists(callerReference);
        }
        if (configured.size() + made.size() >= MAX_CHECKS) {
          throw new ApiException(400, "TooManyHealthChecks", "This server keeps at most " + MAX_CHECKS
              + " health checks");
        }
        String id = UUID.randomUUID().toString();
        config.toCheck(id); // refuses an invalid configuration before anything changes
        Stored s = new Stored(id, callerReference, 1, config, false);
        Map<String, Stored> next = new LinkedHashMap<>(made);
        next.put(id, s);
        Set<String> refs = new LinkedHashSet<>(callerReferences);
        refs.add(callerReference);
        commit(next, refs);
        return new Created(s, true);
      });
    }
  }

  /** What {@code UpdateHealthCheck} changed: the check as it was and as it is. */
  record Updated(Stored before, Stored after) {}

  /**
   * Updates a check made through the API; {@code expectedVersion}, when given, must be its current
   * {@code HealthCheckVersion}.
   */
  Updated update(String id, Optional<Long> expectedVersion, UnaryOperator<Route53HealthCheckConfig> change)
      throws IOException {
    synchronized (lock) {
      return locked(() -> {
        Stored before = writable(id);
        if (expectedVersion.isPresent() && expectedVersion.get() != before.version()) {
          throw new ApiException(409, "HealthCheckVersionMismatch", "The health check " + id + " is at version "
              + before.version() + ", not " + expectedVersion.get() + ": get it again and retry");
        }
        Route53HealthCheckConfig config = change.apply(before.config());
        config.toCheck(id);
        Stored after = new Stored(id, before.callerReference(), before.version() + 1, config, false);
        Map<String, Stored> next = new LinkedHashMap<>(made);
        next.put(id, after);
        commit(next, callerReferences);
        return new Updated(before, after);
      });
    }
  }

  /** Deletes a check made through the API; refused while a calculated check has it as a child. */
  Stored delete(String id) throws IOException {
    synchronized (lock) {
      return locked(() -> {
        Stored before = writable(id);
        for (HealthCheck c : checks()) {
          if (c instanceof CalculatedHealthCheck calc && calc.children().contains(HealthCheckId.of(id))) {
            throw new ApiException(400, "HealthCheckInUse", "The health check " + id + " is a child of the "
                + "calculated health check " + calc.id() + ": remove it from its ChildHealthChecks first");
          }
        }
        Map<String, Stored> next = new LinkedHashMap<>(made);
        next.remove(id);
        commit(next, callerReferences);
        lastFailures.remove(id);
        return before;
      });
    }
  }

  /** How many checks there are. */
  int count() {
    return configured.size() + made.size();
  }

  private Stored writable(String id) {
    Stored s = get(id);
    if (s.configured()) {
      throw ApiException.invalidInput("The health check " + id + " is defined in the serve configuration "
          + "(healthChecks): change or delete it there");
    }
    return s;
  }

  private static Stored configuredView(HealthCheck c) {
    return new Stored(c.id().value(), "traffic-policy:configuration", 1, Route53HealthCheckConfig.of(c), true);
  }

  private static ApiException noSuch(String id) {
    return new ApiException(404, "NoSuchHealthCheck", "No health check exists with the specified ID " + id);
  }

  private static ApiException alreadyExists(String callerReference) {
    return new ApiException(409, "HealthCheckAlreadyExists", "The CallerReference " + callerReference
        + " belongs to a health check with other settings, or to a deleted health check: use another one");
  }

  // ---------------------------------------------------------------- applying and persisting

  private interface Write<T> {
    T run() throws IOException;
  }

  /** Runs {@code write} holding the file lock (when persistent), after reading changes another process made. */
  private <T> T locked(Write<T> write) throws IOException {
    if (directory.isEmpty()) {
      return write.run();
    }
    try (FileChannel ch = FileChannel.open(directory.get().resolve(LOCK), CREATE, WRITE);
         FileLock ignored = ch.lock()) {
      if (!stampOf(directory.get().resolve(FILE)).equals(Optional.ofNullable(seen))) {
        reload();
      }
      return write.run();
    }
  }

  /**
   * Makes {@code next} the API-made checks: checks the whole set, applies it to the checker, writes the file; on a
   * failure to write, the checker gets the previous set back.
   */
  private void commit(Map<String, Stored> next, Set<String> refs) throws IOException {
    List<HealthCheck> all = new ArrayList<>(configured);
    next.values().forEach(s -> all.add(s.config().toCheck(s.id())));
    List<String> problems = problems(all);
    if (!problems.isEmpty()) {
      throw ApiException.invalidInput(String.join("; ", problems));
    }
    Optional<HealthChecker> c = checker;
    List<HealthCheck> previous = checks();
    c.ifPresent(k -> k.reconfigure(all));
    try {
      write(next, refs);
    } catch (IOException | RuntimeException e) {
      c.ifPresent(k -> k.reconfigure(previous));
      throw e;
    }
    made = Collections.unmodifiableMap(new LinkedHashMap<>(next));
    callerReferences = refs;
  }

  /** A calculated check's children must be defined endpoint checks (as the checker requires). */
  private static List<String> problems(List<HealthCheck> all) {
    Map<HealthCheckId, HealthCheck> byId = new LinkedHashMap<>();
    all.forEach(c -> byId.put(c.id(), c));
    List<String> problems = new ArrayList<>();
    for (HealthCheck c : all) {
      if (c instanceof CalculatedHealthCheck calc) {
        for (HealthCheckId child : calc.children()) {
          HealthCheck target = byId.get(child);
          if (target == null) {
            problems.add("ChildHealthChecks: no health check " + child + " exists");
          } else if (target instanceof CalculatedHealthCheck) {
            problems.add("ChildHealthChecks: " + child + " is a calculated health check (they cannot nest)");
          }
        }
      }
    }
    return problems;
  }

  private void write(Map<String, Stored> next, Set<String> refs) throws IOException {
    if (directory.isEmpty()) {
      return;
    }
    ObjectNode root = AuditLog.object();
    ArrayNode checks = root.putArray("healthChecks");
    next.values().forEach(s -> checks.add(s.toJson()));
    ArrayNode used = root.putArray("callerReferences");
    refs.forEach(used::add);
    byte[] bytes = JSON.writeValueAsBytes(root);
    Path file = directory.get().resolve(FILE);
    Path temporary = directory.get().resolve(FILE + ".new");
    try (FileChannel ch = FileChannel.open(temporary, CREATE, TRUNCATE_EXISTING, WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(temporary, file, ATOMIC_MOVE, REPLACE_EXISTING);
    seen = stampOf(file).orElse(null);
  }

  /** Reads the file (none: no API-made checks). The caller holds the lock. */
  private void reload() throws IOException {
    if (directory.isEmpty()) {
      return;
    }
    Path file = directory.get().resolve(FILE);
    Optional<FileTime> stamp = stampOf(file);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      made = Map.of();
      callerReferences = new LinkedHashSet<>();
      seen = null;
      return;
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      refused = stamp;
      throw new IllegalArgumentException(file + ": not valid JSON: " + e.getMessage(), e);
    }
    List<String> problems = new ArrayList<>();
    Map<String, Stored> next = new LinkedHashMap<>();
    Set<String> refs = new LinkedHashSet<>();
    if (root == null || !root.path("healthChecks").isArray()) {
      problems.add(file + ": must be an object with a \"healthChecks\" array");
    } else {
      root.path("callerReferences").forEach(r -> refs.add(r.asText()));
      JsonNode list = root.get("healthChecks");
      for (int i = 0; i < list.size(); i++) {
        JsonNode n = list.get(i);
        String place = file + ": /healthChecks/" + i;
        String id = n.path("Id").asText("");
        if (id.isEmpty() || id.length() > 64 || configured.stream().anyMatch(c -> c.id().value().equals(id))
            || next.containsKey(id)) {
          problems.add(place + "/Id: missing, too long, or the ID of another health check: '" + id + "'");
          continue;
        }
        try {
          Route53HealthCheckConfig config = Route53HealthCheckConfig.fromJson(n.get("HealthCheckConfig"));
          config.toCheck(id);
          String ref = n.path("CallerReference").asText("");
          refs.add(ref);
          next.put(id, new Stored(id, ref, Math.max(1, n.path("HealthCheckVersion").asLong(1)), config, false));
        } catch (IllegalArgumentException | ApiException e) {
          problems.add(place + "/HealthCheckConfig: " + e.getMessage());
        }
      }
    }
    List<HealthCheck> all = new ArrayList<>(configured);
    next.values().forEach(s -> all.add(s.config().toCheck(s.id())));
    problems(all).forEach(p -> problems.add(file + ": " + p));
    if (!problems.isEmpty()) {
      refused = stamp;
      throw new IllegalArgumentException(String.join("\n", problems));
    }
    checker.ifPresent(k -> k.reconfigure(all));
    made = Collections.unmodifiableMap(next);
    callerReferences = refs;
    seen = stamp.orElse(null);
  }

  /**
   * Reads {@value #FILE} again when another process (a {@code traffic-policy api} on the same directory) changed it,
   * and applies it to the checker; true when it did. A file that is not valid is refused with its problems and the
   * checks in force stay.
   *
   * @throws IllegalArgumentException listing the problems of a changed file that is not valid
   * @throws IOException when it cannot be read
   */
  public boolean reloadIfChanged() throws IOException {
    if (directory.isEmpty()) {
      return false;
    }
    synchronized (lock) {
      Optional<FileTime> now = stampOf(directory.get().resolve(FILE));
      if (now.equals(Optional.ofNullable(seen)) || (now.isPresent() && now.equals(refused))) {
        return false;
      }
      return locked(() -> true);
    }
  }

  private static Optional<FileTime> stampOf(Path file) {
    try {
      return Optional.of(Files.getLastModifiedTime(file));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
