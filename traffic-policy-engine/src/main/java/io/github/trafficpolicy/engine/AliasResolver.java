package io.github.trafficpolicy.engine;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;

/**
 * Turns an alias-type endpoint (load balancer, CloudFront, Elastic Beanstalk, S3 website) into the records
 * Route 53 would answer with: the current addresses of that AWS resource. The default is a static table of
 * addresses per endpoint value. Implementations are thread-safe.
 */
@FunctionalInterface
public interface AliasResolver {

  /**
   * The records of {@code type} (A or AAAA) for {@code endpoint}, answered at {@code recordName}; empty when the
   * resolver knows none.
   */
  ImmutableList<RecordData> resolve(Endpoint endpoint, RecordType type, String recordName);
}
