package io.github.trafficpolicy.engine.health;

/** The kind of a health check, named as Route 53's {@code HealthCheckConfig.Type}. */
public enum HealthCheckType {
  /** An HTTP GET; healthy when the status is 2xx or 3xx. */
  HTTP,
  /** As {@link #HTTP} over TLS; the certificate is not validated (as Route 53), SNI carries the host name. */
  HTTPS,
  /** As {@link #HTTP}, and the search string must appear in the first 5,120 bytes of the body. */
  HTTP_STR_MATCH,
  /** As {@link #HTTPS}, and the search string must appear in the first 5,120 bytes of the body. */
  HTTPS_STR_MATCH,
  /** Healthy when a TCP connection is established. */
  TCP,
  /** Healthy when at least a threshold of other (endpoint) checks are healthy. */
  CALCULATED;

  /** True for every type that probes an endpoint (all but {@link #CALCULATED}). */
  public boolean probesEndpoint() {
    return this != CALCULATED;
  }

  /** True for the types that send an HTTP request. */
  public boolean usesHttp() {
    return this == HTTP || this == HTTPS || this == HTTP_STR_MATCH || this == HTTPS_STR_MATCH;
  }

  /** True for the types that speak TLS. */
  public boolean usesTls() {
    return this == HTTPS || this == HTTPS_STR_MATCH;
  }

  /** True for the string-matching types. */
  public boolean matchesString() {
    return this == HTTP_STR_MATCH || this == HTTPS_STR_MATCH;
  }

  /** The port used when none is given: 443 for HTTPS types, 80 for HTTP types; TCP has no default (0). */
  public int defaultPort() {
    if (usesTls()) {
      return 443;
    }
    return usesHttp() ? 80 : 0;
  }
}
