/**
 * The Route 53 traffic policy model: {@link io.github.trafficpolicy.api.PolicyDocument} and its endpoints and
 * rules, {@link io.github.trafficpolicy.api.TrafficPolicy} versions and
 * {@link io.github.trafficpolicy.api.PolicyRecord}s. Every type is an immutable value; no method accepts or
 * returns {@code null}. Names follow Route 53's own vocabulary. The JSON codec is in the {@code json} package.
 */
@NullMarked
package io.github.trafficpolicy.api;

import org.jspecify.annotations.NullMarked;
