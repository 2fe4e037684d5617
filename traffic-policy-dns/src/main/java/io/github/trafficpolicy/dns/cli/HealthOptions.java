package io.github.trafficpolicy.dns.cli;

import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --health} and {@code --target-health}: the health statuses that {@code evaluate} and {@code simulate}
 * assume, as a picocli mixin, checked and turned into a {@link HealthSnapshot} the same way for both.
 */
final class HealthOptions {
  @Option(names = "--health", paramLabel = "ID=STATUS",
      description = "A health check's status, HEALTHY or UNHEALTHY; repeatable.")
  Map<String, HealthStatus> checks = new LinkedHashMap<>();

  @Option(names = "--target-health", paramLabel = "ENDPOINT=STATUS",
      description = "An alias endpoint's target health, HEALTHY or UNHEALTHY; repeatable.")
  Map<String, HealthStatus> targets = new LinkedHashMap<>();

  /** Refuses a status other than HEALTHY or UNHEALTHY as a usage error of {@code command}. */
  void check(CommandLine command) {
    for (Map<String, HealthStatus> given : List.of(checks, targets)) {
      given.forEach((id, status) -> {
        if (status == HealthStatus.UNKNOWN) {
          throw new CommandLine.ParameterException(command, "status of " + id + " must be HEALTHY or UNHEALTHY");
        }
      });
    }
  }

  /** The statuses given, every other check and target unknown. */
  HealthSnapshot snapshot() {
    HealthSnapshot.Builder snapshot = HealthSnapshot.builder();
    checks.forEach(snapshot::check);
    targets.forEach(snapshot::target);
    return snapshot.build();
  }
}
