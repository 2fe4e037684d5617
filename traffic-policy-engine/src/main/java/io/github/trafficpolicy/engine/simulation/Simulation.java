package io.github.trafficpolicy.engine.simulation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.EndpointTarget;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.LatencyRule;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.engine.AnswerDistribution;
import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.LatencyTable;
import io.github.trafficpolicy.engine.Outcome;
import io.github.trafficpolicy.engine.Query;
import io.github.trafficpolicy.engine.input.CidrGeoLocator;
import io.github.trafficpolicy.engine.input.NetworkVisitor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * A policy evaluated for every client network of a geo source — the whole picture before a rollout: the share of
 * clients each endpoint gets (overall, per continent, per country), who moves between two versions, and where clients
 * land when health checks or endpoints fail.
 *
 * <pre>{@code
 * try (MaxMindGeoLocator geo = MaxMindGeoLocator.open(Path.of("GeoLite2-City.mmdb"))) {
 *   SimulationReport report = Simulation.builder(next)
 *       .against(current)
 *       .networks(geo::forEachNetwork)
 *       .failEach()
 *       .build()
 *       .run();
 *   System.out.print(report.text());
 * }
 * }</pre>
 *
 * <p>How it counts:
 *
 * <ul>
 *   <li>Networks: those the source lists ({@link io.github.trafficpolicy.engine.input.MaxMindGeoLocator#forEachNetwork}:
 *       every network of the database that holds data, IPv4 and IPv6, each address once;
 *       {@link #overlay} puts a CIDR table in front of it). Addresses in no network are not clients. Networks are
 *       split where a latency table's rows or population entries cut them, so every piece is answered alike.
 *   <li>Weight: with no {@link Population}, equal per address within each address family, and each family present
 *       weighs the same (IPv4 and IPv6 half each: address counts cannot be compared across families). With one,
 *       as {@link Population} says.
 *   <li>Answers: pieces with the same location (and latency data) are evaluated once, as a whole distribution
 *       ({@link AnswerDistribution}): weighted and multivalue rules count with their exact expected shares, an
 *       answer's share split evenly over its endpoints. No answer counts as the endpoint {@value #NO_ANSWER}.
 *   <li>Health: the baseline snapshot given ({@link Builder#health}; what it does not list counts as the
 *       evaluators' settings say). A failure case marks its health checks and alias targets unhealthy on top of it;
 *       failing an endpoint fails its alias target and every health check of an entry that points at it. A case
 *       re-evaluates only the locations whose baseline answers read a health input it changes
 *       ({@link AnswerDistribution#healthInputs}); the others cannot change and keep their answers.
 *   <li>Latency: a {@link Builder#latencyTable latency table} given here is asked for every piece; without one, the
 *       compiled policy's own latency source answers from the location (an evaluator latency table that depends on
 *       the address is then asked for one address per location — give it here to be exact).
 * </ul>
 */
public final class Simulation {
  /** The endpoint name no-data answers count under. */
  public static final String NO_ANSWER = "(no answer)";

  /** Lists networks with their locations (e.g. {@code MaxMindGeoLocator::forEachNetwork}). */
  @FunctionalInterface
  public interface NetworkSource {
    /** Visits every network once. */
    void forEachNetwork(NetworkVisitor visitor) throws IOException;
  }

  private final CompiledPolicy policy;
  private final @Nullable CompiledPolicy against;
  private final NetworkSource source;
  private final @Nullable LatencyTable latencyTable;
  private final @Nullable Population population;
  private final HealthSnapshot health;
  private final ImmutableMap<String, Double> capacity;
  private final ImmutableList<ImmutableList<String>> failures;
  private final ImmutableList<Invariant> invariants;
  private final int top;
  private final String policyName;
  private final @Nullable String againstName;
  private final ImmutableList<String> latencyRegions;
  private final ImmutableMap<String, Integer> endpointIndex;
  private final @Nullable Consumer<ChangedNetwork> changedNetworkSink;
  /** Per group, the health inputs of its baseline answers (see {@link #evaluate}). */
  private Set<String> @Nullable [] baseInputs;
  /** The group of the previous piece ({@link #add}; {@link #run} is not reentrant). */
  private @Nullable Group last;
  /** What {@link #weigh} found, for {@link #pieceWeight}: weight per address of each family … */
  private final double[] perAddress = new double[2];
  /** … the default weight of each country's networks outside population network entries … */
  private final Map<String, Double> countryFree = new LinkedHashMap<>();
  /** … and the sum the raw population weights were divided by. */
  private double weightSum;

  private Simulation(Builder b) {
    this.policy = b.policy;
    this.against = b.against;
    this.source = checkNotNull(b.source, "networks (the geo source to simulate over)");
    this.latencyTable = b.latencyTable;
    this.population = b.population;
    this.health = b.health;
    this.capacity = ImmutableMap.copyOf(b.capacity);
    this.top = b.top;
    this.changedNetworkSink = b.changedNetworks;
    checkArgument(changedNetworkSink == null || against != null, "listing changed networks needs a version to "
        + "compare with (against)");
    this.policyName = b.policyName != null ? b.policyName : describe(policy);
    this.againstName = b.againstName != null ? b.againstName : against == null ? null : describe(against);
    Set<String> regions = new LinkedHashSet<>();
    Map<String, Integer> index = new LinkedHashMap<>();
    for (CompiledPolicy p : against == null ? List.of(policy) : List.of(policy, against)) {
      for (Rule r : p.document().rules().values()) {
        if (r instanceof LatencyRule l) {
          for (LatencyEntry e : l.regions()) {
            regions.add(e.region());
          }
        }
      }
      for (EndpointId e : p.document().endpoints().keySet()) {
        index.putIfAbsent(e.value(), index.size());
      }
    }
    index.put(NO_ANSWER, index.size());
    this.latencyRegions = ImmutableList.copyOf(regions);
    this.endpointIndex = ImmutableMap.copyOf(index);
    List<ImmutableList<String>> cases = new ArrayList<>();
    for (List<String> f : b.failures) {
      cases.add(ImmutableList.copyOf(f));
    }
    this.invariants = ImmutableList.copyOf(b.invariants);
    boolean pairs = b.failPairs || invariants.stream().anyMatch(i -> i.failing() == Invariant.Failing.PAIRS);
    boolean each = b.failEach || pairs || invariants.stream().anyMatch(i -> i.failing() == Invariant.Failing.EACH);
    if (each || pairs) {
      List<String> failable = failableIds(policy.document());
      for (String id : failable) {
        if (!cases.contains(List.of(id))) {
          cases.add(ImmutableList.of(id));
        }
      }
      for (int i = 0; pairs && i < failable.size(); i++) {
        for (int j = i + 1; j < failable.size(); j++) {
          cases.add(ImmutableList.of(failable.get(i), failable.get(j)));
        }
      }
    }
    for (List<String> f : cases) {
      failedHealth(f); // rejects unknown ids before anything runs
    }
    for (String e : capacity.keySet()) {
      checkArgument(endpointIndex.containsKey(e), "capacity for unknown endpoint '%s'", e);
    }
    this.failures = ImmutableList.copyOf(cases);
  }

  /** A simulation of {@code policy}. */
  public static Builder builder(CompiledPolicy policy) {
    return new Builder(policy);
  }

  /**
   * A source listing the rows of {@code table} (split where rows nest) and then the networks of {@code below}
   * outside them: what a chain of the table in front of the database answers, each address once.
   */
  public static NetworkSource overlay(CidrGeoLocator table, NetworkSource below) {
    checkNotNull(table, "table");
    checkNotNull(below, "below");
    return visitor -> {
      table.forEachNetwork(visitor);
      below.forEachNetwork((address, prefix, location) ->
          split(address.getAddress(), prefix, a -> table.locate(a).prefixLength(), (a, p) -> {
            if (!table.locate(a).location().isKnown()) {
              visitor.network(a, p, location);
            }
          }));
    };
  }

  /** Receives the pieces of {@link #split}. */
  @FunctionalInterface
  private interface Piece {
    void accept(InetAddress address, int prefix);
  }

  /** A function of an address: the prefix length its answer holds for. */
  @FunctionalInterface
  private interface HoldsFor {
    int prefix(InetAddress address);
  }

  /** Gives the largest blocks of {@code bytes/prefix} over each of which {@code holdsFor} holds. */
  private static void split(byte[] bytes, int prefix, HoldsFor holdsFor, Piece piece) {
    InetAddress a = address(bytes);
    if (holdsFor.prefix(a) <= prefix || prefix == bytes.length * 8) {
      piece.accept(a, prefix);
      return;
    }
    split(bytes.clone(), prefix + 1, holdsFor, piece);
    byte[] upper = bytes.clone();
    upper[prefix >> 3] |= (byte) (0x80 >>> (prefix & 7));
    split(upper, prefix + 1, holdsFor, piece);
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Every health check of the document's entries and every alias endpoint, in document order. */
  static List<String> failableIds(PolicyDocument document) {
    Set<String> ids = new LinkedHashSet<>();
    for (Rule r : document.rules().values()) {
      for (RuleEntry e : r.entries()) {
        e.healthCheck().ifPresent(h -> ids.add(h.value()));
      }
    }
    for (Map.Entry<EndpointId, Endpoint> e : document.endpoints().entrySet()) {
      if (e.getValue().type() != EndpointType.VALUE) {
        ids.add(e.getKey().value());
      }
    }
    return List.copyOf(ids);
  }

  /** The baseline health with {@code failed} (health checks and endpoints of the policy) unhealthy. */
  private HealthSnapshot failedHealth(List<String> failed) {
    PolicyDocument d = policy.document();
    HealthSnapshot.Builder b = health.toBuilder();
    for (String id : failed) {
      boolean known = false;
      for (Rule r : d.rules().values()) {
        for (RuleEntry e : r.entries()) {
          Optional<HealthCheckId> hc = e.healthCheck();
          if (hc.isPresent() && hc.get().value().equals(id)) {
            b.check(hc.get(), HealthStatus.UNHEALTHY);
            known = true;
          }
          if (hc.isPresent() && e.target() instanceof EndpointTarget t && t.endpoint().value().equals(id)) {
            b.check(hc.get(), HealthStatus.UNHEALTHY);
          }
        }
      }
      Endpoint endpoint = d.endpoints().get(EndpointId.of(id));
      if (endpoint != null) {
        known = true;
        if (endpoint.type() != EndpointType.VALUE) {
          b.target(id, HealthStatus.UNHEALTHY);
        }
      }
      checkArgument(known, "'%s' is neither a health check nor an endpoint of the policy", id);
    }
    return b.build();
  }

  // ===== running ==============================================================================================

  /** Where a group of pieces is and its latency data (NaN: none for that region). */
  private record Key(ClientLocation location, List<Double> latency) {}

  /** Pieces answered alike, and what they weigh. */
  static final class Group {
    final ClientLocation location;
    /** Null without a latency table. */
    final @Nullable ClientLatency latency;
    /** Its position in the run's group array. */
    final int index;
    final double[] addresses = new double[2];
    final double[] free = new double[2];
    double entryShare;
    long networks;
    /** Its widest piece (the first one found at that width), which stands for it in evaluations and reports. */
    InetAddress example;
    int examplePrefix;
    double weight;

    Group(ClientLocation location, @Nullable ClientLatency latency, int index, InetAddress example,
        int examplePrefix) {
      this.location = location;
      this.latency = latency;
      this.index = index;
      this.example = example;
      this.examplePrefix = examplePrefix;
    }

    String country() {
      return location.country().orElse("--");
    }

    String continent() {
      return location.continent().orElse("--");
    }

    String example() {
      return InetAddresses.toAddrString(example) + "/" + examplePrefix;
    }
  }

  /**
   * Runs the simulation.
   *
   * @throws IOException when the network source cannot be read
   */
  public synchronized SimulationReport run() throws IOException {
    last = null;
    Map<Key, Group> byKey = new LinkedHashMap<>();
    // Sources pass the same location instance for every network of a database record: look that up first.
    @SuppressWarnings("IdentityHashMapUsage") // groups by location instance (locations are interned per record)
    Map<ClientLocation, Group> byInstance = new IdentityHashMap<>();
    long[] pieces = new long[1];
    source.forEachNetwork((address, prefix, location) -> split(address.getAddress(), prefix,
        a -> holdsFor(a, location), (a, p) -> {
          pieces[0]++;
          add(byKey, byInstance, a, p, location);
        }));
    Group[] groups = byKey.values().toArray(new Group[0]);
    String weighting = weigh(groups);

    @SuppressWarnings("unchecked")
    Set<String>[] inputs = (Set<String>[]) new Set<?>[groups.length];
    double[][] base = evaluate(policy, health, groups, inputs, null, null);
    baseInputs = inputs;
    Distribution distribution = aggregate(groups, base);
    Counterexample[] found = new Counterexample[invariants.size()];
    int[] checked = new int[invariants.size()];
    checkInvariants(ImmutableList.of(), health, groups, base, distribution, found, checked);
    Optional<Distribution> againstDistribution = Optional.empty();
    Optional<Comparison> diff = Optional.empty();
    double[][] before = null;
    if (against != null) {
      before = evaluate(against, health, groups);
      againstDistribution = Optional.of(aggregate(groups, before));
      diff = Optional.of(compare(groups, before, base));
      if (changedNetworkSink != null) {
        changedNetworks(byKey, byInstance, before, base, changedNetworkSink);
      }
    }
    List<FailureCase> cases = new ArrayList<>();
    for (ImmutableList<String> f : failures) {
      HealthSnapshot h = failedHealth(f);
      double[][] failed = evaluate(policy, h, groups, null, base, changed(health, h));
      Distribution d = aggregate(groups, failed);
      checkInvariants(f, h, groups, failed, d, found, checked);
      cases.add(new FailureCase(f, d, compare(groups, base, failed), overloads(d)));
    }
    ImmutableList<MapCell> map = mapCells(groups, base, before);
    double ipv4 = 0;
    double ipv6 = 0;
    for (Group g : groups) {
      ipv4 += g.addresses[0];
      ipv6 += g.addresses[1];
    }
    return new SimulationReport(policyName, against == null ? Optional.empty() : Optional.ofNullable(againstName),
        pieces[0], groups.length, ipv4, ipv6, weighting, distribution, againstDistribution, diff,
        overloads(distribution), ImmutableMap.copyOf(capacity), ImmutableList.copyOf(cases), map,
        invariantResults(found, checked));
  }

  private ImmutableList<InvariantResult> invariantResults(Counterexample[] found, int[] checked) {
    ImmutableList.Builder<InvariantResult> out = ImmutableList.builder();
    for (int k = 0; k < invariants.size(); k++) {
      out.add(new InvariantResult(invariants.get(k), checked[k], Optional.ofNullable(found[k])));
    }
    return out.build();
  }

  /** Checks every invariant that covers the case failing {@code failed} and has no counterexample yet. */
  private void checkInvariants(ImmutableList<String> failed, HealthSnapshot h, Group[] groups, double[][] shares,
      Distribution d, Counterexample[] found, int[] checked) {
    List<String> names = new ArrayList<>(endpointIndex.keySet());
    for (int k = 0; k < invariants.size(); k++) {
      Invariant inv = invariants.get(k);
      if (found[k] != null || !inv.failing().covers(failed.size())) {
        continue;
      }
      checked[k]++;
      for (Map.Entry<String, Double> e : inv.maxShare().entrySet()) {
        for (Map.Entry<String, Double> s : d.overall().endpoints().entrySet()) {
          if (found[k] == null && Invariant.glob(e.getKey(), s.getKey()) && s.getValue() > e.getValue() + 1e-12) {
            found[k] = new Counterexample(failed, Optional.empty(), Optional.empty(),
                s.getKey() + " takes " + SimulationReport.percent(s.getValue()) + " of all clients, more than "
                    + SimulationReport.percent(e.getValue()) + " (" + e.getKey() + ")", ImmutableList.of());
          }
        }
      }
      if (found[k] != null || (inv.only().isEmpty() && inv.never().isEmpty())) {
        continue;
      }
      int worst = -1;
      int worstEndpoint = -1;
      double violating = 0;
      for (int i = 0; i < groups.length; i++) {
        if (groups[i].weight <= 0 || !inv.covers(groups[i].location)) {
          continue;
        }
        for (int e = 0; e < names.size(); e++) {
          if (shares[i][e] > 1e-12 && !inv.allows(names.get(e))) {
            violating += groups[i].weight * shares[i][e];
            if (worst < 0 || groups[i].weight > groups[worst].weight) {
              worst = i;
              worstEndpoint = e;
            }
          }
        }
      }
      if (worst >= 0) {
        Group g = groups[worst];
        String endpoint = names.get(worstEndpoint);
        found[k] = new Counterexample(failed, Optional.of(g.example()),
            Optional.of(SimulationReport.describe(g.location)),
            "answered by " + endpoint + " (" + SimulationReport.percent(shares[worst][worstEndpoint])
                + " of its clients), which the invariant does not allow; "
                + SimulationReport.percent(violating) + " of all clients are in violation",
            trace(g, h, endpoint));
      }
    }
  }

  /** The trace of an evaluation for group {@code g} under {@code h} that answers with {@code endpoint}. */
  private ImmutableList<String> trace(Group g, HealthSnapshot h, String endpoint) {
    Query.Builder q = Query.builder(new ClientSubnet(g.example, g.examplePrefix)).location(g.location).health(h)
        .trace(true);
    if (g.latency != null) {
      q.latency(g.latency);
    }
    for (AnswerDistribution.Share s : AnswerDistribution.of(policy, q.build()).shares()) {
      boolean noData = s.answer().outcome() == Outcome.NO_DATA || s.answer().endpoints().isEmpty();
      if (noData ? endpoint.equals(NO_ANSWER)
          : s.answer().endpoints().stream().anyMatch(e -> e.value().equals(endpoint))) {
        return ImmutableList.copyOf(s.answer().trace().lines());
      }
    }
    return ImmutableList.of();
  }

  /**
   * One-degree cells of the locations with coordinates: their weight, main endpoint and, with {@code before}, the
   * fraction of their clients that moves.
   */
  private ImmutableList<MapCell> mapCells(Group[] groups, double[][] after, double @Nullable [][] before) {
    int n = endpointIndex.size();
    Map<Integer, double[]> cells = new TreeMap<>();
    for (int i = 0; i < groups.length; i++) {
      Group g = groups[i];
      if (g.location.coordinates().isEmpty() || g.weight <= 0) {
        continue;
      }
      int lat = (int) Math.floor(Math.min(89.999, g.location.coordinates().get().latitude()));
      int lon = (int) Math.floor(Math.min(179.999, g.location.coordinates().get().longitude()));
      double[] c = cells.computeIfAbsent((lat + 90) * 360 + lon + 180, k -> new double[n + 2]);
      c[0] += g.weight;
      for (int e = 0; e < n; e++) {
        c[1 + e] += g.weight * after[i][e];
        if (before != null) {
          c[n + 1] += g.weight * Math.max(0, before[i][e] - after[i][e]);
        }
      }
    }
    List<String> names = new ArrayList<>(endpointIndex.keySet());
    ImmutableList.Builder<MapCell> out = ImmutableList.builder();
    cells.forEach((key, c) -> {
      int best = 0;
      for (int e = 1; e < n; e++) {
        if (c[1 + e] > c[1 + best]) {
          best = e;
        }
      }
      out.add(new MapCell(key / 360 - 90, key % 360 - 180, c[0], names.get(best), c[1 + best] / c[0],
          c[n + 1] / c[0]));
    });
    return out.build();
  }

  private static String describe(CompiledPolicy p) {
    return p.binding().policyId() + " v" + p.binding().policyVersion();
  }

  /** The prefix over which everything a piece's weight and answer depend on holds. */
  private int holdsFor(InetAddress a, ClientLocation location) {
    int need = 0;
    if (latencyTable != null) {
      need = latencyTable.forClient(a, location).prefixLength();
    }
    if (population != null && population.hasNetworks()) {
      need = Math.max(need, population.holdsFor(a));
    }
    return need;
  }

  @SuppressWarnings("ReferenceEquality") // groups by location instance (locations are interned per record)
  private void add(Map<Key, Group> byKey, Map<ClientLocation, Group> byInstance, InetAddress a, int prefix,
      ClientLocation location) {
    Group g = null;
    if (latencyTable == null) {
      // Neighbouring networks often share a location: try the last one before the map.
      g = last != null && last.location == location ? last : byInstance.get(location);
    }
    if (g == null) {
      g = group(byKey, a, prefix, location);
      if (latencyTable == null) {
        byInstance.put(location, g);
      }
    }
    last = g;
    int bits = a.getAddress().length * 8;
    int family = bits == 32 ? 0 : 1;
    double addresses = Math.pow(2, bits - prefix);
    g.addresses[family] += addresses;
    g.networks++;
    if (prefix < g.examplePrefix) {
      g.example = a;
      g.examplePrefix = prefix;
    }
    Population pop = population;
    int entry = pop != null && pop.hasNetworks() ? pop.entryFor(a, prefix) : -1;
    if (pop != null && entry >= 0) {
      g.entryShare += pop.sharePerAddress(entry) * addresses;
    } else {
      g.free[family] += addresses;
    }
  }

  /** The group of the piece {@code a/prefix} located at {@code location}: same location and latency data. */
  private Group group(Map<Key, Group> byKey, InetAddress a, int prefix, ClientLocation location) {
    Key key = key(a, location);
    return byKey.computeIfAbsent(key, k -> new Group(location, latency(k), byKey.size(), a, prefix));
  }

  /** The group key of the piece at {@code a}: its location and its latency to every region the policies name. */
  private Key key(InetAddress a, ClientLocation location) {
    if (latencyTable == null) {
      return new Key(location, List.of());
    }
    ClientLatency l = latencyTable.forClient(a, location);
    List<Double> signature = new ArrayList<>(latencyRegions.size());
    for (String region : latencyRegions) {
      OptionalDouble v = l.millis(region);
      signature.add(v.isPresent() ? v.getAsDouble() : Double.NaN);
    }
    return new Key(location, signature);
  }

  /** The latency data of a group key (null without a latency table). */
  private @Nullable ClientLatency latency(Key k) {
    if (latencyTable == null) {
      return null;
    }
    Map<String, Double> ms = new LinkedHashMap<>();
    for (int i = 0; i < latencyRegions.size(); i++) {
      if (!Double.isNaN(k.latency().get(i))) {
        ms.put(latencyRegions.get(i), k.latency().get(i));
      }
    }
    return ClientLatency.of(ms, 0);
  }

  /** Sets every group's weight (summing to 1) and says how. */
  private String weigh(Group[] groups) {
    double[] total = new double[2];
    for (Group g : groups) {
      total[0] += g.addresses[0];
      total[1] += g.addresses[1];
    }
    int families = (total[0] > 0 ? 1 : 0) + (total[1] > 0 ? 1 : 0);
    checkState(families > 0, "the geo source lists no network");
    countryFree.clear();
    weightSum = 1;
    for (int f = 0; f < 2; f++) {
      perAddress[f] = total[f] > 0 ? 1.0 / families / total[f] : 0;
    }
    String split = families == 2 ? "IPv4 and IPv6 half each" : total[0] > 0 ? "IPv4 only" : "IPv6 only";
    if (population == null) {
      for (Group g : groups) {
        g.weight = g.addresses[0] * perAddress[0] + g.addresses[1] * perAddress[1];
      }
      return "equal per address within each address family, " + split + " (no population file)";
    }
    for (Group g : groups) {
      double free = g.free[0] * perAddress[0] + g.free[1] * perAddress[1];
      countryFree.merge(g.country(), free, Double::sum);
    }
    double sum = 0;
    for (Group g : groups) {
      double free = g.free[0] * perAddress[0] + g.free[1] * perAddress[1];
      Double share = population.countries().get(g.country());
      double cf = countryFree.getOrDefault(g.country(), 0.0);
      g.weight = g.entryShare + (share != null && cf > 0 ? share * free / cf : 0);
      sum += g.weight;
    }
    checkState(sum > 0, "no network of the geo source is in the population file");
    weightSum = sum;
    for (Group g : groups) {
      g.weight /= sum;
    }
    double matched = population.totalShare() > 0 ? sum / population.totalShare() : 0;
    return String.format(Locale.ROOT, "population file (%d countries, %d networks; %.1f %% of its share "
        + "falls on the simulated networks); within a country or network entry, equal per address, %s",
        population.countries().size(), population.networkCount(), 100 * matched, split);
  }

  /** The weight of one piece of group {@code g}, as {@link #weigh} counted it. */
  private double pieceWeight(InetAddress a, int prefix, Group g) {
    int bits = a.getAddress().length * 8;
    double addresses = Math.pow(2, bits - prefix);
    double byAddress = perAddress[bits == 32 ? 0 : 1] * addresses;
    if (population == null) {
      return byAddress;
    }
    int entry = population.hasNetworks() ? population.entryFor(a, prefix) : -1;
    if (entry >= 0) {
      return population.sharePerAddress(entry) * addresses / weightSum;
    }
    Double share = population.countries().get(g.country());
    double cf = countryFree.getOrDefault(g.country(), 0.0);
    return share != null && cf > 0 ? share * byAddress / cf / weightSum : 0;
  }

  /** Lists every network whose endpoints change from {@code before} to {@code after}, to the sink. */
  private void changedNetworks(Map<Key, Group> byKey, Map<ClientLocation, Group> byInstance, double[][] before,
      double[][] after, Consumer<ChangedNetwork> sink) throws IOException {
    List<String> names = new ArrayList<>(endpointIndex.keySet());
    source.forEachNetwork((address, prefix, location) -> split(address.getAddress(), prefix,
        a -> holdsFor(a, location), (a, p) -> {
          // A second listing may bring new location instances: fall back to the value.
          Group g = latencyTable == null ? byInstance.get(location) : null;
          if (g == null) {
            g = byKey.get(key(a, location));
            checkState(g != null, "the geo source listed %s/%s the second time but not the first", a, p);
          }
          double moved = 0;
          for (int e = 0; e < names.size(); e++) {
            moved += Math.max(0, before[g.index][e] - after[g.index][e]);
          }
          if (moved > 1e-12) {
            sink.accept(new ChangedNetwork(InetAddresses.toAddrString(a) + "/" + p,
                SimulationReport.describe(location), pieceWeight(a, p, g) * moved, mix(names, before[g.index]),
                mix(names, after[g.index])));
          }
        }));
  }

  /** Per group, the expected share of each endpoint (by {@link #endpointIndex}). */
  private double[][] evaluate(CompiledPolicy p, HealthSnapshot h, Group[] groups) {
    return evaluate(p, h, groups, null, null, null);
  }

  /**
   * Per group, the expected share of each endpoint (by {@link #endpointIndex}). With {@code inputs}, each group's
   * {@link AnswerDistribution#healthInputs} are kept there; with {@code base} and {@code changed} (the health inputs
   * this snapshot changes from the one {@code base} was evaluated under), a group whose inputs miss every changed one
   * keeps its {@code base} shares without being evaluated again — its answers cannot differ.
   */
  private double[][] evaluate(CompiledPolicy p, HealthSnapshot h, Group[] groups,
      Set<String> @Nullable [] inputs, double @Nullable [][] base, @Nullable Set<String> changed) {
    double[][] out = new double[groups.length][];
    int n = endpointIndex.size();
    int none = endpointIndex(NO_ANSWER);
    Set<String> @Nullable [] known = baseInputs;
    IntStream.range(0, groups.length).parallel().forEach(i -> {
      if (base != null && changed != null && known != null && Collections.disjoint(known[i], changed)) {
        out[i] = base[i];
        return;
      }
      Group g = groups[i];
      Query.Builder q = Query.builder(new ClientSubnet(g.example, g.examplePrefix)).location(g.location).health(h);
      if (g.latency != null) {
        q.latency(g.latency);
      }
      AnswerDistribution d = AnswerDistribution.of(p, q.build());
      if (inputs != null) {
        inputs[i] = d.healthInputs();
      }
      double[] shares = new double[n];
      for (AnswerDistribution.Share s : d.shares()) {
        if (s.answer().outcome() == Outcome.NO_DATA || s.answer().endpoints().isEmpty()) {
          shares[none] += s.probability();
          continue;
        }
        for (EndpointId e : s.answer().endpoints()) {
          shares[endpointIndex(e.value())] += s.probability() / s.answer().endpoints().size();
        }
      }
      out[i] = shares;
    });
    return out;
  }

  /** The position of an endpoint (or {@link #NO_ANSWER}) in {@link #endpointIndex}, which lists every one. */
  private int endpointIndex(String endpoint) {
    return valueOf(endpointIndex, endpoint);
  }

  /** The value of a key that is in the map by construction. */
  private static <K, V> V valueOf(Map<K, V> map, K key) {
    return checkNotNull(map.get(key), "%s missing", key);
  }

  /** The health inputs ({@code check:ID}, {@code target:ID}) whose status differs between two snapshots. */
  private static Set<String> changed(HealthSnapshot from, HealthSnapshot to) {
    Set<String> out = new HashSet<>();
    Set<HealthCheckId> checks = new LinkedHashSet<>(from.checks().keySet());
    checks.addAll(to.checks().keySet());
    for (HealthCheckId c : checks) {
      if (from.check(c) != to.check(c)) {
        out.add("check:" + c.value());
      }
    }
    Set<EndpointId> targets = new LinkedHashSet<>(from.targets().keySet());
    targets.addAll(to.targets().keySet());
    for (EndpointId t : targets) {
      if (from.target(t) != to.target(t)) {
        out.add("target:" + t.value());
      }
    }
    return out;
  }

  private Distribution aggregate(Group[] groups, double[][] shares) {
    int n = endpointIndex.size();
    double[] overall = new double[n];
    Map<String, double[]> continents = new LinkedHashMap<>();
    Map<String, double[]> countries = new LinkedHashMap<>();
    Map<String, Double> continentWeight = new LinkedHashMap<>();
    Map<String, Double> countryWeight = new LinkedHashMap<>();
    for (int i = 0; i < groups.length; i++) {
      Group g = groups[i];
      double w = g.weight;
      double[] ct = continents.computeIfAbsent(g.continent(), k -> new double[n]);
      double[] cc = countries.computeIfAbsent(g.country(), k -> new double[n]);
      continentWeight.merge(g.continent(), w, Double::sum);
      countryWeight.merge(g.country(), w, Double::sum);
      for (int e = 0; e < n; e++) {
        double s = w * shares[i][e];
        overall[e] += s;
        ct[e] += s;
        cc[e] += s;
      }
    }
    return new Distribution(shares(1, overall), scoped(continents, continentWeight), scoped(countries, countryWeight));
  }

  private ImmutableMap<String, Shares> scoped(Map<String, double[]> sums, Map<String, Double> weights) {
    List<String> keys = new ArrayList<>(sums.keySet());
    keys.sort((a, b) -> Double.compare(valueOf(weights, b), valueOf(weights, a)));
    ImmutableMap.Builder<String, Shares> out = ImmutableMap.builder();
    for (String k : keys) {
      double w = valueOf(weights, k);
      if (w <= 0) {
        continue; // no client there (a population file that gives it none)
      }
      double[] s = valueOf(sums, k);
      double[] scaled = new double[s.length];
      for (int e = 0; e < s.length; e++) {
        scaled[e] = w > 0 ? s[e] / w : 0;
      }
      out.put(k, shares(w, scaled));
    }
    return out.build();
  }

  /** Endpoint shares, largest first, zeros left out. */
  private Shares shares(double weight, double[] s) {
    List<String> names = new ArrayList<>(endpointIndex.keySet());
    List<Integer> order = new ArrayList<>();
    for (int e = 0; e < s.length; e++) {
      if (s[e] > 1e-12) {
        order.add(e);
      }
    }
    order.sort((a, b) -> Double.compare(s[b], s[a]));
    ImmutableMap.Builder<String, Double> m = ImmutableMap.builder();
    for (int e : order) {
      m.put(names.get(e), s[e]);
    }
    return new Shares(weight, m.build());
  }

  /** Who moves from {@code before} to {@code after}, per group and overall. */
  private Comparison compare(Group[] groups, double[][] before, double[][] after) {
    List<String> names = new ArrayList<>(endpointIndex.keySet());
    int n = names.size();
    double[][] flows = new double[n][n];
    double changed = 0;
    Map<String, Double> countryChanged = new LinkedHashMap<>();
    Map<String, Double> countryWeight = new LinkedHashMap<>();
    List<ChangedLocation> locations = new ArrayList<>();
    for (int i = 0; i < groups.length; i++) {
      Group g = groups[i];
      countryWeight.merge(g.country(), g.weight, Double::sum);
      double[] p = before[i];
      double[] q = after[i];
      double moved = 0;
      for (int e = 0; e < n; e++) {
        moved += Math.max(0, p[e] - q[e]);
      }
      if (moved < 1e-12) {
        continue;
      }
      for (int a = 0; a < n; a++) {
        double out = p[a] - q[a];
        if (out <= 0) {
          continue;
        }
        for (int b = 0; b < n; b++) {
          double in = q[b] - p[b];
          if (in > 0) {
            flows[a][b] += g.weight * out * in / moved;
          }
        }
      }
      changed += g.weight * moved;
      countryChanged.merge(g.country(), g.weight * moved, Double::sum);
      locations.add(new ChangedLocation(g.example(), g.networks, SimulationReport.describe(g.location),
          g.weight * moved, mix(names, p), mix(names, q)));
    }
    List<Move> moves = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        if (flows[a][b] > 1e-12) {
          moves.add(new Move(names.get(a), names.get(b), flows[a][b]));
        }
      }
    }
    moves.sort((x, y) -> Double.compare(y.share(), x.share()));
    List<CountryChange> countries = new ArrayList<>();
    countryChanged.forEach((c, s) -> countries.add(new CountryChange(c, s, s / valueOf(countryWeight, c))));
    countries.sort((x, y) -> Double.compare(y.share(), x.share()));
    locations.sort((x, y) -> Double.compare(y.share(), x.share()));
    return new Comparison(changed, ImmutableList.copyOf(moves), ImmutableList.copyOf(top(countries)),
        ImmutableList.copyOf(top(locations)), locations.size());
  }

  private <T> List<T> top(List<T> list) {
    return list.size() <= top ? list : list.subList(0, top);
  }

  /** An endpoint mix in words: {@code us-east} or {@code us-east 50 %, eu-west 50 %}. */
  private static String mix(List<String> names, double[] s) {
    List<Integer> order = new ArrayList<>();
    for (int e = 0; e < s.length; e++) {
      if (s[e] > 1e-12) {
        order.add(e);
      }
    }
    order.sort((a, b) -> Double.compare(s[b], s[a]));
    if (order.size() == 1) {
      return names.get(order.get(0));
    }
    List<String> parts = new ArrayList<>();
    for (int e : order) {
      parts.add(names.get(e) + " " + SimulationReport.percent(s[e]));
    }
    return String.join(", ", parts);
  }

  private ImmutableList<Overload> overloads(Distribution d) {
    List<Overload> out = new ArrayList<>();
    capacity.forEach((e, c) -> {
      double s = d.overall().endpoints().getOrDefault(e, 0.0);
      if (s > c + 1e-12) {
        out.add(new Overload(e, s, c));
      }
    });
    return ImmutableList.copyOf(out);
  }

  // ===== results =============================================================================================

  /**
   * Endpoint shares within a scope (everyone, a continent, a country).
   *
   * @param weight the scope's share of all clients
   * @param endpoints each endpoint's share of the scope's clients, largest first (summing to 1)
   */
  public record Shares(double weight, ImmutableMap<String, Double> endpoints) {}

  /**
   * Who goes where.
   *
   * @param overall every client
   * @param continents per continent code ({@code --}: unknown), largest first
   * @param countries per country code ({@code --}: unknown), largest first
   */
  public record Distribution(Shares overall, ImmutableMap<String, Shares> continents,
      ImmutableMap<String, Shares> countries) {}

  /** A share of all clients that moves from one endpoint to another. */
  public record Move(String from, String to, double share) {}

  /**
   * A country's clients that move.
   *
   * @param share of all clients
   * @param fraction of the country's clients
   */
  public record CountryChange(String country, double share, double fraction) {}

  /**
   * A location whose answer changes.
   *
   * @param network its largest network (an example of the {@code networks} networks there)
   * @param share the share of all clients that moves there
   * @param from the endpoint mix before
   * @param to the endpoint mix after
   */
  public record ChangedLocation(String network, long networks, String location, double share, String from,
      String to) {}

  /**
   * The difference between two evaluations over the same clients.
   *
   * @param changedShare the share of all clients whose endpoint changes
   * @param moves from → to, largest first
   * @param countries the most affected countries, largest share first
   * @param locations the locations that change, largest share first (the first few)
   * @param changedLocations how many locations change
   */
  public record Comparison(double changedShare, ImmutableList<Move> moves, ImmutableList<CountryChange> countries,
      ImmutableList<ChangedLocation> locations, int changedLocations) {}

  /**
   * A one-degree cell of the map: the locations with coordinates in [lat, lat + 1) × [lon, lon + 1).
   *
   * @param weight the share of all clients there
   * @param endpoint the endpoint with the largest share there
   * @param endpointShare that endpoint's share of the cell's clients
   * @param moved the fraction of the cell's clients that move in the comparison (0 without one)
   */
  public record MapCell(int lat, int lon, double weight, String endpoint, double endpointShare, double moved) {}

  /**
   * What an invariant found.
   *
   * @param casesChecked the cases (baseline included) it was checked in, up to its counterexample
   * @param counterexample the first violation found, if any
   */
  public record InvariantResult(Invariant invariant, int casesChecked, Optional<Counterexample> counterexample) {
    /** Whether it held in every case checked. */
    public boolean holds() {
      return counterexample.isEmpty();
    }
  }

  /**
   * A violation of an invariant.
   *
   * @param failed what failed in that case (empty: the baseline)
   * @param network the (largest) network of the violating location, for statements about clients
   * @param location that location in words
   * @param detail what is wrong
   * @param trace the evaluation that answers with the forbidden endpoint
   */
  public record Counterexample(ImmutableList<String> failed, Optional<String> network, Optional<String> location,
      String detail, ImmutableList<String> trace) {}

  /**
   * A network whose answer changes.
   *
   * @param share the share of all clients that moves there
   * @param from the endpoint mix before
   * @param to the endpoint mix after
   */
  public record ChangedNetwork(String network, String location, double share, String from, String to) {}

  /** An endpoint above its capacity. */
  public record Overload(String endpoint, double share, double capacity) {}

  /**
   * One failure rehearsed.
   *
   * @param failed the health checks and endpoints that fail
   * @param distribution who goes where then
   * @param moves who moves, from the baseline
   * @param overloads the endpoints then above their capacity
   */
  public record FailureCase(ImmutableList<String> failed, Distribution distribution, Comparison moves,
      ImmutableList<Overload> overloads) {}

  /** Builds a {@link Simulation}. */
  public static final class Builder {
    private final CompiledPolicy policy;
    private @Nullable CompiledPolicy against;
    private @Nullable NetworkSource source;
    private @Nullable LatencyTable latencyTable;
    private @Nullable Population population;
    private HealthSnapshot health = HealthSnapshot.empty();
    private final Map<String, Double> capacity = new LinkedHashMap<>();
    private final List<List<String>> failures = new ArrayList<>();
    private boolean failEach;
    private boolean failPairs;
    private final List<Invariant> invariants = new ArrayList<>();
    private @Nullable Consumer<ChangedNetwork> changedNetworks;
    private int top = 20;
    private @Nullable String policyName;
    private @Nullable String againstName;

    private Builder(CompiledPolicy policy) {
      this.policy = checkNotNull(policy, "policy");
    }

    /** Compares with this version (the one serving now): who moves from it to the simulated policy. */
    public Builder against(CompiledPolicy against) {
      this.against = checkNotNull(against, "against");
      return this;
    }

    /** The networks to simulate over (required). */
    public Builder networks(NetworkSource source) {
      this.source = checkNotNull(source, "source");
      return this;
    }

    /** Latency data per client network, asked for every network. */
    public Builder latencyTable(LatencyTable latencyTable) {
      this.latencyTable = checkNotNull(latencyTable, "latencyTable");
      return this;
    }

    /** Where the queries come from; without one, equal per address. */
    public Builder population(Population population) {
      this.population = checkNotNull(population, "population");
      return this;
    }

    /** The baseline health (default: empty, so the evaluators' settings decide). */
    public Builder health(HealthSnapshot health) {
      this.health = checkNotNull(health, "health");
      return this;
    }

    /** The share of all clients an endpoint can take, in (0, 1]. */
    public Builder capacity(String endpoint, double share) {
      checkArgument(share > 0 && share <= 1, "capacity of %s must be in (0, 1] but was %s", endpoint, share);
      capacity.put(checkNotNull(endpoint, "endpoint"), share);
      return this;
    }

    /** Rehearses these health checks and endpoints failing together. */
    public Builder fail(List<String> ids) {
      checkArgument(!ids.isEmpty(), "a failure case needs at least one health check or endpoint");
      failures.add(ImmutableList.copyOf(ids));
      return this;
    }

    /**
     * Checks these invariants for every network in the baseline and in the failure cases each covers (the
     * single-failure cases, and the pairs, are rehearsed when an invariant asks for them).
     */
    public Builder invariants(List<Invariant> invariants) {
      this.invariants.addAll(invariants);
      return this;
    }

    /**
     * Also lists every network (piece) whose endpoints change from the {@link #against} version, in source order,
     * to {@code sink} (a second pass over the networks, after the comparison).
     */
    public Builder changedNetworks(Consumer<ChangedNetwork> sink) {
      this.changedNetworks = checkNotNull(sink, "sink");
      return this;
    }

    /** Rehearses every health check and alias endpoint of the policy failing alone. */
    public Builder failEach() {
      this.failEach = true;
      return this;
    }

    /** Rehearses every health check and alias endpoint of the policy failing alone, then every pair of them. */
    public Builder failPairs() {
      this.failPairs = true;
      return this;
    }

    /** What the report calls the policy (default: {@code id vN} from its binding). */
    public Builder policyName(String name) {
      this.policyName = checkNotNull(name, "name");
      return this;
    }

    /** What the report calls the version compared with (default: {@code id vN} from its binding). */
    public Builder againstName(String name) {
      this.againstName = checkNotNull(name, "name");
      return this;
    }

    /** How many countries and locations a comparison lists (default 20). */
    public Builder top(int top) {
      checkArgument(top >= 0, "top must not be negative but was %s", top);
      this.top = top;
      return this;
    }

    public Simulation build() {
      return new Simulation(this);
    }
  }
}
