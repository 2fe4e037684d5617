package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.internal.AddressLatencyTable;
import io.github.trafficpolicy.engine.internal.AddressLocator;
import io.github.trafficpolicy.engine.internal.Addresses;
import io.github.trafficpolicy.engine.internal.MeasuredThenEstimated;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The mutable state of one evaluation: the query, its lazily resolved inputs (location, latency, client key), the
 * health view, the ECS scope so far, per-depth scratch arrays and per-rule memo tables. One instance per thread
 * and compiled policy is reused across evaluations, so evaluating allocates nothing but the answer (and the trace,
 * when asked for).
 */
final class Evaluation {
  /** Kilometres per millisecond of the built-in latency estimate (round trip over fibre with typical detours). */
  static final double ESTIMATE_KM_PER_MS = 100.0;
  /** Fixed overhead of the built-in latency estimate, in milliseconds. */
  static final double ESTIMATE_BASE_MS = 5.0;
  static final double EARTH_RADIUS_KM = 6371.0088;

  private final CompiledPolicyImpl policy;
  /** Per depth of the rule tree: the scratch of the rule being evaluated there. */
  final Level[] levels;
  final int[] hasHealthyStamp;
  final boolean[] hasHealthyValue;
  final int[] hasDataStamp;
  final boolean[] hasDataValue;
  final int[] selection;
  /** Per rule: the location epoch its cached order belongs to (0: none); see {@link #order}. */
  private final int[] orderEpoch;
  private final double[][] orderKeys;
  private final int[][] orderTiers;
  private final boolean[][] orderPending;
  private final double[][] orderInput;
  private final int[] orderCount;
  /** Per rule: the first pick of its cached order ({@link #firstPick}), or {@link #NO_PICK_YET}. */
  private final int[] orderFirst;
  private static final int NO_PICK_YET = -2;
  /** Whether the last {@link #order} call's order is the cached one of its rule. */
  private boolean orderKeyed;
  /** Changes with the location instance; 0 before the first. */
  private int locationEpoch;
  int selectionCount;
  int selectionRule;
  private int stamp;
  boolean busy;

  /** The query, or null in an evaluation of a client given by its address ({@link #begin(byte[], int, HealthView)}). */
  @Nullable Query query;
  /** Between evaluations: no health and no alias targets, so that the scratch keeps no query's data alive. */
  private static final HealthView NO_HEALTH =
      new HealthView(HealthSnapshot.empty(), new HealthCheckId[0], new EndpointId[0], HealthStatus.UNKNOWN);
  private static final AliasResolver.Target[] NO_TARGETS = new AliasResolver.Target[0];

  /** The health the evaluation reads; set by {@code begin} (between evaluations {@link #NO_HEALTH}). */
  HealthView health = NO_HEALTH;
  /** The client's address (one of {@link #v4} and {@link #v6}), masked to {@link #clientPrefix}. */
  byte[] clientAddress;
  int clientPrefix;
  private final byte[] v4 = new byte[4];
  private final byte[] v6 = new byte[16];
  private final int[] lookupPrefix = new int[1];
  private @Nullable InetAddress lastAddress;
  private byte @Nullable [] lastAddressBytes;
  /** The location and latency the query gives (null when it gives none). */
  private @Nullable ClientLocation givenLocation;
  private @Nullable ClientLatency givenLatency;
  /** The alias targets of the record being answered (set by the compiled policy for each evaluation). */
  AliasResolver.Target[] aliasTargets = NO_TARGETS;
  /** Forced weighted choices and whole multivalue pools ({@link AnswerDistribution}); null in ordinary evaluation. */
  @Nullable Choices choices;
  int scope;
  @Nullable List<TraceStep> trace;

  private boolean locationResolved;
  private @Nullable ClientLocation location;
  private String continent = "";
  private @Nullable String country;
  private @Nullable String subdivision;
  private int geoPrefix;
  private boolean clientCoordinates;
  /** Whether {@link #clientX}, {@link #clientY} and {@link #clientZ} are this location's (made on first use). */
  private boolean clientVector;
  private double clientX;
  private double clientY;
  private double clientZ;

