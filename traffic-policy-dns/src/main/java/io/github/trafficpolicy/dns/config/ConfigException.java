package io.github.trafficpolicy.dns.config;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.TrafficPolicyException;

/**
 * A serve configuration that cannot be used. Each problem names its place: the configuration file and JSON
 * pointer ({@code serve.json: /policyRecords/0/ttl}), or the file and line of a zone file or table it refers to.
 * The message lists every problem, one per line.
 */
public final class ConfigException extends TrafficPolicyException {
  private static final long serialVersionUID = 1L;

  private final ImmutableList<String> problems;

  /** An exception listing these problems (each {@code place: message}). */
  public ConfigException(ImmutableList<String> problems) {
    super(String.join("\n", checkNotNull(problems, "problems")));
    this.problems = problems;
  }

  /** An exception for one problem at one place, caused by {@code cause}. */
  public ConfigException(String place, String message, Throwable cause) {
    super(place + ": " + message, cause);
    this.problems = ImmutableList.of(place + ": " + message);
  }

  /** Every problem, {@code place: message}. */
  public ImmutableList<String> problems() {
    return problems;
  }
}
