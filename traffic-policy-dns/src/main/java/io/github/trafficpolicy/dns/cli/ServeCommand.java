package io.github.trafficpolicy.dns.cli;

import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.dns.UdpIo;
import io.github.trafficpolicy.dns.UdpScheduling;
import io.github.trafficpolicy.dns.api.AccessKeys;
import io.github.trafficpolicy.dns.config.ConfigException;
import io.github.trafficpolicy.dns.config.ConfiguredServer;
import io.github.trafficpolicy.dns.config.ServeConfig;
import io.github.trafficpolicy.dns.config.ServeConfigReader;
import io.github.trafficpolicy.engine.CompiledPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code traffic-policy serve [--config FILE]}: an authoritative DNS server for the zones and policy records of a
 * configuration file, or, with no configuration, for the bundled example (zone {@code example.com} with the policy
 * record {@code www}, on 127.0.0.1:5353, in an in-memory registry, with the API and the web console on 127.0.0.1:8053
 * and an access key made at startup and printed once). Runs until SIGTERM or SIGINT, then drains queries in flight,
 * closes its sockets and prints its counters. Exit codes: 0 after a clean stop, 1 when the configuration is invalid or
 * an address cannot be bound; a JVM stopped by a signal exits with 128 + the signal number (130 for SIGINT, 143 for
 * SIGTERM) after the same drain.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve zones and policy records over DNS (UDP and TCP).",
      "With no --config, serves the bundled example: zone example.com, policy record www.example.com",
      "(geolocation -> weighted -> failover) on 127.0.0.1:5353, and the web console on",
      "http://127.0.0.1:8053/console/ with an access key made at startup and printed once.",
      "Runs until Ctrl-C (SIGINT) or SIGTERM, then drains queries in flight and prints its counters."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "1:the configuration is invalid (every problem is printed) or an address cannot be bound",
      "2:usage error",
      "130:stopped by Ctrl-C (SIGINT), after draining",
      "143:stopped by SIGTERM, after draining"
    })
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "The configuration (JSON with comments; see the bundled serve.json for every key).")
  Path config;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ServeConfig cfg;
    ConfiguredServer server;
    try {
      server = config == null ? ConfiguredServer.create(ServeConfigReader.bundledExample())
          : ConfiguredServer.load(config);
      cfg = server.config();
    } catch (ConfigException e) {
      err.println("traffic-policy serve: invalid configuration:");
      e.problems().forEach(p -> err.println("  " + p));
      err.flush();
      return TrafficPolicyCommand.FAILED;
    } catch (OutOfMemoryError e) {
      // Nothing was started; what was loaded is unreachable now. Say what to do rather than print a stack trace.
      err.println("traffic-policy serve: not enough memory to load the configuration (the JVM's maximum heap is "
          + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB; zone data takes about 60 bytes per record): "
          + "start the JVM with a larger -Xmx");
      err.flush();
      return TrafficPolicyCommand.FAILED;
    }
    // Everything served is loaded now (zones, policies, every GeoIP record's location) and answering allocates
    // nothing: one collection here, before the first query, lets a JVM started without heap flags give back what
    // loading used (G1 with GeoLite2 City: RSS 280 -> 209 MiB) rather than keep it for a garbage that never comes.
    System.gc();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      err.println("traffic-policy serve: cannot listen on " + cfg.listen() + ": " + e.getMessage());
      err.flush();
      return TrafficPolicyCommand.FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      server.close();
      if (cfg.printCountersOnShutdown()) {
        err.print("traffic-policy serve: stopped; counters:\n" + server.server().counters().format());
      } else {
        err.println("traffic-policy serve: stopped");
      }
      err.flush();
      stopped.countDown();
    }, "traffic-policy-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    server.startupWarnings().forEach(w -> err.println("traffic-policy serve: warning: " + w));
    out.println(startupLine(server));
    server.api().ifPresent(api -> printConsole(out, api.endpoint(), server.generatedApiKey(),
        server.registryInMemory()));
    if (config == null) {
      int port = server.server().port();
      out.println("Try:");
      out.println("  dig @127.0.0.1 -p " + port + " www.example.com +subnet=192.0.2.1/24     # North America");
      out.println("  dig @127.0.0.1 -p " + port + " www.example.com +subnet=198.51.100.1/24  # Europe");
      out.println("  dig @127.0.0.1 -p " + port + " www.example.com +subnet=203.0.113.1/24   # Asia");
      out.println("  dig @127.0.0.1 -p " + port + " www.example.com +subnet=2001:db8::/48    # Oceania");
      out.println("  dig @127.0.0.1 -p " + port + " static.example.com       # a static record");
    }
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return TrafficPolicyCommand.OK;
  }

  /**
   * Where the console is and, when the key was made at startup, the key (its only appearance: it is not logged or
   * written anywhere else); with an in-memory registry, that changes end with the server.
   */
  static void printConsole(PrintWriter out, String endpoint, Optional<AccessKeys.Key> generated, boolean inMemory) {
    out.println("Console: " + endpoint + "/console/");
    generated.ifPresent(k -> {
      out.println("  Sign in with the access key made for this run (shown only now, valid until the server stops):");
      out.println("    Access key ID:     " + k.accessKeyId());
      out.println("    Secret access key: " + k.secret());
    });
    if (inMemory) {
      out.println("  The registry is in memory: what you change in the console or the API lasts until the server "
          + "stops.");
    }
  }

  /** The startup line lists this many policy records; beyond that it counts them. */
  private static final int LISTED_RECORDS = 10;

  static String startupLine(ConfiguredServer server) {
    String listen = server.server().addresses().stream().map(ServeCommand::format)
        .collect(Collectors.joining(", "));
    Map<String, CompiledPolicy> policies = server.server().handler().catalog().policyRecords();
    String records = policies.entrySet().stream()
        .limit(LISTED_RECORDS)
        .map(e -> e.getKey() + " " + e.getValue().document().recordType() + " (" + e.getValue().binding().policyId()
            + " v" + e.getValue().binding().policyVersion() + ")")
        .collect(Collectors.joining(", "));
    if (policies.size() > LISTED_RECORDS) {
      long versions = policies.values().stream()
          .map(p -> p.binding().policyId() + " v" + p.binding().policyVersion()).distinct().count();
      records = policies.size() + " (" + versions + " policy versions), the first " + LISTED_RECORDS + ": " + records
          + ", …";
    }
    return "traffic-policy serve: " + server.config().name() + ": zones "
        + String.join(", ", server.server().handler().catalog().zones()) + "; policy records "
        + (records.isEmpty() ? "(none)" : records)
        + server.healthChecker().map(c -> "; health checks " + c.checks().size()).orElse("")
        + "; listening on udp+tcp " + listen + " (" + udp(server.server().udpIo(),
            server.server().udpScheduling()) + ")"
        + server.api().map(a -> "; Route 53 API on " + a.endpoint() + ", console on " + a.endpoint() + "/console/")
            .orElse("")
        + server.metricsAddress().map(a -> "; metrics on http://" + format(a) + "/metrics").orElse("");
  }

  /**
   * The UDP I/O in use (with the foreign-function API of mmsg) and the receivers' scheduling; with nio, why mmsg
   * is not in use when it could have been with other JVM flags.
   */
  static String udp(UdpIo io, UdpScheduling scheduling) {
    return "UDP I/O " + io + io.foreignApi().map(api -> " through " + api).orElse("") + ", scheduling "
        + scheduling + (io == UdpIo.MMSG ? "" : UdpIo.MMSG.unavailableReason().map(why -> "; mmsg: " + why)
            .orElse(""));
  }

  private static String format(InetSocketAddress a) {
    String host = InetAddresses.toAddrString(a.getAddress());
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
