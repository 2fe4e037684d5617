package io.github.trafficpolicy.dns.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.InvalidPolicyException;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.dns.console.AnswerJson;
import io.github.trafficpolicy.engine.AliasResolver;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.EvaluatorSettings;
import io.github.trafficpolicy.engine.Outcome;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.Query;
import io.github.trafficpolicy.engine.input.CidrGeoLocator;
import io.github.trafficpolicy.engine.input.CsvLatencyTable;
import io.github.trafficpolicy.engine.input.DnsAliasResolver;
import io.github.trafficpolicy.engine.input.EvaluatorInputs;
import io.github.trafficpolicy.engine.input.InvalidTableException;
import io.github.trafficpolicy.engine.input.MaxMindGeoLocator;
import io.github.trafficpolicy.engine.input.StaticAliasResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code traffic-policy evaluate}: the answer a policy gives one client, with the inputs given on the command line,
 * and optionally why.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Print the answer a policy gives one client, and with --explain why.",
      "",
      "The client is located by, in this order: the --continent/--country/--subdivision/--latitude/--longitude "
          + "options if any is given; else --geo-table, then --geoip-db (the first that knows the address); else "
          + "nowhere (unknown location).",
      "A region's latency comes from the first of: --latency, --latency-table, the distance estimate "
          + "(5 ms + great-circle km / 100), as serve and test chain them.",
      "Health checks and alias targets not listed are healthy."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the answer was printed (also when it is no data)",
      "1:the policy or an input file is invalid or cannot be read",
      "2:usage error"
    })
