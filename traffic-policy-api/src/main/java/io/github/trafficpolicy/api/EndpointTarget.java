package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkNotNull;

/** A reference to an endpoint. */
public record EndpointTarget(EndpointId endpoint) implements Target {
  public EndpointTarget {
    checkNotNull(endpoint, "endpoint");
  }

  @Override
  public String id() {
    return endpoint.value();
  }

  @Override
  public String toString() {
    return "endpoint " + endpoint;
  }
}
