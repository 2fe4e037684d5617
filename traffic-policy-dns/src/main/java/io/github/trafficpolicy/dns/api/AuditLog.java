package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.trafficpolicy.engine.lifecycle.ManagedRecord;
import io.github.trafficpolicy.engine.lifecycle.PolicyVersion;
import java.io.PrintStream;
import java.time.Clock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One JSON line per write that succeeded: {@code {"time", "requestId", "accessKeyId", "profile", "action",
 * "target", "before", "after"}}, with {@code "via": "console"} after {@code profile} for a write made in the web
 * console. {@code before} and {@code after} are the policy version or policy record as it was
 * and as it is ({@code null} when it did not exist / no longer exists), so every change can be traced and undone.
 * Lines are written whole, in the order the writes were applied.
 */
public final class AuditLog {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Consumer<String> out;
  private final Clock clock;

  /** A log writing each line to {@code out}. */
  public AuditLog(Consumer<String> out, Clock clock) {
    this.out = checkNotNull(out, "out");
    this.clock = checkNotNull(clock, "clock");
  }

  /** A log printing to {@code stream} (flushed after every line). */
  public static AuditLog to(PrintStream stream) {
    checkNotNull(stream, "stream");
    return new AuditLog(line -> {
      stream.println(line);
      stream.flush();
    }, Clock.systemUTC());
  }

  /**
   * A log of one INFO event per write to the SLF4J logger {@code io.github.trafficpolicy.dns.api.audit} (the
   * default: the application's logging decides where it goes; the {@code traffic-policy} command prints it).
   */
  public static AuditLog toLogger() {
    org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("io.github.trafficpolicy.dns.api.audit");
    return new AuditLog(log::info, Clock.systemUTC());
  }

  /** A new JSON object for {@code before}/{@code after}. */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** A policy version as {@code before}/{@code after} shows it: id, version, name, type, comment. */
  public static ObjectNode policyVersion(PolicyVersion v) {
    ObjectNode o = object();
    o.put("id", v.id());
    o.put("version", v.version());
    o.put("name", v.name());
    o.put("type", v.type().toString());
    o.put("comment", v.comment().orElse(null));
    return o;
  }

  /** A policy record as {@code before}/{@code after} shows it: name, zone, ttl, policyId, policyVersion. */
  public static ObjectNode record(ManagedRecord r) {
    ObjectNode o = object();
    o.put("name", r.name());
    o.put("zone", r.zone());
    o.put("ttl", r.ttl());
    o.put("policyId", r.current().policyId());
    o.put("policyVersion", r.current().version());
    return o;
  }

  /** Writes one line for a write made through the API. */
  void write(String requestId, AccessKeys.Key who, String action, String target, @Nullable ObjectNode before,
             @Nullable ObjectNode after) {
    write(requestId, who, null, action, target, before, after);
  }

  /**
   * Writes one line for a write made through another way in than the Route 53 API, named by {@code via} (the line's
   * {@code "via"} member, e.g. {@code "console"}); {@code action} names the operation in that way's terms.
   */
  public void write(String requestId, AccessKeys.Key who, @Nullable String via, String action, String target,
                    @Nullable ObjectNode before, @Nullable ObjectNode after) {
    ObjectNode line = JSON.createObjectNode();
    line.put("time", clock.instant().toString());
    line.put("requestId", requestId);
    line.put("accessKeyId", who.accessKeyId());
    line.put("profile", who.profile());
    if (via != null) {
      line.put("via", via);
    }
    line.put("action", action);
    line.put("target", target);
    line.set("before", before);
    line.set("after", after);
    String text;
    try {
      text = JSON.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    synchronized (this) {
      out.accept(text);
    }
  }
}
