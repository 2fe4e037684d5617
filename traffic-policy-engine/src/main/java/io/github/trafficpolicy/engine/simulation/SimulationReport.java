package io.github.trafficpolicy.engine.simulation;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.simulation.Simulation.Comparison;
import io.github.trafficpolicy.engine.simulation.Simulation.CountryChange;
import io.github.trafficpolicy.engine.simulation.Simulation.Distribution;
import io.github.trafficpolicy.engine.simulation.Simulation.FailureCase;
import io.github.trafficpolicy.engine.simulation.Simulation.Move;
import io.github.trafficpolicy.engine.simulation.Simulation.Overload;
import io.github.trafficpolicy.engine.simulation.Simulation.Shares;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Simulation} found; {@link #text()}, {@link #json()} (a tree of maps and lists for a JSON writer) and
 * {@link #csv()} render it.
 *
 * @param policy the simulated policy ({@code id vN})
 * @param against the version compared with, if any
 * @param networks the networks (pieces) evaluated
 * @param locations the distinct locations (and latency data) among them, each evaluated once per case
 * @param ipv4Addresses the IPv4 addresses covered
 * @param ipv6Addresses the IPv6 addresses covered
 * @param weighting how clients were weighted, in words
 * @param distribution who goes where with the baseline health
 * @param againstDistribution who goes where with the compared version
 * @param diff who moves from the compared version to the policy
 * @param overloads endpoints above their capacity with the baseline health
 * @param capacity the capacity of each endpoint given one (share of all clients)
 * @param failures the failure cases rehearsed
 * @param map one-degree cells of the locations with coordinates (empty for a Country database)
 * @param invariants what each invariant found
 */
public record SimulationReport(
    String policy,
    Optional<String> against,
    long networks,
    long locations,
    double ipv4Addresses,
    double ipv6Addresses,
    String weighting,
    Distribution distribution,
    Optional<Distribution> againstDistribution,
    Optional<Comparison> diff,
    ImmutableList<Overload> overloads,
    ImmutableMap<String, Double> capacity,
    ImmutableList<FailureCase> failures,
    ImmutableList<Simulation.MapCell> map,
    ImmutableList<Simulation.InvariantResult> invariants) {

  /** How many continents' and countries' rows the text report shows. */
  private static final int TEXT_ROWS = 20;
  /** How many endpoints' columns (and shares in a mix) the text report shows. */
  private static final int TEXT_COLUMNS = 8;
  /** The widest endpoint column of the text report. */
  private static final int MAX_COLUMN = 21;

  /** {@code 12.4 %}; small shares with more digits ({@code 0.04 %}, {@code <0.01 %}) rather than {@code 0.0 %}. */
  static String percent(double share) {
    double p = 100 * share;
    if (p == 0 || Math.abs(p) >= 0.095) {
      return String.format(Locale.ROOT, "%.1f %%", p);
    }
    return Math.abs(p) >= 0.0095 ? String.format(Locale.ROOT, "%.2f %%", p) : "<0.01 %";
  }

  /** A location in words: {@code NA US/WA 47.61,-122.33}, {@code unknown}. */
  static String describe(ClientLocation l) {
    if (!l.isKnown()) {
      return "unknown";
    }
    StringBuilder b = new StringBuilder(l.continent().orElse("--"));
    l.country().ifPresent(c -> b.append(' ').append(c));
    l.subdivision().ifPresent(s -> b.append('/').append(s));
    if (l.coordinates().isPresent()) {
      Coordinates c = l.coordinates().get();
      b.append(String.format(Locale.ROOT, " %.2f,%.2f", c.latitude(), c.longitude()));
    }
    return b.toString();
  }

  /**
   * The verdict line of a comparison: {@code 12.4 % of clients change endpoint: 9.1 % us-east → eu-west, …} (the
   * five largest moves, then how many there are), or {@code no client changes endpoint}.
   */
  public static String verdict(Comparison c) {
    if (c.moves().isEmpty()) {
      return "no client changes endpoint";
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < Math.min(5, c.moves().size()); i++) {
      Move m = c.moves().get(i);
      parts.add(percent(m.share()) + " " + m.from() + " → " + m.to());
    }
    return percent(c.changedShare()) + " of clients change endpoint: " + String.join(", ", parts)
        + (c.moves().size() > 5 ? String.format(Locale.ROOT, ", … (%,d moves in all)", c.moves().size()) : "");
  }

  /** The report for people. */
  public String text() {
    StringBuilder b = new StringBuilder();
    b.append("Simulation of ").append(policy).append(against.map(a -> " (compared with " + a + ")").orElse(""))
        .append('\n');
    b.append(String.format(Locale.ROOT, "  %,d networks (%.4g IPv4 and %.4g IPv6 addresses) in %,d locations%n",
        networks, ipv4Addresses, ipv6Addresses, locations));
    b.append("  weighting: ").append(weighting).append('\n');
    b.append('\n');
    distributionText(b, distribution);
    if (!capacity.isEmpty()) {
      b.append("\nCapacity: ").append(overloads.isEmpty() ? "every endpoint within its capacity"
          : "over capacity: " + overloadText(overloads)).append('\n');
    }
    diff.ifPresent(d -> {
      b.append("\nChange from ").append(against.orElse("?")).append(" to ").append(policy).append('\n');
      b.append("  ").append(verdict(d)).append('\n');
      if (!d.countries().isEmpty()) {
        b.append("  most affected countries:\n");
        for (CountryChange c : d.countries()) {
          b.append(String.format(Locale.ROOT, "    %-3s %8s of clients (%s of the country's)%n", c.country(),
              percent(c.share()), percent(c.fraction())));
        }
      }
      locationsText(b, d);
    });
    if (!failures.isEmpty()) {
      b.append("\nFailure rehearsal (").append(failures.size()).append(failures.size() == 1 ? " case" : " cases")
          .append(")\n");
      for (FailureCase f : failures) {
        b.append("  fail ").append(String.join(" + ", f.failed())).append(": ").append(verdict(f.moves()))
            .append('\n');
        Shares o = f.distribution().overall();
        b.append("    then: ").append(mixText(o.endpoints())).append('\n');
        if (!capacity.isEmpty()) {
          b.append("    ").append(f.overloads().isEmpty() ? "every endpoint within its capacity"
              : "OVER CAPACITY: " + overloadText(f.overloads())).append('\n');
        }
      }
    }
    invariantsText(b, invariants);
    return b.toString();
  }

  /** Whether every invariant held. */
  public boolean invariantsHold() {
    return invariants.stream().allMatch(Simulation.InvariantResult::holds);
  }

  private static void invariantsText(StringBuilder b, List<Simulation.InvariantResult> invariants) {
    if (invariants.isEmpty()) {
      return;
    }
    long failed = invariants.stream().filter(i -> !i.holds()).count();
    b.append("\nInvariants: ").append(invariants.size() - failed).append(" hold, ").append(failed)
        .append(failed == 1 ? " fails" : " fail").append('\n');
    for (Simulation.InvariantResult r : invariants) {
      b.append("  ").append(r.holds() ? "holds " : "FAILS ").append(r.invariant().id()).append(" (")
          .append(r.casesChecked()).append(r.casesChecked() == 1 ? " case" : " cases").append(" checked)\n");
      r.counterexample().ifPresent(c -> {
        b.append("    counterexample: ").append(c.failed().isEmpty() ? "baseline health"
            : "with " + String.join(" + ", c.failed()) + " failing").append('\n');
        c.network().ifPresent(n -> b.append("    network:  ").append(n).append('\n'));
        c.location().ifPresent(l -> b.append("    location: ").append(l).append('\n'));
        b.append("    ").append(c.detail()).append('\n');
        if (!c.trace().isEmpty()) {
          b.append("    trace:\n");
          for (String line : c.trace()) {
            b.append("      ").append(line).append('\n');
          }
        }
      });
    }
  }

  private static void locationsText(StringBuilder b, Comparison d) {
    if (d.locations().isEmpty()) {
      return;
    }
    b.append(String.format(Locale.ROOT, "  changed locations (%,d largest of %,d):%n", d.locations().size(),
        d.changedLocations()));
    for (Simulation.ChangedLocation l : d.locations()) {
      b.append(String.format(Locale.ROOT, "    %8s  %-22s %-28s %s → %s%s%n", percent(l.share()), l.network(),
          l.location(), l.from(), l.to(), l.networks() > 1 ? String.format(Locale.ROOT, "  (%,d networks)", l.networks())
          : ""));
    }
  }

  private static String overloadText(List<Overload> overloads) {
    List<String> parts = new ArrayList<>();
    for (Overload o : overloads) {
      parts.add(o.endpoint() + " " + percent(o.share()) + " > " + percent(o.capacity()));
    }
    return String.join(", ", parts);
  }

  /** The largest {@value #TEXT_COLUMNS} shares, then how many more and their total. */
  private static String mixText(Map<String, Double> endpoints) {
    List<String> parts = new ArrayList<>();
    double rest = 0;
    for (Map.Entry<String, Double> e : endpoints.entrySet()) {
      if (parts.size() < TEXT_COLUMNS) {
        parts.add(e.getKey() + " " + percent(e.getValue()));
      } else {
        rest += e.getValue();
      }
    }
    if (endpoints.size() > TEXT_COLUMNS) {
      parts.add((endpoints.size() - TEXT_COLUMNS) + " more " + percent(rest));
    }
    return String.join(", ", parts);
  }

  private static void distributionText(StringBuilder b, Distribution d) {
    List<String> endpoints = new ArrayList<>(d.overall().endpoints().keySet());
    b.append("Share of clients per endpoint\n");
    for (Map.Entry<String, Double> e : d.overall().endpoints().entrySet()) {
      b.append(String.format(Locale.ROOT, "  %-24s %8s%n", e.getKey(), percent(e.getValue())));
    }
    scopeTable(b, "continent", d.continents(), endpoints);
    scopeTable(b, "country", d.countries(), endpoints);
  }

  /**
   * One row per scope (the {@value #TEXT_ROWS} largest), one column per endpoint (the {@value #TEXT_COLUMNS}
   * largest overall, then the others together).
   */
  private static void scopeTable(StringBuilder b, String what, Map<String, Shares> scopes, List<String> all) {
    List<String> endpoints = all.size() > TEXT_COLUMNS ? all.subList(0, TEXT_COLUMNS) : all;
    boolean others = all.size() > TEXT_COLUMNS;
    b.append("\nBy ").append(what);
    if (scopes.size() > TEXT_ROWS) {
      b.append(" (").append(TEXT_ROWS).append(" largest of ").append(scopes.size()).append(")");
    }
    b.append('\n');
    int width = 10;
    for (String e : endpoints) {
      width = Math.max(width, Math.min(MAX_COLUMN, e.length()));
    }
    String cell = " %" + width + "s";
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-9s %8s", what, "clients"));
    for (String e : endpoints) {
      head.append(String.format(Locale.ROOT, cell, abbreviate(e)));
    }
    if (others) {
      head.append(String.format(Locale.ROOT, cell, (all.size() - TEXT_COLUMNS) + " more"));
    }
    b.append(head).append('\n');
    int rows = 0;
    for (Map.Entry<String, Shares> s : scopes.entrySet()) {
      if (rows++ == TEXT_ROWS) {
        break;
      }
      b.append(String.format(Locale.ROOT, "  %-9s %8s", s.getKey(), percent(s.getValue().weight())));
      double shown = 0;
      for (String e : endpoints) {
        Double v = s.getValue().endpoints().get(e);
        shown += v == null ? 0 : v;
        b.append(String.format(Locale.ROOT, cell, v == null ? "-" : percent(v)));
      }
      if (others) {
        double rest = Math.max(0, 1 - shown);
        b.append(String.format(Locale.ROOT, cell, rest < 1e-12 ? "-" : percent(rest)));
      }
      b.append('\n');
    }
  }

  /** At most {@value #MAX_COLUMN} characters, keeping both ends (ids differ at either end). */
  private static String abbreviate(String s) {
    int half = (MAX_COLUMN - 1) / 2;
    return s.length() <= MAX_COLUMN ? s : s.substring(0, half) + "…" + s.substring(s.length() - half);
  }

  /** The report as a tree of maps and lists (for a JSON writer). */
  public Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("policy", policy);
    m.put("against", against.orElse(null));
    m.put("networks", networks);
    m.put("locations", locations);
    m.put("ipv4Addresses", ipv4Addresses);
    m.put("ipv6Addresses", ipv6Addresses);
    m.put("weighting", weighting);
    m.put("distribution", json(distribution));
    againstDistribution.ifPresent(d -> m.put("againstDistribution", json(d)));
    diff.ifPresent(d -> m.put("diff", json(d)));
    m.put("capacity", capacity);
    m.put("overloads", overloads);
    List<Object> cases = new ArrayList<>();
    for (FailureCase f : failures) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("failed", f.failed());
      c.put("endpoints", f.distribution().overall().endpoints());
      c.put("moves", json(f.moves()));
      c.put("overloads", f.overloads());
      c.put("distribution", json(f.distribution()));
      cases.add(c);
    }
    m.put("failures", cases);
    List<Object> checks = new ArrayList<>();
    for (Simulation.InvariantResult r : invariants) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("id", r.invariant().id());
      c.put("holds", r.holds());
      c.put("casesChecked", r.casesChecked());
      r.counterexample().ifPresent(x -> {
        Map<String, Object> ce = new LinkedHashMap<>();
        ce.put("failed", x.failed());
        ce.put("network", x.network().orElse(null));
        ce.put("location", x.location().orElse(null));
        ce.put("detail", x.detail());
        ce.put("trace", x.trace());
        c.put("counterexample", ce);
      });
      checks.add(c);
    }
    m.put("invariants", checks);
    return m;
  }

  private static Map<String, Object> json(Distribution d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("endpoints", d.overall().endpoints());
    m.put("continents", d.continents());
    m.put("countries", d.countries());
    return m;
  }

  private static Map<String, Object> json(Comparison c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("verdict", verdict(c));
    m.put("changedShare", c.changedShare());
    m.put("moves", c.moves());
    m.put("countries", c.countries());
    m.put("changedLocations", c.changedLocations());
    m.put("locations", c.locations());
    return m;
  }

  /**
   * The report as CSV rows {@code section,case,scope,key,endpoint,share}: {@code endpoint} rows per scope (overall,
   * continent, country) for the baseline ({@code case} empty) and each failure case, {@code move} rows
   * ({@code key} = from, {@code endpoint} = to) for the diff ({@code case} {@code diff}) and each failure case.
   */
  public String csv() {
    StringBuilder b = new StringBuilder("section,case,scope,key,endpoint,share\n");
    csv(b, "", distribution);
    diff.ifPresent(d -> csvMoves(b, "diff", d));
    for (FailureCase f : failures) {
      String name = String.join("+", f.failed());
      csv(b, name, f.distribution());
      csvMoves(b, name, f.moves());
    }
    return b.toString();
  }

  private static void csv(StringBuilder b, String name, Distribution d) {
    d.overall().endpoints().forEach((e, s) -> row(b, "endpoint", name, "overall", "", e, s));
    d.continents().forEach((k, v) -> v.endpoints().forEach((e, s) -> row(b, "endpoint", name, "continent", k, e, s)));
    d.countries().forEach((k, v) -> v.endpoints().forEach((e, s) -> row(b, "endpoint", name, "country", k, e, s)));
  }

  private static void csvMoves(StringBuilder b, String name, Comparison c) {
    for (Move m : c.moves()) {
      row(b, "move", name, "overall", m.from(), m.to(), m.share());
    }
  }

  private static void row(StringBuilder b, String section, String name, String scope, String key, String endpoint,
      double share) {
    b.append(section).append(',').append(quote(name)).append(',').append(scope).append(',').append(quote(key))
        .append(',').append(quote(endpoint)).append(',').append(String.format(Locale.ROOT, "%.6f", share))
        .append('\n');
  }

  private static String quote(String s) {
    return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }
}
