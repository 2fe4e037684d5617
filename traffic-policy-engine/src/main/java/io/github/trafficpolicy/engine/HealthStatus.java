package io.github.trafficpolicy.engine;

/** The effective status of a health check or an alias target. */
public enum HealthStatus {
  HEALTHY,
  UNHEALTHY,
  /** No result yet; how it counts is an evaluator setting (healthy by default, as Route 53 treats a new check). */
  UNKNOWN
}