  private boolean latencyResolved;
  private @Nullable ClientLatency latency;
  /** With a {@link MeasuredThenEstimated} table: the regions estimated where {@link #latency} has no figure. */
  private @Nullable ImmutableMap<String, Coordinates> estimateRegions;
  private int latencyPrefix;

  private boolean clientKeyResolved;
  private long clientKey;

  Evaluation(CompiledPolicyImpl policy) {
    this.policy = policy;
    this.clientAddress = v4;
    int depth = policy.maxDepth + 1;
    int width = Math.max(2, policy.maxEntries);
    this.levels = new Level[depth];
    for (int d = 0; d < depth; d++) {
      levels[d] = new Level(width);
    }
    int rules = policy.rules.length;
    this.hasHealthyStamp = new int[rules];
    this.hasHealthyValue = new boolean[rules];
    this.hasDataStamp = new int[rules];
    this.hasDataValue = new boolean[rules];
    this.selection = new int[width];
    this.orderEpoch = new int[rules];
    this.orderKeys = new double[rules][];
    this.orderTiers = new int[rules][];
    this.orderPending = new boolean[rules][];
    this.orderInput = new double[rules][];
    this.orderCount = new int[rules];
    this.orderFirst = new int[rules];
  }

  /**
   * The scratch of the rule evaluated at one depth: its entries' order ({@link CompiledRule#order}: a tier and a key
   * per entry, candidates first by tier, then key, then index), and for rules with {@link CompiledRule#lazyKeys}
   * which keys are still lower bounds ({@code pending}) and what the rule recorded to compute them ({@code input}).
   * Sized for the widest rule; an entry {@code i} of the rule uses slot {@code i} of each array.
   */
  static final class Level {
    final double[] keys;
    final int[] tiers;
    final boolean[] pending;
    final double[] input;

    Level(int width) {
      keys = new double[width];
      tiers = new int[width];
      pending = new boolean[width];
      input = new double[width];
    }
  }

  /**
   * Rule {@code r}'s order ({@link CompiledRule#order}) into the level's arrays, reused from an earlier evaluation on
   * this scratch when it depends on the client location alone ({@link CompiledRule#orderByLocation}) and the
   * location instance is the same (locations are immutable, so the reused order is bit for bit the one
   * {@code order} would write); the ECS scope is widened as {@code order} would. Returns the number of candidates.
   */
  int order(CompiledRule rule, int r, Level level) {
    double[] keys = level.keys;
    int[] tiers = level.tiers;
    boolean[] pending = rule.lazyKeys() ? level.pending : null;
    double[] input = level.input;
    orderKeyed = false;
    if (!policy.memo || !rule.orderByLocation(this)) {
      return pending != null ? rule.order(this, keys, tiers, pending, input) : rule.order(this, keys, tiers);
    }
    location();
    int n = rule.n;
    if (orderEpoch[r] == locationEpoch) {
      rule.useOrderScope(this);
      System.arraycopy(orderKeys[r], 0, keys, 0, n);
      System.arraycopy(orderTiers[r], 0, tiers, 0, n);
      if (pending != null) {
        System.arraycopy(orderPending[r], 0, pending, 0, n);
        System.arraycopy(orderInput[r], 0, input, 0, n);
      }
      orderKeyed = true;
      return orderCount[r];
    }
    int count = pending != null ? rule.order(this, keys, tiers, pending, input) : rule.order(this, keys, tiers);
    if (orderKeys[r] == null) {
      orderKeys[r] = new double[n];
      orderTiers[r] = new int[n];
      if (pending != null) {
        orderPending[r] = new boolean[n];
        orderInput[r] = new double[n];
      }
    }
    System.arraycopy(keys, 0, orderKeys[r], 0, n);
    System.arraycopy(tiers, 0, orderTiers[r], 0, n);
    if (pending != null) {
      System.arraycopy(pending, 0, orderPending[r], 0, n);
      System.arraycopy(input, 0, orderInput[r], 0, n);
    }
    orderCount[r] = count;
    orderFirst[r] = NO_PICK_YET;
    orderEpoch[r] = locationEpoch;
    orderKeyed = true;
    return count;
  }

