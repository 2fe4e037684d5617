package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.engine.input.DnsAliasResolver;
import io.github.trafficpolicy.engine.input.StaticAliasResolver;
import java.time.Duration;

/**
 * Turns an alias-type endpoint (load balancer, CloudFront, API Gateway, Elastic Beanstalk, S3 website) into the
 * records Route 53 would answer with: the current addresses of that AWS resource. Two implementations come with the
 * engine: {@link StaticAliasResolver}, a fixed table of addresses, and {@link DnsAliasResolver}, which looks the
 * targets up through recursive resolvers in the background and keeps them fresh. Implementations are thread-safe.
 *
 * <p>A compiled policy asks once, when it is compiled, for a {@link Target} per alias endpoint ({@link #target}),
 * and then reads that handle on every query: a query never waits for a lookup.
 */
@FunctionalInterface
public interface AliasResolver {

  /**
   * The records of {@code type} (A or AAAA) for {@code endpoint}, answered at {@code recordName}; empty when the
   * resolver knows none (yet). Never blocks.
   */
  ImmutableList<RecordData> resolve(Endpoint endpoint, RecordType type, String recordName);

  /**
   * The live handle of one alias endpoint of a policy of record type {@code type} answered at {@code recordName}.
   * The default asks {@link #resolve} on every read and has no opinion on health; a resolver that keeps state
   * (such as {@link DnsAliasResolver}) returns one shared handle per target and starts resolving it.
   */
  default Target target(Endpoint endpoint, RecordType type, String recordName) {
    checkNotNull(endpoint, "endpoint");
    checkNotNull(type, "type");
    checkNotNull(recordName, "recordName");
    AliasResolver self = this;
    return new Target() {
      @Override
      public ImmutableList<RecordData> records() {
        return self.resolve(endpoint, type, recordName);
      }

      @Override
      public HealthStatus health() {
        return HealthStatus.UNKNOWN;
      }

      @Override
      public Freshness freshness() {
        return Freshness.STATIC;
      }

      @Override
      public long maxAnswerTtl() {
        return Long.MAX_VALUE;
      }

      @Override
      public String describe() {
        int n = records().size();
        return n == 0 ? "no " + type + " records known" : n + (n == 1 ? " address" : " addresses") + " (static)";
      }
    };
  }

  /**
   * A number that changes whenever the records, health or TTL of any {@link Target} of this resolver may have
   * changed (compiled policies and answer caches compare it to know when to look again). A resolver whose answers
   * never change returns a constant, as the default does.
   */
  default long generation() {
    return 0;
  }

  /**
   * Waits up to {@code timeout} until every target handed out so far has been looked up at least once (with or
   * without success); true when they all have. Resolvers that do not look anything up return true at once.
   */
  default boolean awaitTargets(Duration timeout) throws InterruptedException {
    return true;
  }

  /** How current a target's records are. */
  enum Freshness {
    /** From a fixed table: always current. */
    STATIC,
    /** Looked up within the target's TTL. */
    FRESH,
    /** Past the target's TTL; the last good records are still answered while the upstream fails (RFC 8767). */
    STALE,
    /** Nothing to answer with: not looked up yet, the name does not exist, it has no such records, or too stale. */
    MISSING
  }

  /**
   * One alias target as a compiled policy sees it. Reading it never blocks and allocates nothing; the values can
   * change between two reads (a resolver that changes them changes {@link AliasResolver#generation()} too).
   */
  interface Target {
    /** The records to answer with now; empty when there are none. */
    ImmutableList<RecordData> records();

    /**
     * The target's own health: {@link HealthStatus#UNHEALTHY} when it has nothing to answer with (a name that
     * does not exist, no records of the needed type, lookups failing past the stale limit),
     * {@link HealthStatus#HEALTHY} while it resolves, {@link HealthStatus#UNKNOWN} when the resolver has no opinion
     * (then the health snapshot alone decides). An unhealthy target counts as unhealthy for
     * {@code EvaluateTargetHealth} whatever the snapshot says.
     */
    HealthStatus health();

    /** How current the records are. */
    Freshness freshness();

    /**
     * The largest TTL an answer with these records may carry, in seconds ({@link Long#MAX_VALUE}: no limit, the
     * policy record's TTL applies).
     */
    long maxAnswerTtl();

    /** One line for traces and reports: the name looked up, the addresses, freshness and TTL, or the reason. */
    String describe();
  }
}
