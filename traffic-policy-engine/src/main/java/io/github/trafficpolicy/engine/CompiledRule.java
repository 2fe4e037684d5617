package io.github.trafficpolicy.engine;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RuleType;
import io.github.trafficpolicy.engine.EvaluatorSettings.BiasFormula;
import io.github.trafficpolicy.engine.EvaluatorSettings.UnknownLocation;
import java.util.Locale;
import java.util.OptionalDouble;
import org.jspecify.annotations.Nullable;

/**
 * One rule in compiled form: flat arrays over its entries. A target is encoded as an int: {@code t >= 0} is a rule
 * index, {@code t < 0} is the endpoint with index {@code ~t}.
 *
 * <p>{@link #order} ranks the entries for one evaluation: it writes a tier per entry ({@code -1}: not a candidate)
 * and a key; candidates are tried by ascending (tier, key, index). That order is the F1 order (pick, check,
 * re-pick) and, ignoring health, the F2 (fail-open) order.
 *
 * <p>Rules whose keys are costly ({@link #lazyKeys}: geoproximity distances need an arcsine, weighted scores a
 * logarithm) may leave an entry's key <em>pending</em>: {@code order} then writes a cheap lower bound of the exact key
 * and marks the entry in {@code pending}; {@link #exactKey} computes the exact key, bit for bit the value an eager
 * {@code order} would have written. Whoever picks the next entry replaces a pending pick's bound by its exact key and
 * picks again, so the order is exactly the eager one (a bound never exceeds its exact key, so an entry whose exact
 * key is the minimum is never passed over).
 */
abstract class CompiledRule {
  final String id;
  final RuleType type;
  final int n;
  /** The child of each entry: a reference ({@link Refs}). */
  final int[] child;
  /** Health check index per entry, -1 for none. */
  final int[] check;
  /** Effective EvaluateTargetHealth per entry (omitted → the settings' default). */
  final boolean[] eth;
  /** Whether EvaluateTargetHealth was written (for the trace). */
  final boolean[] ethExplicit;
  /** Human label per entry, e.g. {@code Primary}, {@code US/WA}, {@code us-east-1}. */
  final String[] label;

  /** Whether {@link #order} may leave keys pending (see the class comment). */
  private final boolean lazy;
  /** Whether every entry is a candidate whatever the client ({@link #isCandidate} always true). */
  final boolean alwaysCandidate;

  CompiledRule(String id, RuleType type, int n, boolean lazy, boolean alwaysCandidate) {
    this.id = id;
    this.type = type;
    this.n = n;
    this.lazy = lazy;
    this.alwaysCandidate = alwaysCandidate;
    this.child = new int[n];
    this.check = new int[n];
    this.eth = new boolean[n];
    this.ethExplicit = new boolean[n];
    this.label = new String[n];
  }

  /** Whether {@link #order} may leave keys pending (see the class comment). */
  final boolean lazyKeys() {
    return lazy;
  }

  /** Fills {@code tiers} and {@code keys} for entries 0…n-1; returns the number of candidates. */
  int order(Evaluation ev, double[] keys, int[] tiers, boolean[] pending, double[] input) {
    return order(ev, keys, tiers);
  }

  /** Fills {@code tiers} and {@code keys} for entries 0…n-1 with exact keys; returns the number of candidates. */
  abstract int order(Evaluation ev, double[] keys, int[] tiers);

  /**
   * The exact key of a candidate entry left pending by {@link #order(Evaluation, double[], int[], boolean[],
   * double[])}, from the {@code input} it recorded for the entry.
   */
  double exactKey(Evaluation ev, int i, double input) {
    throw new AssertionError(type + " keys are never pending");
  }

  /** An upper bound of the exact key of a pending entry ({@code +∞} when there is no useful one). */
  double upperKey(Evaluation ev, int i, double input) {
    return Double.POSITIVE_INFINITY;
  }

