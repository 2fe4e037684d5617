package io.github.trafficpolicy.engine.internal;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;

/**
 * A latency table made of one table of measurements that reads addresses as bytes, then the great-circle estimate
 * for the regions it has no figure for: the chain {@code EvaluatorInputs.latency} builds for a server with a latency
 * table. The evaluation asks its two parts itself, so that answering allocates nothing: the measurements of the
 * client's network (one instance per network, kept by the table), and per region without one, the estimate
 * {@code 5 + distanceKm / 100} from the client's coordinates to the region's, computed exactly as
 * {@code EstimatedLatencyTable} computes it. Not API, like {@link AddressLatencyTable}.
 */
public interface MeasuredThenEstimated {
  /** The measurements for an address of 4 or 16 bytes; regions without a figure are empty. */
  ClientLatency measured(byte[] address, ClientLocation location);

  /** The coordinates of the regions the estimate knows, by plain code ({@link RegionCodes#plain}). */
  ImmutableMap<String, Coordinates> estimateRegions();
}
