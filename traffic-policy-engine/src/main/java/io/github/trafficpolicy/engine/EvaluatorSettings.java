package io.github.trafficpolicy.engine;

/**
 * Settings for behaviour Route 53 does not document (route53-traffic-flow.md §3.11), each with a documented
 * default. TODO(engine helper): complete (EvaluateTargetHealth default, fail-open/closed, unknown health,
 * unknown location for latency/geoproximity, client key prefixes, seed, multivalue maximum, region coordinates).
 */
public record EvaluatorSettings(long seed) {
  /** The defaults. */
  public static EvaluatorSettings defaults() {
    return new EvaluatorSettings(0);
  }
}
