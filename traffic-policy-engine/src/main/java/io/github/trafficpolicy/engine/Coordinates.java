package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;

/** A point on Earth in degrees (latitude −90…90, longitude −180…180). */
public record Coordinates(double latitude, double longitude) {
  public Coordinates {
    checkArgument(latitude >= -90 && latitude <= 90, "latitude must be in [-90, 90] but was %s", latitude);
    checkArgument(longitude >= -180 && longitude <= 180, "longitude must be in [-180, 180] but was %s", longitude);
  }

  /** Great-circle distance to {@code other} in kilometres (haversine, mean Earth radius 6,371.0088 km). */
  public double distanceKm(Coordinates other) {
    double lat1 = Math.toRadians(latitude);
    double lat2 = Math.toRadians(other.latitude);
    double dLat = lat2 - lat1;
    double dLon = Math.toRadians(other.longitude - longitude);
    double h = Math.sin(dLat / 2) * Math.sin(dLat / 2)
        + Math.cos(lat1) * Math.cos(lat2) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
  }
}