  /**
   * The next candidate after the previous pick {@code pi} (tier {@code pt}; -1 for the first pick) in (tier, key,
   * index) order, or -1, resolving pending keys: the previous pick's key is made exact first (it is the cursor); a
   * pending pick is kept without computing its key when its upper bound is below every other remaining key of its
   * tier (it is then the minimum whatever its exact key), else it gets its exact key and the choice is made again.
   * When tracing, picks always get exact keys (the trace shows them). Pending marks are read only for rules with
   * {@link #lazyKeys}.
   */
  final int nextExact(Evaluation ev, Evaluation.Level level, int pt, int pi) {
    double[] keys = level.keys;
    int[] tiers = level.tiers;
    boolean[] pending = lazy ? level.pending : null;
    double[] input = level.input;
    double pk = Double.NEGATIVE_INFINITY;
    if (pi >= 0) {
      if (pending != null && pending[pi]) {
        keys[pi] = exactKey(ev, pi, input[pi]);
        pending[pi] = false;
      }
      pk = keys[pi];
    }
    while (true) {
      int i = next(keys, tiers, pt, pk, pi);
      if (i < 0 || pending == null || !pending[i]) {
        return i;
      }
      if (!ev.tracing() && certainlyFirst(ev, keys, tiers, input, pt, pk, pi, i)) {
        return i;
      }
      keys[i] = exactKey(ev, i, input[i]);
      pending[i] = false;
    }
  }

  /** Whether pending entry {@code i}'s upper bound is below the key of every other candidate after the cursor. */
  private boolean certainlyFirst(Evaluation ev, double[] keys, int[] tiers, double[] input, int pt, double pk, int pi,
      int i) {
    int ti = tiers[i];
    double second = Double.POSITIVE_INFINITY;
    for (int j = 0; j < n; j++) {
      int t = tiers[j];
      if (j == i || t != ti) {
        continue;
      }
      double k = keys[j];
      if (t == pt && (k < pk || (k == pk && j <= pi))) {
        continue;
      }
      second = Math.min(second, k);
    }
    return upperKey(ev, i, input[i]) < second;
  }

  /**
   * Whether {@link #order}'s result (tiers, keys, pending marks and inputs, count) is a function of the client
   * location instance alone for this evaluation, so it may be reused while the location instance stays the same
   * (see {@link Evaluation#order}). The scope {@code order} would widen is widened by {@link #useOrderScope}.
   */
  boolean orderByLocation(Evaluation ev) {
    return false;
  }

  /** Widens the ECS scope exactly as {@link #order} does (for a reused order). */
  void useOrderScope(Evaluation ev) {
    throw new AssertionError(type + " orders are not reused");
  }

  /** Whether entry {@code i} is a candidate for this client, without computing its rank. */
  abstract boolean isCandidate(Evaluation ev, int i);

  /** Why entry {@code i} was chosen, for the trace (its rank data in words). */
  abstract String why(Evaluation ev, int i, double key, int tier, boolean failOpen);

  /** Index of the next candidate after (pt, pk, pi) in (tier, key, index) order, or -1. */
  final int next(double[] keys, int[] tiers, int pt, double pk, int pi) {
    int best = -1;
    int bt = 0;
    double bk = 0;
    for (int i = 0; i < n; i++) {
      int t = tiers[i];
      if (t < 0) {
        continue;
      }
      double k = keys[i];
      if (t < pt || (t == pt && (k < pk || (k == pk && i <= pi)))) {
        continue;
      }
      if (best < 0 || t < bt || (t == bt && k < bk)) {
        best = i;
        bt = t;
        bk = k;
      }
    }
    return best;
  }

  /** Points on the unit sphere for (latitude, longitude) in radians; NaN in, NaN out. */
  static void unitVectors(double[] latRad, double[] lonRad, double[] x, double[] y, double[] z) {
    for (int i = 0; i < latRad.length; i++) {
      double cosLat = Math.cos(latRad[i]);
      x[i] = cosLat * Math.cos(lonRad[i]);
      y[i] = cosLat * Math.sin(lonRad[i]);
      z[i] = Math.sin(latRad[i]);
    }
  }

