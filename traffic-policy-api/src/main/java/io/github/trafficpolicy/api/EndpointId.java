package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/** The ID of an endpoint: a key of the document's {@code Endpoints}. {@link #toString()} is the bare value. */
public record EndpointId(String value) implements Comparable<EndpointId> {
  public EndpointId {
    checkNotNull(value, "value");
    checkArgument(!value.isEmpty(), "EndpointId must not be empty");

  }

  /** The ID with this value. */
  public static EndpointId of(String value) {
    return new EndpointId(value);
  }

  @Override
  public int compareTo(EndpointId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
