package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.dns.Eventually;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.RegistryServing;
import io.github.trafficpolicy.dns.StatusEndpoint;
import io.github.trafficpolicy.dns.Zone;
import io.github.trafficpolicy.dns.api.AccessKeys;
import io.github.trafficpolicy.dns.api.ApiServer;
import io.github.trafficpolicy.dns.api.AuditLog;
import io.github.trafficpolicy.dns.api.HealthCheckStore;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.health.HealthCheck;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.HealthCheckConfig;
import software.amazon.awssdk.services.route53.model.HealthCheckType;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * {@code serve} with the {@code api} member: a health check made through the API is probed by the running server
 * and steers the answers of a policy naming it, survives a restart, and one made by another process on the same
 * registry (as {@code traffic-policy api} would) is picked up without a restart.
 */
final class ServeHealthCheckApiTest {
  private static final String ID = "AKIDSERVEHC0001";
  private static final String SECRET = "serve-health-check-secret";

  @TempDir Path dir;

  private StatusEndpoint endpoint;

  @BeforeEach
  void endpoint() throws Exception {
    endpoint = StatusEndpoint.start();
  }

  @AfterEach
  void stopEndpoint() {
    endpoint.close();
  }

  private ServeConfig config() throws Exception {
    Files.writeString(dir.resolve("example.com.zone"), "$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n"
        + "@ IN NS ns1\nns1 IN A 192.0.2.53\n");
    Files.writeString(dir.resolve("keys"), "[admin]\naws_access_key_id = " + ID + "\naws_secret_access_key = "
        + SECRET + "\n");
    Path config = dir.resolve("serve.json");
    Files.writeString(config, "{\"listen\": [\"127.0.0.1:0\"], \"udpThreads\": 1,\n"
        + " \"zones\": [{\"origin\": \"example.com\", \"file\": \"example.com.zone\"}],\n"
        + " \"registry\": {\"directory\": \"registry\", \"pollMillis\": 50},\n"
        + " \"healthChecks\": [{\"id\": \"configured\", \"type\": \"TCP\", \"target\": \"127.0.0.1\", \"port\": "
        + endpoint.port() + ", \"requestIntervalSeconds\": 3600}],\n"
        + " \"api\": {\"credentials\": \"keys\", \"listen\": \"127.0.0.1:0\"}}\n");
    return ServeConfigReader.read(config);
  }

  private static Route53Client client(String endpoint) {
    return Route53Client.builder().endpointOverride(URI.create(endpoint)).region(Region.AWS_GLOBAL)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ID, SECRET)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

  private HealthCheckConfig http() {
    return HealthCheckConfig.builder().type(HealthCheckType.HTTP).ipAddress("127.0.0.1")
        .port(endpoint.port()).resourcePath("/").failureThreshold(1).requestInterval(30).build();
  }

  private static String failover(String healthCheckId) {
    return "{\"AWSPolicyFormatVersion\":\"2015-10-01\",\"RecordType\":\"A\",\"StartRule\":\"r\","
        + "\"Endpoints\":{\"p\":{\"Type\":\"value\",\"Value\":\"192.0.2.1\"},"
        + "\"s\":{\"Type\":\"value\",\"Value\":\"192.0.2.2\"}},"
        + "\"Rules\":{\"r\":{\"RuleType\":\"failover\",\"Primary\":{\"EndpointReference\":\"p\",\"HealthCheck\":\""
        + healthCheckId + "\"},\"Secondary\":{\"EndpointReference\":\"s\"}}}}";
  }

  private static List<String> answer(Route53Client r53, String zoneId) {
    return r53.testDNSAnswer(b -> b.hostedZoneId(zoneId).recordName("www.example.com").recordType(RRType.A))
        .recordData();
  }


