package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.EndpointTarget;
import io.github.trafficpolicy.api.FailoverRule;
import io.github.trafficpolicy.api.GeolocationEntry;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.LatencyEntry;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.api.RuleId;
import io.github.trafficpolicy.api.RuleTarget;
import io.github.trafficpolicy.api.RuleType;
import io.github.trafficpolicy.api.Target;
import io.github.trafficpolicy.api.WeightedEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Draws a policy document's tree, the counterpart of Route 53's Traffic Flow visual editor, as a
 * <a href="https://mermaid.js.org/">Mermaid</a> flowchart or a <a href="https://graphviz.org/">Graphviz</a> DOT
 * graph, left to right.
 *
 * <p>The start is a stadium, each rule a hexagon (ID and type), each endpoint a box (ID, type, value and, for
 * {@code s3-website}, region). An edge goes from a rule to each entry's target, labelled with what selects it:
 * {@code primary}/{@code secondary}, the geolocation ({@code US-WA}, {@code continent EU}, {@code default}), the
 * latency region, the geoproximity location and bias, or the weight; then the entry's health check
 * ({@code health check ID}) and {@code evaluate target health} when set. A rule referenced from several places is
 * drawn once with several incoming edges. Rules and endpoints not reachable from the start are drawn dashed. The
 * output is deterministic: nodes and edges in document order.
 */
public final class PolicyDiagram {
  /** The output formats. */
  public enum Format {
    /** A Mermaid {@code flowchart LR}, e.g. for a Markdown code block. */
    MERMAID,
    /** A Graphviz {@code digraph}. */
    DOT;

