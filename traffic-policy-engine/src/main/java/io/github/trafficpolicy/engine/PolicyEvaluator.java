package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.PolicyDocument;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates traffic policies. Built once with its inputs (where clients are, latency, health, alias targets) and
 * {@link EvaluatorSettings}; immutable and thread-safe. {@link #compile} turns a document into a
 * {@link CompiledPolicy} once; evaluating that is a pure function of (policy version, client subnet, location,
 * latency, health snapshot, seed): no clock, no {@code Random}.
 *
 * <pre>{@code
 * PolicyEvaluator evaluator = PolicyEvaluator.builder()
 *     .geoLocator(MaxMindGeoLocator.open(Path.of("GeoLite2-City.mmdb")))
 *     .build();
 * CompiledPolicy policy = evaluator.compile(document, PolicyBinding.standalone("www.example.com"));
 * Answer answer = policy.evaluate(Query.of(ClientSubnet.parse("192.0.2.0/24")));
 * }</pre>
 *
 * <p>Semantics follow Route 53's documented routing and health rules, as traffic-policy-engine/SEMANTICS.md
 * states them: pick, check and re-pick within a group;
 * fail open when nothing is healthy (or fail closed, by setting); {@code EvaluateTargetHealth} backs out of
 * branches with nothing healthy; geolocation walks subdivision → country → continent → default. Weighted and
 * multivalue choices are weighted rendezvous hashing over the client's subnet ({@link RendezvousHash}), so every
 * evaluator instance and process gives the same answer and a client only moves when its own choice becomes
 * unavailable. Behaviour Route 53 does not document is set by {@link EvaluatorSettings}.
 *
 * <p>Compiling checks what the document model cannot: that every {@code value} endpoint's value is valid record
 * data for the record type, that references resolve and that the rules form no cycle (an
 * {@link IllegalArgumentException} naming the endpoint or rule).
 *
 * <p>Many records bound to one policy version compile it once: compile for the first record, then
 * {@linkplain PolicyProgram#bind bind} the others to its {@linkplain CompiledPolicy#program() program}:
 *
 * <pre>{@code
 * CompiledPolicy www = evaluator.compile(document, new PolicyBinding("web", 3, "www.example.com.", 60));
 * CompiledPolicy api = www.program().orElseThrow().bind("api.example.com.", 300);
 * }</pre>
 */
public final class PolicyEvaluator {
  private final GeoLocator geoLocator;
  private final @Nullable LatencyTable latencyTable;
  private final Supplier<HealthSnapshot> health;
  private final AliasResolver aliasResolver;
  private final EvaluatorSettings settings;

  private PolicyEvaluator(Builder b) {
    this.geoLocator = b.geoLocator;
    this.latencyTable = b.latencyTable;
    this.health = b.health;
    this.aliasResolver = b.aliasResolver;
    this.settings = b.settings;
  }

  /** A builder with the embedded defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Compiles {@code document} for {@code binding} (policy id and version, record name, TTL). The result holds this
   * evaluator's inputs and settings.
   *
   * @throws IllegalArgumentException if a value endpoint's data does not fit the record type, a reference does not
   *     resolve or the rules form a cycle
   */
  public CompiledPolicy compile(PolicyDocument document, PolicyBinding binding) {
    checkNotNull(document, "document");
    checkNotNull(binding, "binding");
    return new CompiledPolicyImpl(document, binding, this);
  }

  /** Compiles {@code document} on its own ({@link PolicyBinding#standalone}) for {@code recordName}. */
  public CompiledPolicy compile(PolicyDocument document, String recordName) {
    return compile(document, PolicyBinding.standalone(recordName));
  }

  /** A builder holding this evaluator's inputs and settings, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.geoLocator = geoLocator;
    b.latencyTable = latencyTable;
    b.health = health;
    b.aliasResolver = aliasResolver;
    b.settings = settings;
    return b;
  }

  /** Where clients are located when a query carries no location. */
  public GeoLocator geoLocator() {
    return geoLocator;
  }

  /**
   * The latency table, if one was configured. Without one, latency rules use a built-in estimate from the great
   * circle distance between the client's coordinates and the region's: {@code 5 ms + km / 100}.
   */
  public Optional<LatencyTable> latencyTable() {
    return Optional.ofNullable(latencyTable);
  }

  /** The health supplier, read once per evaluation when a query carries no health snapshot. */
  public Supplier<HealthSnapshot> health() {
    return health;
  }

  /** The resolver of alias-type endpoints. */
  public AliasResolver aliasResolver() {
    return aliasResolver;
  }

  /** The settings for undocumented behaviour. */
  public EvaluatorSettings settings() {
    return settings;
  }

  /** Builds a {@link PolicyEvaluator}. */
  public static final class Builder {
    private GeoLocator geoLocator = address -> new GeoLookup(ClientLocation.UNKNOWN, 0);
    private @Nullable LatencyTable latencyTable;
    private Supplier<HealthSnapshot> health = HealthSnapshot::empty;
    private AliasResolver aliasResolver = (endpoint, type, name) -> com.google.common.collect.ImmutableList.of();
    private EvaluatorSettings settings = EvaluatorSettings.defaults();

    private Builder() {}

    /** Where clients are. Default: nowhere known. */
    public Builder geoLocator(GeoLocator geoLocator) {
      this.geoLocator = checkNotNull(geoLocator, "geoLocator");
      return this;
    }

    /**
     * Latency per client network. Default: an estimate from the great-circle distance between the client's
     * coordinates and the region's ({@code 5 ms + km / 100}; unknown without client coordinates).
     */
    public Builder latencyTable(LatencyTable latencyTable) {
      this.latencyTable = checkNotNull(latencyTable, "latencyTable");
      return this;
    }

    /** The current health, read once per evaluation (e.g. a {@link HealthRegistry}). Default: nothing known. */
    public Builder health(Supplier<HealthSnapshot> health) {
      this.health = checkNotNull(health, "health");
      return this;
    }

    /** Records for alias-type endpoints. Default: a static table (empty). */
    public Builder aliasResolver(AliasResolver aliasResolver) {
      this.aliasResolver = checkNotNull(aliasResolver, "aliasResolver");
      return this;
    }

    /** Settings for behaviour Route 53 does not document. */
    public Builder settings(EvaluatorSettings settings) {
      this.settings = checkNotNull(settings, "settings");
      return this;
    }

    /** The evaluator. */
    public PolicyEvaluator build() {
      return new PolicyEvaluator(this);
    }
  }
}
