package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.github.trafficpolicy.api.internal.DocumentParts;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Whole-document validation of the model: references, cycles, endpoint types against the record type, record
 * data, geo defaults and locations, duplicate entries, and (as warnings) unreachable endpoints and rules. Paths
 * are JSON pointers into the document as Route 53 writes it ({@code /Rules/<id>/Items/0/EndpointReference}).
 *
 * <p>The rules checked, with their {@link ProblemCode}s (errors unless marked as warnings):
 *
 * <ul>
 *   <li>{@code StartRule}/{@code StartEndpoint}, {@code EndpointReference} and {@code RuleReference} name an
 *       existing rule or endpoint ({@link ProblemCode#DANGLING_REFERENCE});
 *   <li>rules do not reference each other in a cycle; sharing a rule between several parents is fine
 *       ({@link ProblemCode#REFERENCE_CYCLE});
 *   <li>alias endpoint types only in {@code A}/{@code AAAA} policies, {@code s3-website} only in {@code A}
 *       ({@link ProblemCode#ENDPOINT_TYPE_MISMATCH}); {@code s3-website} has a {@code Region}
 *       ({@link ProblemCode#MISSING_MEMBER}); alias values and regions are not empty
 *       ({@link ProblemCode#INVALID_VALUE});
 *   <li>a {@code value} endpoint's {@code Value} is record data of the policy's type, see {@link RecordData#parse}
 *       ({@link ProblemCode#INVALID_RECORD_DATA});
 *   <li>multivalue rules reference only {@code value} endpoints, are not used in {@code CNAME} policies
 *       ({@link ProblemCode#INVALID_RULE_FOR_TYPE}) and do not list one endpoint twice (the answer would hold a
 *       duplicate record; {@link ProblemCode#DUPLICATE_ENTRY});
 *   <li>weighted rules have at most 100 items ({@link ProblemCode#INVALID_VALUE});
 *   <li>geo rules: at most one default, {@code IsDefault} or {@code Country "*"}
 *       ({@link ProblemCode#DUPLICATE_DEFAULT});
 *       each location names a continent, a country, a country and subdivision, or is the default, but not a default
 *       with a location ({@link ProblemCode#INVALID_LOCATION}); codes are well formed (continent one of the seven,
 *       country two upper-case letters or {@code *}, subdivision 1–3 letters or digits;
 *       {@link ProblemCode#INVALID_VALUE}); no location twice ({@link ProblemCode#DUPLICATE_ENTRY}). Route 53
 *       documents subdivisions for {@code US} only, yet sizes the code for other countries: a subdivision of
 *       another country is a <em>warning</em> ({@link ProblemCode#INVALID_LOCATION});
 *   <li>latency rules: regions are well-formed plain codes ({@code us-east-1}; unknown but well-formed codes are
 *       accepted, as the list grows) and none appears twice ({@link ProblemCode#INVALID_VALUE},
 *       {@link ProblemCode#DUPLICATE_ENTRY});
 *   <li>geoproximity rules: Local Zones only in format {@code 2023-05-09} ({@link ProblemCode#INVALID_LOCATION});
 *       region and local-zone names carry the {@code aws:route53:} prefix ({@link ProblemCode#INVALID_VALUE}); no
 *       location twice ({@link ProblemCode#DUPLICATE_ENTRY}); bias and coordinate ranges are checked by the
 *       model's constructors;
 *   <li>warnings: an endpoint or rule nothing reaches from the start ({@link ProblemCode#UNREACHABLE});
 *       {@code EvaluateTargetHealth} omitted on a rule reference or alias endpoint, where its (undocumented)
 *       default matters ({@link ProblemCode#IMPLICIT_EVALUATE_TARGET_HEALTH}); {@code EvaluateTargetHealth: true}
 *       on a CloudFront endpoint, which cannot be evaluated ({@link ProblemCode#IGNORED_EVALUATE_TARGET_HEALTH}).
 * </ul>
 *
 * <p>Problems come in document order: the start, then each endpoint, then each rule (in map order), each with
 * its own problems in the order of its members.
 */
public final class PolicyValidator {
  private static final ImmutableSet<String> CONTINENTS = ImmutableSet.of("AF", "AN", "AS", "EU", "NA", "OC", "SA");
  private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}|\\*");
  private static final Pattern SUBDIVISION = Pattern.compile("[A-Z0-9]{1,3}");
  private static final Pattern REGION_CODE = Pattern.compile("[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}");
  private static final String AWS_PREFIX = "aws:route53:";
  /** Route 53's limit of weighted records per name and type. */
  static final int MAX_WEIGHTED_ITEMS = 100;

  private PolicyValidator() {}

  /** Every problem of a document made of these parts, errors and warnings, in document order. */
  public static ImmutableList<Problem> validate(
      FormatVersion formatVersion,
      RecordType recordType,
      Target start,
      ImmutableMap<EndpointId, Endpoint> endpoints,
      ImmutableMap<RuleId, Rule> rules) {
    return validate(new DocumentParts(Optional.of(formatVersion), Optional.of(recordType), Optional.of(start),
        endpoints, rules, ImmutableSet.of(), ImmutableSet.of(), ImmutableMap.of()));
  }

  /**
   * Every problem of a possibly incomplete document, errors and warnings, in document order. For the codec (through
   * {@code CodecHooks}), which validates the semantics of a document some of whose parts did not parse: checks that
   * need a missing part are skipped, and references to {@linkplain DocumentParts#brokenEndpoints() broken}
   * endpoints and rules are neither dangling nor checked further.
   */
  static ImmutableList<Problem> validate(DocumentParts parts) {
    checkNotNull(parts, "parts");
    return new Run(parts).run();
  }

  /**
   * The JSON pointer of entry {@code index} (in document order) of {@code rule} at {@code rulePath}, under the member
   * holding its entries ({@code Items}, {@code Locations} …; failover's two are {@code Primary} and {@code Secondary}):
   * {@code entryPath("/Rules/geo", geo, 2)} is {@code /Rules/geo/Locations/2}.
   */
  public static String entryPath(String rulePath, Rule rule, int index) {
    return switch (rule.type()) {
      case FAILOVER -> Problem.childPointer(rulePath, index == 0 ? "Primary" : "Secondary");
      case GEO -> Problem.childPointer(Problem.childPointer(rulePath, "Locations"), index);
      case GEOPROXIMITY -> Problem.childPointer(Problem.childPointer(rulePath, "GeoproximityLocations"), index);
      case LATENCY -> Problem.childPointer(Problem.childPointer(rulePath, "Regions"), index);
      case MULTIVALUE, WEIGHTED -> Problem.childPointer(Problem.childPointer(rulePath, "Items"), index);
    };
  }

  /** One validation. */
  private static final class Run {
    private final DocumentParts parts;
    /** Problems with their order key (0: top level, then endpoints, then rules). */
    private final List<Problem> problems = new ArrayList<>();
    private final List<Integer> order = new ArrayList<>();
    private final Map<EndpointId, Integer> endpointOrder = new HashMap<>();
    private final Map<RuleId, Integer> ruleOrder = new HashMap<>();

    Run(DocumentParts parts) {
      this.parts = parts;
      int i = 1;
      for (EndpointId id : parts.endpoints().keySet()) {
        endpointOrder.put(id, i++);
      }
      for (RuleId id : parts.rules().keySet()) {
        ruleOrder.put(id, i++);
      }
    }

    ImmutableList<Problem> run() {
      parts.start().ifPresent(this::checkStart);
      parts.endpoints().forEach(this::checkEndpoint);
      parts.rules().forEach(this::checkRule);
      checkCycles();
      checkReachability();
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < problems.size(); i++) {
        idx.add(i);
      }
      idx.sort(Comparator.comparingInt(order::get)); // stable: keeps member order within one part
      return idx.stream().map(problems::get).collect(ImmutableList.toImmutableList());
    }

    /** Adds a problem of the part with this order key (0: the top level, then endpoints, then rules). */
    private void add(int key, Problem p) {
      problems.add(p);
      order.add(2 * key + 1);
    }

    /** Adds a problem about a whole part, before the problems inside it (as its path comes first in the text). */
    private void addFirst(int key, Problem p) {
      problems.add(p);
      order.add(2 * key);
    }

    /** The path of entry {@code i} of a rule, at its position in the document. */
    private String entryPath(RuleId id, String rulePath, Rule rule, int i) {
      ImmutableList<Integer> positions = parts.partialRules().get(id);
      return PolicyValidator.entryPath(rulePath, rule, positions == null ? i : positions.get(i));
    }

    private void checkStart(Target start) {
      String path = start instanceof RuleTarget ? "/StartRule" : "/StartEndpoint";
      if (!exists(start)) {
        add(0, Problem.error(path, ProblemCode.DANGLING_REFERENCE,
            (start instanceof RuleTarget ? "StartRule names no rule of the document: '" : "StartEndpoint names no "
                + "endpoint of the document: '") + start.id() + "'"));
      }
    }

    private boolean exists(Target t) {
      if (t instanceof RuleTarget r) {
        return parts.rules().containsKey(r.rule()) || parts.brokenRules().contains(r.rule());
      }
      EndpointId e = ((EndpointTarget) t).endpoint();
      return parts.endpoints().containsKey(e) || parts.brokenEndpoints().contains(e);
    }

    private void checkEndpoint(EndpointId id, Endpoint e) {
      int key = endpointOrder.get(id);
      String path = Problem.pointer("Endpoints", id.value());
      Optional<RecordType> type = parts.recordType();
      if (type.isPresent() && !e.type().allowedFor(type.get())) {
        add(key, Problem.error(Problem.childPointer(path, "Type"), ProblemCode.ENDPOINT_TYPE_MISMATCH,
            "endpoint type " + e.type() + " is an alias to an AWS resource and needs RecordType "
                + (e.type() == EndpointType.S3_WEBSITE ? "A" : "A or AAAA") + ", but the policy's RecordType is "
                + type.get()));
      }
      if (e.type() == EndpointType.VALUE) {
        if (type.isPresent()) {
          try {
            RecordData.parse(type.get(), e.value());
          } catch (IllegalArgumentException ex) {
            add(key, Problem.error(Problem.childPointer(path, "Value"), ProblemCode.INVALID_RECORD_DATA,
                "Value is not valid " + type.get() + " record data: " + ex.getMessage()));
          }
        }
      } else if (e.value().isBlank()) {
        add(key, Problem.error(Problem.childPointer(path, "Value"), ProblemCode.INVALID_VALUE,
            "Value of a " + e.type() + " endpoint must be the resource's DNS name but is empty"));
      }
      if (e.type() == EndpointType.S3_WEBSITE) {
        if (e.region().isEmpty()) {
          add(key, Problem.error(path, ProblemCode.MISSING_MEMBER,
              "an s3-website endpoint needs Region, the bucket's region code (e.g. us-east-1)"));
        } else if (!REGION_CODE.matcher(e.region().get()).matches()) {
          add(key, Problem.error(Problem.childPointer(path, "Region"), ProblemCode.INVALID_VALUE,
              "Region must be a plain region code such as us-east-1 but was '" + e.region().get() + "'"));
        }
      }
    }

    private void checkRule(RuleId id, Rule rule) {
      int key = ruleOrder.get(id);
      String path = Problem.pointer("Rules", id.value());
      if (rule instanceof MultivalueAnswerRule && parts.recordType().equals(Optional.of(RecordType.CNAME))) {
        add(key, Problem.error(Problem.childPointer(path, "RuleType"), ProblemCode.INVALID_RULE_FOR_TYPE,
            "a multivalue rule cannot be used in a CNAME policy (multivalue records cannot be CNAME records)"));
      }
      if (rule instanceof WeightedRule w && w.items().size() > MAX_WEIGHTED_ITEMS) {
        add(key, Problem.error(Problem.childPointer(path, "Items"), ProblemCode.INVALID_VALUE,
            "a weighted rule can have at most " + MAX_WEIGHTED_ITEMS + " items but has " + w.items().size()));
      }
      boolean defaultSeen = false;
      Set<Object> seen = new HashSet<>();
      List<? extends RuleEntry> entries = rule.entries();
      for (int i = 0; i < entries.size(); i++) {
        RuleEntry entry = entries.get(i);
        String entryPath = entryPath(id, path, rule, i);
        checkReference(key, entryPath, entry);
        checkImplicitHealth(key, entryPath, entry);
        if (entry instanceof MultivalueEntry m) {
          Endpoint e = parts.endpoints().get(m.endpoint());
          if (e != null && e.type() != EndpointType.VALUE) {
            add(key, Problem.error(Problem.childPointer(entryPath, "EndpointReference"),
                ProblemCode.INVALID_RULE_FOR_TYPE,
                "a multivalue item must reference a value endpoint, but '" + m.endpoint() + "' is of type "
                    + e.type() + " (multivalue alias records do not exist)"));
          }
          if (!seen.add(m.endpoint())) {
            add(key, Problem.error(Problem.childPointer(entryPath, "EndpointReference"), ProblemCode.DUPLICATE_ENTRY,
                "endpoint '" + m.endpoint() + "' is already an item of this multivalue rule"));
          }
        } else if (entry instanceof GeolocationEntry g) {
          defaultSeen = checkGeo(key, entryPath, g, defaultSeen, seen);
        } else if (entry instanceof LatencyEntry l) {
          if (!REGION_CODE.matcher(l.region()).matches()) {
            add(key, Problem.error(Problem.childPointer(entryPath, "Region"), ProblemCode.INVALID_VALUE,
                "Region must be a plain AWS region code such as us-east-1 (no aws:route53: prefix) but was '"
                    + l.region() + "'"));
          } else if (!seen.add(l.region())) {
            add(key, Problem.error(Problem.childPointer(entryPath, "Region"), ProblemCode.DUPLICATE_ENTRY,
                "region " + l.region() + " appears twice in this latency rule"));
          }
        } else if (entry instanceof GeoproximityEntry g) {
          checkGeoproximity(key, entryPath, g, seen);
        }
        checkIgnoredHealth(key, entryPath, entry);
      }
    }

    private void checkReference(int key, String entryPath, RuleEntry entry) {
      Target t = entry.target();
      if (!exists(t)) {
        boolean rule = t instanceof RuleTarget;
        add(key, Problem.error(Problem.childPointer(entryPath, rule ? "RuleReference" : "EndpointReference"),
            ProblemCode.DANGLING_REFERENCE,
            (rule ? "RuleReference names no rule" : "EndpointReference names no endpoint") + " of the document: '"
                + t.id() + "'"));
      }
    }

    /** Warns when EvaluateTargetHealth is omitted where it matters (a rule reference, an alias but CloudFront). */
    private void checkImplicitHealth(int key, String entryPath, RuleEntry entry) {
      if (entry instanceof MultivalueEntry || entry.evaluateTargetHealth().isPresent()) {
        return;
      }
      Target t = entry.target();
      Endpoint endpoint = t instanceof EndpointTarget et ? parts.endpoints().get(et.endpoint()) : null;
      if (t instanceof RuleTarget) {
        add(key, Problem.warning(entryPath, ProblemCode.IMPLICIT_EVALUATE_TARGET_HEALTH,
            "EvaluateTargetHealth is omitted on a rule reference; Route 53's default is undocumented, so the "
                + "evaluator's configured default applies"));
      } else if (endpoint != null && endpoint.type().isAlias() && endpoint.type() != EndpointType.CLOUDFRONT) {
        add(key, Problem.warning(entryPath, ProblemCode.IMPLICIT_EVALUATE_TARGET_HEALTH,
            "EvaluateTargetHealth is omitted on a reference to the " + endpoint.type() + " endpoint '" + t.id()
                + "'; Route 53's default is undocumented, so the evaluator's configured default applies"));
      }
    }

    /** Warns about EvaluateTargetHealth true on a CloudFront endpoint, whose health cannot be evaluated. */
    private void checkIgnoredHealth(int key, String entryPath, RuleEntry entry) {
      if (entry.evaluateTargetHealth().orElse(false) && entry.target() instanceof EndpointTarget et
          && parts.endpoints().containsKey(et.endpoint())
          && parts.endpoints().get(et.endpoint()).type() == EndpointType.CLOUDFRONT) {
        add(key, Problem.warning(Problem.childPointer(entryPath, "EvaluateTargetHealth"),
            ProblemCode.IGNORED_EVALUATE_TARGET_HEALTH,
            "EvaluateTargetHealth is true on the cloudfront endpoint '" + et.id()
                + "', whose health Route 53 cannot evaluate; it is ignored"));
      }
    }

    /** Checks one geo location; returns whether a default has been seen (including this one). */
    private boolean checkGeo(int key, String entryPath, GeolocationEntry g, boolean defaultSeen, Set<Object> seen) {
      boolean star = g.country().filter("*"::equals).isPresent();
      if (g.isCatchAll()) {
        if (defaultSeen) {
          add(key, Problem.error(entryPath, ProblemCode.DUPLICATE_DEFAULT,
              "a geo rule can have only one default location (IsDefault true or Country \"*\"), and an earlier "
                  + "location already is the default"));
        }
        if (g.continent().isPresent() || (g.country().isPresent() && !star) || g.subdivision().isPresent()) {
          add(key, Problem.error(entryPath, ProblemCode.INVALID_LOCATION,
              "a default location (IsDefault true or Country \"*\") cannot also name a Continent, Country or "
                  + "Subdivision"));
        }
        return true;
      }
      if (g.continent().isEmpty() && g.country().isEmpty()) {
        add(key, Problem.error(entryPath, ProblemCode.INVALID_LOCATION,
            "a geo location needs Continent, Country (with an optional Subdivision) or IsDefault true"));
        return defaultSeen;
      }
      boolean wellFormed = true;
      if (g.continent().isPresent() && !CONTINENTS.contains(g.continent().get())) {
        wellFormed = false;
        add(key, Problem.error(Problem.childPointer(entryPath, "Continent"), ProblemCode.INVALID_VALUE,
            "Continent must be one of AF, AN, AS, EU, NA, OC, SA but was '" + g.continent().get() + "'"));
      }
      if (g.country().isPresent() && !COUNTRY.matcher(g.country().get()).matches()) {
        wellFormed = false;
        add(key, Problem.error(Problem.childPointer(entryPath, "Country"), ProblemCode.INVALID_VALUE,
            "Country must be a two-letter upper-case ISO 3166-1 code or \"*\" but was '" + g.country().get() + "'"));
      }
      if (g.subdivision().isPresent()) {
        if (!SUBDIVISION.matcher(g.subdivision().get()).matches()) {
          wellFormed = false;
          add(key, Problem.error(Problem.childPointer(entryPath, "Subdivision"), ProblemCode.INVALID_VALUE,
              "Subdivision must be 1 to 3 upper-case letters or digits but was '" + g.subdivision().get() + "'"));
        } else if (wellFormed && !g.country().get().equals("US")) {
          add(key, Problem.warning(Problem.childPointer(entryPath, "Subdivision"), ProblemCode.INVALID_LOCATION,
              "Route 53 documents subdivisions for Country US only; subdivision " + g.subdivision().get() + " of "
                  + g.country().get() + " may not be supported"));
        }
      }
      if (wellFormed && !seen.add(List.of(g.continent(), g.country(), g.subdivision()))) {
        add(key, Problem.error(entryPath, ProblemCode.DUPLICATE_ENTRY,
            "location " + describe(g) + " appears twice in this geo rule"));
      }
      return defaultSeen;
    }

    private static String describe(GeolocationEntry g) {
      if (g.continent().isPresent()) {
        return "Continent " + g.continent().get();
      }
      return "Country " + g.country().get() + g.subdivision().map(s -> " Subdivision " + s).orElse("");
    }

    private void checkGeoproximity(int key, String entryPath, GeoproximityEntry g, Set<Object> seen) {
      GeoproximityLocation loc = g.location();
      boolean v2023 = parts.formatVersion().equals(Optional.of(FormatVersion.V2023_05_09));
      String locPath = v2023 ? Problem.childPointer(entryPath, "Location") : entryPath;
      if (loc instanceof GeoproximityLocation.LocalZone z) {
        if (parts.formatVersion().equals(Optional.of(FormatVersion.V2015_10_01))) {
          add(key, Problem.error(entryPath, ProblemCode.INVALID_LOCATION,
              "a Local Zone location needs AWSPolicyFormatVersion 2023-05-09, but the document is 2015-10-01"));
        }
        checkAwsName(key, Problem.childPointer(locPath, v2023 ? "LocationName" : "Region"), z.name(), "Local Zone",
            "us-east-1-atl-1a");
      } else if (loc instanceof GeoproximityLocation.Region r) {
        checkAwsName(key, Problem.childPointer(locPath, v2023 ? "LocationName" : "Region"), r.name(), "Region",
            "us-east-1");
      }
      if (!seen.add(loc)) {
        add(key, Problem.error(entryPath, ProblemCode.DUPLICATE_ENTRY,
            "location " + describe(loc) + " appears twice in this geoproximity rule"));
      }
    }

    private static String describe(GeoproximityLocation loc) {
      if (loc instanceof GeoproximityLocation.Coordinate c) {
        return c.latitude().toPlainString() + ", " + c.longitude().toPlainString();
      }
      return loc instanceof GeoproximityLocation.Region r ? r.name() : ((GeoproximityLocation.LocalZone) loc).name();
    }

    private void checkAwsName(int key, String path, String name, String what, String example) {
      if (!name.startsWith(AWS_PREFIX) || name.length() == AWS_PREFIX.length()) {
        add(key, Problem.error(path, ProblemCode.INVALID_VALUE,
            "a geoproximity " + what + " is written aws:route53:<name> (e.g. aws:route53:" + example
                + ") but was '" + name + "'"));
      }
    }

    /** Reports one {@code REFERENCE_CYCLE} per back edge of a depth-first search (iterative: no deep recursion). */
    private void checkCycles() {
      Map<RuleId, Integer> state = new HashMap<>(); // absent: new, 1: on the stack, 2: done
      for (RuleId root : parts.rules().keySet()) {
        if (state.containsKey(root)) {
          continue;
        }
        Deque<RuleId> stack = new ArrayDeque<>();
        Deque<Integer> next = new ArrayDeque<>();
        stack.push(root);
        next.push(0);
        state.put(root, 1);
        while (!stack.isEmpty()) {
          RuleId id = stack.peek();
          int i = next.pop();
          Rule rule = parts.rules().get(id);
          if (i >= rule.entries().size()) {
            stack.pop();
            state.put(id, 2);
            continue;
          }
          next.push(i + 1);
          if (rule.entries().get(i).target() instanceof RuleTarget rt && parts.rules().containsKey(rt.rule())) {
            Integer s = state.get(rt.rule());
            if (s == null) {
              state.put(rt.rule(), 1);
              stack.push(rt.rule());
              next.push(0);
            } else if (s == 1) {
              add(ruleOrder.get(id), Problem.error(
                  Problem.childPointer(entryPath(id, Problem.pointer("Rules", id.value()), rule, i), "RuleReference"),
                  ProblemCode.REFERENCE_CYCLE,
                  "rule '" + id + "' references rule '" + rt.rule() + "', which leads back to it: rules must not "
                      + "reference each other in a cycle"));
            }
          }
        }
      }
    }

    /** Warns about endpoints and rules the start does not reach (skipped when the start is missing or broken). */
    private void checkReachability() {
      if (parts.start().isEmpty() || !exists(parts.start().get())) {
        return;
      }
      if (!parts.brokenRules().isEmpty() || !parts.partialRules().isEmpty()) {
        return; // a broken rule or entry may be the one that reaches the rest
      }
      Set<Target> reached = new HashSet<>();
      Deque<Target> queue = new ArrayDeque<>();
      queue.add(parts.start().get());
      reached.add(parts.start().get());
      while (!queue.isEmpty()) {
        Target t = queue.poll();
        if (t instanceof RuleTarget rt && parts.rules().containsKey(rt.rule())) {
          for (RuleEntry e : parts.rules().get(rt.rule()).entries()) {
            if (reached.add(e.target())) {
              queue.add(e.target());
            }
          }
        }
      }
      Map<EndpointId, Endpoint> endpoints = new LinkedHashMap<>(parts.endpoints());
      endpoints.forEach((id, e) -> {
        if (!reached.contains(new EndpointTarget(id))) {
          addFirst(endpointOrder.get(id), Problem.warning(Problem.pointer("Endpoints", id.value()),
              ProblemCode.UNREACHABLE, "endpoint '" + id + "' is not reachable from the start; it is never used"));
        }
      });
      parts.rules().forEach((id, r) -> {
        if (!reached.contains(new RuleTarget(id))) {
          addFirst(ruleOrder.get(id), Problem.warning(Problem.pointer("Rules", id.value()),
              ProblemCode.UNREACHABLE, "rule '" + id + "' is not reachable from the start; it is never used"));
        }
      });
    }
  }
}
