/**
 * Active health checks and external status feeds that keep a {@link io.github.trafficpolicy.engine.HealthRegistry}
 * current, following Route 53's health-check model (route53-traffic-flow.md §3.1).
 *
 * <ul>
 *   <li>{@link io.github.trafficpolicy.engine.health.HealthCheck}: check definitions —
 *       {@link io.github.trafficpolicy.engine.health.EndpointHealthCheck} (HTTP, HTTPS, string matching, TCP) and
 *       {@link io.github.trafficpolicy.engine.health.CalculatedHealthCheck}.
 *   <li>{@link io.github.trafficpolicy.engine.health.HealthChecker}: probes the endpoint checks on a small fixed
 *       pool with asynchronous socket I/O, applies failure thresholds, inversion and calculated checks, and
 *       publishes every status change as a new snapshot.
 *   <li>{@link io.github.trafficpolicy.engine.health.HealthFeed} and
 *       {@link io.github.trafficpolicy.engine.health.FileHealthFeed}: statuses set by another system, through
 *       the API or a watched file, with an age and a fallback when stale.
 * </ul>
 */
package io.github.trafficpolicy.engine.health;
