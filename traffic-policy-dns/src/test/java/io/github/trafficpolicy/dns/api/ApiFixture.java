package io.github.trafficpolicy.dns.api;

import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.RegistryServing;
import io.github.trafficpolicy.dns.Zone;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * A running control plane for tests: a registry (in memory, or in a directory), the zones {@code example.com} and
 * {@code example.org} served by a query handler that follows the registry, and the API on 127.0.0.1 (a free port)
 * with two keys: {@code admin} (read-write) and {@code reader} (read-only). The audit log is collected in
 * {@link #audit}.
 */
public final class ApiFixture implements AutoCloseable {
  public static final String ADMIN_ID = "AKIDADMIN0000000001";
  public static final String ADMIN_SECRET = "admin/secret+key0000000000000000000000000";
  public static final String READER_ID = "AKIDREADER000000001";
  public static final String READER_SECRET = "reader-secret-key00000000000000000000000";
  static final String CREDENTIALS = String.join("\n",
      "# test keys",
      "[admin]",
      "aws_access_key_id = " + ADMIN_ID,
      "aws_secret_access_key = " + ADMIN_SECRET,
      "",
      "[reader]",
      "aws_access_key_id=" + READER_ID,
      "aws_secret_access_key=" + READER_SECRET,
      "read_only = true",
      "");

  static String zone(String origin) {
    return String.join("\n",
        "$ORIGIN " + origin + ".",
        "$TTL 3600",
        "@        IN SOA ns1 hostmaster 2024010101 7200 900 1209600 300",
        "@        IN NS  ns1",
        "ns1      IN A   192.0.2.53",
        "static   IN A   192.0.2.80",
        "");
  }

  public final TrafficPolicyRegistry registry;
  final RegistryServing serving;
  final QueryHandler handler;
  public final ApiServer server;
  public final List<String> audit = new CopyOnWriteArrayList<>();
  final List<String> servingLog = new CopyOnWriteArrayList<>();
  private final List<Route53Client> clients = new ArrayList<>();

  ApiFixture(TrafficPolicyRegistry registry, Clock clock) throws IOException {
    this(registry, clock, null);
  }

  /** With {@code healthChecks} managed by the API ({@code null}: the default store, nothing probing). */
  ApiFixture(TrafficPolicyRegistry registry, Clock clock, HealthCheckStore healthChecks) throws IOException {
    this(registry, clock, healthChecks, PolicyEvaluator.builder().build());
  }

  /** With {@code evaluator} serving the registry and answering the console's evaluations. */
  public ApiFixture(TrafficPolicyRegistry registry, Clock clock, HealthCheckStore healthChecks,
                    PolicyEvaluator evaluator) throws IOException {
    this.registry = registry;
    this.serving = RegistryServing.create(registry, evaluator,
        List.of(Zone.parse("example.com", zone("example.com")), Zone.parse("example.org", zone("example.org"))),
        List.of(), servingLog::add);
    this.handler = QueryHandler.builder(serving.catalog()).build();
    serving.serveWith(handler);
    ApiServer.Builder api = ApiServer.builder();
    if (healthChecks != null) {
      api.healthChecks(healthChecks);
    }
    this.server = api
        .registry(registry)
        .dns(handler)
        .evaluator(evaluator)
        .keys(AccessKeys.parse("credentials", CREDENTIALS))
        .listen(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0))
        .audit(new AuditLog(audit::add, Clock.systemUTC()))
        .clock(clock)
        .build()
        .start();
  }

  /** An in-memory registry, the system clock. */
  static ApiFixture inMemory() throws IOException {
    return new ApiFixture(TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).build(), Clock.systemUTC());
  }

  /** A registry persisted in {@code dir}. */
  static ApiFixture inDirectory(Path dir) throws IOException {
    return new ApiFixture(TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).directory(dir).build(),
        Clock.systemUTC());
  }

  /** The Route 53 error {@code call} fails with; an assertion error when it succeeds. */
  static software.amazon.awssdk.services.route53.model.Route53Exception refused(Runnable call) {
    try {
      call.run();
    } catch (software.amazon.awssdk.services.route53.model.Route53Exception e) {
      return e;
    }
    throw new AssertionError("the request was accepted");
  }

  /** An SDK client signing with the admin key, without retries. */
  Route53Client admin() {
    return client(ADMIN_ID, ADMIN_SECRET);
  }

  /** An SDK client signing with {@code id}/{@code secret}, without retries (each error is seen as sent). */
  Route53Client client(String id, String secret) {
    Route53Client c = Route53Client.builder()
        .endpointOverride(URI.create(server.endpoint()))
        .region(Region.AWS_GLOBAL)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret)))
        .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
        .build();
    clients.add(c);
    return c;
  }

  @Override
  public void close() {
    clients.forEach(Route53Client::close);
    server.close();
    serving.close();
  }
}
