/**
 * Route 53 traffic policy documents as JSON: {@link io.github.trafficpolicy.api.json.PolicyDocumentJson} reads
 * and writes them. All use of Jackson is confined to this package.
 */
@NullMarked
package io.github.trafficpolicy.api.json;

import org.jspecify.annotations.NullMarked;