  /** Shrinks a lower bound to stay below its exact key whatever the rounding of the exact computation. */
  static final double BOUND_MARGIN = 1 - 1e-9;
  /** Grows an upper bound to stay above its exact key whatever the rounding of the exact computation. */
  static final double UPPER_MARGIN = 1 + 1e-9;

  static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  // ------------------------------------------------------------------------------------------------------------

  /** {@code failover}: Primary, then Secondary. */
  static final class Failover extends CompiledRule {
    Failover(String id) {
      super(id, RuleType.FAILOVER, 2, false, true);
    }

    @Override
    int order(Evaluation ev, double[] keys, int[] tiers) {
      tiers[0] = 0;
      tiers[1] = 1;
      keys[0] = 0;
      keys[1] = 0;
      return 2;
    }

    @Override
    boolean isCandidate(Evaluation ev, int i) {
      return true;
    }

    @Override
    String why(Evaluation ev, int i, double key, int tier, boolean failOpen) {
      if (failOpen) {
        return "both unhealthy: the primary";
      }
      return i == 0 ? "primary healthy" : "primary unhealthy, secondary healthy";
    }
  }

  /** {@code geo}: the chain subdivision → country → continent → default that contains the client. */
  static final class Geo extends CompiledRule {
    static final int SUBDIVISION = 0;
    static final int COUNTRY = 1;
    static final int CONTINENT = 2;
    static final int DEFAULT = 3;
    private static final String[] AREA = {"subdivision", "country", "continent", "default"};

    final int[] kind;
    final String[] continent;
    final String[] country;
    final String[] subdivision;
    final boolean locationDependent;

    Geo(String id, int n, int[] kind, String[] continent, String[] country, String[] subdivision) {
      super(id, RuleType.GEO, n, false, false);
      this.kind = kind;
      this.continent = continent;
      this.country = country;
      this.subdivision = subdivision;
      boolean dependent = false;
      for (int k : kind) {
        dependent |= k != DEFAULT;
      }
      this.locationDependent = dependent;
    }

    private boolean matches(String clientContinent, @Nullable String clientCountry,
                            @Nullable String clientSubdivision, int i) {
      switch (kind[i]) {
        case SUBDIVISION:
          return clientCountry != null && sameCode(clientCountry, country[i]) && clientSubdivision != null
              && sameCode(clientSubdivision, subdivision[i]);
        case COUNTRY:
          return clientCountry != null && sameCode(clientCountry, country[i]);
        case CONTINENT:
          return sameCode(clientContinent, continent[i]);
        default:
          return true;
      }
    }

    /**
     * {@link String#equalsIgnoreCase}, answering ASCII character pairs directly (codes are ASCII; anything else
     * goes to {@code equalsIgnoreCase}).
     */
    static boolean sameCode(String a, String b) {
      int length = a.length();
      if (length != b.length()) {
        return false;
      }
      for (int k = 0; k < length; k++) {
        char p = a.charAt(k);
        char q = b.charAt(k);
        if (p == q) {
          continue;
        }
        if (p >= 128 || q >= 128) {
          return a.equalsIgnoreCase(b);
        }
        if (p >= 'a' && p <= 'z') {
          p = (char) (p - ('a' - 'A'));
        }
        if (q >= 'a' && q <= 'z') {
          q = (char) (q - ('a' - 'A'));
        }
        if (p != q) {
          return false;
        }
      }
      return true;
    }

    @Override
    boolean orderByLocation(Evaluation ev) {
      return locationDependent;
    }

    @Override
    void useOrderScope(Evaluation ev) {
      ev.useGeoScope();
    }

