package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.EvaluatorSettings;
import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.LatencyTable;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The one way the project's own entry points ({@code serve}, {@code evaluate}, {@code test}, {@code simulate})
 * assemble a {@link PolicyEvaluator} from their inputs, so that the same inputs give the same answers whichever
 * command is asked:
 *
 * <ul>
 *   <li><b>Where clients are:</b> the geo locators in the order given (the first that knows an address answers,
 *       {@link GeoLocators#chain}); none: every client is at an unknown location.
 *   <li><b>Latency:</b> the latency tables in the order given (figures given on the command line or in a test case
 *       first, then measured tables), then always the great-circle estimate to the settings' region coordinates
 *       ({@link EstimatedLatencyTable}), asked per region ({@link LatencyTables#chain}). So a client or region a
 *       table lacks is estimated rather than left without data (which would put the rule's entries in document
 *       order). With no table at all the evaluator's built-in estimate applies (the same formula, to the same
 *       region coordinates).
 *   <li><b>Health:</b> the supplier given (a {@link HealthRegistry} while serving); default: nothing known.
 *   <li><b>Alias targets:</b> a {@link StaticAliasResolver} table, and when DNS lookups are configured a
 *       {@link DnsAliasResolver} with the table as its overrides (a target in the table is never looked up).
 * </ul>
 *
 * <p>A {@link DnsAliasResolver} built here belongs to the caller, who closes it ({@link #dnsAliasResolver()}).
 * Immutable once built; the builder is not thread-safe.
 */
public final class EvaluatorInputs {
  private final PolicyEvaluator evaluator;
  private final Optional<DnsAliasResolver> dnsAliasResolver;

  private EvaluatorInputs(PolicyEvaluator evaluator, Optional<DnsAliasResolver> dnsAliasResolver) {
    this.evaluator = evaluator;
    this.dnsAliasResolver = dnsAliasResolver;
  }

  /** A builder with no inputs and the default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** The evaluator. */
  public PolicyEvaluator evaluator() {
    return evaluator;
  }

  /** The resolver that looks alias targets up, when lookups were configured (the caller closes it). */
  public Optional<DnsAliasResolver> dnsAliasResolver() {
    return dnsAliasResolver;
  }

  /**
   * The latency chain of {@code tables} (in order) followed by the great-circle estimate to {@code settings}'
   * region coordinates; with no table, empty (the evaluator's built-in estimate applies).
   */
  public static Optional<LatencyTable> latency(List<? extends LatencyTable> tables, EvaluatorSettings settings) {
    checkNotNull(tables, "tables");
    checkNotNull(settings, "settings");
    if (tables.isEmpty()) {
      return Optional.empty();
    }
    List<LatencyTable> chain = new ArrayList<>(tables);
    chain.add(EstimatedLatencyTable.using(settings.regionCoordinates()));
    return Optional.of(LatencyTables.chain(chain));
  }

  /**
   * The latency data of one client when some figures are given for it (a test case's or the command line's):
   * {@code given} per region, then the great-circle estimate from {@code location} to {@code settings}' region
   * coordinates, as {@link #latency} chains them.
   */
  public static ClientLatency latency(ClientLatency given, ClientSubnet client, ClientLocation location,
      EvaluatorSettings settings) {
    checkNotNull(given, "given");
    checkNotNull(client, "client");
    checkNotNull(location, "location");
    LatencyTable fixed = (address, where) -> given;
    return latency(List.of(fixed), settings).orElseThrow().forClient(client.address(), location);
  }

  /** Builds {@link EvaluatorInputs}. */
  public static final class Builder {
    private final List<GeoLocator> geoLocators = new ArrayList<>();
    private final List<LatencyTable> latencyTables = new ArrayList<>();
    private Supplier<HealthSnapshot> health = HealthSnapshot::empty;
    private @Nullable StaticAliasResolver aliasTable;
    private DnsAliasResolver.@Nullable Builder aliasLookups;
    private EvaluatorSettings settings = EvaluatorSettings.defaults();
    private boolean built;

    private Builder() {}

    /** Adds a geo locator, asked after the ones added before. */
    public Builder geoLocator(GeoLocator locator) {
      geoLocators.add(checkNotNull(locator, "locator"));
      return this;
    }

    /** Adds a latency table, asked (per region) after the ones added before and before the estimate. */
    public Builder latencyTable(LatencyTable table) {
      latencyTables.add(checkNotNull(table, "table"));
      return this;
    }

    /** The current health, read once per evaluation. Default: nothing known. */
    public Builder health(Supplier<HealthSnapshot> health) {
      this.health = checkNotNull(health, "health");
      return this;
    }

    /** The addresses of alias targets, from a table (the overrides of lookups, when there are lookups). */
    public Builder aliasTable(StaticAliasResolver table) {
      this.aliasTable = checkNotNull(table, "table");
      return this;
    }

    /**
     * Looks alias targets up through the resolvers of {@code lookups} (its other settings as given); the
     * {@linkplain #aliasTable table}, if any, becomes its overrides.
     */
    public Builder aliasLookups(DnsAliasResolver.Builder lookups) {
      this.aliasLookups = checkNotNull(lookups, "lookups");
      return this;
    }

    /** Settings for behaviour Route 53 does not document (also the region coordinates of the estimate). */
    public Builder settings(EvaluatorSettings settings) {
      this.settings = checkNotNull(settings, "settings");
      return this;
    }

    /**
     * The assembled inputs; starts the alias lookups, if any (once: a builder builds one {@link EvaluatorInputs}).
     */
    public EvaluatorInputs build() {
      checkState(!built, "already built");
      built = true;
      PolicyEvaluator.Builder b = PolicyEvaluator.builder().settings(settings).health(health);
      if (!geoLocators.isEmpty()) {
        b.geoLocator(GeoLocators.chain(ImmutableList.copyOf(geoLocators)));
      }
      latency(latencyTables, settings).ifPresent(b::latencyTable);
      Optional<DnsAliasResolver> dns = Optional.empty();
      if (aliasLookups != null) {
        if (aliasTable != null) {
          aliasLookups.overrides(aliasTable);
        }
        dns = Optional.of(aliasLookups.build());
        b.aliasResolver(dns.get());
      } else if (aliasTable != null) {
        b.aliasResolver(aliasTable);
      }
      return new EvaluatorInputs(b.build(), dns);
    }
  }
}
