package io.github.trafficpolicy.dns.cli;

import static com.google.common.base.Preconditions.checkNotNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.base.Splitter;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.EvaluatorSettings;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.input.CidrGeoLocator;
import io.github.trafficpolicy.engine.input.CsvLatencyTable;
import io.github.trafficpolicy.engine.input.EvaluatorInputs;
import io.github.trafficpolicy.engine.input.InvalidTableException;
import io.github.trafficpolicy.engine.input.MaxMindGeoLocator;
import io.github.trafficpolicy.engine.lifecycle.PolicyVersion;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import io.github.trafficpolicy.engine.simulation.Invariant;
import io.github.trafficpolicy.engine.simulation.Population;
import io.github.trafficpolicy.engine.simulation.Simulation;
import io.github.trafficpolicy.engine.simulation.SimulationHtml;
import io.github.trafficpolicy.engine.simulation.SimulationReport;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code traffic-policy simulate}: a policy evaluated for every network of a geo source — who goes where, who moves
 * from another version, where clients land when checks fail.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Evaluate a policy for every network of the geo source (each IPv4 and IPv6 network of --geoip-db, the rows "
          + "of --geo-table in front of it) and report the share of clients per endpoint, overall and per "
          + "continent and country; with --against or --against-version, who moves from that version to this one; "
          + "with --fail, --fail-each or --fail-pairs, where clients land when health checks or endpoints fail, and "
          + "with --capacity, which endpoints are then over capacity.",
      "",
      "Clients weigh equally per address within each address family, IPv4 and IPv6 half each, unless "
          + "--population says otherwise. Weighted and multivalue rules count with their exact expected shares. "
          + "Health checks and alias targets not listed are healthy."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the report was written, no endpoint is over its capacity and every invariant holds",
      "1:an endpoint is over its capacity (in any case), an invariant fails, or an input is invalid or cannot be "
          + "read",
      "2:usage error"
    })