final class EvaluateCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--policy", required = true, paramLabel = "FILE", description = "The policy document (JSON).")
  Path policy;

  @Option(names = "--record-name", paramLabel = "NAME", defaultValue = "www.example.com",
      description = "The DNS name of the policy record (s3-website answers depend on it). Default: ${DEFAULT-VALUE}.")
  String recordName;

  @Option(names = "--client-ip", paramLabel = "IP[/PREFIX]", defaultValue = "0.0.0.0/0",
      converter = SubnetConverter.class,
      description = "The client address or EDNS Client Subnet, e.g. 192.0.2.1 or 198.51.100.0/24. "
          + "Default: ${DEFAULT-VALUE} (no particular client).")
  ClientSubnet client;

  @Option(names = "--geoip-db", paramLabel = "FILE",
      description = "A MaxMind GeoIP2/GeoLite2 City or Country database (.mmdb) to locate the client.")
  @Nullable Path geoipDb;

  @Option(names = "--geo-table", paramLabel = "FILE",
      description = "A CSV table network,continent,country,subdivision,latitude,longitude, asked before --geoip-db.")
  @Nullable Path geoTable;

  @Option(names = "--continent", paramLabel = "CC", description = "The client's continent: AF AN AS EU NA OC SA.")
  @Nullable String continent;

  @Option(names = "--country", paramLabel = "CC", description = "The client's country (ISO 3166-1 alpha-2).")
  @Nullable String country;

  @Option(names = "--subdivision", paramLabel = "CODE", description = "The client's subdivision, e.g. WA.")
  @Nullable String subdivision;

  @Option(names = "--latitude", paramLabel = "D", description = "The client's latitude in degrees.")
  @Nullable Double latitude;

  @Option(names = "--longitude", paramLabel = "D", description = "The client's longitude in degrees.")
  @Nullable Double longitude;

  @Option(names = "--latency", paramLabel = "REGION=MS",
      description = "The client's latency to a region in milliseconds; repeatable.")
  Map<String, Double> latency = new LinkedHashMap<>();

  @Option(names = "--latency-table", paramLabel = "FILE",
      description = "A CSV table network,region,milliseconds.")
  @Nullable Path latencyTable;

  @Option(names = "--alias-table", paramLabel = "FILE",
      description = "A CSV table value,address of the addresses of alias endpoints (load balancers, CloudFront …).")
  @Nullable Path aliasTable;

  @Option(names = "--resolver", paramLabel = "HOST:PORT", converter = ResolverConverter.class,
      description = "A recursive resolver to look alias targets up through (after --alias-table); repeatable, tried "
          + "in order.")
  List<InetSocketAddress> resolvers = new ArrayList<>();

  @CommandLine.Mixin HealthOptions health;

  @Option(names = "--seed", paramLabel = "N", description = "The seed of weighted and multivalue choices. Default: 0.")
  @Nullable Long seed;

  @Option(names = "--explain", description = "Also print the trace of every decision.")
  boolean explain;

  @Option(names = "--json", description = "Print {outcome, rcode, endpoints, answer, ttl, ecsScope, trace} as JSON "
      + "(the trace is always included).")
  boolean json;

  /** Reads an input file; an unreadable one is an {@link IOException} naming it and saying why. */
  static <T> T load(Path file, Loader<T> loader) throws IOException {
    try {
      return loader.load(file);
    } catch (IOException e) {
      throw new IOException(file + ": cannot read: " + IoMessages.describe(e), e);
    }
  }

  /** Reads one kind of input file. */
  @FunctionalInterface
  interface Loader<T> {
    T load(Path file) throws IOException;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    checkOptions();
    ClientLocation location = null;
    ClientLatency given = null;
    try {
      if (continent != null || country != null || subdivision != null || latitude != null) {
        location = ClientLocation.ofCodes(continent, country, subdivision,
            latitude == null || longitude == null ? null : new Coordinates(latitude, longitude));
      }
      if (!latency.isEmpty()) {
        given = ClientLatency.of(latency, 0);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      PolicyDocument document = PolicyDocumentJson.read(policy);
      EvaluatorInputs assembled = inputs(given, opened);
      DnsAliasResolver dnsAliases = assembled.dnsAliasResolver().orElse(null);
      Query.Builder query = Query.builder(client).health(health.snapshot()).trace(explain || json);
      if (location != null) {
        query.location(location);
      }
      PolicyEvaluator built = assembled.evaluator();
      CompiledPolicy compiled = built.compile(document, PolicyBinding.standalone(recordName));
      if (dnsAliases != null) {
        // Each lookup ends on its own (every query has a time-out); the bound is only a backstop.
        dnsAliases.awaitTargets(Duration.ofMinutes(1));
      }
      Answer answer = compiled.evaluate(query.build());
      List<String> targets = aliasTargets(built.aliasResolver(), document, answer, recordName);
      if (json) {
        Map<String, Object> m = AnswerJson.of(answer);
        m.put("trace", answer.trace().lines());
        m.put("aliasTargets", targets);
        out.println(JSON.writeValueAsString(m));
      } else {
        print(out, answer, targets);
      }
      out.flush();
      return TrafficPolicyCommand.OK;
    } catch (InvalidPolicyException | InvalidTableException e) {
      err.println(e.getMessage());
      return TrafficPolicyCommand.FAILED;
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      err.println("traffic-policy evaluate: " + e.getMessage());
      return TrafficPolicyCommand.FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("traffic-policy evaluate: interrupted while resolving alias targets");
      return TrafficPolicyCommand.FAILED;
    } finally {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception e) {
          err.println("traffic-policy evaluate: " + e.getMessage());
        }
      }
    }
  }

  /** Refuses option combinations that make no sense, before anything is read. */
  private void checkOptions() {
    if ((latitude == null) != (longitude == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--latitude and --longitude go together");
    }
    health.check(spec.commandLine());
  }

  /** The evaluator's inputs as the options give them; what it opens (databases, resolvers) is added to {@code opened}. */
  private EvaluatorInputs inputs(@Nullable ClientLatency given, List<AutoCloseable> opened) throws IOException {
    EvaluatorInputs.Builder inputs = EvaluatorInputs.builder().settings(seed == null
        ? EvaluatorSettings.defaults()
        : EvaluatorSettings.defaults().toBuilder().seed(seed).build());
    if (geoTable != null) {
      inputs.geoLocator(load(geoTable, CidrGeoLocator::load));
    }
    if (geoipDb != null) {
      MaxMindGeoLocator maxMind = load(geoipDb, MaxMindGeoLocator::open);
      opened.add(maxMind);
      inputs.geoLocator(maxMind);
    }
    if (given != null) {
      inputs.latencyTable((address, where) -> given);
    }
    if (latencyTable != null) {
      inputs.latencyTable(load(latencyTable, CsvLatencyTable::load));
    }
    if (aliasTable != null) {
      inputs.aliasTable(load(aliasTable, StaticAliasResolver::load));
    }
    if (!resolvers.isEmpty()) {
      inputs.aliasLookups(DnsAliasResolver.builder().resolvers(resolvers));
    }
    EvaluatorInputs assembled = inputs.build();
    assembled.dnsAliasResolver().ifPresent(opened::add);
    return assembled;
  }

  /** What the resolver says of each alias endpoint of the answer: its name, addresses and freshness, or why none. */
  private static List<String> aliasTargets(AliasResolver resolver, PolicyDocument document, Answer answer,
      String recordName) {
    List<String> lines = new ArrayList<>();
    for (EndpointId id : answer.endpoints()) {
      Endpoint e = document.endpoints().get(id);
      if (e != null && e.type().isAlias()) {
        lines.add(id + ": " + resolver.target(e, document.recordType(), recordName).describe());
      }
    }
    return lines;
  }

  private void print(PrintWriter out, Answer answer, List<String> targets) {
    out.println("outcome:   " + (answer.outcome() == Outcome.ANSWER ? "answer" : "no data"));
    out.println("rcode:     NOERROR");
    out.println("endpoints: " + (answer.endpoints().isEmpty() ? "-"
        : String.join(" ", answer.endpoints().stream().map(EndpointId::toString).toList())));
    out.println("ttl:       " + answer.ttl());
    out.println("ecs scope: /" + answer.ecsScope());
    String owner = recordName.endsWith(".") ? recordName : recordName + ".";
    for (RecordData r : answer.records()) {
      out.println("answer:    " + owner + " " + answer.ttl() + " IN " + r.type() + " " + AnswerJson.zoneText(r));
    }
    for (String t : targets) {
      out.println("alias:     " + t);
    }
    if (explain) {
      out.println("trace:");
      for (String line : answer.trace().lines()) {
        out.println("  " + line);
      }
    }
  }

  /** Parses {@code IP:PORT} or {@code [IPv6]:PORT}; a plain IP means port 53. */
  static final class ResolverConverter implements CommandLine.ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
      try {
        HostAndPort hp = HostAndPort.fromString(value).withDefaultPort(53);
        if (!InetAddresses.isInetAddress(hp.getHost())) {
          throw new CommandLine.TypeConversionException("'" + value + "' is not an IP address and port, e.g. "
              + "127.0.0.1:53 or [::1]:53");
        }
        return new InetSocketAddress(InetAddresses.forString(hp.getHost()), hp.getPort());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not HOST:PORT: " + e.getMessage());
      }
    }
  }

  /** Parses {@code IP} or {@code IP/PREFIX}. */
  static final class SubnetConverter implements CommandLine.ITypeConverter<ClientSubnet> {
    @Override
    public ClientSubnet convert(String value) {
      try {
        return ClientSubnet.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
