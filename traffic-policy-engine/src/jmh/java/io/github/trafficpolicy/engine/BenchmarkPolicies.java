package io.github.trafficpolicy.engine;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointTarget;
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
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The benchmark fixtures, generated deterministically (no randomness): {@code small} (4 rules, 8 endpoints),
 * {@code medium} (40 rules, 200 endpoints) and {@code large} (400 rules, 2,000 endpoints, depth 8).
 *
 * <p>Rules form a binary heap: rule {@code i}'s child rules are {@code 2i+1} and {@code 2i+2} (when they exist), so
 * a document of {@code n} rules is {@code floor(log2 n)} levels deep. The rule type follows the level (geo,
 * latency, failover, weighted, geoproximity, geo, latency, weighted, geo); a rule without child rules is a
 * multivalue rule. Endpoints ({@code A} values in 198.18.0.0/15) are spread round-robin over every rule but the
 * failover rules, whose two entries are their child rules. For a client in Seattle (NA/US/WA, 47.61,-122.33) the
 * first child rule always wins where the type decides by location (the US/WA location, us-west-2, the nearest
 * coordinates, the primary), weighted rules draw between their child rules (endpoints there are zero-weight
 * standbys), so evaluation walks to the bottom of the tree. Every second entry has a health check; no snapshot is
 * given, so all count as healthy (the default for unknown status).
 */
final class BenchmarkPolicies {
  /** The benchmark's located client. */
  static final ClientLocation SEATTLE = ClientLocation.of("NA", "US", "WA", new Coordinates(47.61, -122.33));

  private static final String[] COUNTRIES = {
    "FR", "DE", "JP", "BR", "AU", "IN", "GB", "CA", "MX", "ZA", "AR", "ES", "IT", "NL", "SE", "PL", "KR", "SG",
    "ID", "TR", "EG", "NG", "KE", "CL", "CO", "PE", "NZ", "IE", "PT", "NO", "FI", "DK", "AT", "CH", "BE", "CZ"
  };
  private static final String[] FAR_REGIONS = {
    "eu-west-1", "eu-central-1", "ap-northeast-1", "ap-southeast-2", "sa-east-1", "ap-south-1", "eu-north-1",
    "me-south-1", "af-south-1", "ca-central-1", "us-east-1", "us-east-2", "eu-west-2", "eu-west-3", "ap-east-1",
    "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "eu-south-1", "il-central-1", "me-central-1",
    "ap-south-2", "eu-central-2", "eu-south-2", "ap-southeast-3", "ap-southeast-4", "mx-central-1"
  };

  private enum Kind { GEO, LATENCY, FAILOVER, WEIGHTED, GEOPROXIMITY, MULTIVALUE }

  private static final Kind[] BY_LEVEL = {
    Kind.GEO, Kind.LATENCY, Kind.FAILOVER, Kind.WEIGHTED, Kind.GEOPROXIMITY, Kind.GEO, Kind.LATENCY, Kind.WEIGHTED,
    Kind.GEO
  };

  private BenchmarkPolicies() {}

  /** The fixture named {@code small}, {@code medium} or {@code large}. */
  static PolicyDocument named(String size) {
    switch (size) {
      case "small":
        return generate(4, 8);
      case "medium":
        return generate(40, 200);
      case "large":
        return generate(400, 2000);
      default:
        throw new IllegalArgumentException("unknown fixture " + size);
    }
  }

