/**
 * The inputs the engine ships: where a client is ({@link io.github.trafficpolicy.engine.input.MaxMindGeoLocator} for
 * MaxMind GeoIP2/GeoLite2 databases, {@link io.github.trafficpolicy.engine.input.CidrGeoLocator} for CIDR tables,
 * chained by {@link io.github.trafficpolicy.engine.input.GeoLocators}), its latency to regions
 * ({@link io.github.trafficpolicy.engine.input.CsvLatencyTable} measured,
 * {@link io.github.trafficpolicy.engine.input.EstimatedLatencyTable} estimated, chained by
 * {@link io.github.trafficpolicy.engine.input.LatencyTables}), the addresses of alias targets
 * ({@link io.github.trafficpolicy.engine.input.StaticAliasResolver},
 * {@link io.github.trafficpolicy.engine.input.DnsAliasResolver}), and
 * {@link io.github.trafficpolicy.engine.input.EvaluatorInputs}, the one way the commands assemble them.
 *
 * <p>The evaluation core ({@code io.github.trafficpolicy.engine}) knows them only through its interfaces
 * ({@code GeoLocator}, {@code LatencyTable}, {@code AliasResolver}) and the allocation-free contracts in
 * {@code engine.internal}; an application may supply its own implementations instead. Every method here is
 * {@code @NullMarked}: no parameter or result is null unless marked {@code @Nullable}.
 */
@NullMarked
package io.github.trafficpolicy.engine.input;

import org.jspecify.annotations.NullMarked;