    @Override
    int order(Evaluation ev, double[] keys, int[] tiers) {
      String clientContinent = "";
      String clientCountry = null;
      String clientSubdivision = null;
      if (locationDependent) {
        ev.useGeoScope();
        clientContinent = ev.continent();
        clientCountry = ev.country();
        clientSubdivision = ev.subdivision();
      }
      int count = 0;
      for (int i = 0; i < n; i++) {
        boolean m = matches(clientContinent, clientCountry, clientSubdivision, i);
        tiers[i] = m ? kind[i] : -1;
        keys[i] = 0;
        if (m) {
          count++;
        }
      }
      return count;
    }

    @Override
    boolean isCandidate(Evaluation ev, int i) {
      if (kind[i] == DEFAULT) {
        return true;
      }
      ev.useGeoScope();
      return matches(ev.continent(), ev.country(), ev.subdivision(), i);
    }

    @Override
    String why(Evaluation ev, int i, double key, int tier, boolean failOpen) {
      if (failOpen) {
        return "no applicable location is healthy: the smallest area that contains the client (" + AREA[kind[i]]
            + ")";
      }
      return tier == firstTier(ev) ? "most specific location that contains the client (" + AREA[kind[i]] + ")"
          : "next larger area that contains the client (" + AREA[kind[i]] + ")";
    }

    private int firstTier(Evaluation ev) {
      int best = Integer.MAX_VALUE;
      for (int i = 0; i < n; i++) {
        if (isCandidate(ev, i)) {
          best = Math.min(best, kind[i]);
        }
      }
      return best;
    }

    static String describe(ClientLocation loc) {
      if (!loc.isKnown()) {
        return "unknown location";
      }
      StringBuilder sb = new StringBuilder();
      sb.append(loc.continent().orElse("?")).append('/').append(loc.country().orElse("?"));
      loc.subdivision().ifPresent(s -> sb.append('/').append(s));
      loc.coordinates().ifPresent(c -> sb.append(" at ").append(c.latitude()).append(',').append(c.longitude()));
      return sb.toString();
    }
  }

  /** {@code latency}: ascending latency from the client to each entry's region. */
  static final class Latency extends CompiledRule {
    final String[] region;
    /** Unit vectors of the regions (NaN when the region is not in the coordinate table). */
    final double[] x;
    final double[] y;
    final double[] z;
    final UnknownLocation unknown;

    Latency(String id, int n, String[] region, double[] latRad, double[] lonRad, UnknownLocation unknown) {
      super(id, RuleType.LATENCY, n, false, unknown == UnknownLocation.DOCUMENT_ORDER);
      this.region = region;
      this.x = new double[n];
      this.y = new double[n];
      this.z = new double[n];
      unitVectors(latRad, lonRad, x, y, z);
      this.unknown = unknown;
    }

    /** With the built-in estimate, keys come from the client location alone. */
    @Override
    boolean orderByLocation(Evaluation ev) {
      return ev.estimatingLatency();
    }

    @Override
    void useOrderScope(Evaluation ev) {
      if (n > 1) {
        ev.useLatencyScope();
      }
    }

    @Override
    int order(Evaluation ev, double[] keys, int[] tiers) {
      if (n > 1) {
        ev.useLatencyScope();
      }
      int count = 0;
      for (int i = 0; i < n; i++) {
        double key = ev.latencyKey(this, i);
        if (!Double.isNaN(key)) {
          tiers[i] = 0;
          keys[i] = key;
          count++;
        } else if (unknown == UnknownLocation.DOCUMENT_ORDER) {
          tiers[i] = 1;
          keys[i] = 0;
          count++;
        } else {
          tiers[i] = -1;
        }
      }
      return count;
    }

    @Override
    boolean isCandidate(Evaluation ev, int i) {
      if (unknown == UnknownLocation.DOCUMENT_ORDER) {
        return true;
      }
      if (n > 1) {
        ev.useLatencyScope();
      }
      return !Double.isNaN(ev.latencyKey(this, i));
    }

