package io.github.trafficpolicy.engine.simulation;

import io.github.trafficpolicy.engine.simulation.Simulation.ChangedLocation;
import io.github.trafficpolicy.engine.simulation.Simulation.Comparison;
import io.github.trafficpolicy.engine.simulation.Simulation.CountryChange;
import io.github.trafficpolicy.engine.simulation.Simulation.FailureCase;
import io.github.trafficpolicy.engine.simulation.Simulation.MapCell;
import io.github.trafficpolicy.engine.simulation.Simulation.Move;
import io.github.trafficpolicy.engine.simulation.Simulation.Overload;
import io.github.trafficpolicy.engine.simulation.Simulation.Shares;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link SimulationReport} as one self-contained HTML page (inline CSS and SVG, no script, nothing fetched): the
 * tables of the text report, and maps drawn from the geo source's own coordinates — no outline data is bundled or
 * downloaded: each one-degree cell that holds clients is a square at its longitude and latitude (equirectangular),
 * so the continents appear where the database has clients. The first map colours each cell by the endpoint most of
 * its clients get (paler where that endpoint has less than all of them); the second, with a comparison, shades
 * each cell by the fraction of its clients that move. A Country database has no coordinates: then there is no map,
 * only the tables.
 */
public final class SimulationHtml {
  private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"};
  private static final int SCALE = 3;

  private SimulationHtml() {}

  /** The page. */
  public static String render(SimulationReport r) {
    Map<String, String> colours = new LinkedHashMap<>();
    for (String e : r.distribution().overall().endpoints().keySet()) {
      colour(colours, e);
    }
    for (MapCell c : r.map()) {
      colour(colours, c.endpoint());
    }
    StringBuilder b = new StringBuilder();
    header(b, r);
    shares(b, r, colours);
    maps(b, r, colours);
    r.diff().ifPresent(d -> comparison(b, "Change from " + r.against().orElse("?") + " to " + r.policy(), d));
    failures(b, r);
    invariants(b, r);
    scopes(b, "By continent", "continent", r.distribution().continents(), colours);
    scopes(b, "By country", "country", r.distribution().countries(), colours);
    b.append("</body></html>\n");
    return b.toString();
  }

  /** The page's head, title, summary and verdict. */
  private static void header(StringBuilder b, SimulationReport r) {
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Simulation of ")
        .append(esc(r.policy())).append("</title>\n<style>\n")
        .append("body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:.5em 0 1.5em}")
        .append("td,th{padding:2px 8px;border-bottom:1px solid #ddd;")
        .append("text-align:right}td:first-child,th:first-child{text-align:left}")
        .append(".swatch{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}")
        .append("svg{background:#f4f6f8;border:1px solid #ccc}.verdict{font-weight:bold}.over{color:#c00}")
        .append("\n</style></head><body>\n");
    b.append("<h1>Simulation of ").append(esc(r.policy()))
        .append(r.against().map(a -> " compared with " + esc(a)).orElse("")).append("</h1>\n");
    b.append(String.format(Locale.ROOT, "<p>%,d networks (%.4g IPv4 and %.4g IPv6 addresses) in %,d locations. "
        + "Weighting: %s.</p>\n", r.networks(), r.ipv4Addresses(), r.ipv6Addresses(), r.locations(),
        esc(r.weighting())));
    r.diff().ifPresent(d -> b.append("<p class=\"verdict\">").append(esc(SimulationReport.verdict(d)))
        .append("</p>\n"));
  }

  /** The share of clients per endpoint, beside the capacity when one is given. */
  private static void shares(StringBuilder b, SimulationReport r, Map<String, String> colours) {
    b.append("<h2>Share of clients per endpoint</h2>\n<table><tr><th>endpoint</th><th>share</th>");
    if (!r.capacity().isEmpty()) {
      b.append("<th>capacity</th>");
    }
    b.append("</tr>\n");
    r.distribution().overall().endpoints().forEach((e, s) -> {
      b.append("<tr><td>").append(swatch(colours, e)).append(esc(e)).append("</td><td>")
          .append(SimulationReport.percent(s)).append("</td>");
      if (!r.capacity().isEmpty()) {
        Double c = r.capacity().get(e);
        b.append("<td").append(c != null && s > c ? " class=\"over\"" : "").append(">")
            .append(c == null ? "" : SimulationReport.percent(c)).append("</td>");
      }
      b.append("</tr>\n");
    });
    b.append("</table>\n");
  }

