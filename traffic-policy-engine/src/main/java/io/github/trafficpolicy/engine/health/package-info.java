/**
 * Active health checks and external status feeds that keep a {@link io.github.trafficpolicy.engine.HealthRegistry}
 * current, following Route 53's health-check model (see {@code traffic-policy-engine/SEMANTICS.md}, "Health").
 *
 * <ul>
 *   <li>{@link io.github.trafficpolicy.engine.health.HealthCheck}: check definitions —
 *       {@link io.github.trafficpolicy.engine.health.EndpointHealthCheck} (HTTP, HTTPS, string matching, TCP) and
 *       {@link io.github.trafficpolicy.engine.health.CalculatedHealthCheck}.
 *   <li>{@link io.github.trafficpolicy.engine.health.HealthChecker}: probes the endpoint checks on a small fixed
 *       pool with asynchronous socket I/O, applies failure thresholds, inversion and calculated checks, and
 *       publishes every status change as a new snapshot.
 *   <li>{@link io.github.trafficpolicy.engine.health.HealthFeed}: statuses set by another system through the API,
 *       with an age and a fallback when stale.
 *   <li>{@link io.github.trafficpolicy.engine.health.HealthStatusFile}: the health-status file (the project's one
 *       file format for statuses, {@code {"checks": {...}, "targets": {...}}}), read and watched.
 * </ul>
 */
@NullMarked
package io.github.trafficpolicy.engine.health;

import org.jspecify.annotations.NullMarked;