    @Override
    String why(Evaluation ev, int i, double key, int tier, boolean failOpen) {
      String what = tier == 0 ? "latency " + fmt(ev.latencyMillis(key)) + " ms to " + region[i] + " ("
          + ev.latencySource() + ")"
          : "latency to " + region[i] + " unknown: document order";
      return (failOpen ? "no region is healthy: the lowest latency, " : "lowest latency among the healthy, ") + what;
    }
  }

  /** {@code geoproximity}: ascending great-circle distance after bias. */
  static final class Geoproximity extends CompiledRule {
    /** Unit vectors of the entries' locations (NaN when unknown). */
    final double[] x;
    final double[] y;
    final double[] z;
    final int[] bias;
    final String[] where;
    final UnknownLocation unknown;
    final BiasFormula formula;

    Geoproximity(String id, int n, double[] latRad, double[] lonRad, int[] bias, String[] where,
        UnknownLocation unknown, BiasFormula formula) {
      super(id, RuleType.GEOPROXIMITY, n, true, unknown == UnknownLocation.DOCUMENT_ORDER);
      this.x = new double[n];
      this.y = new double[n];
      this.z = new double[n];
      unitVectors(latRad, lonRad, x, y, z);
      this.bias = bias;
      this.where = where;
      this.unknown = unknown;
      this.formula = formula;
    }

    double biased(double km, int b) {
      if (b == 0) {
        return km;
      }
      if (b > 0 || formula == BiasFormula.LINEAR) {
        return km * (1 - b / 100.0);
      }
      return km / (1 + b / 100.0);
    }

    double distance(Evaluation ev, int i) {
      if (!located(ev, i)) {
        return Double.NaN;
      }
      return Evaluation.kilometres(ev.haversine(x[i], y[i], z[i]));
    }

    /** Whether the distance to entry {@code i} is known (without computing it). */
    private boolean located(Evaluation ev, int i) {
      return !Double.isNaN(x[i]) && ev.clientCoordinatesKnown();
    }

    @Override
    boolean orderByLocation(Evaluation ev) {
      return true;
    }

    @Override
    void useOrderScope(Evaluation ev) {
      if (n > 1) {
        ev.useGeoScope();
      }
    }

    /**
     * Leaves every located entry pending with the bound {@code biased(2R·s·(1 − 1e-9))} for the chord half-length
     * {@code s = √h}: {@code asin(s) ≥ s}, and the margin covers the rounding of {@code asin} (within 1 ulp),
     * while {@code biased} multiplies or divides by a positive constant, which keeps the bound below the key.
     */
    @Override
    int order(Evaluation ev, double[] keys, int[] tiers, boolean[] pending, double[] input) {
      if (n > 1) {
        ev.useGeoScope();
      }
      int count = 0;
      for (int i = 0; i < n; i++) {
        if (located(ev, i)) {
          tiers[i] = 0;
          double s = Math.min(1, Math.sqrt(ev.haversine(x[i], y[i], z[i])));
          keys[i] = biased(2 * Evaluation.EARTH_RADIUS_KM * s * BOUND_MARGIN, bias[i]);
          pending[i] = true;
          input[i] = s;
          count++;
        } else if (unknown == UnknownLocation.DOCUMENT_ORDER) {
          tiers[i] = 1;
          keys[i] = 0;
          pending[i] = false;
          count++;
        } else {
          tiers[i] = -1;
          pending[i] = false;
        }
      }
      return count;
    }

    /** From {@code s = min(1, √h)}: {@code biased(2R·asin(s))}, exactly {@code biased(distance)}. */
    @Override
    double exactKey(Evaluation ev, int i, double s) {
      return biased(Evaluation.arcKilometres(s), bias[i]);
    }

