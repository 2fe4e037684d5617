package io.github.trafficpolicy.api.json;

import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.FailoverEntry;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeolocationRule;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.GeoproximityRule;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.LatencyRule;
import io.github.trafficpolicy.api.MultivalueAnswerRule;
import io.github.trafficpolicy.api.MultivalueEntry;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.api.RuleTarget;
import io.github.trafficpolicy.api.WeightedEntry;
import io.github.trafficpolicy.api.WeightedRule;
import java.util.List;
import java.util.Map;

/**
 * Writes a document as canonical JSON: two-space indentation, {@code "Key": value}, members in the order of the
 * AWS format examples, {@code Weight} and {@code Bias} and coordinates as strings, booleans as JSON booleans,
 * omitted members left out ({@code IsDefault} only when true, {@code Rules} only when there are rules).
 */
final class DocumentWriter {
  private final StringBuilder out = new StringBuilder();
  private int indent;
  /** Whether the current object or array already has a member, so the next needs a comma. */
  private boolean first = true;

  private DocumentWriter() {}

  static String write(PolicyDocument d) {
    DocumentWriter w = new DocumentWriter();
    w.document(d);
    return w.out.toString();
  }

  private void document(PolicyDocument d) {
    open('{');
    member("AWSPolicyFormatVersion").string(d.formatVersion().text());
    member("RecordType").string(d.recordType().name());
    member(d.start() instanceof RuleTarget ? "StartRule" : "StartEndpoint").string(d.start().id());
    member("Endpoints");
    open('{');
    for (Map.Entry<EndpointId, Endpoint> e : d.endpoints().entrySet()) {
      member(e.getKey().value());
      open('{');
      member("Type").string(e.getValue().type().text());
      e.getValue().region().ifPresent(r -> member("Region").string(r));
      member("Value").string(e.getValue().value());
      close('}');
    }
    close('}');
    if (!d.rules().isEmpty()) {
      member("Rules");
      open('{');
      for (Map.Entry<RuleId, Rule> e : d.rules().entrySet()) {
        member(e.getKey().value());
        rule(e.getValue(), d.formatVersion());
      }
      close('}');
    }
    close('}');
  }

  private void rule(Rule rule, FormatVersion version) {
    open('{');
    member("RuleType").string(rule.type().text());
    if (rule instanceof FailoverRule f) {
      member("Primary");
      entry(f.primary(), version);
      member("Secondary");
      entry(f.secondary(), version);
    } else {
      String name = switch (rule.type()) {
        case GEO -> "Locations";
        case GEOPROXIMITY -> "GeoproximityLocations";
        case LATENCY -> "Regions";
        default -> "Items";
      };
      member(name);
      open('[');
      for (RuleEntry e : entries(rule)) {
        element();
        entry(e, version);
      }
      close(']');
    }
    close('}');
  }

  private static List<? extends RuleEntry> entries(Rule rule) {
    if (rule instanceof GeolocationRule g) {
      return g.locations();
    } else if (rule instanceof GeoproximityRule g) {
      return g.locations();
    } else if (rule instanceof LatencyRule l) {
      return l.regions();
    } else if (rule instanceof MultivalueAnswerRule m) {
      return m.items();
    } else if (rule instanceof WeightedRule w) {
      return w.items();
    }
    return rule.entries();
  }

  private void entry(RuleEntry e, FormatVersion version) {
    open('{');
    member(e.target() instanceof RuleTarget ? "RuleReference" : "EndpointReference").string(e.target().id());
    if (e instanceof GeolocationEntry g) {
      if (g.isDefault()) {
        member("IsDefault").literal("true");
      }
      g.continent().ifPresent(c -> member("Continent").string(c));
      g.country().ifPresent(c -> member("Country").string(c));
      g.subdivision().ifPresent(s -> member("Subdivision").string(s));
    } else if (e instanceof GeoproximityEntry g) {
      location(g.location(), version);
      member("Bias").string(Integer.toString(g.bias()));
    } else if (e instanceof LatencyEntry l) {
      member("Region").string(l.region());
    } else if (e instanceof WeightedEntry w) {
      member("Weight").string(Integer.toString(w.weight()));
    } else if (!(e instanceof FailoverEntry) && !(e instanceof MultivalueEntry)) {
      throw new AssertionError(e);
    }
    e.evaluateTargetHealth().ifPresent(b -> member("EvaluateTargetHealth").literal(b.toString()));
    e.healthCheck().ifPresent(h -> member("HealthCheck").string(h.value()));
    close('}');
  }

  private void location(GeoproximityLocation loc, FormatVersion version) {
    if (version == FormatVersion.V2015_10_01) {
      if (loc instanceof GeoproximityLocation.Coordinate c) {
        member("Latitude").string(c.latitude().toPlainString());
        member("Longitude").string(c.longitude().toPlainString());
      } else if (loc instanceof GeoproximityLocation.Region r) {
        member("Region").string(r.name());
      } else {
        // Not expressible in 2015-10-01 (a valid document has none); written as the 2015 Region member.
        member("Region").string(((GeoproximityLocation.LocalZone) loc).name());
      }
      return;
    }
    member("Location");
    open('{');
    if (loc instanceof GeoproximityLocation.Coordinate c) {
      member("Type").string("Coordinate");
      member("Latitude").string(c.latitude().toPlainString());
      member("Longitude").string(c.longitude().toPlainString());
    } else if (loc instanceof GeoproximityLocation.Region r) {
      member("Type").string("Region");
      member("LocationName").string(r.name());
    } else {
      member("Type").string("LocalZone");
      member("LocationName").string(((GeoproximityLocation.LocalZone) loc).name());
    }
    close('}');
  }

  // ----- layout --------------------------------------------------------------------------------------------

  private void open(char c) {
    out.append(c);
    indent++;
    first = true;
  }

  private void close(char c) {
    indent--;
    if (!first) {
      newline();
    }
    out.append(c);
    first = false;
  }

  private void newline() {
    out.append('\n');
    for (int i = 0; i < indent; i++) {
      out.append("  ");
    }
  }

  private DocumentWriter member(String name) {
    element();
    quoted(name);
    out.append(": ");
    return this;
  }

  private void element() {
    if (!first) {
      out.append(',');
    }
    first = false;
    newline();
  }

  private void string(String s) {
    quoted(s);
    first = false;
  }

  private void literal(String s) {
    out.append(s);
    first = false;
  }

  private void quoted(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          boolean loneSurrogate = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1)));
          if (c < 0x20 || loneSurrogate) {
            out.append(String.format("\\u%04x", (int) c));
          } else if (Character.isHighSurrogate(c)) {
            out.append(c).append(s.charAt(++i));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
