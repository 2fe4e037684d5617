package io.github.trafficpolicy.dns.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.dns.config.ConfigException;
import io.github.trafficpolicy.dns.config.HealthChecksConfig;
import io.github.trafficpolicy.dns.config.InvalidHealthChecksException;
import io.github.trafficpolicy.dns.config.SharedHealthConfig;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.health.CalculatedHealthCheck;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckMetrics;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.ProbeResult;
import io.github.trafficpolicy.engine.health.SharedHealth;
import io.github.trafficpolicy.engine.health.VantageResult;
import io.github.trafficpolicy.engine.lifecycle.EtcdHealthSharing;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code traffic-policy health --config FILE}: reads the {@code healthChecks} member of a server configuration,
 * probes every check once (in parallel, bounded), and prints each status with its latency and reason. One probe
 * decides each status (the failure threshold is for continuous probing). With a {@code sharedHealth} member (and an
 * etcd registry) it then prints, per check, every vantage point's latest result as shared in etcd and the status
 * the servers serve from them (this command's own probes are not shared). Exit 0 when every check is healthy to
 * this command's probes, 1 when one is not, the configuration is invalid or etcd cannot be read, 2 on a usage error.
 */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description = {
        "Runs every health check of a configuration once and prints each status with its latency and reason.",
        "With a sharedHealth member, also prints every vantage point's latest result (read from etcd) and the",
        "status the servers serve from them.",
        "Exit status: 0 all healthy, 1 some check not healthy, the configuration invalid or etcd unreadable,",
        "2 usage error."})
