/**
 * The control plane: Amazon Route 53's REST API (version 2013-04-01, XML bodies) for traffic policies, policy
 * records (traffic policy instances), the served hosted zones and {@code TestDNSAnswer}, authenticated with AWS
 * Signature Version 4, so the AWS CLI and SDKs manage a
 * {@link io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry}
 * unchanged through {@code --endpoint-url}.
 * {@link io.github.trafficpolicy.dns.api.ApiServer} is the HTTP listener,
 * {@link io.github.trafficpolicy.dns.api.Route53Api} the operations, {@link io.github.trafficpolicy.dns.api.SigV4}
 * the signature check and {@link io.github.trafficpolicy.dns.api.AccessKeys} the keys.
 */
@NullMarked
package io.github.trafficpolicy.dns.api;

import org.jspecify.annotations.NullMarked;
