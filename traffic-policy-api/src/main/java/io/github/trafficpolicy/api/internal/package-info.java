/**
 * Helpers shared by the project's own modules that must be public because those modules are separate jars. Not
 * API: may change in any release; do not use from outside traffic-policy.
 */
@NullMarked
package io.github.trafficpolicy.api.internal;

import org.jspecify.annotations.NullMarked;