final class HealthCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The server configuration file (JSON with comments); its healthChecks member is read, "
          + "and its sharedHealth and registry members when it has sharedHealth.")
  Path config;

  @Option(names = "--parallel", paramLabel = "N", defaultValue = "64",
      description = "Most checks probed at once (default: ${DEFAULT-VALUE}).")
  int parallel;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (parallel < 1 || parallel > 4096) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--parallel must be 1..4096 but was " + parallel);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<HealthCheck> checks;
    try {
      checks = HealthChecksConfig.read(config);
    } catch (InvalidHealthChecksException e) {
      return invalid(err, "health checks", e.problems());
    }
    if (checks.isEmpty()) {
      out.println("no health checks defined in " + config);
      out.flush();
      return TrafficPolicyCommand.OK;
    }
    // The sharedHealth member is read before anything is probed: a mistake in it is reported at once.
    Optional<SharedHealthConfig.WithEtcd> shared;
    try {
      shared = SharedHealthConfig.load(config);
    } catch (ConfigException e) {
      return invalid(err, "shared health", e.problems());
    }
    // one probe decides: a failure threshold of 1
    List<HealthCheck> once = checks.stream()
        .map(c -> c instanceof EndpointHealthCheck e ? e.withFailureThreshold(1) : c)
        .collect(Collectors.toList());
    HealthRegistry registry = new HealthRegistry();
    Map<HealthCheckId, HealthCheckMetrics> metrics;
    try (HealthChecker checker = HealthChecker.builder(registry).checks(once).maxConcurrentProbes(parallel)
        .logTransitions(false).build()) {
      long longest = once.stream().filter(c -> c instanceof EndpointHealthCheck)
          .map(c -> (EndpointHealthCheck) c)
          .mapToLong(c -> c.connectTimeout().plus(c.responseTimeout().multipliedBy(2)).toMillis())
          .max().orElse(0);
      // every probe has its own deadlines; this bound only guards against a bug
      long bound = TimeUnit.MILLISECONDS.toSeconds(longest) * (1 + once.size() / parallel) + 30;
      checker.runOnce().get(bound, TimeUnit.SECONDS);
      metrics = checker.metrics();
    } catch (ExecutionException | TimeoutException e) {
      err.println("traffic-policy health: probing failed: " + e);
      err.flush();
      return TrafficPolicyCommand.FAILED;
    }
    print(out, checks, metrics);
    long healthy = metrics.values().stream().filter(m -> m.status() == HealthStatus.HEALTHY).count();
    out.printf(Locale.ROOT, "%d of %d health checks healthy%n", healthy, metrics.size());
    out.flush();
    int exit = healthy == metrics.size() ? TrafficPolicyCommand.OK : TrafficPolicyCommand.FAILED;
    return shared.isEmpty() || shared(out, err, checks, shared.get()) ? exit : TrafficPolicyCommand.FAILED;
  }

  /** Lists the problems of a part of the configuration; returns the exit code. */
  private int invalid(PrintWriter err, String what, List<?> problems) {
    err.println(config + ": invalid " + what + ":");
    problems.forEach(p -> err.println("  " + p));
    err.flush();
    return TrafficPolicyCommand.FAILED;
  }

  /**
   * The {@code sharedHealth} member's view: every vantage point's latest result read from etcd, and the status the
   * servers serve from them. False when etcd cannot be read (said on {@code err}).
   */
  private boolean shared(PrintWriter out, PrintWriter err, List<HealthCheck> checks,
                         SharedHealthConfig.WithEtcd shared) {
    SharedHealthConfig sc = shared.shared();
    Map<HealthCheckId, ImmutableList<VantageResult>> results;
    try {
      results = EtcdHealthSharing.read(shared.etcd());
    } catch (IOException e) {
      err.println("traffic-policy health: cannot read the vantage points' results from "
          + shared.etcd().uri() + ": " + e.getMessage());
      err.flush();
      return false;
    }
    out.printf(Locale.ROOT, "%nVantage points (%s; healthy when more than %s %% of them see it healthy):%n",
        shared.etcd().uri(), BigDecimal.valueOf(sc.healthyShare() * 100).stripTrailingZeros().toPlainString());
    int idWidth = Math.max(2, checks.stream().mapToInt(c -> c.id().value().length()).max().orElse(2));
    int vantageWidth = Math.max(9, results.values().stream().flatMap(List::stream)
        .mapToInt(r -> r.vantage().length()).max().orElse(9));
    String format = "%-" + idWidth + "s  %-" + vantageWidth + "s  %-9s  %8s  %8s  %s%n";
    out.printf(Locale.ROOT, format, "ID", "VANTAGE", "STATUS", "AGE", "LATENCY", "RESULT");
    Instant now = Instant.now();
    Map<HealthCheckId, HealthStatus> served = SharedHealth.statuses(checks, results, sc.healthyShare(), now);
    for (HealthCheck c : checks) {
      if (c instanceof CalculatedHealthCheck || c.disabled()) {
        out.printf(Locale.ROOT, format, c.id(), "(served)", served.get(c.id()), "", "", c.disabled() ? "disabled"
            : "calculated from its children's served statuses" + (c.inverted() ? " (inverted)" : ""));
        continue;
      }
      List<VantageResult> rs = results.getOrDefault(c.id(), ImmutableList.of());
      for (VantageResult r : rs) {
        out.printf(Locale.ROOT, format, c.id(), r.vantage(), r.status(),
            Math.max(0, Duration.between(r.at(), now).toSeconds()) + " s",
            String.format(Locale.ROOT, "%.1f ms", r.latency().toNanos() / 1e6), r.reason());
      }
      long up = rs.stream().filter(VantageResult::healthy).count();
      long decided = rs.stream().filter(VantageResult::decided).count();
      out.printf(Locale.ROOT, format, c.id(), "(served)", served.get(c.id()), "", "",
          rs.isEmpty() ? "no vantage point has a result" : up + " of " + decided + " vantage points see it healthy"
              + (c.inverted() ? " (inverted)" : ""));
    }
    out.flush();
    return true;
  }

  private static void print(PrintWriter out, List<HealthCheck> checks,
      Map<HealthCheckId, HealthCheckMetrics> metrics) {
    int idWidth = Math.max(2, checks.stream().mapToInt(c -> c.id().value().length()).max().orElse(2));
    int targetWidth = Math.max(6, checks.stream().mapToInt(c -> target(c).length()).max().orElse(6));
    String format = "%-" + idWidth + "s  %-15s  %-" + targetWidth + "s  %-9s  %8s  %s%n";
    out.printf(Locale.ROOT, format, "ID", "TYPE", "TARGET", "STATUS", "LATENCY", "RESULT");
    for (HealthCheck c : checks) {
      HealthCheckMetrics m = checkNotNull(metrics.get(c.id()), c.id());
      String latency = m.lastResult().filter(r -> c instanceof EndpointHealthCheck && !c.disabled())
          .map(r -> String.format(Locale.ROOT, "%.1f ms", r.latency().toNanos() / 1e6)).orElse("-");
      String result = c.disabled() ? "disabled" : m.lastResult().map(ProbeResult::reason).orElse("no result");
      if (c.inverted()) {
        result += " (inverted)";
      }
      out.printf(Locale.ROOT, format, c.id(), c.type(), target(c), m.status(), latency, result);
    }
  }

  private static String target(HealthCheck c) {
    if (!(c instanceof EndpointHealthCheck e)) {
      return "-";
    }
    String host = e.target().contains(":") ? "[" + e.target() + "]" : e.target();
    return host + ":" + e.port() + e.resourcePath().orElse("");
  }
}
