package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.TrafficPolicyException;
import java.util.List;

/**
 * The {@code healthChecks} configuration cannot be used. Holds every problem, each {@code /json/pointer: message}
 * (e.g. {@code /healthChecks/2/port: must be 1..65535 but was 0}); the message lists them one per line.
 */
public final class InvalidHealthChecksException extends TrafficPolicyException {
  private static final long serialVersionUID = 1L;

  private final ImmutableList<String> problems;

  /** An exception listing {@code problems} (at least one), each {@code path: message}. */
  public InvalidHealthChecksException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = ImmutableList.copyOf(problems);
    checkArgument(!this.problems.isEmpty(), "an invalid configuration has at least one problem");
  }

  /** Every problem, {@code path: message}, in document order. */
  public ImmutableList<String> problems() {
    return problems;
  }
}
