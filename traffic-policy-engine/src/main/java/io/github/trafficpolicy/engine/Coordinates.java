package io.github.trafficpolicy.engine;

/** A point on Earth in degrees (latitude −90…90, longitude −180…180). */
public record Coordinates(double latitude, double longitude) {
  public Coordinates {
    // Not Guava's checkArgument: it would box both numbers on every construction (150,000 of them while a GeoIP
    // City database loads).
    if (!(latitude >= -90 && latitude <= 90)) {
      throw new IllegalArgumentException("latitude must be in [-90, 90] but was " + latitude);
    }
    if (!(longitude >= -180 && longitude <= 180)) {
      throw new IllegalArgumentException("longitude must be in [-180, 180] but was " + longitude);
    }
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