  /**
   * The first pick ({@link CompiledRule#nextExact} from the start) of the order {@link #order} just wrote for rule
   * {@code r}. When that order is the cached one and nothing is traced, the pick is a function of it and is kept
   * with it, together with the keys {@code nextExact} resolved while finding it: the cached order is the state right
   * after the first pick, so a later evaluation that reuses the pick and moves on from it sees exactly the keys and
   * pending marks a fresh pick would have left. (Keeping the pick without those keys is wrong: an entry whose exact
   * key was needed to find the pick would still carry its lower bound, which may be below the pick's exact key, and
   * moving on from the pick would skip that entry.) Resolving a key does not change the pick sequence (exact keys are
   * bit-identical to the eager ones), so traced evaluations, which always pick afresh, may start from that state.
   */
  int firstPick(CompiledRule rule, int r, Level level) {
    if (!orderKeyed || tracing()) {
      return rule.nextExact(this, level, Integer.MIN_VALUE, -1);
    }
    int first = orderFirst[r];
    if (first == NO_PICK_YET) {
      first = rule.nextExact(this, level, Integer.MIN_VALUE, -1);
      if (rule.lazyKeys()) {
        System.arraycopy(level.keys, 0, orderKeys[r], 0, rule.n);
        System.arraycopy(level.pending, 0, orderPending[r], 0, rule.n);
      }
      orderFirst[r] = first;
    }
    return first;
  }

  @SuppressWarnings("ReferenceEquality") // the same address object: its bytes are the ones kept
  void begin(Query q, HealthView h) {
    ClientSubnet c = q.client();
    // InetAddress.getAddress() copies: the bytes of the last client are kept while its address object repeats.
    byte[] bytes = lastAddressBytes;
    if (c.address() != lastAddress || bytes == null) {
      bytes = c.address().getAddress();
      lastAddressBytes = bytes;
      lastAddress = c.address();
    }
    begin(bytes, c.prefixLength(), h);
    query = q;
    givenLocation = q.location().orElse(null);
    givenLatency = q.latency().orElse(null);
    trace = q.trace() ? new ArrayList<>() : null;
  }

  /** Begins an evaluation for the client {@code address/prefix} (4 or 16 bytes, copied and masked). */
  void begin(byte[] address, int prefix, HealthView h) {
    byte[] a = address.length == 4 ? v4 : v6;
    for (int i = 0; i < a.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      a[i] = (byte) (address[i] & (0xff00 >>> keep));
    }
    clientAddress = a;
    clientPrefix = prefix;
    query = null;
    givenLocation = null;
    givenLatency = null;
    trace = null;
    health = h;
    scope = 0;
    stamp++;
    if (stamp == 0) {
      java.util.Arrays.fill(hasHealthyStamp, 0);
      java.util.Arrays.fill(hasDataStamp, 0);
      stamp = 1;
    }
    locationResolved = false;
    latencyResolved = false;
    estimateRegions = null;
    clientKeyResolved = false;
    selectionCount = 0;
  }

  /**
   * The client's address as an {@link InetAddress}: the query's, or one made from the bytes (16 bytes stay IPv6,
   * also when IPv4-mapped).
   */
  private InetAddress clientInetAddress() {
    if (query != null) {
      return query.client().address();
    }
    return Addresses.inetAddress(clientAddress);
  }

  void end() {
    query = null;
    health = NO_HEALTH;
    aliasTargets = NO_TARGETS;
    givenLocation = null;
    givenLatency = null;
    choices = null;
    trace = null;
    latency = null;
  }

  int stamp() {
    return stamp;
  }

  boolean tracing() {
    return trace != null;
  }

  void step(int depth, TraceStep.Kind kind, String subject, String detail) {
    trace().add(new TraceStep(depth, kind, subject, detail));
  }

  void ruleStep(String rule, int depth, TraceStep.Kind kind, String subject, String detail) {
    trace().add(new TraceStep(depth, kind, subject, detail, rule, -1));
  }

