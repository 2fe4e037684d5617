/**
 * The policy lifecycle: a {@link io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry} of traffic
 * policies with immutable, numbered versions and of policy records that bind a version to a DNS name, with bulk
 * updates, roll back and "where is this value used". The registry's state is an immutable
 * {@link io.github.trafficpolicy.engine.lifecycle.RegistryState} swapped atomically; a server serves a
 * {@link io.github.trafficpolicy.engine.lifecycle.ServingSnapshot} of it. By default the registry persists to a
 * directory that people can read and diff. Errors carry Route 53's names
 * ({@link io.github.trafficpolicy.engine.lifecycle.RegistryError}). {@link
 * io.github.trafficpolicy.engine.lifecycle.PolicyDiagram} draws a policy tree as Mermaid or Graphviz DOT.
 */
@NullMarked
package io.github.trafficpolicy.engine.lifecycle;

import org.jspecify.annotations.NullMarked;
