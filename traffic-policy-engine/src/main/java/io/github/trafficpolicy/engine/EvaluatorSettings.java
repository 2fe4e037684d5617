package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * Settings for behaviour Route 53 does not document (traffic-policy-engine/SEMANTICS.md, section 6), each with
 * a documented default. Immutable; build with {@link #builder()} or start from {@link #defaults()} and
 * {@link #toBuilder()}.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link #evaluateTargetHealthDefault()}</td><td>{@code true}</td>
 *       <td>{@code EvaluateTargetHealth} of an entry that omits it</td></tr>
 *   <tr><td>{@link #allUnhealthy()}</td><td>{@link AllUnhealthy#FAIL_OPEN}</td>
 *       <td>what a group with no healthy entry answers</td></tr>
 *   <tr><td>{@link #unknownHealth()}</td><td>{@link HealthStatus#HEALTHY}</td>
 *       <td>how a {@link HealthStatus#UNKNOWN} health check or alias target counts</td></tr>
 *   <tr><td>{@link #unknownLatencyLocation()}</td><td>{@link UnknownLocation#DOCUMENT_ORDER}</td>
 *       <td>latency rule entries the client has no latency for</td></tr>
 *   <tr><td>{@link #unknownGeoproximityLocation()}</td><td>{@link UnknownLocation#DOCUMENT_ORDER}</td>
 *       <td>geoproximity entries when the client's or the entry's coordinates are unknown</td></tr>
 *   <tr><td>{@link #ipv4ClientKeyPrefix()} / {@link #ipv6ClientKeyPrefix()}</td><td>24 / 56</td>
 *       <td>the client key of weighted and multivalue choices (stickiness granularity)</td></tr>
 *   <tr><td>{@link #seed()}</td><td>0</td><td>mixed into every weighted and multivalue hash</td></tr>
 *   <tr><td>{@link #multivalueMaximum()}</td><td>8</td><td>most values a multivalue answer holds</td></tr>
 *   <tr><td>{@link #regionCoordinates()}</td><td>{@link RegionCoordinates#builtIn()}</td>
 *       <td>where AWS Regions and Local Zones are (geoproximity, latency estimate)</td></tr>
 *   <tr><td>{@link #bias()}</td><td>{@link BiasFormula#ROUTE53}</td><td>how geoproximity bias scales distance</td></tr>
 * </table>
 *
 * @param evaluateTargetHealthDefault the {@code EvaluateTargetHealth} of entries that omit it (undocumented by Route
 *     53; the console always writes it, and {@code true} is the belief recorded in the reference)
 * @param allUnhealthy what a group answers when none of its entries is healthy
 * @param unknownHealth how a health check or alias target with status {@link HealthStatus#UNKNOWN} counts:
 *     {@link HealthStatus#HEALTHY} (as Route 53 treats a new check) or {@link HealthStatus#UNHEALTHY}
 * @param unknownLatencyLocation how latency rule entries are ranked when the client's latency to their region is
 *     unknown
 * @param unknownGeoproximityLocation how geoproximity entries are ranked when the client's coordinates, or the
 *     entry's, are unknown
 * @param ipv4ClientKeyPrefix the prefix length (0…32) IPv4 client subnets are cut to for the client key
 * @param ipv6ClientKeyPrefix the prefix length (0…128) IPv6 client subnets are cut to for the client key
 * @param seed mixed into every weighted and multivalue hash; change it to reshuffle every client
 * @param multivalueMaximum the most values (1…64) a multivalue rule answers with ("up to eight" in Route 53)
 * @param regionCoordinates the coordinates of AWS Regions and Local Zones
 * @param bias the geoproximity bias formula
 */
public record EvaluatorSettings(
    boolean evaluateTargetHealthDefault,
    AllUnhealthy allUnhealthy,
    HealthStatus unknownHealth,
    UnknownLocation unknownLatencyLocation,
    UnknownLocation unknownGeoproximityLocation,
    int ipv4ClientKeyPrefix,
    int ipv6ClientKeyPrefix,
    long seed,
    int multivalueMaximum,
    RegionCoordinates regionCoordinates,
    BiasFormula bias) {

  private static final EvaluatorSettings DEFAULTS = new Builder().build();

  public EvaluatorSettings {
    checkNotNull(allUnhealthy, "allUnhealthy");
    checkNotNull(unknownHealth, "unknownHealth");
    checkArgument(unknownHealth != HealthStatus.UNKNOWN, "unknownHealth must be HEALTHY or UNHEALTHY but was %s",
        unknownHealth);
    checkNotNull(unknownLatencyLocation, "unknownLatencyLocation");
    checkNotNull(unknownGeoproximityLocation, "unknownGeoproximityLocation");
    checkArgument(ipv4ClientKeyPrefix >= 0 && ipv4ClientKeyPrefix <= 32,
        "ipv4ClientKeyPrefix must be in [0, 32] but was %s", ipv4ClientKeyPrefix);
    checkArgument(ipv6ClientKeyPrefix >= 0 && ipv6ClientKeyPrefix <= 128,
        "ipv6ClientKeyPrefix must be in [0, 128] but was %s", ipv6ClientKeyPrefix);
    checkArgument(multivalueMaximum >= 1 && multivalueMaximum <= 64,
        "multivalueMaximum must be in [1, 64] but was %s", multivalueMaximum);
    checkNotNull(regionCoordinates, "regionCoordinates");
    checkNotNull(bias, "bias");
  }

  /** The defaults (see the table above). */
  public static EvaluatorSettings defaults() {
    return DEFAULTS;
  }

  /** A builder starting at the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting at these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** What a group (rule) answers when none of its entries is healthy. */
  public enum AllUnhealthy {
    /**
     * Route 53's documented behaviour: treat every entry as healthy and choose by the routing policy alone (the
     * group still counts as unhealthy for a parent's {@code EvaluateTargetHealth}).
     */
    FAIL_OPEN,
    /** Answer nothing from the group: the parent moves on to its next entry, and at the top the answer is no data. */
    FAIL_CLOSED
  }

  /** How entries are ranked when the client's position (or latency) relative to them is unknown. */
  public enum UnknownLocation {
    /**
     * Entries with unknown distance or latency rank after every entry whose distance or latency is known, in
     * document order. With nothing known, the first entry of the rule is preferred, then the next (health).
     */
    DOCUMENT_ORDER,
    /** Entries with unknown distance or latency are not candidates; with none left the rule has no data. */
    NO_DATA
  }

  /** How a geoproximity {@code Bias} {@code b} (−99…99) turns a distance {@code d} into the compared distance. */
  public enum BiasFormula {
    /**
     * The formula of the Route 53 developer guide: {@code b > 0: d × (1 − b/100)} (the entry looks closer),
     * {@code b < 0: d ÷ (1 + b/100)} (the entry looks farther), {@code b = 0: d}.
     */
    ROUTE53,
    /** {@code d × (1 − b/100)} for every {@code b}: a negative bias grows the distance linearly. */
    LINEAR
  }

  /** Builds {@link EvaluatorSettings}; every setting starts at its default. */
  public static final class Builder {
    private boolean evaluateTargetHealthDefault = true;
    private AllUnhealthy allUnhealthy = AllUnhealthy.FAIL_OPEN;
    private HealthStatus unknownHealth = HealthStatus.HEALTHY;
    private UnknownLocation unknownLatencyLocation = UnknownLocation.DOCUMENT_ORDER;
    private UnknownLocation unknownGeoproximityLocation = UnknownLocation.DOCUMENT_ORDER;
    private int ipv4ClientKeyPrefix = 24;
    private int ipv6ClientKeyPrefix = 56;
    private long seed;
    private int multivalueMaximum = 8;
    private RegionCoordinates regionCoordinates = RegionCoordinates.builtIn();
    private BiasFormula bias = BiasFormula.ROUTE53;

    private Builder() {}

    private Builder(EvaluatorSettings s) {
      evaluateTargetHealthDefault = s.evaluateTargetHealthDefault;
      allUnhealthy = s.allUnhealthy;
      unknownHealth = s.unknownHealth;
      unknownLatencyLocation = s.unknownLatencyLocation;
      unknownGeoproximityLocation = s.unknownGeoproximityLocation;
      ipv4ClientKeyPrefix = s.ipv4ClientKeyPrefix;
      ipv6ClientKeyPrefix = s.ipv6ClientKeyPrefix;
      seed = s.seed;
      multivalueMaximum = s.multivalueMaximum;
      regionCoordinates = s.regionCoordinates;
      bias = s.bias;
    }

    /** {@code EvaluateTargetHealth} of entries that omit it. Default {@code true}. */
    public Builder evaluateTargetHealthDefault(boolean value) {
      this.evaluateTargetHealthDefault = value;
      return this;
    }

    /** What a group with no healthy entry answers. Default {@link AllUnhealthy#FAIL_OPEN}. */
    public Builder allUnhealthy(AllUnhealthy value) {
      this.allUnhealthy = checkNotNull(value, "allUnhealthy");
      return this;
    }

    /** How an {@link HealthStatus#UNKNOWN} status counts. Default {@link HealthStatus#HEALTHY}. */
    public Builder unknownHealth(HealthStatus value) {
      this.unknownHealth = checkNotNull(value, "unknownHealth");
      return this;
    }

    /** Latency entries without latency data. Default {@link UnknownLocation#DOCUMENT_ORDER}. */
    public Builder unknownLatencyLocation(UnknownLocation value) {
      this.unknownLatencyLocation = checkNotNull(value, "unknownLatencyLocation");
      return this;
    }

    /** Geoproximity entries with unknown distance. Default {@link UnknownLocation#DOCUMENT_ORDER}. */
    public Builder unknownGeoproximityLocation(UnknownLocation value) {
      this.unknownGeoproximityLocation = checkNotNull(value, "unknownGeoproximityLocation");
      return this;
    }

    /** Client key prefix lengths for IPv4 (default 24) and IPv6 (default 56). */
    public Builder clientKeyPrefixes(int ipv4, int ipv6) {
      this.ipv4ClientKeyPrefix = ipv4;
      this.ipv6ClientKeyPrefix = ipv6;
      return this;
    }

    /** The hash seed. Default 0. */
    public Builder seed(long value) {
      this.seed = value;
      return this;
    }

    /** The most values of a multivalue answer. Default 8. */
    public Builder multivalueMaximum(int value) {
      this.multivalueMaximum = value;
      return this;
    }

    /** Region and Local Zone coordinates. Default {@link RegionCoordinates#builtIn()}. */
    public Builder regionCoordinates(RegionCoordinates value) {
      this.regionCoordinates = checkNotNull(value, "regionCoordinates");
      return this;
    }

    /** The geoproximity bias formula. Default {@link BiasFormula#ROUTE53}. */
    public Builder bias(BiasFormula value) {
      this.bias = checkNotNull(value, "bias");
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming the first invalid setting. */
    public EvaluatorSettings build() {
      return new EvaluatorSettings(evaluateTargetHealthDefault, allUnhealthy, unknownHealth, unknownLatencyLocation,
          unknownGeoproximityLocation, ipv4ClientKeyPrefix, ipv6ClientKeyPrefix, seed, multivalueMaximum,
          regionCoordinates, bias);
    }
  }
}
