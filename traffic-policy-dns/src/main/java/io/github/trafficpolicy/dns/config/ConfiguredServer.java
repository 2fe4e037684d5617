package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.dns.AuthoritativeServer;
import io.github.trafficpolicy.dns.Catalog;
import io.github.trafficpolicy.dns.InputLimits;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.QueryLog;
import io.github.trafficpolicy.dns.RegistryServing;
import io.github.trafficpolicy.dns.Zone;
import io.github.trafficpolicy.dns.ZoneFileException;
import io.github.trafficpolicy.dns.api.HealthCheckStore;
import io.github.trafficpolicy.engine.AliasResolver;
import io.github.trafficpolicy.engine.AliasTargetCheck;
import io.github.trafficpolicy.engine.CidrGeoLocator;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.CsvLatencyTable;
import io.github.trafficpolicy.engine.DnsAliasResolver;
import io.github.trafficpolicy.engine.EvaluatorInputs;
import io.github.trafficpolicy.engine.EvaluatorSettings;
import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.GeoLocators;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.MaxMindGeoLocator;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.StaticAliasResolver;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.HealthStatusFile;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server assembled from a {@link ServeConfig}: the geo locator, health registry and evaluator, the zones, the
 * compiled policy records, the handler (with its query log) and the listeners. {@link #create} reads and checks
 * everything before anything is bound, so a bad configuration stops with a {@link ConfigException} naming its
 * place and nothing half-starts; {@link #start()} then binds every address or none.
 *
 * <p><b>Health.</b> One {@link HealthRegistry} feeds the evaluator. Two sources publish into it, each only the IDs
 * it owns: the active checks of the {@code healthChecks} member (a {@link HealthChecker}, started by {@link #start()}
 * after the listeners are bound and closed by {@link #close()}), and the {@code healthStatus} file, which sets only
 * the IDs it lists (an ID it stops listing goes back to unknown; the checks' statuses are never touched). An ID
 * cannot come from both: a file listing a checked ID is a configuration error at startup, and such entries of a
 * reloaded file are ignored (and reported), so a probed ID always shows its probe result. With a {@code registry},
 * the checker also probes the checks made through the Route 53 API ({@link HealthCheckStore}, kept in the
 * registry's directory, followed at the registry's poll interval), and is there even when no check is defined yet.
 */
public final class ConfiguredServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConfiguredServer.class);

  private final ServeConfig config;
  private final AuthoritativeServer server;
  private final HealthRegistry health;
  private final List<AutoCloseable> resources;
  private final Optional<Thread> healthWatcher;
  private final Optional<RegistryFollow> registry;
  private final Optional<HealthChecker> checker;
  private final Optional<HealthCheckStore> healthChecks;
  private volatile java.util.concurrent.ScheduledExecutorService healthChecksFollow;
  private final AliasResolver aliasResolver;
  private final ImmutableList<String> warnings;
  private final Optional<ApiMember> api;
  private final Optional<InetSocketAddress> metricsListen;
  private volatile MetricsEndpoint metrics;
  private volatile boolean closed;

  private ConfiguredServer(ServeConfig config, AuthoritativeServer server, HealthRegistry health,
      List<AutoCloseable> resources, Optional<HealthStatusFile> watch, Optional<RegistryFollow> registry,
      Optional<HealthChecker> checker, Optional<HealthCheckStore> healthChecks, AliasResolver aliasResolver,
      ImmutableList<String> warnings, Optional<ApiMember> api, Optional<InetSocketAddress> metricsListen) {
    this.config = config;
    this.healthChecks = healthChecks;
    this.api = api;
    this.metricsListen = metricsListen;
    this.aliasResolver = aliasResolver;
    this.warnings = warnings;
    this.checker = checker;
    this.registry = registry;
    this.server = server;
    this.health = health;
    this.resources = resources;
    this.healthWatcher = watch.map(w -> {
      Thread t = new Thread(w, "health-status-watch");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Reads the configuration file and builds the server it describes (nothing bound yet), reporting in one round
   * every problem of the file itself and of the files it names (zones, documents, tables ...): what can be read of
   * a configuration with problems is still loaded and checked.
   *
   * @throws ConfigException listing every problem with its place
   */
  public static ConfiguredServer load(Path file) {
    ServeConfigReader.Parsed parsed = ServeConfigReader.readCollecting(file);
    return create(parsed.config(), parsed.problems());
  }

  /**
   * Builds the server described by {@code config} (nothing bound yet).
   *
   * @throws ConfigException listing every problem with its place
   */
  public static ConfiguredServer create(ServeConfig config) {
    return create(config, List.of());
  }

  /** Builds the server, or throws with {@code earlier} (the configuration's own problems) and every other one. */
  private static ConfiguredServer create(ServeConfig config, List<String> earlier) {
    checkNotNull(config, "config");
    List<String> problems = new ArrayList<>(earlier);
    List<AutoCloseable> resources = new ArrayList<>();
    ConfigSource src = config.source();
    String name = config.name();
    config.udpIo().unavailableReason().ifPresent(why ->
        problems.add(name + ": /udpIo: \"" + config.udpIo() + "\" is not available here: " + why));
    Optional<InetSocketAddress> metricsListen = metricsListen(config, problems);
    config.udpScheduling().unavailableReason().ifPresent(why ->
        problems.add(name + ": /udpScheduling: \"" + config.udpScheduling() + "\" is not available here: "
            + why));

    List<GeoLocator> locators = new ArrayList<>();
    config.cidrTable().ifPresent(path -> {
      try (Reader r = new InputStreamReader(new java.io.ByteArrayInputStream(src.read(path)),
          StandardCharsets.UTF_8)) {
        locators.add(CidrGeoLocator.read(src.describe(path), r));
      } catch (IOException e) {
        problems.add(name + ": /geo/cidrTable: cannot read " + src.describe(path) + ": " + IoMessages.describe(e));
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    });
    config.maxmind().ifPresent(path -> {
      Optional<Path> file = src.file(path);
      if (file.isEmpty()) {
        problems.add(name + ": /geo/maxmind: " + src.describe(path) + " must be a file on disk");
        return;
      }
      try {
        MaxMindGeoLocator m = MaxMindGeoLocator.open(file.get());
        resources.add(m);
        // Every record's location read before serving: no lookup reads the database or allocates while serving.
        m.preload();
        locators.add(m);
      } catch (IOException | RuntimeException e) {
        problems.add(name + ": /geo/maxmind: cannot open " + src.describe(path) + ": " + IoMessages.describe(e));
      }
    });
    List<CsvLatencyTable> latency = new ArrayList<>();
    config.latencyTable().ifPresent(path -> {
      try (Reader r = new InputStreamReader(new java.io.ByteArrayInputStream(src.read(path)),
          StandardCharsets.UTF_8)) {
        latency.add(CsvLatencyTable.read(src.describe(path), r));
      } catch (IOException e) {
        problems.add(name + ": /latencyTable: cannot read " + src.describe(path) + ": " + IoMessages.describe(e));
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    });

    List<HealthCheck> checks = new ArrayList<>();
    Map<HealthCheckId, String> checkPlaces = new LinkedHashMap<>();
    JsonNode checksNode = config.extensions().get(HealthChecksConfig.MEMBER);
    if (checksNode != null) {
      try {
        checks.addAll(HealthChecksConfig.parse(checksNode, "/" + HealthChecksConfig.MEMBER));
        for (int i = 0; i < checks.size(); i++) {
          checkPlaces.put(checks.get(i).id(), name + ": /" + HealthChecksConfig.MEMBER + "/" + i);
        }
      } catch (InvalidHealthChecksException e) {
        e.problems().forEach(p -> problems.add(name + ": " + p));
      }
    }

    HealthRegistry health = new HealthRegistry();
    Optional<HealthStatusFile> watch = Optional.empty();
    if (config.healthStatus().isPresent()) {
      ServeConfig.HealthStatusFile hs = config.healthStatus().get();
      try {
        String place = src.describe(hs.file());
        // Created before the first read: its file stamp is from before it, so no later change can be missed.
        Optional<Path> onDisk = src.file(hs.file());
        HealthStatusFile w = onDisk.isPresent()
            ? HealthStatusFile.watching(onDisk.get(), health, checkPlaces.keySet())
            : HealthStatusFile.publishing(health, checkPlaces.keySet());
        HealthSnapshot initial = HealthStatusFile.parse(src.read(hs.file()), place);
        for (HealthCheckId id : initial.checks().keySet()) {
          String checkPlace = checkPlaces.get(id);
          if (checkPlace != null) {
            problems.add(place + ": /checks/" + id + ": is probed by the health check at " + checkPlace
                + " (an ID is set by the health-status file or by a health check, not both)");
          }
        }
        w.apply(initial);
        if (hs.watch() && src.file(hs.file()).isPresent()) {
          watch = Optional.of(w);
        }
      } catch (IOException e) {
        problems.add(name + ": /healthStatus/file: cannot read " + src.describe(hs.file()) + ": " + IoMessages.describe(e));
      } catch (IllegalArgumentException e) {
        problems.addAll(List.of(e.getMessage().split("\n")));
      }
    }

    EvaluatorInputs.Builder inputs = EvaluatorInputs.builder().health(health)
        .settings(EvaluatorSettings.builder().seed(config.seed()).build());
    if (!locators.isEmpty()) {
      // Not cached per client: the locators' own tables are sized from their data (see MaxMindGeoLocator.preload).
      inputs.geoLocator(GeoLocators.chain(locators));
    }
    latency.forEach(inputs::latencyTable);
    aliasTargets(config, inputs, problems);
    EvaluatorInputs assembled = inputs.build();
    assembled.dnsAliasResolver().ifPresent(resources::add);
    PolicyEvaluator evaluator = assembled.evaluator();

    Catalog.Builder catalog = Catalog.builder();
    List<Zone> zones = new ArrayList<>();
    List<CompiledPolicy> fixedPolicies = new ArrayList<>();
    // With an in-memory registry the configuration's policy records go into it (checked and compiled here first).
    boolean inMemory = RegistryFollow.inMemory(config);
    List<RegistryFollow.Seed> seeds = new ArrayList<>();
    for (ServeConfig.ZoneEntry z : config.zones()) {
      try {
        Zone zone = Zone.parse(z.origin(), src.read(z.file(), InputLimits.ZONE_FILE_BYTES, "a zone file"),
            src.describe(z.file()));
        zones.add(zone);
        catalog.zone(zone);
      } catch (IOException e) {
        problems.add(z.place() + "/file: cannot read " + src.describe(z.file()) + ": " + IoMessages.describe(e));
      } catch (ZoneFileException e) {
        problems.add(e.getMessage() + " (" + z.place() + ")");
      }
    }
    // Each document file is read and parsed once, and each (policy, version, document) compiled once: the records
    // bound to it share its program. A failure is reported at every record that names the document.
    Map<String, Outcome<PolicyDocument>> documents = new HashMap<>();
    Map<ProgramKey, Outcome<CompiledPolicy>> programs = new HashMap<>();
    for (ServeConfig.PolicyRecordEntry p : config.policyRecords()) {
      PolicyRecord record;
      try {
        record = new PolicyRecord(p.zone(), p.name(), p.ttl(), p.policyId(), p.policyVersion());
      } catch (IllegalArgumentException e) {
        problems.add(p.place() + ": " + IoMessages.describe(e));
        continue;
      }
      Outcome<PolicyDocument> document =
          documents.computeIfAbsent(src.describe(p.document()), file -> readDocument(src, p.document()));
      if (document.value() == null) {
        problems.addAll(document.problemsAt().apply(p.place()));
        continue;
      }
      PolicyBinding binding =
          new PolicyBinding(record.policyId(), record.policyVersion(), record.name(), record.ttl());
      Outcome<CompiledPolicy> compiled = programs.computeIfAbsent(
          new ProgramKey(record.policyId(), record.policyVersion(), src.describe(p.document())), k -> {
            try {
              return Outcome.of(evaluator.compile(document.value(), binding));
            } catch (RuntimeException e) {
              String why = ": cannot compile " + src.describe(p.document()) + ": " + IoMessages.describe(e);
              return Outcome.failed(place -> List.of(place + why));
            }
          });
      if (compiled.value() == null) {
        problems.addAll(compiled.problemsAt().apply(p.place()));
        continue;
      }
      if (inMemory) {
        PolicyDocument d = document.value();
        seeds.add(new RegistryFollow.Seed(p, d.sourceText().orElseGet(() -> PolicyDocumentJson.write(d))));
        continue;
      }
      CompiledPolicy first = compiled.value();
      CompiledPolicy policy = first.binding().equals(binding) ? first
          : first.program().orElseThrow().bind(record.name(), record.ttl());
      catalog.policyRecord(policy);
      fixedPolicies.add(policy);
    }
    Optional<RegistryFollow> registry = Optional.empty();
    if (problems.isEmpty() && config.extensions().containsKey("registry")) {
      registry = RegistryFollow.open(config, evaluator, zones, fixedPolicies, seeds, problems);
      registry.ifPresent(r -> resources.add(r.registry()::close));
    }
    // The health checks made through the API live in the registry's directory, beside the configuration's own.
    Optional<HealthCheckStore> store = Optional.empty();
    if (registry.isPresent()) {
      Optional<Path> dir = registry.get().registry().directory();
      try {
        store = Optional.of(HealthCheckStore.open(dir, checks));
        checks.clear();
        checks.addAll(store.get().checks());
      } catch (IOException e) {
        problems.add(name + ": /registry: cannot read " + dir.map(d -> d.resolve(HealthCheckStore.FILE)).orElse(null)
            + ": " + IoMessages.describe(e));
      } catch (IllegalArgumentException e) {
        for (String line : e.getMessage().split("\n")) {
          problems.add(line);
        }
      }
    }
    Optional<ApiMember> api = Optional.empty();
    if (config.extensions().containsKey(ApiMember.MEMBER)) {
      api = ApiMember.prepare(config, registry.map(RegistryFollow::registry), store, problems, resources);
    }
    Catalog built = null;
    if (registry.isPresent()) {
      built = registry.get().serving().catalog();
    } else if (problems.isEmpty()) {
      try {
        built = catalog.build();
      } catch (IllegalArgumentException e) {
        for (String line : e.getMessage().split("\n")) {
          problems.add(name + ": " + line);
        }
      }
    }
    List<String> warnings = new ArrayList<>();
    if (config.maxUdpPayload() > QueryHandler.SAFE_UDP_PAYLOAD) {
      warnings.add(name + ": /maxUdpPayload: " + config.maxUdpPayload() + " is above "
          + QueryHandler.SAFE_UDP_PAYLOAD + " bytes: replies that big are fragmented on many paths (fragments get "
          + "lost or spoofed) and answer spoofed queries with more traffic (DNS Flag Day 2020 recommends 1232)");
    }
    if (built != null) {
      List<CompiledPolicy> served = new ArrayList<>(fixedPolicies);
      registry.ifPresent(r -> served.addAll(r.serving().registryPolicies()));
      warnings.addAll(aliasWarnings(config, evaluator, served));
    }
    QueryHandler.Builder handler = null;
    if (built != null) {
      // Policy answers are evaluated per query (nothing cached per client: the evaluation allocates nothing, and a
      // population of clients is far wider than any cache).
      handler = QueryHandler.builder(built).maxUdpPayload(config.maxUdpPayload());
      if (!config.cookies().enabled()) {
        handler.noCookies();
      } else if (config.cookies().secret().isPresent()) {
        handler.cookieSecret(com.google.common.io.BaseEncoding.base16().decode(
            config.cookies().secret().get().toUpperCase(java.util.Locale.ROOT)));
      }
      if (config.rateLimit().isPresent()) {
        ServeConfig.RateLimit rl = config.rateLimit().get();
        handler.rateLimit(rl.responsesPerSecond(), rl.slip(), rl.ipv4PrefixLength(), rl.ipv6PrefixLength());
      }
      if (config.queryLog().enabled()) {
        String file = config.queryLog().file();
        if (file.equals("-")) {
          handler.queryLog(QueryLog.toSlf4j());
        } else {
          Optional<Path> f = src.file(file);
          try {
            PrintStream out = new PrintStream(new FileOutputStream(f.orElseThrow(
                () -> new IOException("not a file on disk")).toFile(), true), true, StandardCharsets.UTF_8);
            resources.add(out);
            handler.queryLog(QueryLog.to(out));
          } catch (IOException e) {
            problems.add(name + ": /queryLog/file: cannot open " + src.describe(file) + ": " + IoMessages.describe(e));
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      closeAll(resources);
      // Once each: the configuration reader and this method both check the health checks, with the same words.
      throw new ConfigException(ImmutableList.copyOf(new LinkedHashSet<>(problems)));
    }
    Optional<HealthChecker> checker = Optional.empty();
    // With a registry there is always a checker: checks made through the API start without a restart.
    if (!checks.isEmpty() || store.isPresent()) {
      try {
        checker = Optional.of(HealthChecker.builder(health).checks(checks).build());
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        closeAll(resources);
        throw new ConfigException(name + ": /" + HealthChecksConfig.MEMBER, e.getMessage(), e);
      }
      HealthChecker made = checker.get();
      store.ifPresent(st -> st.serve(made));
    }
    QueryHandler queryHandler = handler.build();
    registry.ifPresent(r -> {
      r.serving().serveWith(queryHandler);
      resources.add(r.serving());
    });
    api.ifPresent(a -> a.serve(queryHandler, evaluator));
    AuthoritativeServer.Builder server = AuthoritativeServer.builder(queryHandler)
        .tcpMaxConnections(config.tcpMaxConnections())
        .tcpIdleTimeout(config.tcpIdleTimeout())
        .tcpMaxConnectionsPerClient(config.tcpLimits().maxConnectionsPerClient())
        .tcpQueryTimeout(config.tcpLimits().queryTimeout())
        .tcpWriteTimeout(config.tcpLimits().writeTimeout());
    config.udpThreads().ifPresent(server::udpThreads);
    server.udpIo(config.udpIo());
    server.udpScheduling(config.udpScheduling());
    for (InetSocketAddress a : config.listen()) {
      server.listen(a);
    }
    return new ConfiguredServer(config, server.build(), health, resources, watch, registry, checker, store,
        evaluator.aliasResolver(), ImmutableList.copyOf(warnings), api, metricsListen);
  }

  /** The {@code "metrics": { "listen": "HOST:PORT" }} member: where to serve Prometheus metrics, if anywhere. */
  private static Optional<InetSocketAddress> metricsListen(ServeConfig config, List<String> problems) {
    JsonNode m = config.extensions().get("metrics");
    if (m == null) {
      return Optional.empty();
    }
    String place = config.name() + ": /metrics";
    if (!m.isObject() || !m.has("listen")) {
      problems.add(place + ": must be an object { \"listen\": \"HOST:PORT\" } but was " + m);
      return Optional.empty();
    }
    for (Iterator<String> it = m.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!k.equals("listen")) {
        problems.add(place + "/" + k + ": unknown key (known: listen)");
      }
    }
    return ServeConfigReader.address(m.get("listen"), place + "/listen", problems);
  }

  /**
   * The {@code aliasTargets} member into {@code inputs}: its table, and its resolvers with their timing (the table
   * then overrides lookups). Absent member: the evaluator's default knows no target.
   */
  private static void aliasTargets(ServeConfig config, EvaluatorInputs.Builder inputs, List<String> problems) {
    if (config.aliasTargets().isEmpty()) {
      return;
    }
    ServeConfig.AliasTargets a = config.aliasTargets().get();
    ConfigSource src = config.source();
    if (a.table().isPresent()) {
      String path = a.table().get();
      try (Reader r = new InputStreamReader(new java.io.ByteArrayInputStream(src.read(path)),
          StandardCharsets.UTF_8)) {
        inputs.aliasTable(StaticAliasResolver.read(src.describe(path), r));
      } catch (IOException e) {
        problems.add(config.name() + ": /aliasTargets/table: " + IoMessages.cannotRead(src.describe(path), e));
        return;
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
        return;
      }
    }
    if (!a.resolvers().isEmpty()) {
      inputs.aliasLookups(DnsAliasResolver.builder().resolvers(a.resolvers()).queryTimeout(a.queryTimeout())
          .minTtl(a.minTtl()).maxTtl(a.maxTtl()).staleAnswerTtl(a.staleAnswerTtl()).maxStale(a.maxStale())
          .retryInterval(a.retryInterval()));
    }
  }

  /**
   * Waits (at most the configured startup wait) for the first lookup of every alias target the served policies
   * use, and returns one warning per alias endpoint left without addresses, with what to add when nothing is
   * configured to resolve them.
   */
  private static List<String> aliasWarnings(ServeConfig config, PolicyEvaluator evaluator,
      List<CompiledPolicy> served) {
    Duration wait = config.aliasTargets().map(ServeConfig.AliasTargets::startupWait).orElse(Duration.ZERO);
    ImmutableList<String> unresolved;
    try {
      unresolved = AliasTargetCheck.unresolved(evaluator.aliasResolver(), served, wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of("interrupted while waiting for alias targets to resolve");
    }
    List<String> out = new ArrayList<>(unresolved);
    if (!unresolved.isEmpty() && config.aliasTargets().map(a -> a.resolvers().isEmpty()).orElse(true)) {
      out.add(config.aliasTargets().isEmpty()
          ? "alias endpoints have nothing to answer with: add \"aliasTargets\": { \"resolvers\": [\"HOST:PORT\"] } "
              + "(recursive resolvers to look them up through) or a \"table\" of their addresses to " + config.name()
          : "alias endpoints missing from the alias table have nothing to answer with: add them to the table, or "
              + "\"resolvers\" to /aliasTargets");
    }
    return out;
  }

  /**
   * Binds every listen address (and the {@code api} member's) and starts serving; then starts the health checks'
   * probing, the health-status file watch and the registry follow. When an address cannot be bound, nothing is left
   * running (the health checker is closed too) and the exception is thrown.
   */
  public ConfiguredServer start() throws IOException {
    try {
      server.start();
      if (api.isPresent()) {
        api.get().start();
      }
    } catch (IOException | RuntimeException e) {
      server.stop();
      checker.ifPresent(HealthChecker::close);
      closeAll(resources);
      throw e;
    }
    if (metricsListen.isPresent()) {
      try {
        metrics = MetricsEndpoint.start(metricsListen.get(), this);
      } catch (IOException | RuntimeException e) {
        server.stop();
        checker.ifPresent(HealthChecker::close);
        closeAll(resources);
        throw new IOException("metrics " + metricsListen.get() + ": " + e.getMessage(), e);
      }
    }
    checker.ifPresent(HealthChecker::start);
    healthWatcher.ifPresent(Thread::start);
    // An in-memory registry has no other writer to follow: its changes reach the server through its listeners.
    boolean follow = registry.isPresent() && !registryInMemory();
    if (follow) {
      registry.get().serving().watch(registry.get().interval());
    }
    if (healthChecks.isPresent() && follow) {
      followHealthChecks(healthChecks.get(), registry.get().interval());
    }
    return this;
  }

  /**
   * Looks at the registry's {@value HealthCheckStore#FILE} every {@code interval}, so checks that another process
   * (a {@code traffic-policy api} on the same directory) made are probed without a restart; a file that is not valid
   * is reported and the checks in force stay.
   */
  private void followHealthChecks(HealthCheckStore store, Duration interval) {
    java.util.concurrent.ScheduledExecutorService follow =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "health-checks-follow");
          t.setDaemon(true);
          return t;
        });
    long millis = Math.max(1, interval.toMillis());
    follow.scheduleWithFixedDelay(() -> {
      try {
        if (store.reloadIfChanged()) {
          LOG.info("health checks reloaded from the registry's {}", HealthCheckStore.FILE);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("health checks NOT reloaded from the registry's {}, keeping the ones in force: {}",
            HealthCheckStore.FILE, e.getMessage());
      }
    }, millis, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    healthChecksFollow = follow;
  }

  /**
   * The Route 53-compatible control plane of the {@code api} member, once {@link #start()} has bound it (empty
   * without the member).
   */
  public Optional<io.github.trafficpolicy.dns.api.ApiServer> api() {
    return api.flatMap(ApiMember::server);
  }

  /**
   * The access key made at startup for the {@code api} member when it names no {@code credentials} (the only key the
   * API and the console accept then; shown once by {@code serve}).
   */
  public Optional<io.github.trafficpolicy.dns.api.AccessKeys.Key> generatedApiKey() {
    return api.flatMap(ApiMember::generatedKey);
  }

  /** Whether the registry is in memory ({@code "registry": {"memory": true}}): changes last until the server stops. */
  public boolean registryInMemory() {
    return RegistryFollow.inMemory(config);
  }

  /** Where the Prometheus metrics are served ({@code GET /metrics}) once started, if configured. */
  public Optional<InetSocketAddress> metricsAddress() {
    MetricsEndpoint m = metrics;
    return m == null ? Optional.empty() : Optional.of(m.address());
  }

  /** The running server. */
  public AuthoritativeServer server() {
    return server;
  }

  /** The configuration it was built from. */
  public ServeConfig config() {
    return config;
  }

  /** The policy registry served beside the configuration's own records (the {@code registry} member), if any. */
  public Optional<RegistryServing> registry() {
    return registry.map(RegistryFollow::serving);
  }

  /**
   * The resolver of alias endpoints (from the {@code aliasTargets} member; a {@link DnsAliasResolver} when it names
   * resolvers, whose {@link DnsAliasResolver#refreshAll()} looks every target up again at once).
   */
  public AliasResolver aliasResolver() {
    return aliasResolver;
  }

  /**
   * What the server found worth saying at startup without refusing to start: one line per alias endpoint that has
   * no addresses (naming the policy, endpoint and reason), and what to configure when nothing resolves them.
   */
  public ImmutableList<String> startupWarnings() {
    return warnings;
  }

  /** The health registry the policies read (fed by the health checks and the health-status file). */
  public HealthRegistry health() {
    return health;
  }

  /**
   * The active health checker of the {@code healthChecks} member (empty when it defines none). It is started by
   * {@link #start()} and closed by {@link #close()}; {@link HealthChecker#runOnce()} probes every check now.
   */
  public Optional<HealthChecker> healthChecker() {
    return checker;
  }

  /**
   * The health checks of the configuration and those made through the API (kept in the registry's directory), when
   * the configuration has a {@code registry}.
   */
  public Optional<HealthCheckStore> healthChecks() {
    return healthChecks;
  }

  /**
   * Stops probing (the health checker's threads end and its connections close), stops serving (draining queries in
   * flight) and releases files and databases. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    java.util.concurrent.ScheduledExecutorService follow = healthChecksFollow;
    if (follow != null) {
      follow.shutdownNow();
    }
    checker.ifPresent(HealthChecker::close);
    healthWatcher.ifPresent(Thread::interrupt);
    server.stop();
    MetricsEndpoint m = metrics;
    if (m != null) {
      m.close();
    }
    closeAll(resources);
  }

  /** A value read or compiled once for several records, or its problems, given the place of a record. */
  private record Outcome<T>(T value, Function<String, List<String>> problemsAt) {
    static <T> Outcome<T> of(T value) {
      return new Outcome<>(value, place -> List.of());
    }

    static <T> Outcome<T> failed(Function<String, List<String>> problemsAt) {
      return new Outcome<>(null, problemsAt);
    }
  }

  /** What one compiled program is shared by: the policy ID, version and document file. */
  private record ProgramKey(String policyId, int version, String document) {}

  /** The parsed document at {@code file}, or why it cannot be read. */
  private static Outcome<PolicyDocument> readDocument(ConfigSource src, String file) {
    String where = src.describe(file);
    try {
      return Outcome.of(PolicyDocumentJson.read(new java.io.ByteArrayInputStream(src.read(file,
          InputLimits.POLICY_DOCUMENT_BYTES, "a policy document"))));
    } catch (IOException e) {
      String why = "/document: cannot read " + where + ": " + IoMessages.describe(e);
      return Outcome.failed(place -> List.of(place + why));
    } catch (InvalidPolicyException e) {
      List<String> lines = List.of(e.getMessage().split("\n"));
      return Outcome.failed(place -> lines.stream().map(line -> where + ": " + line + " (" + place + ")").toList());
    } catch (RuntimeException e) {
      String why = e.getMessage();
      return Outcome.failed(place -> List.of(where + ": " + why + " (" + place + ")"));
    }
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable c : resources) {
      try {
        c.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
  }
}
