package io.github.trafficpolicy.api.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.api.RuleTarget;
import io.github.trafficpolicy.api.WeightedEntry;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a document in random token styles, as real documents do: member order shuffled, compact or indented
 * with random spacing, Weight/Bias as numbers or strings, booleans as JSON or strings, coordinates as strings or
 * numbers, optional members sometimes spelled out with their defaults. Independent of {@link DocumentWriter}.
 */
final class StyledWriter {
  private final SplittableRandom random;
  private final String indentUnit;
  private final String colon;
  private final boolean compact;

  private StyledWriter(SplittableRandom random) {
    this.random = random;
    this.compact = random.nextInt(4) == 0;
    this.indentUnit = List.of("  ", "   ", "    ", "\t").get(random.nextInt(4));
    this.colon = List.of(":", ": ", " : ", ":  ").get(random.nextInt(4));
  }

  /** The document in random styles; reading it must give an equal document. */
  static String write(PolicyDocument d, SplittableRandom random) {
    StyledWriter w = new StyledWriter(random);
    return w.value(w.document(d), 0) + (random.nextBoolean() ? "\n" : "");
  }

  /** A member: name and already-rendered value (a String of JSON) or a nested list of members / elements. */
  private record Member(String name, Object value) {}

  private record Arr(List<Object> items) {}

  private List<Member> document(PolicyDocument d) {
    List<Member> m = new ArrayList<>();
    m.add(new Member("AWSPolicyFormatVersion", str(d.formatVersion().text())));
    m.add(new Member("RecordType", str(d.recordType().name())));
    m.add(new Member(d.start() instanceof RuleTarget ? "StartRule" : "StartEndpoint", str(d.start().id())));
    List<Member> endpoints = new ArrayList<>();
    d.endpoints().forEach((id, e) -> endpoints.add(new Member(id.value(), endpoint(e))));
    m.add(new Member("Endpoints", endpoints));
    if (!d.rules().isEmpty() || random.nextBoolean()) {
      List<Member> rules = new ArrayList<>();
      d.rules().forEach((id, r) -> rules.add(new Member(id.value(), rule(r, d.formatVersion()))));
      m.add(new Member("Rules", rules));
    }
    return shuffled(m);
  }

  private List<Member> endpoint(Endpoint e) {
    List<Member> m = new ArrayList<>();
    m.add(new Member("Type", str(e.type().text())));
    m.add(new Member("Value", str(e.value())));
    e.region().ifPresent(r -> m.add(new Member("Region", str(r))));
    return shuffled(m);
  }

  private List<Member> rule(Rule r, FormatVersion version) {
    List<Member> m = new ArrayList<>();
    m.add(new Member("RuleType", str(r.type().text())));
    switch (r.type()) {
      case FAILOVER -> {
        m.add(new Member("Primary", entry(r.entries().get(0), version)));
        m.add(new Member("Secondary", entry(r.entries().get(1), version)));
      }
      default -> {
        List<Object> items = new ArrayList<>();
        r.entries().forEach(e -> items.add(entry(e, version)));
        String name = switch (r.type()) {
          case GEO -> "Locations";
          case GEOPROXIMITY -> "GeoproximityLocations";
          case LATENCY -> "Regions";
          default -> "Items";
        };
        m.add(new Member(name, new Arr(items)));
      }
    }
    return shuffled(m);
  }

  private List<Member> entry(RuleEntry e, FormatVersion version) {
    List<Member> m = new ArrayList<>();
    m.add(new Member(e.target() instanceof RuleTarget ? "RuleReference" : "EndpointReference", str(e.target().id())));
    e.evaluateTargetHealth().ifPresent(b -> m.add(new Member("EvaluateTargetHealth", bool(b))));
    e.healthCheck().ifPresent(h -> m.add(new Member("HealthCheck", str(h.value()))));
    if (e instanceof WeightedEntry w) {
      m.add(new Member("Weight", integer(w.weight())));
    } else if (e instanceof LatencyEntry l) {
      m.add(new Member("Region", str(l.region())));
    } else if (e instanceof GeolocationEntry g) {
      if (g.isDefault() || random.nextInt(3) == 0) {
        m.add(new Member("IsDefault", bool(g.isDefault())));
      }
      g.continent().ifPresent(c -> m.add(new Member("Continent", str(c))));
      g.country().ifPresent(c -> m.add(new Member("Country", str(c))));
      g.subdivision().ifPresent(c -> m.add(new Member("Subdivision", str(c))));
    } else if (e instanceof GeoproximityEntry g) {
      if (g.bias() != 0 || random.nextBoolean()) {
        m.add(new Member("Bias", integer(g.bias())));
      }
      GeoproximityLocation loc = g.location();
      if (version == FormatVersion.V2015_10_01) {
        if (loc instanceof GeoproximityLocation.Coordinate c) {
          m.add(new Member("Latitude", decimal(c.latitude())));
          m.add(new Member("Longitude", decimal(c.longitude())));
        } else {
          m.add(new Member("Region", str(((GeoproximityLocation.Region) loc).name())));
        }
      } else {
        List<Member> l = new ArrayList<>();
        if (loc instanceof GeoproximityLocation.Coordinate c) {
          l.add(new Member("Type", str("Coordinate")));
          l.add(new Member("Latitude", decimal(c.latitude())));
          l.add(new Member("Longitude", decimal(c.longitude())));
        } else if (loc instanceof GeoproximityLocation.Region r) {
          l.add(new Member("Type", str("Region")));
          l.add(new Member("LocationName", str(r.name())));
        } else {
          l.add(new Member("Type", str("LocalZone")));
          l.add(new Member("LocationName", str(((GeoproximityLocation.LocalZone) loc).name())));
        }
        m.add(new Member("Location", shuffled(l)));
      }
    }
    return shuffled(m);
  }

  private String str(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  private String bool(boolean b) {
    return random.nextBoolean() ? Boolean.toString(b) : str(Boolean.toString(b));
  }

  private String integer(int n) {
    return random.nextBoolean() ? Integer.toString(n) : str(Integer.toString(n));
  }

  private String decimal(BigDecimal d) {
    return random.nextInt(4) == 0 ? d.toPlainString() : str(d.toPlainString());
  }

  private <T> List<T> shuffled(List<T> list) {
    if (random.nextInt(3) == 0) {
      for (int i = list.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        T t = list.get(i);
        list.set(i, list.get(j));
        list.set(j, t);
      }
    }
    return list;
  }

  @SuppressWarnings("unchecked")
  private String value(Object v, int depth) {
    if (v instanceof String s) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    List<?> items = v instanceof Arr a ? a.items() : (List<?>) v;
    boolean object = !(v instanceof Arr);
    sb.append(object ? '{' : '[');
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(newline(depth + 1));
      Object item = items.get(i);
      if (object) {
        Member m = (Member) item;
        sb.append(str(m.name())).append(compact ? ":" : colon).append(value(m.value(), depth + 1));
      } else {
        sb.append(value(item, depth + 1));
      }
    }
    if (!items.isEmpty()) {
      sb.append(newline(depth));
    }
    sb.append(object ? '}' : ']');
    return sb.toString();
  }

  private String newline(int depth) {
    if (compact) {
      return random.nextInt(8) == 0 ? " " : "";
    }
    return "\n" + indentUnit.repeat(depth);
  }
}