  /** The maps of who goes where (and who moves, in a comparison). */
  private static void maps(StringBuilder b, SimulationReport r, Map<String, String> colours) {
    if (!r.map().isEmpty()) {
      b.append("<h2>Map: the endpoint most clients of each place get</h2>\n");
      map(b, r.map(), colours, false);
      b.append("<p>");
      colours.forEach((e, c) -> b.append(swatch(colours, e)).append(esc(e)).append(" &nbsp; "));
      b.append("</p>\n");
      if (r.diff().isPresent()) {
        b.append("<h2>Map: who moves</h2>\n");
        map(b, r.map(), colours, true);
        b.append("<p>Darker red: a larger fraction of the place's clients changes endpoint; grey: none.</p>\n");
      }
    } else {
      b.append("<p>No map: the geo source has no coordinates (a Country database or a table without them).</p>\n");
    }
  }

  /** The failure rehearsal table. */
  private static void failures(StringBuilder b, SimulationReport r) {
    if (!r.failures().isEmpty()) {
      b.append("<h2>Failure rehearsal</h2>\n<table><tr><th>failed</th><th>moved</th><th>moves</th>"
          + "<th>then</th><th>over capacity</th></tr>\n");
      for (FailureCase f : r.failures()) {
        b.append("<tr><td>").append(esc(String.join(" + ", f.failed()))).append("</td><td>")
            .append(SimulationReport.percent(f.moves().changedShare())).append("</td><td>")
            .append(esc(moves(f.moves()))).append("</td><td>").append(esc(mix(f.distribution().overall())))
            .append("</td><td class=\"over\">").append(esc(overloads(f.overloads()))).append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
  }

  /** The invariants table. */
  private static void invariants(StringBuilder b, SimulationReport r) {
    if (!r.invariants().isEmpty()) {
      b.append("<h2>Invariants</h2>\n<table><tr><th>invariant</th><th>result</th><th>cases</th>"
          + "<th>counterexample</th></tr>\n");
      for (Simulation.InvariantResult i : r.invariants()) {
        b.append("<tr><td>").append(esc(i.invariant().id())).append("</td><td").append(i.holds() ? ">holds"
            : " class=\"over\">fails").append("</td><td>").append(i.casesChecked()).append("</td><td>");
        i.counterexample().ifPresent(c -> b.append(esc((c.failed().isEmpty() ? "baseline" : "failing "
            + String.join(" + ", c.failed())) + c.network().map(n -> ", " + n).orElse("")
            + c.location().map(l -> " (" + l + ")").orElse("") + ": " + c.detail())));
        b.append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
  }

  private static void map(StringBuilder b, List<MapCell> cells, Map<String, String> colours, boolean moves) {
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(360 * SCALE).append("\" height=\"")
        .append(180 * SCALE).append("\" viewBox=\"0 0 360 180\" role=\"img\">\n");
    for (MapCell c : cells) {
      String fill;
      double opacity;
      if (moves) {
        fill = c.moved() > 0 ? "#cc0000" : "#bbbbbb";
        opacity = c.moved() > 0 ? 0.25 + 0.75 * c.moved() : 0.6;
      } else {
        fill = colours.get(c.endpoint());
        opacity = 0.35 + 0.65 * c.endpointShare();
      }
      b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"1\" height=\"1\" fill=\"%s\" "
          + "fill-opacity=\"%.2f\"><title>%d,%d: %s %s of %s of clients%s</title></rect>%n", c.lon() + 180,
          89 - c.lat(), fill, opacity, c.lat(), c.lon(), esc(c.endpoint()),
          SimulationReport.percent(c.endpointShare()), SimulationReport.percent(c.weight()),
          moves ? ", " + SimulationReport.percent(c.moved()) + " move" : ""));
    }
    b.append("</svg>\n");
  }

  private static void comparison(StringBuilder b, String title, Comparison d) {
    b.append("<h2>").append(esc(title)).append("</h2>\n<p class=\"verdict\">")
        .append(esc(SimulationReport.verdict(d))).append("</p>\n");
    b.append("<table><tr><th>from</th><th>to</th><th>share of clients</th></tr>\n");
    for (Move m : d.moves()) {
      b.append("<tr><td>").append(esc(m.from())).append("</td><td>").append(esc(m.to())).append("</td><td>")
          .append(SimulationReport.percent(m.share())).append("</td></tr>\n");
    }
    b.append("</table>\n<h3>Most affected countries</h3>\n<table><tr><th>country</th><th>share of clients</th>"
        + "<th>of the country</th></tr>\n");
    for (CountryChange c : d.countries()) {
      b.append("<tr><td>").append(esc(c.country())).append("</td><td>").append(SimulationReport.percent(c.share()))
          .append("</td><td>").append(SimulationReport.percent(c.fraction())).append("</td></tr>\n");
    }
    b.append("</table>\n<h3>Changed locations (").append(d.locations().size()).append(" largest of ")
        .append(d.changedLocations()).append(")</h3>\n<table><tr><th>network</th><th>networks</th>"
        + "<th>location</th><th>share</th><th>from</th><th>to</th></tr>\n");
    for (ChangedLocation l : d.locations()) {
      b.append("<tr><td>").append(esc(l.network())).append("</td><td>").append(l.networks()).append("</td><td>")
          .append(esc(l.location())).append("</td><td>").append(SimulationReport.percent(l.share()))
          .append("</td><td>").append(esc(l.from())).append("</td><td>").append(esc(l.to())).append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  private static void scopes(StringBuilder b, String title, String what, Map<String, Shares> scopes,
      Map<String, String> colours) {
    b.append("<h2>").append(esc(title)).append("</h2>\n<table><tr><th>").append(what)
        .append("</th><th>clients</th><th>endpoints</th></tr>\n");
    scopes.forEach((k, s) -> {
      b.append("<tr><td>").append(esc(k)).append("</td><td>").append(SimulationReport.percent(s.weight()))
          .append("</td><td>");
      s.endpoints().forEach((e, v) -> b.append(swatch(colours, e)).append(esc(e)).append(' ')
          .append(SimulationReport.percent(v)).append(" &nbsp; "));
      b.append("</td></tr>\n");
    });
    b.append("</table>\n");
  }

  private static String moves(Comparison c) {
    List<String> parts = new ArrayList<>();
    for (Move m : c.moves()) {
      parts.add(SimulationReport.percent(m.share()) + " " + m.from() + " → " + m.to());
    }
    return String.join(", ", parts);
  }

  private static String mix(Shares s) {
    List<String> parts = new ArrayList<>();
    s.endpoints().forEach((e, v) -> parts.add(e + " " + SimulationReport.percent(v)));
    return String.join(", ", parts);
  }

  private static String overloads(List<Overload> overloads) {
    List<String> parts = new ArrayList<>();
    for (Overload o : overloads) {
      parts.add(o.endpoint() + " " + SimulationReport.percent(o.share()) + " > "
          + SimulationReport.percent(o.capacity()));
    }
    return String.join(", ", parts);
  }

  private static void colour(Map<String, String> colours, String endpoint) {
    if (!colours.containsKey(endpoint)) {
      colours.put(endpoint, endpoint.equals(Simulation.NO_ANSWER) ? "#000000"
          : PALETTE[colours.size() % PALETTE.length]);
    }
  }

  private static String swatch(Map<String, String> colours, String endpoint) {
    String c = colours.get(endpoint);
    return c == null ? "" : "<span class=\"swatch\" style=\"background:" + c + "\"></span>";
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
