package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.LatencyTable;
import io.github.trafficpolicy.engine.internal.AddressLatencyTable;
import io.github.trafficpolicy.engine.internal.MeasuredThenEstimated;
import java.net.InetAddress;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Ways to combine {@link LatencyTable}s. The tables themselves: {@link CsvLatencyTable} (measured figures per
 * client network) and {@link EstimatedLatencyTable} (the default: an estimate from great-circle distance).
 */
public final class LatencyTables {
  private static final LatencyTable NONE = (address, location) -> ClientLatency.none();

  private LatencyTables() {}

  /**
   * A table that asks {@code tables} in order, per region: a region's figure comes from the first table that has
   * one for the client. The usual chain is a {@link CsvLatencyTable} of measurements, then the
   * {@link EstimatedLatencyTable} for the networks and regions it lacks. The prefix length of the data is the
   * longest reported by any of the tables (the answer depends on all of them).
   */
  public static LatencyTable chain(LatencyTable... tables) {
    return chain(List.of(tables));
  }

  /** As {@link #chain(LatencyTable...)}. */
  public static LatencyTable chain(List<? extends LatencyTable> tables) {
    ImmutableList<LatencyTable> list = ImmutableList.copyOf(tables);
    checkArgument(!list.isEmpty(), "a chain needs at least one table");
    if (list.size() == 1) {
      return list.get(0);
    }
    if (list.size() == 2 && list.get(0) instanceof AddressLatencyTable measured
        && list.get(1) instanceof EstimatedLatencyTable estimate) {
      return new Estimating(list, measured, estimate);
    }
    return new Chain(list);
  }

  /** The chain of {@link #chain}: asks every table, and answers a client with a new {@link Chained}. */
  private static class Chain implements LatencyTable {
    private final ImmutableList<LatencyTable> list;

    Chain(ImmutableList<LatencyTable> list) {
      this.list = list;
    }

    @Override
    public ClientLatency forClient(InetAddress address, ClientLocation location) {
      checkNotNull(address, "address");
      checkNotNull(location, "location");
      ImmutableList.Builder<ClientLatency> each = ImmutableList.builderWithExpectedSize(list.size());
      int prefix = 0;
      for (LatencyTable table : list) {
        ClientLatency latency = table.forClient(address, location);
        prefix = Math.max(prefix, latency.prefixLength());
        each.add(latency);
      }
      return new Chained(each.build(), prefix);
    }

    @Override
    public String toString() {
      return "LatencyTables.chain" + list;
    }
  }

  /**
   * A table of measurements read by address bytes (a {@link CsvLatencyTable}), then the estimate: what a server
   * with a latency table uses. Answers as {@link Chain} does; an evaluation asks the two parts itself
   * ({@link MeasuredThenEstimated}) and allocates nothing.
   */
  private static final class Estimating extends Chain implements MeasuredThenEstimated {
    private final AddressLatencyTable measured;
    private final EstimatedLatencyTable estimate;

    Estimating(ImmutableList<LatencyTable> list, AddressLatencyTable measured, EstimatedLatencyTable estimate) {
      super(list);
      this.measured = measured;
      this.estimate = estimate;
    }

    @Override
    public ClientLatency measured(byte[] address, ClientLocation location) {
      return measured.forClient(address, location);
    }

    @Override
    public ImmutableMap<String, Coordinates> estimateRegions() {
      return estimate.regions().asMap();
    }
  }

  /** A table with no data for any client. */
  public static LatencyTable none() {
    return NONE;
  }

  /** Per-region first answer among several clients' data. */
  private static final class Chained implements ClientLatency {
    private final ImmutableList<ClientLatency> each;
    private final int prefixLength;

    Chained(ImmutableList<ClientLatency> each, int prefixLength) {
      this.each = each;
      this.prefixLength = prefixLength;
    }

    @Override
    public OptionalDouble millis(String region) {
      for (ClientLatency latency : each) {
        OptionalDouble ms = latency.millis(region);
        if (ms.isPresent()) {
          return ms;
        }
      }
      return OptionalDouble.empty();
    }

    @Override
    public int prefixLength() {
      return prefixLength;
    }

    @Override
    public String toString() {
      return "chain" + each;
    }
  }
}
