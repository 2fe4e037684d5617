package io.github.trafficpolicy.dns.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.trafficpolicy.dns.RegistryServing;
import io.github.trafficpolicy.dns.Zone;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The configuration's {@code registry} member: serve every policy record of a registry directory (written by
 * {@code traffic-policy policy|record}) and follow its changes. Either a string, the directory, or an object
 * {@code {"directory": DIR, "pollMillis": N}} (default 1000 ms; checking costs one {@code stat} when nothing
 * changed). The directory is relative to the configuration file.
 */
record RegistryFollow(TrafficPolicyRegistry registry, RegistryServing serving, Duration interval) {
  static final long DEFAULT_POLL_MILLIS = 1000;

  /** Opens the registry the configuration names; adds problems (with their place) and returns empty on failure. */
  static Optional<RegistryFollow> open(ServeConfig config, PolicyEvaluator evaluator, List<Zone> zones,
                                       List<CompiledPolicy> fixed, List<String> problems) {
    String place = config.name() + ": /registry";
    JsonNode node = config.extensions().get("registry");
    String directory;
    long poll = DEFAULT_POLL_MILLIS;
    if (node.isTextual()) {
      directory = node.textValue();
    } else if (node.isObject() && node.path("directory").isTextual()) {
      directory = node.get("directory").textValue();
      for (var it = node.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!k.equals("directory") && !k.equals("pollMillis")) {
          problems.add(place + "/" + k + ": unknown key (known: directory, pollMillis)");
        }
      }
      if (node.has("pollMillis")) {
        JsonNode p = node.get("pollMillis");
        if (!p.isIntegralNumber() || p.longValue() < 1 || p.longValue() > 3_600_000) {
          problems.add(place + "/pollMillis: must be an integer from 1 to 3600000 but was " + p);
          return Optional.empty();
        }
        poll = p.longValue();
      }
    } else {
      problems.add(place + ": must be a directory name or {\"directory\": DIR, \"pollMillis\": N}");
      return Optional.empty();
    }
    Optional<Path> dir = config.source().file(directory);
    if (dir.isEmpty()) {
      problems.add(place + ": " + config.source().describe(directory) + " must be a directory on disk");
      return Optional.empty();
    }
    TrafficPolicyRegistry registry;
    try {
      registry = TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).directory(dir.get()).build();
    } catch (RegistryException | java.io.UncheckedIOException e) {
      problems.add(place + ": " + e.getMessage());
      return Optional.empty();
    }
    try {
      RegistryServing serving = RegistryServing.create(registry, evaluator, zones, fixed);
      config.aliasTargets().ifPresent(a -> serving.aliasTargetWait(a.startupWait()));
      return Optional.of(new RegistryFollow(registry, serving, Duration.ofMillis(poll)));
    } catch (IllegalArgumentException e) {
      for (String line : e.getMessage().split("\n")) {
        problems.add(place + ": " + dir.get() + ": " + line);
      }
      return Optional.empty();
    }
  }
}
