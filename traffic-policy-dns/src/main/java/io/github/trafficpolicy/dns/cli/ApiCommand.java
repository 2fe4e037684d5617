package io.github.trafficpolicy.dns.cli;

import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.RegistryServing;
import io.github.trafficpolicy.dns.Zone;
import io.github.trafficpolicy.dns.api.AccessKeys;
import io.github.trafficpolicy.dns.api.ApiServer;
import io.github.trafficpolicy.dns.api.AuditLog;
import io.github.trafficpolicy.dns.api.HostedZones;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.ManagedRecord;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code traffic-policy api --registry DIR [--credentials FILE] [--listen HOST:PORT] [--zone NAME]...}: the Route
 * 53-compatible control plane and the web console ({@code /console/}) alone, on a registry directory (a running {@code
 * traffic-policy serve} that follows the same directory serves every change within its poll interval). The hosted zones
 * are the {@code --zone} names and the zones of the registry's records; {@code TestDNSAnswer} evaluates without geo,
 * latency or health data (run the API inside {@code serve} for answers exactly as served). Runs until SIGTERM or
 * SIGINT.
 */
@Command(
    name = "api",
    mixinStandardHelpOptions = true,
    description = {
      "Serve Route 53's traffic policy API (2013-04-01) on a registry, for the AWS CLI and SDKs",
      "(--endpoint-url http://HOST:PORT), authenticated with AWS Signature Version 4, and the web console",
      "at http://HOST:PORT/console/ (sign in with the same keys).",
    })
final class ApiCommand extends RegistryOptions.Call {
  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8053",
      description = "The address to listen on (default: ${DEFAULT-VALUE}); not loopback needs --keystore.")
  String listen;

  @Option(names = "--credentials", paramLabel = "FILE",
      description = "The access keys: AWS shared credentials format; read_only = true makes a key read-only. "
          + "Without it, one read-write key is made at startup and printed once.")
  Path credentials;

  @Option(names = "--zone", paramLabel = "NAME",
      description = "A hosted zone (repeatable); the zones of existing records are hosted zones too.")
  List<String> zones = new ArrayList<>();

  @Option(names = "--audit-log", paramLabel = "FILE",
      description = "Append one JSON line per write here (default: standard error).")
  @Nullable Path auditLog;

  @Option(names = "--keystore", paramLabel = "FILE", description = "Serve HTTPS with this keystore (PKCS12 or JKS).")
  @Nullable Path keystore;

  @Option(names = "--keystore-password-file", paramLabel = "FILE",
      description = "The file holding the keystore's password.")
  @Nullable Path keystorePassword;

  @Override
  boolean createsRegistry() {
    return true;
  }

  @Override
  int run(TrafficPolicyRegistry registry) throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    ApiServer.Builder b = ApiServer.builder().registry(registry);
    // A key of this run's own only when none is given (shown once, below).
    Optional<AccessKeys.Key> generated = credentials == null
        ? Optional.of(AccessKeys.generate("generated"))
        : Optional.empty();
    try {
      b.listen(ApiServer.parseListen(listen));
      b.keys(credentials == null ? AccessKeys.of(List.of(generated.orElseThrow())) : AccessKeys.read(credentials));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    if (keystore != null) {
      if (keystorePassword == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--keystore needs --keystore-password-file");
      }
      b.tls(keystore, Files.readString(keystorePassword, StandardCharsets.UTF_8).strip().toCharArray());
    }
    List<AutoCloseable> resources = new ArrayList<>();
    if (auditLog != null) {
      PrintStream out = new PrintStream(new FileOutputStream(auditLog.toFile(), true), true, StandardCharsets.UTF_8);
      resources.add(out);
      b.audit(AuditLog.to(out));
    }
    TreeSet<String> names = new TreeSet<>();
    zones.forEach(z -> names.add(absolute(z)));
    registry.listRecords().stream().map(ManagedRecord::zone).forEach(names::add);
    List<Zone> served = new ArrayList<>();
    for (String z : names) {
      served.add(Zone.parse(z, """
          @ 3600 IN SOA localhost. hostmaster.localhost. 1 7200 900 1209600 300
          @ 3600 IN NS localhost.
          """, "--zone " + z));
    }
    PolicyEvaluator evaluator = PolicyEvaluator.builder().build();
    RegistryServing serving = RegistryServing.create(registry, evaluator, served, List.of(),
        m -> err.println("traffic-policy api: " + m));
    resources.add(serving);
    QueryHandler handler = QueryHandler.builder(serving.catalog()).build();
    serving.serveWith(handler);
    serving.watch(Duration.ofSeconds(1));
    ApiServer server;
    try {
      server = b.dns(handler).evaluator(evaluator).build().start();
    } catch (IllegalStateException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      for (AutoCloseable c : resources) {
        try {
          c.close();
        } catch (Exception e) {
          // stopping anyway
        }
      }
      err.println("traffic-policy api: stopped");
      err.flush();
      stopped.countDown();
    }, "traffic-policy-api-shutdown"));
    PrintWriter out = out();
    out.println("traffic-policy api: registry " + options.location() + "; hosted zones "
        + (names.isEmpty() ? "(none)" : String.join(", ", names.stream()
            .map(z -> z + " " + HostedZones.zoneId(z)).toList()))
        + "; " + server.keys().keys().size() + " access keys; listening on " + server.endpoint() + " (console: "
        + server.endpoint() + "/console/)");
    ServeCommand.printConsole(out, server.endpoint(), generated, !registry.persistent());
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return TrafficPolicyCommand.OK;
  }

  private static String absolute(String zone) {
    String z = zone.toLowerCase(Locale.ROOT);
    return z.endsWith(".") ? z : z + ".";
  }
}
