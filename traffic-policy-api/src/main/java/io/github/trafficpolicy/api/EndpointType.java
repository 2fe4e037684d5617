package io.github.trafficpolicy.api;

import java.util.Optional;

/**
 * The {@code Type} of an endpoint. Every type but {@link #VALUE} is an alias to an AWS resource, allowed only for
 * {@code A} and {@code AAAA} policies ({@link #S3_WEBSITE}: {@code A} only).
 */
public enum EndpointType {
  VALUE("value"),
  CLOUDFRONT("cloudfront"),
  APPLICATION_LOAD_BALANCER("application-load-balancer"),
  ELASTIC_LOAD_BALANCER("elastic-load-balancer"),
  NETWORK_LOAD_BALANCER("network-load-balancer"),
  ELASTIC_BEANSTALK("elastic-beanstalk"),
  S3_WEBSITE("s3-website");

  private final String text;

  EndpointType(String text) {
    this.text = text;
  }

  /** The literal as it appears in a document, e.g. {@code "elastic-load-balancer"}. */
  public String text() {
    return text;
  }

  /** True for every type that Route 53 implements as an alias record to an AWS resource. */
  public boolean isAlias() {
    return this != VALUE;
  }

  /** Whether an endpoint of this type may appear in a policy of the given record type. */
  public boolean allowedFor(RecordType recordType) {
    if (this == VALUE) {
      return true;
    }
    if (this == S3_WEBSITE) {
      return recordType == RecordType.A;
    }
    return recordType == RecordType.A || recordType == RecordType.AAAA;
  }

  /** The type with this literal, if any. */
  public static Optional<EndpointType> fromText(String text) {
    for (EndpointType t : values()) {
      if (t.text.equals(text)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return text;
  }
}
