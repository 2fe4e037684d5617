package io.github.trafficpolicy.testing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.EndpointTarget;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.GeoproximityRule;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.LatencyRule;
import io.github.trafficpolicy.api.MultivalueAnswerRule;
import io.github.trafficpolicy.api.MultivalueEntry;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.api.RuleTarget;
import io.github.trafficpolicy.api.RuleType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Seeded generator of random <em>valid</em> {@link PolicyDocument}s for property tests.
 *
 * <p>Documents cover both format versions, every record type, all six rule types nested up to a maximum depth, rules
 * shared by several parents (a DAG), every endpoint type the record type allows, all geoproximity location kinds the
 * format version allows, health checks, {@code EvaluateTargetHealth} present or absent, and weights including 0.
 * Every document stays within Route 53's rules (at most 100 weighted items, at most one geo default, distinct
 * locations and regions, no cycles, multivalue only over {@code value} endpoints and never in {@code CNAME}
 * policies). By default every endpoint and rule is reachable from the start, so documents carry no warnings other
 * than {@code IMPLICIT_EVALUATE_TARGET_HEALTH} / {@code IGNORED_EVALUATE_TARGET_HEALTH}.
 *
 * <p>Usage: {@code new PolicyGenerator(new SplittableRandom(seed)).document()}; print the seed in the failure
 * message (with the document) so a failure replays. Identical seeds give identical documents.
 */
public final class PolicyGenerator {
  /** The deepest nesting the generator supports (rules on the longest path from the start). */
  public static final int MAX_DEPTH = 6;
  /** Soft bound on the number of rules in one document, so deep documents stay small. */
  private static final int MAX_RULES = 24;

  private static final ImmutableList<String> CONTINENTS = ImmutableList.of("AF", "AN", "AS", "EU", "NA", "OC", "SA");
  private static final ImmutableList<String> COUNTRIES = ImmutableList.of(
      "US", "CA", "MX", "BR", "AR", "GB", "FR", "DE", "ES", "IT", "NL", "SE", "PL", "UA", "TR", "RU", "CN", "JP",
      "KR", "IN", "SG", "AU", "NZ", "ZA", "EG", "NG", "KE", "XK", "PR", "GU");
  private static final ImmutableList<String> US_STATES = ImmutableList.of(
      "AK", "AL", "AZ", "CA", "CO", "FL", "GA", "HI", "IL", "MA", "NY", "OR", "TX", "VA", "WA");
  private static final ImmutableList<String> REGIONS = ImmutableList.of(
      "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
      "eu-central-1", "eu-north-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1",
      "sa-east-1", "af-south-1", "me-south-1", "il-central-1");
  private static final ImmutableList<String> LOCAL_ZONES = ImmutableList.of(
      "us-east-1-atl-1a", "us-east-1-bos-1a", "us-west-2-lax-1a", "us-west-2-den-1a", "us-east-1-mia-1a");
  /** ID characters; includes JSON-pointer and JSON-escape specials so paths and escaping get exercised. */
  private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
  private static final String ID_SPECIALS = "/~ \"\\é";

  private final SplittableRandom random;
  private final Settings settings;

  /** A generator with {@link Settings#defaults()}. */
  public PolicyGenerator(SplittableRandom random) {
    this(random, Settings.defaults());
  }

  /** A generator with these settings. */
  public PolicyGenerator(SplittableRandom random, Settings settings) {
    this.random = checkNotNull(random, "random");
    this.settings = checkNotNull(settings, "settings");
  }

  /** Settings of a generator; immutable, change with the {@code with*} methods. */
  public record Settings(int maxDepth, int maxEntries, double startEndpointChance, boolean unreachableParts) {
    public Settings {
      checkArgument(maxDepth >= 1 && maxDepth <= MAX_DEPTH, "maxDepth must be in [1, %s] but was %s", MAX_DEPTH,
          maxDepth);
      checkArgument(maxEntries >= 1 && maxEntries <= 100, "maxEntries must be in [1, 100] but was %s", maxEntries);
      checkArgument(startEndpointChance >= 0 && startEndpointChance <= 1,
          "startEndpointChance must be in [0, 1] but was %s", startEndpointChance);
    }

    /** Depth up to 6, up to 5 entries per rule, 5% single-endpoint documents, everything reachable. */
    public static Settings defaults() {
      return new Settings(MAX_DEPTH, 5, 0.05, false);
    }

    /** These settings with another maximum depth (1…6). */
    public Settings withMaxDepth(int maxDepth) {
      return new Settings(maxDepth, maxEntries, startEndpointChance, unreachableParts);
    }

    /** These settings with another maximum number of entries per rule (1…100). */
    public Settings withMaxEntries(int maxEntries) {
      return new Settings(maxDepth, maxEntries, startEndpointChance, unreachableParts);
    }

