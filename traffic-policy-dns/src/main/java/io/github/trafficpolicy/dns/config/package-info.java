/**
 * The {@code traffic-policy serve} configuration: {@link io.github.trafficpolicy.dns.config.ServeConfigReader}
 * reads the JSON file (comments allowed) into a {@link io.github.trafficpolicy.dns.config.ServeConfig}, reporting
 * every problem with its place; {@link io.github.trafficpolicy.dns.config.ConfiguredServer} assembles and runs the
 * server it describes.
 */
@NullMarked
package io.github.trafficpolicy.dns.config;

import org.jspecify.annotations.NullMarked;