    /** {@code biased(2R·s/√(1 − s²)·(1 + 1e-9))}: {@code asin(s) ≤ s/√(1 − s²)}; none beyond s = 0.9. */
    @Override
    double upperKey(Evaluation ev, int i, double s) {
      if (!(s <= 0.9)) {
        return Double.POSITIVE_INFINITY;
      }
      return biased(2 * Evaluation.EARTH_RADIUS_KM * (s / Math.sqrt(1 - s * s)) * UPPER_MARGIN, bias[i]);
    }

    @Override
    int order(Evaluation ev, double[] keys, int[] tiers) {
      if (n > 1) {
        ev.useGeoScope();
      }
      int count = 0;
      for (int i = 0; i < n; i++) {
        double d = distance(ev, i);
        if (!Double.isNaN(d)) {
          tiers[i] = 0;
          keys[i] = biased(d, bias[i]);
          count++;
        } else if (unknown == UnknownLocation.DOCUMENT_ORDER) {
          tiers[i] = 1;
          keys[i] = 0;
          count++;
        } else {
          tiers[i] = -1;
        }
      }
      return count;
    }

    @Override
    boolean isCandidate(Evaluation ev, int i) {
      if (unknown == UnknownLocation.DOCUMENT_ORDER) {
        return true;
      }
      if (n > 1) {
        ev.useGeoScope();
      }
      return located(ev, i);
    }

    @Override
    String why(Evaluation ev, int i, double key, int tier, boolean failOpen) {
      String what;
      if (tier == 0) {
        double d = distance(ev, i);
        what = fmt(key) + " km" + (bias[i] == 0 ? "" : " after bias " + (bias[i] > 0 ? "+" : "") + bias[i] + " ("
            + fmt(d) + " km actual)");
      } else {
        what = "distance unknown, document order";
      }
      return (failOpen ? "nothing healthy: the closest, " : "closest healthy, ") + what;
    }
  }

  /** {@code weighted}: weighted rendezvous hashing over the client key, zero weights as standby. */
  static final class Weighted extends CompiledRule {
    final int[] weight;
    final long[] entryKey;
    final boolean allZero;
    final int totalWeight;
    /** Whether the choice can depend on the client key (two or more entries share a tier). */
    final boolean clientDependent;

    Weighted(String id, int n, int[] weight, long[] entryKey) {
      super(id, RuleType.WEIGHTED, n, n > 1, true);
      this.weight = weight;
      this.entryKey = entryKey;
      int total = 0;
      int nonZero = 0;
      for (int w : weight) {
        total += w;
        if (w > 0) {
          nonZero++;
        }
      }
      this.totalWeight = total;
      this.allZero = total == 0;
      this.clientDependent = nonZero >= 2 || n - nonZero >= 2;
    }

    int tier(int i) {
      return allZero || weight[i] > 0 ? 0 : 1;
    }

    /**
     * Leaves every entry pending with the bound {@code (1 − u)·(1 − 1e-9) / w} of the score {@code −ln(u) / w}:
     * {@code −ln(u) ≥ 1 − u}, and the margin covers the rounding of {@code ln} (within 1 ulp) and of {@code 1 − u};
     * zero-weight standbys get the bound 0 without a draw.
     */
    @Override
    int order(Evaluation ev, double[] keys, int[] tiers, boolean[] pending, double[] input) {
      if (n == 1) {
        return order(ev, keys, tiers);
      }
      if (clientDependent) {
        ev.useClientKeyScope();
      }
      long ck = ev.clientKey();
      for (int i = 0; i < n; i++) {
        int t = tier(i);
        tiers[i] = t;
        pending[i] = true;
        if (t == 1) {
          // A zero-weight standby (tier 1 exists only beside a non-zero weight) is drawn only if reached.
          keys[i] = 0;
          input[i] = Double.NaN;
          continue;
        }
        double u = RendezvousHash.uniform(RendezvousHash.draw(entryKey[i], ck));
        keys[i] = (1 - u) * BOUND_MARGIN / (!allZero ? weight[i] : 1);
        input[i] = u;
      }
      return n;
    }