    /** The format named {@code mermaid} or {@code dot} (any case). */
    public static Format parse(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  private enum Kind { START, RULE, ENDPOINT }

  private record Node(String id, Kind kind, List<String> lines, boolean reachable) {}

  private record Edge(String from, String to, List<String> lines) {}

  private final List<Node> nodes = new ArrayList<>();
  private final List<Edge> edges = new ArrayList<>();

  private PolicyDiagram(PolicyDocument doc) {
    Map<RuleId, String> ruleNodes = new LinkedHashMap<>();
    Map<EndpointId, String> endpointNodes = new LinkedHashMap<>();
    doc.rules().keySet().forEach(id -> ruleNodes.put(id, "r" + ruleNodes.size()));
    doc.endpoints().keySet().forEach(id -> endpointNodes.put(id, "e" + endpointNodes.size()));
    Set<Target> reachable = reachable(doc);

    nodes.add(new Node("start", Kind.START, List.of("Start", doc.recordType() + " record"), true));
    for (Map.Entry<RuleId, Rule> r : doc.rules().entrySet()) {
      nodes.add(new Node(checkNotNull(ruleNodes.get(r.getKey())), Kind.RULE,
          List.of(r.getKey().toString(), typeName(r.getValue().type()) + " rule"),
          reachable.contains(new RuleTarget(r.getKey()))));
    }
    for (Map.Entry<EndpointId, Endpoint> e : doc.endpoints().entrySet()) {
      List<String> lines = new ArrayList<>();
      lines.add(e.getKey().toString());
      Endpoint ep = e.getValue();
      lines.add(ep.type().text() + ": " + ep.value());
      ep.region().ifPresent(region -> lines.add("region " + region));
      nodes.add(new Node(checkNotNull(endpointNodes.get(e.getKey())), Kind.ENDPOINT, lines,
          reachable.contains(new EndpointTarget(e.getKey()))));
    }
    edges.add(new Edge("start", checkNotNull(nodeOf(doc.start(), ruleNodes, endpointNodes)), List.of()));
    for (Map.Entry<RuleId, Rule> r : doc.rules().entrySet()) {
      Rule rule = r.getValue();
      List<? extends RuleEntry> entries = rule.entries();
      for (int i = 0; i < entries.size(); i++) {
        RuleEntry entry = entries.get(i);
        List<String> lines = new ArrayList<>();
        lines.add(selector(rule, entry, i));
        entry.healthCheck().ifPresent(hc -> lines.add("health check " + hc.value()));
        entry.evaluateTargetHealth().filter(Boolean::booleanValue).ifPresent(t -> lines.add("evaluate target health"));
        edges.add(new Edge(checkNotNull(ruleNodes.get(r.getKey())),
            checkNotNull(nodeOf(entry.target(), ruleNodes, endpointNodes)), lines));
      }
    }
  }

  /** The document drawn in {@code format}. */
  public static String render(PolicyDocument document, Format format) {
    checkNotNull(document, "document");
    checkNotNull(format, "format");
    PolicyDiagram d = new PolicyDiagram(document);
    return format == Format.MERMAID ? d.mermaid() : d.dot();
  }

  /** The document as a Mermaid flowchart. */
  public static String mermaid(PolicyDocument document) {
    return render(document, Format.MERMAID);
  }

  /** The document as a Graphviz DOT digraph. */
  public static String dot(PolicyDocument document) {
    return render(document, Format.DOT);
  }

  private String mermaid() {
    StringBuilder b = new StringBuilder("flowchart LR\n");
    for (Node n : nodes) {
      String label = "\"" + mermaidText(n.lines()) + "\"";
      String shape = switch (n.kind()) {
        case START -> "([" + label + "])";
        case RULE -> "{{" + label + "}}";
        case ENDPOINT -> "[" + label + "]";
      };
      b.append("  ").append(n.id()).append(shape).append('\n');
    }
    for (Edge e : edges) {
      b.append("  ").append(e.from()).append(" -->");
      if (!e.lines().isEmpty()) {
        b.append("|\"").append(mermaidText(e.lines())).append("\"|");
      }
      b.append(' ').append(e.to()).append('\n');
    }
    List<String> unreachable = nodes.stream().filter(n -> !n.reachable()).map(Node::id).toList();
    if (!unreachable.isEmpty()) {
      b.append("  classDef unreachable stroke-dasharray: 5 5\n");
      b.append("  class ").append(String.join(",", unreachable)).append(" unreachable\n");
    }
    return b.toString();
  }

  private String dot() {
    @SuppressWarnings("StringConcatToTextBlock") // the DOT header, line by line
    StringBuilder b = new StringBuilder("digraph policy {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n"
        + "  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (Node n : nodes) {
      String shape = switch (n.kind()) {
        case START -> "oval";
        case RULE -> "hexagon";
        case ENDPOINT -> "box";
      };
      b.append("  ").append(n.id()).append(" [label=\"").append(dotText(n.lines())).append("\", shape=")
          .append(shape).append(n.reachable() ? "" : ", style=dashed").append("];\n");
    }
    for (Edge e : edges) {
      b.append("  ").append(e.from()).append(" -> ").append(e.to());
      if (!e.lines().isEmpty()) {
        b.append(" [label=\"").append(dotText(e.lines())).append("\"]");
      }
      b.append(";\n");
    }
    return b.append("}\n").toString();
  }

  private static @Nullable String nodeOf(Target t, Map<RuleId, String> rules, Map<EndpointId, String> endpoints) {
    if (t instanceof RuleTarget r) {
      return rules.get(r.rule());
    } else if (t instanceof EndpointTarget e) {
      return endpoints.get(e.endpoint());
    }
    throw new AssertionError("unknown target " + t);
  }

  private static Set<Target> reachable(PolicyDocument doc) {
    Set<Target> seen = new HashSet<>();
    Deque<Target> todo = new ArrayDeque<>(List.of(doc.start()));
    while (!todo.isEmpty()) {
      Target t = todo.pop();
      if (seen.add(t) && t instanceof RuleTarget r) {
        doc.rule(r.rule()).entries().forEach(e -> todo.push(e.target()));
      }
    }
    return seen;
  }

  private static String typeName(RuleType type) {
    return switch (type) {
      case GEO -> "geolocation";
      case MULTIVALUE -> "multivalue answer";
      default -> type.text();
    };
  }

  /** What selects entry {@code i} of {@code rule}. */
  private static String selector(Rule rule, RuleEntry entry, int i) {
    if (rule instanceof FailoverRule) {
      return i == 0 ? "primary" : "secondary";
    } else if (entry instanceof GeolocationEntry g) {
      if (g.isCatchAll()) {
        return "default";
      } else if (g.continent().isPresent()) {
        return "continent " + g.continent().get();
      }
      return g.country().orElse("?") + g.subdivision().map(s -> "-" + s).orElse("");
    } else if (entry instanceof GeoproximityEntry g) {
      String where;
      GeoproximityLocation l = g.location();
      if (l instanceof GeoproximityLocation.Region r) {
        where = r.code();
      } else if (l instanceof GeoproximityLocation.LocalZone z) {
        where = z.code();
      } else if (l instanceof GeoproximityLocation.Coordinate c) {
        where = c.latitude().toPlainString() + ", " + c.longitude().toPlainString();
      } else {
        throw new AssertionError("unknown location " + l);
      }
      return where + (g.bias() == 0 ? "" : ", bias " + (g.bias() > 0 ? "+" : "") + g.bias());
    } else if (entry instanceof LatencyEntry l) {
      return l.region();
    } else if (entry instanceof WeightedEntry w) {
      return "weight " + w.weight();
    }
    return "value " + (i + 1);
  }

  private static String mermaidText(List<String> lines) {
    List<String> escaped = new ArrayList<>();
    for (String l : lines) {
      StringBuilder b = new StringBuilder();
      for (int k = 0; k < l.length(); k++) {
        char c = l.charAt(k);
        switch (c) {
          case '#' -> b.append("#35;");
          case '"' -> b.append("#quot;");
          case '<' -> b.append("#lt;");
          case '>' -> b.append("#gt;");
          case '|' -> b.append("#124;");
          default -> b.append(c);
        }
      }
      escaped.add(b.toString());
    }
    return String.join("<br/>", escaped);
  }

  private static String dotText(List<String> lines) {
    return String.join("\\n", ImmutableList.copyOf(lines).stream()
        .map(l -> l.replace("\\", "\\\\").replace("\"", "\\\""))
        .toList());
  }
}
