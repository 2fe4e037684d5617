/**
 * An authoritative DNS server for traffic policies. {@link io.github.trafficpolicy.dns.QueryHandler} holds all the
 * DNS logic (query bytes and source address in, reply bytes out, no sockets) over a
 * {@link io.github.trafficpolicy.dns.Catalog} of {@link io.github.trafficpolicy.dns.Zone}s and policy records
 * (compiled policies bound to names); {@link io.github.trafficpolicy.dns.AuthoritativeServer} runs UDP and TCP
 * listeners around it. dnsjava does the wire format and zone files internally; no public signature uses its types.
 * No method accepts or returns {@code null}.
 */
@NullMarked
package io.github.trafficpolicy.dns;

import org.jspecify.annotations.NullMarked;