    /** These settings with another probability of a rule-less {@code StartEndpoint} document. */
    public Settings withStartEndpointChance(double chance) {
      return new Settings(maxDepth, maxEntries, chance, unreachableParts);
    }

    /** These settings, sometimes adding endpoints and rules nothing references (valid, but warned about). */
    public Settings withUnreachableParts(boolean unreachableParts) {
      return new Settings(maxDepth, maxEntries, startEndpointChance, unreachableParts);
    }
  }

  /** A random valid document of a random record type and format version. */
  public PolicyDocument document() {
    return document(pick(RecordType.values()), pick(FormatVersion.values()));
  }

  /** A random valid document of this record type and format version. */
  public PolicyDocument document(RecordType recordType, FormatVersion formatVersion) {
    checkNotNull(recordType, "recordType");
    checkNotNull(formatVersion, "formatVersion");
    return new Build(recordType, formatVersion).run();
  }

  /**
   * Random health-check results for every health check the document mentions: a map of health check ID to
   * {@code true} (healthy) or {@code false}, each healthy with probability {@code healthyChance}.
   */
  public ImmutableMap<HealthCheckId, Boolean> healthStatuses(PolicyDocument document, double healthyChance) {
    checkArgument(healthyChance >= 0 && healthyChance <= 1, "healthyChance must be in [0, 1] but was %s",
        healthyChance);
    ImmutableMap.Builder<HealthCheckId, Boolean> out = ImmutableMap.builder();
    Set<HealthCheckId> seen = new HashSet<>();
    for (Rule rule : document.rules().values()) {
      for (RuleEntry e : rule.entries()) {
        e.healthCheck().filter(seen::add).ifPresent(h -> out.put(h, random.nextDouble() < healthyChance));
      }
    }
    return out.buildOrThrow();
  }

  /**
   * The nesting depth of a document: the number of rules on the longest path from the start (0 for a
   * {@code StartEndpoint} document). The document must be acyclic, as every valid document is.
   */
  public static int depth(PolicyDocument document) {
    return depth(document, document.start(), new LinkedHashMap<>());
  }

  private static int depth(PolicyDocument document, Target target, Map<RuleId, Integer> memo) {
    if (!(target instanceof RuleTarget rt)) {
      return 0;
    }
    Integer known = memo.get(rt.rule());
    if (known != null) {
      return known;
    }
    int d = 0;
    for (RuleEntry e : document.rule(rt.rule()).entries()) {
      d = Math.max(d, depth(document, e.target(), memo));
    }
    memo.put(rt.rule(), d + 1);
    return d + 1;
  }

  /** A random health check ID (a UUID). */
  public HealthCheckId healthCheckId() {
    return HealthCheckId.of(new UUID(random.nextLong(), random.nextLong()).toString());
  }

  // ---------------------------------------------------------------------------------------------------------

  /** One document under construction. */
  private final class Build {
    private final RecordType recordType;
    private final FormatVersion formatVersion;
    private final Map<EndpointId, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<RuleId, Rule> rules = new LinkedHashMap<>();
    /** Height of each finished rule: 1 for a rule whose entries are all endpoints. */
    private final Map<RuleId, Integer> heights = new LinkedHashMap<>();
    private final Set<String> ids = new HashSet<>();

    Build(RecordType recordType, FormatVersion formatVersion) {
      this.recordType = recordType;
      this.formatVersion = formatVersion;
    }

    PolicyDocument run() {
      PolicyDocument.Builder b = PolicyDocument.builder().formatVersion(formatVersion).recordType(recordType);
      Target start;
      if (random.nextDouble() < settings.startEndpointChance()) {
        start = new EndpointTarget(newEndpoint(false));
      } else {
        start = new RuleTarget(rule(1 + random.nextInt(settings.maxDepth())));
      }
      if (settings.unreachableParts() && random.nextInt(3) == 0) {
        newEndpoint(false);
        if (!rules.isEmpty() && random.nextBoolean()) {
          rule(1);
        }
      }
      b.start(start);
      // Document order: shuffled a little so references point both forwards and backwards.
      List<Map.Entry<EndpointId, Endpoint>> es = new ArrayList<>(endpoints.entrySet());
      List<Map.Entry<RuleId, Rule>> rs = new ArrayList<>(rules.entrySet());
      shuffle(es);
      shuffle(rs);
      es.forEach(e -> b.endpoint(e.getKey().value(), e.getValue()));
      rs.forEach(e -> b.rule(e.getKey().value(), e.getValue()));
      return b.build();
    }