    /** The entry's uniform draw: recorded by {@code order}, or drawn now (NaN: a standby not drawn yet). */
    private double drawn(Evaluation ev, int i, double input) {
      return Double.isNaN(input) ? RendezvousHash.uniform(RendezvousHash.draw(entryKey[i], ev.clientKey())) : input;
    }

    /** {@code (1 − u)/u·(1 + 1e-9) / w}: {@code −ln(u) ≤ (1 − u)/u}. */
    @Override
    double upperKey(Evaluation ev, int i, double input) {
      double u = drawn(ev, i, input);
      return (1 - u) / u * UPPER_MARGIN / (tier(i) == 0 && !allZero ? weight[i] : 1);
    }

    /** From the entry's draw {@code u}: {@code −ln(u) / w}, exactly the eager score. */
    @Override
    double exactKey(Evaluation ev, int i, double input) {
      double u = drawn(ev, i, input);
      return -Math.log(u) / (tier(i) == 0 && !allZero ? weight[i] : 1);
    }

    @Override
    int order(Evaluation ev, double[] keys, int[] tiers) {
      if (clientDependent) {
        ev.useClientKeyScope();
      }
      long ck = n > 1 ? ev.clientKey() : 0;
      for (int i = 0; i < n; i++) {
        int t = tier(i);
        tiers[i] = t;
        keys[i] = n > 1 ? -Math.log(RendezvousHash.uniform(RendezvousHash.draw(entryKey[i], ck)))
            / (t == 0 && !allZero ? weight[i] : 1) : 0;
      }
      return n;
    }

    @Override
    boolean isCandidate(Evaluation ev, int i) {
      return true;
    }

    @Override
    String why(Evaluation ev, int i, double key, int tier, boolean failOpen) {
      String share;
      if (allZero) {
        share = "all weights 0: equal chance 1/" + n;
      } else if (tier == 0) {
        share = "weight " + weight[i] + " of " + totalWeight + " ("
            + String.format(Locale.ROOT, "%.1f%%", 100.0 * weight[i] / totalWeight) + ")";
      } else {
        share = "weight 0 standby (no non-zero item available)";
      }
      return (failOpen ? "nothing healthy: chosen by weight alone, " : "") + share + ", rendezvous score "
          + String.format(Locale.ROOT, "%.4f", key) + " for client key " + ev.clientKeyText();
    }
  }

  /** {@code multivalue}: up to the maximum healthy items (all items when none is healthy). */
  static final class Multivalue extends CompiledRule {
    final long[] entryKey;
    /** The answer lists when every item is returned (n ≤ maximum, all healthy), else null. */
    final @Nullable ImmutableList<EndpointId> allEndpoints;
    final @Nullable ImmutableList<RecordData> allRecords;

    Multivalue(String id, int n, long[] entryKey, @Nullable ImmutableList<EndpointId> allEndpoints,
        @Nullable ImmutableList<RecordData> allRecords) {
      super(id, RuleType.MULTIVALUE, n, false, true);
      this.entryKey = entryKey;
      this.allEndpoints = allEndpoints;
      this.allRecords = allRecords;
    }

    @Override
    int order(Evaluation ev, double[] keys, int[] tiers) {
      for (int i = 0; i < n; i++) {
        tiers[i] = 0;
        keys[i] = 0;
      }
      return n;
    }

    @Override
    boolean isCandidate(Evaluation ev, int i) {
      return true;
    }

    @Override
    String why(Evaluation ev, int i, double key, int tier, boolean failOpen) {
      return failOpen ? "nothing healthy: answered anyway" : "healthy";
    }
  }

  /** Milliseconds from a latency lookup, NaN when absent. */
  static double millisOrNaN(OptionalDouble d) {
    return d.isPresent() ? d.getAsDouble() : Double.NaN;
  }
}
