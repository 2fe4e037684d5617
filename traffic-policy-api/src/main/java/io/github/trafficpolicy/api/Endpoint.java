package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * An endpoint definition: its {@code Type}, its {@code Value} (record data for {@code value} endpoints, the AWS
 * resource's DNS name otherwise) and, for {@code s3-website} only, its {@code Region}.
 */
public record Endpoint(EndpointType type, String value, Optional<String> region) {
  public Endpoint {
    checkNotNull(type, "type");
    checkNotNull(value, "value");
    checkNotNull(region, "region (use Optional.empty())");
    checkArgument(
        region.isEmpty() || type == EndpointType.S3_WEBSITE,
        "Region is only allowed on s3-website endpoints but was given for %s",
        type);
  }

  /** A {@code value} endpoint with this literal record data. */
  public static Endpoint value(String value) {
    return new Endpoint(EndpointType.VALUE, value, Optional.empty());
  }

  /** An alias-type endpoint (any type but {@code value} and {@code s3-website}). */
  public static Endpoint alias(EndpointType type, String value) {
    return new Endpoint(type, value, Optional.empty());
  }

  /** An {@code s3-website} endpoint in a region. */
  public static Endpoint s3Website(String bucket, String region) {
    return new Endpoint(EndpointType.S3_WEBSITE, bucket, Optional.of(region));
  }
}
