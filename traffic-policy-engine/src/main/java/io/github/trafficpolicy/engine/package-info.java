/**
 * Deterministic, explainable evaluation of traffic policies. Build a {@link io.github.trafficpolicy.engine.PolicyEvaluator}
 * once, {@linkplain io.github.trafficpolicy.engine.PolicyEvaluator#compile compile} each policy version once, then
 * evaluate {@link io.github.trafficpolicy.engine.Query queries} to get an {@link io.github.trafficpolicy.engine.Answer}
 * with its trace. Inputs (client location, latency, health, alias targets) are interfaces with embedded defaults;
 * the implementations the engine ships (MaxMind and CIDR-table locators, latency tables, alias resolvers) are in
 * {@code io.github.trafficpolicy.engine.input}.
 */
@NullMarked
package io.github.trafficpolicy.engine;

import org.jspecify.annotations.NullMarked;