    /** A new rule of height at most {@code height} (≥ 1); returns its ID. */
    private RuleId rule(int height) {
      List<RuleType> types = new ArrayList<>(List.of(RuleType.values()));
      if (recordType == RecordType.CNAME) {
        types.remove(RuleType.MULTIVALUE);
      }
      RuleType type = types.get(random.nextInt(types.size()));
      int n = 1 + random.nextInt(settings.maxEntries());
      Rule rule;
      switch (type) {
        case FAILOVER -> rule = new FailoverRule(failoverEntry(height), failoverEntry(height));
        case WEIGHTED -> {
          List<WeightedEntry> items = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            int weight = random.nextInt(4) == 0 ? 0 : random.nextInt(256);
            items.add(new WeightedEntry(child(height), weight, eth(), healthCheck()));
          }
          rule = WeightedRule.of(items);
        }
        case MULTIVALUE -> {
          List<MultivalueEntry> items = new ArrayList<>();
          Set<EndpointId> used = new HashSet<>();
          for (int i = 0; i < n; i++) {
            EndpointId e = valueEndpoint();
            if (used.add(e)) {
              items.add(new MultivalueEntry(e, healthCheck()));
            }
          }
          rule = MultivalueAnswerRule.of(items);
        }
        case LATENCY -> {
          List<LatencyEntry> entries = new ArrayList<>();
          for (String region : distinct(REGIONS, n)) {
            entries.add(new LatencyEntry(child(height), region, eth(), healthCheck()));
          }
          rule = LatencyRule.of(entries);
        }
        case GEO -> rule = geoRule(height, n);
        case GEOPROXIMITY -> rule = geoproximityRule(height, n);
        default -> throw new AssertionError(type);
      }
      RuleId id = RuleId.of(newId("rule"));
      rules.put(id, rule);
      int h = 1;
      for (RuleEntry e : rule.entries()) {
        if (e.target() instanceof RuleTarget rt) {
          h = Math.max(h, heights.get(rt.rule()) + 1);
        }
      }
      heights.put(id, h);
      return id;
    }

    private FailoverEntry failoverEntry(int height) {
      return new FailoverEntry(child(height), eth(), healthCheck());
    }

    private GeolocationRule geoRule(int height, int n) {
      List<GeolocationEntry> entries = new ArrayList<>();
      Set<String> locations = new HashSet<>();
      for (int i = 0; i < n; i++) {
        Optional<String> continent = Optional.empty();
        Optional<String> country = Optional.empty();
        Optional<String> subdivision = Optional.empty();
        switch (random.nextInt(3)) {
          case 0 -> continent = Optional.of(pick(CONTINENTS));
          case 1 -> country = Optional.of(pick(COUNTRIES));
          default -> {
            country = Optional.of("US");
            subdivision = Optional.of(pick(US_STATES));
          }
        }
        String key = continent.orElse("") + "/" + country.orElse("") + "/" + subdivision.orElse("");
        if (locations.add(key)) {
          entries.add(new GeolocationEntry(child(height), continent, country, subdivision, false, eth(),
              healthCheck()));
        }
      }
      if (random.nextInt(3) != 0) {
        // The catch-all, in one of its three spellings, at a random position.
        GeolocationEntry def = switch (random.nextInt(3)) {
          case 0 -> new GeolocationEntry(child(height), Optional.empty(), Optional.empty(), Optional.empty(), true,
              eth(), healthCheck());
          case 1 -> new GeolocationEntry(child(height), Optional.empty(), Optional.of("*"), Optional.empty(), false,
              eth(), healthCheck());
          default -> new GeolocationEntry(child(height), Optional.empty(), Optional.of("*"), Optional.empty(), true,
              eth(), healthCheck());
        };
        entries.add(random.nextInt(entries.size() + 1), def);
      }
      return GeolocationRule.of(entries);
    }

    private GeoproximityRule geoproximityRule(int height, int n) {
      List<GeoproximityEntry> entries = new ArrayList<>();
      Set<GeoproximityLocation> locations = new HashSet<>();
      for (int i = 0; i < n; i++) {
        GeoproximityLocation location = switch (random.nextInt(formatVersion == FormatVersion.V2023_05_09 ? 3 : 2)) {
          case 0 -> new GeoproximityLocation.Region("aws:route53:" + pick(REGIONS));
          case 1 -> coordinate();
          default -> new GeoproximityLocation.LocalZone("aws:route53:" + pick(LOCAL_ZONES));
        };
        if (locations.add(location)) {
          int bias = random.nextInt(3) == 0 ? 0 : random.nextInt(199) - 99;
          entries.add(new GeoproximityEntry(child(height), location, bias, eth(), healthCheck()));
        }
      }
      return GeoproximityRule.of(entries);
    }