final class SimulateCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy document (JSON).")
  Path policy;

  @Option(names = "--against", paramLabel = "FILE", description = "The version to compare with (serving now).")
  @Nullable Path against;

  @Option(names = "--against-version", paramLabel = "ID:N",
      description = "The version to compare with, from the registry (--registry).")
  @Nullable String againstVersion;

  /** The registry of {@code --against-version}: {@code --registry} and the etcd options, as the registry commands. */
  @CommandLine.Mixin RegistryLocation registry = new RegistryLocation();

  @Option(names = "--record-name", paramLabel = "NAME", defaultValue = "www.example.com",
      description = "The DNS name of the policy record. Default: ${DEFAULT-VALUE}.")
  String recordName;

  @Option(names = "--geoip-db", paramLabel = "FILE",
      description = "A MaxMind GeoIP2/GeoLite2 City or Country database (.mmdb): its networks are the clients.")
  @Nullable Path geoipDb;

  @Option(names = "--geo-table", paramLabel = "FILE",
      description = "A CSV table network,continent,country,subdivision,latitude,longitude: its rows are clients "
          + "too, and replace the database where they lie.")
  @Nullable Path geoTable;

  @Option(names = "--latency-table", paramLabel = "FILE", description = "A CSV table network,region,milliseconds.")
  @Nullable Path latencyTable;

  @Option(names = "--population", paramLabel = "FILE",
      description = "A CSV table key,share of where queries come from: key a network or a country.")
  @Nullable Path population;

  @CommandLine.Mixin HealthOptions health;

  @Option(names = "--fail", paramLabel = "ID[,ID...]",
      description = "Rehearse these health checks and endpoints failing together; repeatable (one case each).")
  List<String> fail = new ArrayList<>();

  @Option(names = "--fail-each", description = "Rehearse every health check and alias endpoint failing alone.")
  boolean failEach;

  @Option(names = "--fail-pairs",
      description = "Rehearse every health check and alias endpoint failing alone, then every pair.")
  boolean failPairs;

  @Option(names = "--capacity", paramLabel = "FILE",
      description = "A CSV table endpoint,share: the share of all clients each endpoint can take (0.6 or 60%%).")
  @Nullable Path capacity;

  @Option(names = "--changed-networks", paramLabel = "FILE",
      description = "With --against or --against-version: write every network whose answer changes as CSV "
          + "network,location,share,from,to (share: of all clients).")
  @Nullable Path changedNetworks;

  @Option(names = "--invariants", paramLabel = "FILE",
      description = "A policy test file whose \"invariants\" are checked over every network, in the baseline and "
          + "in the failure cases each covers; repeatable.")
  List<Path> invariants = new ArrayList<>();

  @Option(names = "--top", paramLabel = "N", defaultValue = "20",
      description = "How many changed countries and locations to list. Default: ${DEFAULT-VALUE}.")
  int top;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--csv", description = "Print the shares and moves as CSV rows.")
  boolean csv;

  @Option(names = "--html", paramLabel = "FILE",
      description = "Also write the report as one self-contained HTML page (tables and a country map).")
  @Nullable Path html;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    checkOptions();
    MaxMindGeoLocator maxMind = null;
    try {
      // No --seed: weighted and multivalue rules count with their exact shares, whatever the hash seed.
      EvaluatorSettings settings = EvaluatorSettings.defaults();
      PolicyEvaluator evaluator = EvaluatorInputs.builder().settings(settings).build().evaluator();
      Simulation.Builder simulation = policies(evaluator);
      if (geoipDb != null) {
        maxMind = EvaluateCommand.load(geoipDb, MaxMindGeoLocator::open);
      }
      simulation.networks(networks(maxMind));
      inputs(simulation, settings);
      return print(run(simulation), out);
    } catch (InvalidPolicyException | InvalidTableException e) {
      err.println(e.getMessage());
      return TrafficPolicyCommand.FAILED;
    } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException
        | RegistryException e) {
      err.println("traffic-policy simulate: " + e.getMessage());
      return TrafficPolicyCommand.FAILED;
    } finally {
      if (maxMind != null) {
        maxMind.close();
      }
    }
  }

  /** Refuses option combinations that make no sense, before anything is read. */
  private void checkOptions() {
    if (geoipDb == null && geoTable == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give --geoip-db or --geo-table (or both)");
    }
    if (against != null && againstVersion != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give --against or --against-version, not both");
    }
    if (json && csv) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give --json or --csv, not both");
    }
    if (changedNetworks != null && against == null && againstVersion == null) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--changed-networks needs --against or --against-version");
    }
    if (top < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--top must not be negative");
    }
    health.check(spec.commandLine());
  }

  /** The simulation of the policy, and of the version it is compared with, if any. */
  private Simulation.Builder policies(PolicyEvaluator evaluator) throws IOException {
    PolicyDocument document = PolicyDocumentJson.read(policy);
    CompiledPolicy compiled = evaluator.compile(document, PolicyBinding.standalone(recordName));
    Simulation.Builder simulation = Simulation.builder(compiled).top(top).policyName(policy.toString());
    if (against != null) {
      simulation.against(evaluator.compile(PolicyDocumentJson.read(against), PolicyBinding.standalone(recordName)))
          .againstName(against.toString());
    } else if (againstVersion != null) {
      simulation.against(fromRegistry(evaluator, againstVersion));
    }
    return simulation;
  }

  /** The networks simulated over: the GeoIP database's, with the CIDR table's laid over them. */
  private Simulation.NetworkSource networks(@Nullable MaxMindGeoLocator maxMind) throws IOException {
    Simulation.NetworkSource source = maxMind == null ? null : maxMind::forEachNetwork;
    if (geoTable != null) {
      CidrGeoLocator table = EvaluateCommand.load(geoTable, CidrGeoLocator::load);
      source = source == null ? table::forEachNetwork : Simulation.overlay(table, source);
    }
    return checkNotNull(source, "--geoip-db or --geo-table");
  }

  /** Latency, population, health, capacity, the failures to simulate and the invariants to check. */
  private void inputs(Simulation.Builder simulation, EvaluatorSettings settings) throws IOException {
    if (latencyTable != null) {
      EvaluatorInputs.latency(List.of(EvaluateCommand.load(latencyTable, CsvLatencyTable::load)), settings)
          .ifPresent(simulation::latencyTable);
    }
    if (population != null) {
      simulation.population(EvaluateCommand.load(population, Population::load));
    }
    simulation.health(health.snapshot());
    if (capacity != null) {
      EvaluateCommand.load(capacity, SimulateCommand::readCapacity).forEach(simulation::capacity);
    }
    for (String f : fail) {
      simulation.fail(Splitter.on(',').trimResults().omitEmptyStrings().splitToList(f));
    }
    for (Path f : invariants) {
      List<Invariant> read = EvaluateCommand.load(f, Invariant::read);
      if (read.isEmpty()) {
        throw new IllegalArgumentException(f + ": no \"invariants\" to check");
      }
      simulation.invariants(read);
    }
    if (failEach) {
      simulation.failEach();
    }
    if (failPairs) {
      simulation.failPairs();
    }
  }

  /** Runs the simulation, writing the changed networks as CSV when asked. */
  private SimulationReport run(Simulation.Builder simulation) throws IOException {
    if (changedNetworks == null) {
      return simulation.build().run();
    }
    try (BufferedWriter w = Files.newBufferedWriter(changedNetworks, StandardCharsets.UTF_8)) {
      w.write("network,location,share,from,to\n");
      simulation.changedNetworks(c -> {
        try {
          w.write(c.network() + "," + csv(c.location()) + "," + String.format(Locale.ROOT, "%.9f", c.share())
              + "," + csv(c.from()) + "," + csv(c.to()) + "\n");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      return simulation.build().run();
    }
  }

  /** Prints the report as asked (and the HTML page); returns FAILED when capacity or an invariant is not met. */
  private int print(SimulationReport report, PrintWriter out) throws IOException {
    if (json) {
      out.println(JSON.writeValueAsString(report.json()));
    } else if (csv) {
      out.print(report.csv());
    } else {
      out.print(report.text());
    }
    if (html != null) {
      Files.writeString(html, SimulationHtml.render(report), StandardCharsets.UTF_8);
      if (!json && !csv) {
        out.println("\nHTML report: " + html);
      }
    }
    out.flush();
    boolean over = !report.overloads().isEmpty()
        || report.failures().stream().anyMatch(c -> !c.overloads().isEmpty());
    return over || !report.invariantsHold() ? TrafficPolicyCommand.FAILED : TrafficPolicyCommand.OK;
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") ? '"' + s.replace("\"", "\"\"") + '"' : s;
  }

  private CompiledPolicy fromRegistry(PolicyEvaluator evaluator, String againstVersion) {
    int colon = againstVersion.lastIndexOf(':');
    if (colon <= 0 || !againstVersion.substring(colon + 1).matches("[0-9]{1,9}")) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--against-version must be ID:N (e.g. my-policy:3) but was '" + againstVersion + "'");
    }
    String id = againstVersion.substring(0, colon);
    int n = Integer.parseInt(againstVersion.substring(colon + 1));
    if (registry.etcd().isEmpty() && !Files.isDirectory(registry.directory())) {
      throw new IllegalArgumentException("registry " + registry.directory() + " is not a directory");
    }
    TrafficPolicyRegistry opened = registry.open();
    PolicyVersion v;
    try {
      v = opened.getPolicy(id, n);
    } finally {
      opened.close();
    }
    return evaluator.compile(v.document(), new PolicyBinding(v.id(), v.version(), recordName, 60));
  }

  /** Reads {@code endpoint,share} lines: a fraction ({@code 0.6}) or a percentage ({@code 60%}). */
  static Map<String, Double> readCapacity(Path file) throws IOException {
    Map<String, Double> out = new LinkedHashMap<>();
    List<InvalidTableException.LineProblem> problems = new ArrayList<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.toLowerCase(Locale.ROOT).startsWith("endpoint,")) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length != 2 || f[0].isBlank()) {
        problems.add(new InvalidTableException.LineProblem(i + 1, "expected endpoint,share"));
        continue;
      }
      String v = f[1].strip();
      boolean percent = v.endsWith("%");
      try {
        double share = Double.parseDouble(percent ? v.substring(0, v.length() - 1).strip() : v) / (percent ? 100 : 1);
        if (!(share > 0 && share <= 1)) {
          throw new NumberFormatException();
        }
        if (out.put(f[0].strip(), share) != null) {
          problems.add(new InvalidTableException.LineProblem(i + 1, f[0].strip() + " is listed more than once"));
        }
      } catch (NumberFormatException e) {
        problems.add(new InvalidTableException.LineProblem(i + 1,
            "share must be a fraction in (0, 1] or a percentage in (0%, 100%] but was '" + v + "'"));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidTableException(file.toString(), problems);
    }
    return out;
  }
}