  @Test
  void anInvalidHealthChecksFileInTheRegistry_stopsTheStartWithItsProblems_andAnInvalidChangeKeepsTheChecks()
      throws Exception {
    ServeConfig config = config();
    Path file = dir.resolve("registry").resolve(HealthCheckStore.FILE);
    try (ConfiguredServer server = ConfiguredServer.create(config).start();
         Route53Client r53 = client(server.api().orElseThrow().endpoint())) {
      String id = r53.createHealthCheck(b -> b.callerReference("kept").healthCheckConfig(http())).healthCheck().id();
      Files.writeString(file, "{\"healthChecks\": [{\"Id\": \"x\"}]}");
      // The next look at the file refuses it (logged) and keeps the checks in force.
      assertThat(Eventually.until(() -> {
        try {
          return !server.healthChecks().orElseThrow().reloadIfChanged();
        } catch (Exception e) {
          return false;
        }
      })).isTrue();
      assertThat(server.healthChecker().orElseThrow().checks()).extracting(c -> c.id().value())
          .containsExactly("configured", id);
    }
    assertThatThrownBy(() -> ConfiguredServer.create(config)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).singleElement().asString()
            .startsWith(file + ": /healthChecks/0/HealthCheckConfig: must be an object with a Type"));
  }

  @Test
  void checkMadeThroughTheApi_steersThePolicy_survivesARestart_andOtherWritersAreFollowed() throws Exception {
    ServeConfig config = config();
    String checkId;
    try (ConfiguredServer server = ConfiguredServer.create(config).start();
         Route53Client r53 = client(server.api().orElseThrow().endpoint())) {
      String first = r53.createHealthCheck(b -> b.callerReference("www-primary").healthCheckConfig(http()))
          .healthCheck().id();
      String policy = r53.createTrafficPolicy(b -> b.name("www").document(failover(first))).trafficPolicy().id();
      String zone = r53.listHostedZones().hostedZones().get(0).id();
      r53.createTrafficPolicyInstance(b -> b.hostedZoneId(zone).name("www.example.com").ttl(60L)
          .trafficPolicyId(policy).trafficPolicyVersion(1));
      assertThat(Eventually.until(() -> !r53.getHealthCheckStatus(b -> b.healthCheckId(first)).healthCheckObservations()
          .isEmpty())).as("probed at once by the running server").isTrue();
      assertThat(answer(r53, zone)).containsExactly("192.0.2.1");

      endpoint.status.set(503);
      server.healthChecker().orElseThrow().runOnce().get(30, TimeUnit.SECONDS);
      assertThat(answer(r53, zone)).as("primary's check failed: the secondary answers").containsExactly("192.0.2.2");

      endpoint.status.set(200);
      r53.deleteHealthCheck(b -> b.healthCheckId(first));
      assertThat(server.healthChecker().orElseThrow().checks()).extracting(c -> c.id().value())
          .containsExactly("configured");
      checkId = r53.createHealthCheck(b -> b.callerReference("www-primary-2").healthCheckConfig(http()))
          .healthCheck().id();
    }

    try (ConfiguredServer server = ConfiguredServer.create(config).start()) {
      String kept = checkId;
      assertThat(server.healthChecker().orElseThrow().checks()).extracting(c -> c.id().value())
          .containsExactly("configured", kept);

      // Another process on the same registry directory: the API alone, as `traffic-policy api` runs it.
      TrafficPolicyRegistry sameDirectory = TrafficPolicyRegistry.builder().codec(DocumentCodec.json())
          .directory(dir.resolve("registry")).build();
      RegistryServing serving = RegistryServing.create(sameDirectory, PolicyEvaluator.builder().build(),
          List.of(Zone.parse("example.com", Files.readString(dir.resolve("example.com.zone")))), List.of(), m -> { });
      QueryHandler handler = QueryHandler.builder(serving.catalog()).build();
      serving.serveWith(handler);
      try (serving;
           ApiServer alone = ApiServer.builder().registry(sameDirectory).dns(handler)
               .keys(AccessKeys.parse("keys", Files.readString(dir.resolve("keys"))))
               .listen(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0))
               .audit(new AuditLog(line -> { }, Clock.systemUTC())).build().start();
           Route53Client other = client(alone.endpoint())) {
        String made = other.createHealthCheck(b -> b.callerReference("from-elsewhere").healthCheckConfig(http()))
            .healthCheck().id();
        assertThat(Eventually.until(() -> server.healthChecker().orElseThrow().checks().stream().map(HealthCheck::id)
            .anyMatch(id -> id.value().equals(made)))).as("the server follows the registry's health checks").isTrue();
        assertThat(other.getHealthCheckStatus(b -> b.healthCheckId(made)).healthCheckObservations())
            .as("nothing probes in the API alone").isEmpty();
      }
    }
  }
}
