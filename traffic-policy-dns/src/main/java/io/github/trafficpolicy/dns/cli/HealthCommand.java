package io.github.trafficpolicy.dns.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.dns.config.HealthChecksConfig;
import io.github.trafficpolicy.dns.config.InvalidHealthChecksException;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.health.HealthCheckMetrics;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.health.ProbeResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * decides each status (the failure threshold is for continuous probing). Exit 0 when every check is healthy, 1 when
 * one is not or the configuration is invalid, 2 on a usage error.
 */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description = {
        "Runs every health check of a configuration once and prints each status with its latency and reason.",
        "Exit status: 0 all healthy, 1 some check not healthy or the configuration invalid, 2 usage error."})
final class HealthCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The server configuration file (JSON with comments); only its healthChecks member is read.")
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
      err.println(config + ": invalid health checks:");
      e.problems().forEach(p -> err.println("  " + p));
      err.flush();
      return TrafficPolicyCommand.FAILED;
    }
    if (checks.isEmpty()) {
      out.println("no health checks defined in " + config);
      out.flush();
      return TrafficPolicyCommand.OK;
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
    return healthy == metrics.size() ? TrafficPolicyCommand.OK : TrafficPolicyCommand.FAILED;
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
