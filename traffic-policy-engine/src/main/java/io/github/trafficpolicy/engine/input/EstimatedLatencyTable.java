package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.LatencyTable;
import io.github.trafficpolicy.engine.RegionCoordinates;
import java.net.InetAddress;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The default latency data: an <em>estimate</em> from distance, not a measurement. Route 53 uses its own latency
 * measurements between client networks and AWS regions, which are not published; without a {@link CsvLatencyTable}
 * of real figures the library estimates
 *
 * <pre>
 *   milliseconds = 5 + distance_km / 100
 * </pre>
 *
 * <p>where {@code distance_km} is the great-circle distance ({@link Coordinates#distanceKm}) between the client's
 * coordinates and the region's ({@link RegionCoordinates}, built in or overridden): the round-trip time of light in
 * optical fibre (about 200,000 km/s) along the great circle, plus 5 ms for the access network. Real paths are
 * longer than the great circle, so real figures are higher; what matters for a latency rule is the order, and the
 * order is that of the distances. A client without coordinates (unknown location, or a Country database) has no
 * data, nor has a region whose coordinates are unknown. The data's prefix length is 0: it depends on the address
 * only through the location, whose own prefix the evaluator already takes into account. Immutable and thread-safe.
 */
public final class EstimatedLatencyTable implements LatencyTable {
  /** The fixed part of every estimate, in milliseconds. */
  public static final double BASE_MILLIS = 5;
  /** Kilometres of great-circle distance per millisecond of estimated round trip. */
  public static final double KM_PER_MILLI = 100;

  private static final EstimatedLatencyTable BUILT_IN = new EstimatedLatencyTable(RegionCoordinates.builtIn());

  private final RegionCoordinates regions;

  private EstimatedLatencyTable(RegionCoordinates regions) {
    this.regions = regions;
  }

  /** Estimates to the built-in region and local zone coordinates. */
  public static EstimatedLatencyTable builtIn() {
    return BUILT_IN;
  }

  /** Estimates to {@code regions}. */
  public static EstimatedLatencyTable using(RegionCoordinates regions) {
    return new EstimatedLatencyTable(checkNotNull(regions, "regions"));
  }

  /** Estimates to the built-in coordinates with {@code overrides} replacing or adding regions. */
  public static EstimatedLatencyTable withOverrides(Map<String, Coordinates> overrides) {
    return using(RegionCoordinates.builtIn().withOverrides(overrides));
  }

  /** The region coordinates the estimates use. */
  public RegionCoordinates regions() {
    return regions;
  }

  /** The estimate for a great-circle distance: {@code 5 + distanceKm / 100}. */
  public static double estimateMillis(double distanceKm) {
    checkArgument(distanceKm >= 0, "distance must not be negative but was %s", distanceKm);
    return BASE_MILLIS + distanceKm / KM_PER_MILLI;
  }

  @Override
  public ClientLatency forClient(InetAddress address, ClientLocation location) {
    checkNotNull(location, "location");
    return location.coordinates().<ClientLatency>map(Estimate::new).orElse(ClientLatency.none());
  }

  @Override
  public String toString() {
    return "EstimatedLatencyTable{" + regions.asMap().size() + " regions}";
  }

  /** Estimates from one client's coordinates, computed per region on demand. */
  private final class Estimate implements ClientLatency {
    private final Coordinates client;

    Estimate(Coordinates client) {
      this.client = client;
    }

    @Override
    public OptionalDouble millis(String region) {
      Coordinates at = regions.find(region).orElse(null);
      return at == null ? OptionalDouble.empty() : OptionalDouble.of(estimateMillis(client.distanceKm(at)));
    }

    @Override
    public int prefixLength() {
      return 0;
    }

    @Override
    public String toString() {
      return "estimate from " + client;
    }
  }
}
