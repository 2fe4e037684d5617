package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.dns.RegistryServing;
import io.github.trafficpolicy.dns.Zone;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.EtcdSettings;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The configuration's {@code registry} member: serve every policy record of a registry (written by
 * {@code traffic-policy policy|record} or the API) and follow its changes. Either a string, the directory or an
 * {@code etcd://HOST:PORT[,HOST:PORT...]/PREFIX} URI, or an object: {@code {"directory": DIR, "pollMillis": N}}
 * (default 1000 ms; checking costs one {@code stat} when nothing changed; the directory is relative to the
 * configuration file), or {@code {"etcd": URI, "user": NAME, "passwordFile": FILE, "tls": {"ca": FILE, "cert": FILE,
 * "key": FILE}, "timeoutMillis": N, "startupWaitSeconds": N, "pollMillis": N}} (every member but {@code etcd}
 * optional; changes arrive through an etcd watch, and every {@code pollMillis} the server checks that etcd is
 * reachable and caught up). A server whose etcd is unreachable when it starts waits for it (without limit unless
 * {@code startupWaitSeconds}), logging that it waits; it does not start from a stale copy.
 *
 * <p>{@code {"memory": true}} keeps the registry in memory: what the API and the console change lasts until the
 * server stops. The configuration's own {@code policyRecords} are then put in it at startup ({@link Seed}) rather than
 * served beside it, so that they can be edited and rolled out like any other: each {@code policyId} becomes a policy
 * of that ID and name, whose versions are the record's documents in the order of their {@code policyVersion},
 * numbered from 1.
 */
record RegistryFollow(TrafficPolicyRegistry registry, RegistryServing serving, Duration interval,
                      Optional<EtcdSettings> etcd) {
  static final long DEFAULT_POLL_MILLIS = 1000;
  private static final Set<String> DIRECTORY_KEYS = Set.of("directory", "pollMillis");
  private static final Set<String> ETCD_KEYS = Set.of("etcd", "user", "passwordFile", "tls", "timeoutMillis",
      "startupWaitSeconds", "pollMillis");
  private static final Set<String> TLS_KEYS = Set.of("ca", "cert", "key");
  /** "Without limit": a hundred years. */
  static final Duration WAIT_FOREVER = Duration.ofDays(36_500);

  /** A policy record of the configuration to put in an in-memory registry: the entry and its document's text. */
  record Seed(ServeConfig.PolicyRecordEntry entry, String documentText) {}

  /** Whether the configuration's registry is {@code {"memory": true}}. */
  static boolean inMemory(ServeConfig config) {
    JsonNode node = config.extensions().get("registry");
    return node != null && node.isObject() && node.has("memory");
  }

  /**
   * Opens the registry the configuration names (an in-memory one gets {@code seeds}); adds problems (with their
   * place) and returns empty on failure.
   */
  static Optional<RegistryFollow> open(ServeConfig config, PolicyEvaluator evaluator, List<Zone> zones,
                                       List<CompiledPolicy> fixed, List<Seed> seeds, List<String> problems) {
    String place = config.name() + ": /registry";
    JsonNode node = checkNotNull(config.extensions().get("registry"), "registry");
    String location;
    long poll = DEFAULT_POLL_MILLIS;
    if (inMemory(config)) {
      return memory(config, node, evaluator, zones, fixed, seeds, problems);
    }
    if (node.isTextual()) {
      location = node.textValue();
    } else if (node.isObject() && (node.path("directory").isTextual() || node.path("etcd").isTextual())) {
      boolean etcd = node.has("etcd");
      location = node.path(etcd ? "etcd" : "directory").textValue();
      Set<String> known = etcd ? ETCD_KEYS : DIRECTORY_KEYS;
      for (var it = node.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!known.contains(k)) {
          problems.add(place + "/" + k + ": unknown key (known: " + String.join(", ", new TreeSet<>(known)) + ")");
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
      if (etcd && EtcdSettings.scheme(location).isEmpty()) {
        problems.add(place + "/etcd: must be etcd://HOST:PORT[,HOST:PORT...]/PREFIX but was '" + location + "'");
        return Optional.empty();
      }
    } else {
      problems.add(place + ": must be a directory name, an etcd:// URI, {\"directory\": DIR, \"pollMillis\": N},"
          + " {\"etcd\": URI, ...} or {\"memory\": true}");
      return Optional.empty();
    }
    TrafficPolicyRegistry.Builder builder = TrafficPolicyRegistry.builder().codec(DocumentCodec.json());
    Optional<String> scheme = EtcdSettings.scheme(location);
    String where;
    Optional<EtcdSettings> etcd = Optional.empty();
    if (scheme.isPresent()) {
      Optional<EtcdSettings> settings = etcdSettings(config, node, location, place, problems);
      if (settings.isEmpty()) {
        return Optional.empty();
      }
      builder.etcd(settings.get());
      etcd = settings;
      where = settings.get().uri();
    } else {
      Optional<Path> dir = config.source().file(location);
      if (dir.isEmpty()) {
        problems.add(place + ": " + config.source().describe(location) + " must be a directory on disk");
        return Optional.empty();
      }
      builder.directory(dir.get());
      where = dir.get().toString();
    }
    TrafficPolicyRegistry registry;
    try {
      registry = builder.build();
    } catch (RegistryException | java.io.UncheckedIOException e) {
      problems.add(place + ": " + e.getMessage());
      return Optional.empty();
    }
    try {
      RegistryServing serving = RegistryServing.create(registry, evaluator, zones, fixed);
      config.aliasTargets().ifPresent(a -> serving.aliasTargetWait(a.startupWait()));
      return Optional.of(new RegistryFollow(registry, serving, Duration.ofMillis(poll), etcd));
    } catch (IllegalArgumentException e) {
      registry.close();
      for (String line : IoMessages.message(e).lines().toList()) {
        problems.add(place + ": " + where + ": " + line);
      }
      return Optional.empty();
    }
  }

  /** The location the registry member names (a directory or an etcd:// URI); empty without one. */
  static String location(ServeConfig config) {
    JsonNode r = config.extensions().get("registry");
    if (r == null) {
      return "";
    }
    return r.isTextual() ? r.textValue() : r.path("etcd").asText("");
  }

  /** The etcd settings of the registry member, empty when it is not in etcd; problems added when not valid. */
  static Optional<EtcdSettings> etcdOf(ServeConfig config, List<String> problems) {
    String location = location(config);
    if (EtcdSettings.scheme(location).isEmpty()) {
      return Optional.empty();
    }
    return etcdSettings(config, checkNotNull(config.extensions().get("registry")), location, config.name() + ": /registry",
        problems);
  }

  /** An in-memory registry holding the configuration's policy records. */
  private static Optional<RegistryFollow> memory(ServeConfig config, JsonNode node, PolicyEvaluator evaluator,
      List<Zone> zones, List<CompiledPolicy> fixed, List<Seed> seeds, List<String> problems) {
    String place = config.name() + ": /registry";
    if (!node.get("memory").equals(BooleanNode.TRUE) || node.size() != 1) {
      problems.add(place + ": an in-memory registry is {\"memory\": true}, with no other member");
      return Optional.empty();
    }
    // Each configured policy ID becomes the ID of its policy (the registry's generator hands them out in order).
    Map<String, List<Seed>> byPolicy = new LinkedHashMap<>();
    seeds.forEach(sd -> byPolicy.computeIfAbsent(sd.entry().policyId(), k -> new ArrayList<>()).add(sd));
    Iterator<String> ids = byPolicy.keySet().iterator();
    TrafficPolicyRegistry registry = TrafficPolicyRegistry.builder().codec(DocumentCodec.json())
        .idGenerator(() -> ids.hasNext() ? ids.next() : UUID.randomUUID().toString())
        .build();
    for (Map.Entry<String, List<Seed>> e : byPolicy.entrySet()) {
      TreeMap<Integer, String> versions = new TreeMap<>();
      for (Seed sd : e.getValue()) {
        String before = versions.putIfAbsent(sd.entry().policyVersion(), sd.documentText());
        if (before != null && !before.equals(sd.documentText())) {
          problems.add(sd.entry().place() + ": policy " + e.getKey() + " version " + sd.entry().policyVersion()
              + " is given another document by an earlier policy record");
        }
      }
      Map<Integer, Integer> numbered = new HashMap<>();
      try {
        for (Map.Entry<Integer, String> v : versions.entrySet()) {
          Optional<String> comment = Optional.of("the policy record of " + config.name() + " at startup");
          numbered.put(v.getKey(), numbered.isEmpty()
              ? registry.createPolicy(e.getKey(), v.getValue(), comment).version()
              : registry.createPolicyVersion(e.getKey(), v.getValue(), comment).version());
        }
        for (Seed sd : e.getValue()) {
          ServeConfig.PolicyRecordEntry r = sd.entry();
          registry.createRecord(r.zone(), r.name(), r.ttl(), e.getKey(),
              checkNotNull(numbered.get(r.policyVersion()), "numbered above"));
        }
      } catch (RegistryException ex) {
        problems.add(e.getValue().get(0).entry().place() + ": cannot be put in the in-memory registry: "
            + ex.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      registry.close();
      return Optional.empty();
    }
    RegistryServing serving = RegistryServing.create(registry, evaluator, zones, fixed);
    config.aliasTargets().ifPresent(a -> serving.aliasTargetWait(a.startupWait()));
    return Optional.of(new RegistryFollow(registry, serving, Duration.ofMillis(DEFAULT_POLL_MILLIS), Optional.empty()));
  }

  /** The etcd settings of an {@code etcd://} location and the object's other members; problems added on failure. */
  private static Optional<EtcdSettings> etcdSettings(ServeConfig config, JsonNode node, String location, String place,
                                                     List<String> problems) {
    int before = problems.size();
    EtcdSettings s;
    try {
      s = EtcdSettings.ofLocation(location).orElseThrow().withStartupWait(WAIT_FOREVER);
    } catch (IllegalArgumentException e) {
      problems.add(place + ": " + e.getMessage());
      return Optional.empty();
    }
    if (!node.isObject()) {
      return Optional.of(s);
    }
    if (node.has("user")) {
      Optional<Path> passwordFile = node.path("passwordFile").isTextual()
          ? config.source().file(node.get("passwordFile").textValue()) : Optional.empty();
      if (!node.get("user").isTextual() || passwordFile.isEmpty()) {
        problems.add(place + "/user: a user name (string) goes with \"passwordFile\", a file holding the password");
      } else {
        try {
          String password = Files.readString(passwordFile.get(), StandardCharsets.UTF_8).lines().findFirst()
              .orElse("");
          s = s.withCredentials(node.get("user").textValue(), password);
        } catch (IOException e) {
          problems.add(place + "/passwordFile: cannot read " + passwordFile.get() + ": " + e.getMessage());
        }
      }
    } else if (node.has("passwordFile")) {
      problems.add(place + "/passwordFile: goes with \"user\"");
    }
    JsonNode tls = node.path("tls");
    if (!tls.isMissingNode()) {
      if (!tls.isObject() || !tls.path("ca").isTextual()) {
        problems.add(place + "/tls: must be {\"ca\": FILE} or {\"ca\": FILE, \"cert\": FILE, \"key\": FILE}");
      } else {
        for (var it = tls.fieldNames(); it.hasNext(); ) {
          String k = it.next();
          if (!TLS_KEYS.contains(k) || !tls.get(k).isTextual()) {
            problems.add(place + "/tls/" + k + ": unknown key or not a file name (known: ca, cert, key)");
          }
        }
        Optional<Path> ca = tlsFile(config, tls, "ca", place, problems);
        if (ca.isPresent()) {
          s = s.withTls(ca.get());
        }
        if (tls.has("cert") != tls.has("key")) {
          problems.add(place + "/tls: \"cert\" and \"key\" go together");
        } else if (tls.has("cert")) {
          Optional<Path> cert = tlsFile(config, tls, "cert", place, problems);
          Optional<Path> key = tlsFile(config, tls, "key", place, problems);
          if (cert.isPresent() && key.isPresent() && ca.isPresent()) {
            s = s.withClientCertificate(cert.get(), key.get());
          }
        }
      }
    }
    if (node.has("timeoutMillis")) {
      JsonNode t = node.get("timeoutMillis");
      if (!t.isIntegralNumber() || t.longValue() < 1 || t.longValue() > 600_000) {
        problems.add(place + "/timeoutMillis: must be an integer from 1 to 600000 but was " + t);
      } else {
        s = s.withTimeout(Duration.ofMillis(t.longValue()));
      }
    }
    if (node.has("startupWaitSeconds")) {
      JsonNode w = node.get("startupWaitSeconds");
      if (!w.isIntegralNumber() || w.longValue() < 0 || w.longValue() > 86_400) {
        problems.add(place + "/startupWaitSeconds: must be an integer from 0 to 86400 but was " + w);
      } else {
        s = s.withStartupWait(Duration.ofSeconds(w.longValue()));
      }
    }
    return problems.size() > before ? Optional.empty() : Optional.of(s);
  }

  private static Optional<Path> tlsFile(ServeConfig config, JsonNode tls, String key, String place,
                                        List<String> problems) {
    String name = tls.path(key).asText();
    Optional<Path> file = config.source().file(name);
    if (file.isEmpty() || !Files.isRegularFile(file.get())) {
      problems.add(place + "/tls/" + key + ": " + config.source().describe(name) + " must be a file on disk");
      return Optional.empty();
    }
    return file;
  }
}
