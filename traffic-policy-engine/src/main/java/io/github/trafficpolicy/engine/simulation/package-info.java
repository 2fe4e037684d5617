/**
 * Simulation of a policy over every client network of a geo source: who goes where, who moves between two versions,
 * and where clients land when health checks fail. Start with
 * {@link io.github.trafficpolicy.engine.simulation.Simulation}.
 *
 * <p>The one package not yet {@code @NullMarked}: its builders and group tables still use nulls for "not set" that
 * NullAway cannot follow, so it is not checked yet. Its public methods take and return no null all the same.
 */
package io.github.trafficpolicy.engine.simulation;
