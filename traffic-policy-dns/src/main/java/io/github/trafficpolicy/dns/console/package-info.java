/**
 * The web console: a browser UI for traffic policies served by the control plane's listener beside the Route 53
 * API (same access keys, same audit log). {@link io.github.trafficpolicy.dns.console.Console} answers every request
 * under {@code /console/} (and redirects {@code /} there): the static files of the UI, d3 from its WebJar, and the
 * JSON API under {@code /console/api/} ({@code ConsoleApi}), behind a session cookie, a CSRF token on every write
 * and a strict Content Security Policy. The contract between this server side and the UI is the README's "Console"
 * section of the traffic-policy-dns module.
 */
@NullMarked
package io.github.trafficpolicy.dns.console;

import org.jspecify.annotations.NullMarked;
