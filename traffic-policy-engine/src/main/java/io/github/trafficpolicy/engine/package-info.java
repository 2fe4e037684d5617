/**
 * Deterministic, explainable evaluation of traffic policies. Build a {@link io.github.trafficpolicy.engine.PolicyEvaluator}
 * once, {@linkplain io.github.trafficpolicy.engine.PolicyEvaluator#compile compile} each policy version once, then
 * evaluate {@link io.github.trafficpolicy.engine.Query queries} to get an {@link io.github.trafficpolicy.engine.Answer}
 * with its trace. Inputs (client location, latency, health) are interfaces with embedded defaults.
 */
@NullMarked
package io.github.trafficpolicy.engine;

import org.jspecify.annotations.NullMarked;