    private GeoproximityLocation.Coordinate coordinate() {
      int scale = random.nextInt(3);
      BigDecimal lat = BigDecimal.valueOf(random.nextLong(-9000, 9001), 2).setScale(scale, RoundingMode.DOWN);
      BigDecimal lon = BigDecimal.valueOf(random.nextLong(-18000, 18001), 2)
          .setScale(random.nextInt(3), RoundingMode.DOWN);
      return new GeoproximityLocation.Coordinate(lat, lon);
    }

    /** The target of an entry of a rule of height ≤ {@code height}: a rule of lower height or an endpoint. */
    private Target child(int height) {
      if (height > 1 && rules.size() >= MAX_RULES) {
        for (Map.Entry<RuleId, Integer> e : heights.entrySet()) {
          if (e.getValue() < height && random.nextBoolean()) {
            return new RuleTarget(e.getKey());
          }
        }
      } else if (height > 1 && random.nextInt(3) != 0) {
        List<RuleId> shareable = new ArrayList<>();
        heights.forEach((id, h) -> {
          if (h < height) {
            shareable.add(id);
          }
        });
        if (!shareable.isEmpty() && random.nextInt(3) == 0) {
          return new RuleTarget(shareable.get(random.nextInt(shareable.size())));
        }
        return new RuleTarget(rule(1 + random.nextInt(height - 1)));
      }
      if (!endpoints.isEmpty() && random.nextInt(4) == 0) {
        List<EndpointId> existing = new ArrayList<>(endpoints.keySet());
        return new EndpointTarget(existing.get(random.nextInt(existing.size())));
      }
      return new EndpointTarget(newEndpoint(false));
    }

    /** A {@code value} endpoint, new or (sometimes) an existing one. */
    private EndpointId valueEndpoint() {
      if (random.nextInt(4) == 0) {
        List<EndpointId> values = new ArrayList<>();
        endpoints.forEach((id, e) -> {
          if (e.type() == EndpointType.VALUE) {
            values.add(id);
          }
        });
        if (!values.isEmpty()) {
          return values.get(random.nextInt(values.size()));
        }
      }
      return newEndpoint(true);
    }

    private EndpointId newEndpoint(boolean valueOnly) {
      Endpoint endpoint;
      List<EndpointType> types = new ArrayList<>();
      for (EndpointType t : EndpointType.values()) {
        if (t.allowedFor(recordType) && (!valueOnly || t == EndpointType.VALUE)) {
          types.add(t);
        }
      }
      EndpointType type = random.nextBoolean() ? EndpointType.VALUE : types.get(random.nextInt(types.size()));
      endpoint = switch (type) {
        case VALUE -> Endpoint.value(RecordValues.random(recordType, random));
        case S3_WEBSITE -> Endpoint.s3Website("www" + random.nextInt(100) + ".example.com", pick(REGIONS));
        case CLOUDFRONT -> Endpoint.alias(type, "d" + Long.toHexString(random.nextLong() & 0xffffffffffL)
            + ".cloudfront.net");
        case ELASTIC_BEANSTALK -> Endpoint.alias(type, "env-" + random.nextInt(1000) + "." + pick(REGIONS)
            + ".elasticbeanstalk.com");
        default -> Endpoint.alias(type, "dualstack.lb-" + random.nextInt(100_000) + "." + pick(REGIONS)
            + ".elb.amazonaws.com");
      };
      EndpointId id = EndpointId.of(newId("ep"));
      endpoints.put(id, endpoint);
      return id;
    }

    /** A fresh ID, unique across endpoints and rules; sometimes with characters that need escaping. */
    private String newId(String prefix) {
      while (true) {
        StringBuilder sb = new StringBuilder(prefix).append('-');
        int len = 1 + random.nextInt(6);
        for (int i = 0; i < len; i++) {
          sb.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
        }
        if (random.nextInt(8) == 0) {
          sb.append(ID_SPECIALS.charAt(random.nextInt(ID_SPECIALS.length())));
        }
        String id = sb.toString();
        if (ids.add(id)) {
          return id;
        }
      }
    }
  }

  private Optional<Boolean> eth() {
    return switch (random.nextInt(3)) {
      case 0 -> Optional.empty();
      case 1 -> Optional.of(true);
      default -> Optional.of(false);
    };
  }

  private Optional<HealthCheckId> healthCheck() {
    return random.nextBoolean() ? Optional.of(healthCheckId()) : Optional.empty();
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  private <T> T pick(T[] array) {
    return array[random.nextInt(array.length)];
  }

  private List<String> distinct(List<String> from, int n) {
    List<String> copy = new ArrayList<>(from);
    shuffle(copy);
    return copy.subList(0, Math.min(n, copy.size()));
  }

  private <T> void shuffle(List<T> list) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }
}