  void step(int depth, TraceStep.Kind kind, String subject, String detail, String rule, int entry) {
    trace().add(new TraceStep(depth, kind, subject, detail, rule, entry));
  }

  /** The trace being written (only while {@link #tracing}). */
  List<TraceStep> trace() {
    return checkNotNull(trace, "not tracing");
  }

  // ----- location ---------------------------------------------------------------------------------------------

  @SuppressWarnings("ReferenceEquality") // the same location instance derives the same values (see derive)
  ClientLocation location() {
    if (!locationResolved) {
      ClientLocation loc;
      if (givenLocation != null) {
        loc = givenLocation;
        geoPrefix = clientPrefix;
      } else if (policy.geoLocator instanceof AddressLocator raw) {
        loc = raw.locate(clientAddress, lookupPrefix);
        geoPrefix = lookupPrefix[0];
      } else {
        GeoLookup lookup = policy.geoLocator.locate(clientInetAddress());
        loc = lookup.location();
        geoPrefix = lookup.prefixLength();
      }
      if (loc != location) {
        derive(loc);
      }
      locationResolved = true;
    }
    return checkNotNull(location, "resolved");
  }

  /**
   * What evaluation needs from a location: its Route 53 continent, country and subdivision codes and unit vector.
   * Kept until a different location instance comes (locations are immutable, so the same instance — a query's
   * given location reused, a geo locator's cached answer — derives the same values).
   */
  private void derive(ClientLocation loc) {
    location = loc;
    locationEpoch++;
    if (locationEpoch == 0) {
      java.util.Arrays.fill(orderEpoch, 0);
      locationEpoch = 1;
    }
    continent = Route53Continents.continentOf(loc);
    country = loc.country().orElse(null);
    subdivision = loc.subdivision().orElse(null);
    clientCoordinates = loc.coordinates().isPresent();
    clientVector = false; // only distances need it: a geolocation policy never pays for its trigonometry
  }

  /** Makes the client's unit vector; only called for a location with coordinates. */
  private void clientVector() {
    Coordinates c = checkNotNull(location, "resolved").coordinates().orElseThrow();
    double lat = Math.toRadians(c.latitude());
    double lon = Math.toRadians(c.longitude());
    clientX = Math.cos(lat) * Math.cos(lon);
    clientY = Math.cos(lat) * Math.sin(lon);
    clientZ = Math.sin(lat);
    clientVector = true;
  }

  /** The client's country code, null when unknown. */
  @Nullable String country() {
    location();
    return country;
  }

  /** The client's subdivision code, null when unknown. */
  @Nullable String subdivision() {
    location();
    return subdivision;
  }

  /** The continent geolocation rules match, empty when unknown: Route 53's for the client's country, else the found one. */
  String continent() {
    location();
    return continent;
  }

  void useGeoScope() {
    location();
    if (geoPrefix > scope) {
      scope = geoPrefix;
    }
  }

  boolean clientCoordinatesKnown() {
    location();
    return clientCoordinates;
  }

  /**
   * The haversine {@code h = sin²(θ/2)} between the client and a point given as a unit vector: a quarter of the
   * squared chord, monotonic in the distance, computed without trigonometry (but for the client's own vector, made
   * once per location). Only for a client whose coordinates are known ({@link #clientCoordinatesKnown}).
   */
  double haversine(double x, double y, double z) {
    if (!clientVector) {
      clientVector();
    }
    double dx = x - clientX;
    double dy = y - clientY;
    double dz = z - clientZ;
    return (dx * dx + dy * dy + dz * dz) / 4;
  }

  /** Kilometres for a haversine {@code h}, as {@link Coordinates#distanceKm}. */
  static double kilometres(double h) {
    return arcKilometres(Math.min(1, Math.sqrt(h)));
  }

  /** Kilometres for half a chord {@code s = min(1, √h)} of the unit sphere. */
  static double arcKilometres(double s) {
    return 2 * EARTH_RADIUS_KM * Math.asin(s);
  }

  /** The built-in latency estimate for a distance. */
  static double estimateMillis(double km) {
    return ESTIMATE_BASE_MS + km / ESTIMATE_KM_PER_MS;
  }

