package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One question to a policy: who asks (the client subnet: the ECS option if the resolver sent one, else the source
 * address) and, optionally, inputs that override the evaluator's own: a location already resolved, latency data,
 * a health snapshot. Whether to record a trace is part of the query.
 */
public record Query(
    ClientSubnet client,
    Optional<ClientLocation> location,
    Optional<ClientLatency> latency,
    Optional<HealthSnapshot> health,
    boolean trace) {

  public Query {
    checkNotNull(client, "client");
    checkNotNull(location, "location (use Optional.empty())");
    checkNotNull(latency, "latency (use Optional.empty())");
    checkNotNull(health, "health (use Optional.empty())");
  }

  /** A query from this client with every input taken from the evaluator, without a trace. */
  public static Query of(ClientSubnet client) {
    return new Query(client, Optional.empty(), Optional.empty(), Optional.empty(), false);
  }

  /** A builder for a query from this client. */
  public static Builder builder(ClientSubnet client) {
    return new Builder(client);
  }

  /** Builds a {@link Query}. */
  public static final class Builder {
    private final ClientSubnet client;
    private @Nullable ClientLocation location;
    private @Nullable ClientLatency latency;
    private @Nullable HealthSnapshot health;
    private boolean trace;

    private Builder(ClientSubnet client) {
      this.client = checkNotNull(client, "client");
    }

    /** Uses this location instead of asking the evaluator's {@link GeoLocator}. */
    public Builder location(ClientLocation location) {
      this.location = checkNotNull(location, "location");
      return this;
    }

    /** Uses this latency data instead of asking the evaluator's {@link LatencyTable}. */
    public Builder latency(ClientLatency latency) {
      this.latency = checkNotNull(latency, "latency");
      return this;
    }

    /** Uses this health snapshot instead of the evaluator's current one. */
    public Builder health(HealthSnapshot health) {
      this.health = checkNotNull(health, "health");
      return this;
    }

    /** Records a trace of every decision in the answer. */
    public Builder trace(boolean trace) {
      this.trace = trace;
      return this;
    }

    public Query build() {
      return new Query(client, Optional.ofNullable(location), Optional.ofNullable(latency),
          Optional.ofNullable(health), trace);
    }
  }
}
