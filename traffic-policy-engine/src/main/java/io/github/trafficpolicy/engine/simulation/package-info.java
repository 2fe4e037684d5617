/**
 * Simulation of a policy over every client network of a geo source: who goes where, who moves between two versions,
 * and where clients land when health checks fail. Start with
 * {@link io.github.trafficpolicy.engine.simulation.Simulation}.
 */
@NullMarked
package io.github.trafficpolicy.engine.simulation;

import org.jspecify.annotations.NullMarked;