  /** A document of {@code rules} rules and {@code endpoints} endpoints, as described above. */
  static PolicyDocument generate(int rules, int endpoints) {
    Kind[] kinds = new Kind[rules];
    List<Integer> holders = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      int level = 31 - Integer.numberOfLeadingZeros(i + 1);
      boolean hasChildren = 2 * i + 1 < rules;
      kinds[i] = !hasChildren ? Kind.MULTIVALUE : BY_LEVEL[level % BY_LEVEL.length];
      boolean fullFailover = kinds[i] == Kind.FAILOVER && 2 * i + 2 < rules;
      if (!fullFailover) {
        holders.add(i);
      }
    }
    List<List<Integer>> endpointsOf = new ArrayList<>();
    for (int i = 0; i < rules; i++) {
      endpointsOf.add(new ArrayList<>());
    }
    for (int e = 0; e < endpoints; e++) {
      endpointsOf.get(holders.get(e % holders.size())).add(e);
    }
    PolicyDocument.Builder doc = PolicyDocument.builder().formatVersion(FormatVersion.V2015_10_01)
        .recordType(RecordType.A).startRule(ruleId(0));
    for (int e = 0; e < endpoints; e++) {
      doc.endpoint(endpointId(e), Endpoint.value("198.18." + (e / 256) + "." + (e % 256)));
    }
    int[] healthChecks = {0};
    for (int i = 0; i < rules; i++) {
      List<Target> children = new ArrayList<>();
      for (int c = 2 * i + 1; c <= 2 * i + 2 && c < rules; c++) {
        children.add(Target.rule(ruleId(c)));
      }
      List<Target> own = endpointsOf.get(i).stream().<Target>map(e -> Target.endpoint(endpointId(e))).toList();
      doc.rule(ruleId(i), rule(kinds[i], children, own, healthChecks));
    }
    return doc.build();
  }

  private static Rule rule(Kind kind, List<Target> children, List<Target> own, int[] healthChecks) {
    switch (kind) {
      case GEO: {
        List<GeolocationEntry> entries = new ArrayList<>();
        for (int c = 0; c < children.size(); c++) {
          entries.add(c == 0 ? GeolocationEntry.subdivision("US", "WA", children.get(c))
              : GeolocationEntry.country("US", children.get(c)));
        }
        for (int e = 0; e < own.size(); e++) {
          GeolocationEntry entry = e == own.size() - 1 ? GeolocationEntry.defaultLocation(own.get(e))
              : GeolocationEntry.country(COUNTRIES[e % COUNTRIES.length], own.get(e));
          entries.add(entry.withHealth(Optional.empty(), healthCheck(healthChecks)));
        }
        return GeolocationRule.of(entries);
      }
      case LATENCY: {
        List<LatencyEntry> entries = new ArrayList<>();
        for (int c = 0; c < children.size(); c++) {
          entries.add(LatencyEntry.of(c == 0 ? "us-west-2" : "us-west-1", children.get(c)));
        }
        for (int e = 0; e < own.size(); e++) {
          entries.add(new LatencyEntry(own.get(e), FAR_REGIONS[e % FAR_REGIONS.length], Optional.empty(),
              healthCheck(healthChecks)));
        }
        return LatencyRule.of(entries);
      }
      case FAILOVER: {
        Target primary = children.get(0);
        Target secondary = children.size() > 1 ? children.get(1) : own.get(0);
        return new FailoverRule(new FailoverEntry(primary, Optional.empty(), healthCheck(healthChecks)),
            new FailoverEntry(secondary, Optional.empty(), healthCheck(healthChecks)));
      }
      case WEIGHTED: {
        List<WeightedEntry> entries = new ArrayList<>();
        for (int c = 0; c < children.size(); c++) {
          entries.add(WeightedEntry.of(c == 0 ? 100 : 50, children.get(c)));
        }
        for (Target t : own) {
          entries.add(new WeightedEntry(t, 0, Optional.empty(), healthCheck(healthChecks)));
        }
        return WeightedRule.of(entries);
      }
      case GEOPROXIMITY: {
        List<GeoproximityEntry> entries = new ArrayList<>();
        for (int c = 0; c < children.size(); c++) {
          entries.add(GeoproximityEntry.of(children.get(c),
              new GeoproximityLocation.Region(c == 0 ? "aws:route53:us-west-2" : "aws:route53:us-west-1")));
        }
        for (int e = 0; e < own.size(); e++) {
          // Far from Seattle: spread over the south-eastern quarter of the globe.
          String lat = String.valueOf(-10 - (e * 7) % 50);
          String lon = String.valueOf(10 + (e * 37) % 160);
          entries.add(new GeoproximityEntry(own.get(e), GeoproximityLocation.Coordinate.of(lat, lon), e % 20,
              Optional.empty(), healthCheck(healthChecks)));
        }
        return GeoproximityRule.of(entries);
      }
      case MULTIVALUE: {
        List<MultivalueEntry> entries = new ArrayList<>();
        for (Target t : own) {
          Optional<HealthCheckId> hc = healthCheck(healthChecks);
          entries.add(new MultivalueEntry(((EndpointTarget) t).endpoint(), hc));
        }
        return MultivalueAnswerRule.of(entries);
      }
      default:
        throw new AssertionError(kind);
    }
  }

  /** Every second call: a new health check id. */
  private static Optional<HealthCheckId> healthCheck(int[] counter) {
    int n = counter[0]++;
    return n % 2 == 0 ? Optional.of(HealthCheckId.of("hc-" + n)) : Optional.empty();
  }

  private static String ruleId(int i) {
    return "rule-" + i;
  }

  private static String endpointId(int e) {
    return "endpoint-" + e;
  }
}