  // ----- latency ----------------------------------------------------------------------------------------------

  private void resolveLatency() {
    if (latencyResolved) {
      return;
    }
    if (givenLatency != null) {
      latency = givenLatency;
      latencyPrefix = latency.prefixLength();
    } else if (policy.latencyTable instanceof MeasuredThenEstimated chain) {
      // The usual chain (measurements, then the estimate), asked part by part: nothing is allocated.
      latency = chain.measured(clientAddress, location());
      estimateRegions = chain.estimateRegions();
      latencyPrefix = Math.max(latency.prefixLength(), geoPrefix);
    } else if (policy.latencyTable != null) {
      // The table sees the location too, so its answer may depend on the geo lookup's network as well.
      latency = policy.latencyTable instanceof AddressLatencyTable raw
          ? raw.forClient(clientAddress, location())
          : policy.latencyTable.forClient(clientInetAddress(), location());
      latencyPrefix = Math.max(latency.prefixLength(), geoPrefix);
    } else {
      latency = null;
      location();
      latencyPrefix = geoPrefix;
    }
    latencyResolved = true;
  }

  void useLatencyScope() {
    resolveLatency();
    if (latencyPrefix > scope) {
      scope = latencyPrefix;
    }
  }

  /** Whether latency comes from the built-in estimate (no query data, no table). */
  boolean estimatingLatency() {
    resolveLatency();
    return latency == null;
  }

  /**
   * The rank key of entry {@code i}: milliseconds from the client to its region, or with the built-in estimate the
   * haversine of the distance (same order, cheaper); NaN when unknown.
   */
  double latencyKey(CompiledRule.Latency rule, int i) {
    resolveLatency();
    if (latency != null) {
      double millis = CompiledRule.millisOrNaN(latency.millis(rule.region[i]));
      return Double.isNaN(millis) && estimateRegions != null ? estimatedMillis(rule.region[i]) : millis;
    }
    if (Double.isNaN(rule.x[i]) || !clientCoordinatesKnown()) {
      return Double.NaN;
    }
    return haversine(rule.x[i], rule.y[i], rule.z[i]);
  }

  /**
   * The estimate to {@code region} (a plain code: documents give no other) as {@code EstimatedLatencyTable} makes it
   * (the same operations, so the same number): NaN when the client's or the region's coordinates are unknown.
   */
  private double estimatedMillis(String region) {
    Coordinates at = checkNotNull(estimateRegions, "estimating").get(region);
    Coordinates client = location().coordinates().orElse(null);
    return at == null || client == null ? Double.NaN : estimateMillis(client.distanceKm(at));
  }

  /** Milliseconds for a key returned by {@link #latencyKey}. */
  double latencyMillis(double key) {
    return estimatingLatency() ? estimateMillis(kilometres(key)) : key;
  }

  String latencySource() {
    resolveLatency();
    if (givenLatency != null) {
      return "query latency data";
    }
    return latency != null ? "latency table" : "great-circle estimate";
  }

  // ----- client key -------------------------------------------------------------------------------------------

  long clientKey() {
    if (!clientKeyResolved) {
      clientKey = RendezvousHash.clientKey(clientAddress, clientPrefix, policy.settings.ipv4ClientKeyPrefix(),
          policy.settings.ipv6ClientKeyPrefix());
      clientKeyResolved = true;
    }
    return clientKey;
  }

  void useClientKeyScope() {
    int p = clientAddress.length == 4 ? policy.settings.ipv4ClientKeyPrefix() : policy.settings.ipv6ClientKeyPrefix();
    if (p > scope) {
      scope = p;
    }
  }

  String clientKeyText() {
    ClientSubnet c = new ClientSubnet(clientInetAddress(), clientPrefix);
    return c.truncate(c.isIpv4() ? policy.settings.ipv4ClientKeyPrefix() : policy.settings.ipv6ClientKeyPrefix())
        .toString();
  }

  String locationText() {
    return CompiledRule.Geo.describe(location()) + (givenLocation != null ? " (given by the query)"
        : " (located, /" + geoPrefix + ")");
  }
}
