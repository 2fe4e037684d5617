package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.dns.Eventually;
import io.github.trafficpolicy.dns.StatusEndpoint;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.health.EndpointHealthCheck;
import io.github.trafficpolicy.engine.health.HealthChecker;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.CreateHealthCheckResponse;
import software.amazon.awssdk.services.route53.model.HealthCheck;
import software.amazon.awssdk.services.route53.model.HealthCheckConfig;
import software.amazon.awssdk.services.route53.model.HealthCheckObservation;
import software.amazon.awssdk.services.route53.model.HealthCheckType;
import software.amazon.awssdk.services.route53.model.ListHealthChecksResponse;
import software.amazon.awssdk.services.route53.model.ResettableElementName;
import software.amazon.awssdk.services.route53.model.Route53Exception;

/**
 * The health check operations through the AWS SDK for Java v2, against an API whose checks a running
 * {@link HealthChecker} probes (an HTTP endpoint on 127.0.0.1 whose status the test sets).
 */
final class ApiHealthCheckTest {
  @TempDir Path dir;

  private final HealthRegistry health = new HealthRegistry();
  private StatusEndpoint endpoint;
  private HealthChecker checker;
  private ApiFixture api;
  private Route53Client r53;

  @BeforeEach
  void start() throws Exception {
    endpoint = StatusEndpoint.start();
    open();
  }

  /** The API, a checker and the store on {@code dir}, with one check of the serve configuration ("configured"). */
  private void open() throws IOException {
    EndpointHealthCheck configured = EndpointHealthCheck.builder("configured",
            io.github.trafficpolicy.engine.health.HealthCheckType.TCP).target("127.0.0.1").port(port())
        .requestInterval(Duration.ofHours(1)).build();
    HealthCheckStore store = HealthCheckStore.open(Optional.of(dir), List.of(configured));
    checker = HealthChecker.builder(health).checks(store.checks()).logTransitions(false).build();
    store.serve(checker);
    checker.start();
    api = new ApiFixture(TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).directory(dir).build(),
        Clock.systemUTC(), store);
    r53 = api.admin();
  }

  private void close() {
    api.close();
    checker.close();
  }

  @AfterEach
  void stop() {
    close();
    endpoint.close();
  }

  private int port() {
    return endpoint.port();
  }

  private HealthCheckConfig http(int threshold) {
    return HealthCheckConfig.builder().type(HealthCheckType.HTTP).ipAddress("127.0.0.1").port(port())
        .resourcePath("/health").fullyQualifiedDomainName("www.example.com").requestInterval(30)
        .failureThreshold(threshold).build();
  }

  private HealthCheck create(String reference, HealthCheckConfig config) {
    return r53.createHealthCheck(b -> b.callerReference(reference).healthCheckConfig(config)).healthCheck();
  }

  private List<HealthCheckObservation> status(String id) {
    return r53.getHealthCheckStatus(b -> b.healthCheckId(id)).healthCheckObservations();
  }


  private static Route53Exception refused(Runnable call, int status, String code) {
    Route53Exception e = ApiFixture.refused(call);
    assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(status);
    assertThat(e.awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code);
    return e;
  }

  @Test
  void createHealthCheck_isProbedAtOnce_andGetListCountAndStatusShowIt() {
    CreateHealthCheckResponse created = r53.createHealthCheck(b -> b.callerReference("web-1")
        .healthCheckConfig(http(3)));
    HealthCheck check = created.healthCheck();
    assertThat(created.location()).endsWith("/2013-04-01/healthcheck/" + check.id());
    assertThat(check.callerReference()).isEqualTo("web-1");
    assertThat(check.healthCheckVersion()).isEqualTo(1L);
    assertThat(check.healthCheckConfig()).isEqualTo(http(3).toBuilder().measureLatency(false).inverted(false)
        .disabled(false).build());

    assertThat(Eventually.until(() -> health.current().check(HealthCheckId.of(check.id())) == HealthStatus.HEALTHY))
        .as("probed without a restart, published to the health the policies read").isTrue();
    assertThat(status(check.id())).singleElement().satisfies(o -> {
      assertThat(o.regionAsString()).isEqualTo("local");
      assertThat(o.statusReport().status()).isEqualTo("Success: HTTP 200 OK");
      assertThat(o.statusReport().checkedTime()).isNotNull();
    });
    assertThat(r53.getHealthCheck(b -> b.healthCheckId(check.id())).healthCheck()).isEqualTo(check);
    assertThat(r53.getHealthCheckCount(b -> { }).healthCheckCount()).isEqualTo(2L);
    ListHealthChecksResponse list = r53.listHealthChecks(b -> { });
    assertThat(list.healthChecks()).extracting(HealthCheck::id)
        .containsExactlyElementsOf(List.of(check.id(), "configured").stream().sorted().toList());
    assertThat(list.isTruncated()).isFalse();
    assertThat(api.audit).singleElement().asString().contains("\"action\":\"CreateHealthCheck\"")
        .contains("\"target\":\"" + check.id() + "\"").contains("\"before\":null");
  }

  @Test
  void callerReference_sameSettingsReturnTheSameCheck_otherSettingsOrADeletedChecksReferenceAreRefused() {
    HealthCheck first = create("ref-1", http(3));

    assertThat(create("ref-1", http(3)).id()).isEqualTo(first.id());
    assertThat(r53.getHealthCheckCount(b -> { }).healthCheckCount()).isEqualTo(2L);
    refused(() -> create("ref-1", http(4)), 409, "HealthCheckAlreadyExists");

    r53.deleteHealthCheck(b -> b.healthCheckId(first.id()));
    refused(() -> create("ref-1", http(3)), 409, "HealthCheckAlreadyExists");
    refused(() -> r53.getHealthCheck(b -> b.healthCheckId(first.id())), 404, "NoSuchHealthCheck");
    refused(() -> r53.deleteHealthCheck(b -> b.healthCheckId(first.id())), 404, "NoSuchHealthCheck");
  }

  @Test
  void updateHealthCheck_checksTheVersion_andTheRunningCheckerFollowsTheNewSettings() throws Exception {
    HealthCheck check = create("web", http(1));
    String id = check.id();
    assertThat(Eventually.until(() -> !status(id).isEmpty())).isTrue();

    HealthCheck updated = r53.updateHealthCheck(b -> b.healthCheckId(id).healthCheckVersion(1L).inverted(true))
        .healthCheck();

    assertThat(updated.healthCheckVersion()).isEqualTo(2L);
    assertThat(updated.healthCheckConfig().inverted()).isTrue();
    assertThat(updated.healthCheckConfig().resourcePath()).isEqualTo("/health");
    assertThat(health.current().check(HealthCheckId.of(id))).as("inverted at once").isEqualTo(HealthStatus.UNHEALTHY);
    refused(() -> r53.updateHealthCheck(b -> b.healthCheckId(id).healthCheckVersion(1L).failureThreshold(2)),
        409, "HealthCheckVersionMismatch");
    assertThat(r53.getHealthCheck(b -> b.healthCheckId(id)).healthCheck()).isEqualTo(updated);

    endpoint.status.set(503);
    checker.probeNow(HealthCheckId.of(id)).get(30, TimeUnit.SECONDS);
    assertThat(status(id)).singleElement().satisfies(o ->
        assertThat(o.statusReport().status()).isEqualTo("Failure: HTTP 503 Service Unavailable"));
    assertThat(r53.getHealthCheckLastFailureReason(b -> b.healthCheckId(id)).healthCheckObservations())
        .singleElement().satisfies(o ->
            assertThat(o.statusReport().status()).isEqualTo("Failure: HTTP 503 Service Unavailable"));
    assertThat(health.current().check(HealthCheckId.of(id))).as("down, inverted").isEqualTo(HealthStatus.HEALTHY);
    assertThat(api.audit).hasSize(2).last().asString().contains("\"action\":\"UpdateHealthCheck\"")
        .contains("\"HealthCheckVersion\":1").contains("\"HealthCheckVersion\":2");

    HealthCheck reset = r53.updateHealthCheck(b -> b.healthCheckId(id)
        .resetElements(ResettableElementName.RESOURCE_PATH)).healthCheck();
    assertThat(reset.healthCheckVersion()).isEqualTo(3L);
    assertThat(reset.healthCheckConfig().resourcePath()).isNull();
    assertThat(checker.check(HealthCheckId.of(id)).orElseThrow()).isInstanceOfSatisfying(EndpointHealthCheck.class,
        c -> assertThat(c.resourcePath()).contains("/"));
  }

  @Test
  void calculatedChecks_followTheirChildren_andAChildInUseCannotBeDeleted() {
    String child = create("child", http(1)).id();
    HealthCheck calculated = create("site", HealthCheckConfig.builder().type(HealthCheckType.CALCULATED)
        .healthThreshold(1).childHealthChecks(child, "configured").build());
    HealthCheckId site = HealthCheckId.of(calculated.id());
    assertThat(calculated.healthCheckConfig().childHealthChecks()).containsExactly(child, "configured");
    assertThat(Eventually.until(() -> health.current().check(site) == HealthStatus.HEALTHY)).isTrue();

    Route53Exception inUse = refused(() -> r53.deleteHealthCheck(b -> b.healthCheckId(child)), 400,
        "HealthCheckInUse");
    assertThat(inUse.getMessage()).contains(calculated.id());
    refused(() -> create("nested", HealthCheckConfig.builder().type(HealthCheckType.CALCULATED).healthThreshold(1)
        .childHealthChecks(calculated.id()).build()), 400, "InvalidInput");
    refused(() -> create("missing", HealthCheckConfig.builder().type(HealthCheckType.CALCULATED).healthThreshold(1)
        .childHealthChecks("no-such-check").build()), 400, "InvalidInput");
    refused(() -> status(calculated.id()), 400, "InvalidInput");

    r53.updateHealthCheck(b -> b.healthCheckId(calculated.id()).childHealthChecks("configured"));
    r53.deleteHealthCheck(b -> b.healthCheckId(child));
    assertThat(checker.checks()).extracting(c -> c.id().value()).containsExactlyInAnyOrder("configured",
        calculated.id());
    assertThat(health.current().checks()).doesNotContainKey(HealthCheckId.of(child));
  }

  @Test
  void badSettings_areInvalidInput_andChangeNothing() {
    refused(() -> create("tcp", HealthCheckConfig.builder().type(HealthCheckType.TCP).ipAddress("127.0.0.1")
        .build()), 400, "InvalidInput");
    refused(() -> create("cw", HealthCheckConfig.builder().type(HealthCheckType.CLOUDWATCH_METRIC).build()), 400,
        "InvalidInput");
    refused(() -> create("interval", http(3).toBuilder().requestInterval(20).build()), 400, "InvalidInput");
    refused(() -> create("no-target", http(3).toBuilder().ipAddress(null).fullyQualifiedDomainName(null).build()),
        400, "InvalidInput");
    refused(() -> create("match", http(3).toBuilder().type(HealthCheckType.HTTP_STR_MATCH).build()), 400,
        "InvalidInput");
    refused(() -> r53.updateHealthCheck(b -> b.healthCheckId("configured").inverted(true)), 400, "InvalidInput");
    refused(() -> r53.deleteHealthCheck(b -> b.healthCheckId("configured")), 400, "InvalidInput");
    refused(() -> api.client(ApiFixture.READER_ID, ApiFixture.READER_SECRET).createHealthCheck(b -> b
        .callerReference("ro").healthCheckConfig(http(3))), 403, "AccessDenied");

    assertThat(r53.getHealthCheckCount(b -> { }).healthCheckCount()).isEqualTo(1L);
    assertThat(checker.checks()).hasSize(1);
    assertThat(api.audit).isEmpty();
  }

  @Test
  void checksMadeThroughTheApi_surviveARestart_withTheirIdsVersionsAndCallerReferences() throws Exception {
    HealthCheck check = create("persisted", http(3));
    HealthCheck updated = r53.updateHealthCheck(b -> b.healthCheckId(check.id()).failureThreshold(5)).healthCheck();
    HealthCheck gone = create("gone", http(2));
    r53.deleteHealthCheck(b -> b.healthCheckId(gone.id()));
    assertThat(dir.resolve(HealthCheckStore.FILE)).exists();

    close();
    open();

    assertThat(r53.getHealthCheck(b -> b.healthCheckId(check.id())).healthCheck()).isEqualTo(updated);
    assertThat(checker.checks()).extracting(c -> c.id().value()).containsExactly("configured", check.id());
    refused(() -> create("gone", http(2)), 409, "HealthCheckAlreadyExists");
    assertThat(Files.readString(dir.resolve(HealthCheckStore.FILE))).contains("\"FailureThreshold\" : 5");
  }

  @Test
  void anInvalidFile_isRefusedWithEveryProblemAndItsPath() throws Exception {
    close();
    Files.writeString(dir.resolve(HealthCheckStore.FILE), "{\"healthChecks\": ["
        + "{\"Id\": \"a\", \"CallerReference\": \"r\", \"HealthCheckConfig\": {\"Type\": \"TCP\", "
        + "\"IPAddress\": \"127.0.0.1\"}},"
        + "{\"Id\": \"configured\", \"HealthCheckConfig\": {\"Type\": \"HTTP\", \"IPAddress\": \"127.0.0.1\"}}]}");

    assertThatThrownBy(() -> HealthCheckStore.open(Optional.of(dir), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.resolve(HealthCheckStore.FILE) + ": /healthChecks/0/HealthCheckConfig: Port is "
            + "required for TCP health checks");
    EndpointHealthCheck configured = EndpointHealthCheck.builder("configured",
        io.github.trafficpolicy.engine.health.HealthCheckType.TCP).target("127.0.0.1").port(port()).build();
    assertThatThrownBy(() -> HealthCheckStore.open(Optional.of(dir), List.of(configured)))
        .hasMessageContaining("/healthChecks/1/Id: missing, too long, or the ID of another health check");
    Files.delete(dir.resolve(HealthCheckStore.FILE));
    open(); // for @AfterEach
  }

  @Test
  void concurrentWriters_loseNothing_andEachHealthCheckVersionIsWonOnce() throws Exception {
    String shared = create("shared", http(3)).id();
    int writers = 8;
    List<java.util.concurrent.Future<List<Long>>> results = new java.util.ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    try {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        results.add(pool.submit(() -> {
          Route53Client c = api.admin();
          go.await();
          List<Long> won = new java.util.ArrayList<>();
          for (int i = 0; i < 5; i++) {
            int n = i;
            c.createHealthCheck(b -> b.callerReference("w" + writer + "-" + n).healthCheckConfig(http(3)));
            long seen = c.getHealthCheck(b -> b.healthCheckId(shared)).healthCheck().healthCheckVersion();
            try {
              won.add(c.updateHealthCheck(b -> b.healthCheckId(shared).healthCheckVersion(seen)
                  .failureThreshold(1 + (writer + n) % 10)).healthCheck().healthCheckVersion());
            } catch (Route53Exception e) {
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("HealthCheckVersionMismatch");
            }
          }
          return won;
        }));
      }
      go.countDown();
      List<Long> versions = new java.util.ArrayList<>();
      for (var f : results) {
        versions.addAll(f.get(120, TimeUnit.SECONDS));
      }
      long last = r53.getHealthCheck(b -> b.healthCheckId(shared)).healthCheck().healthCheckVersion();
      assertThat(versions).as("every version won once, none skipped").doesNotHaveDuplicates().hasSize(
          (int) last - 1).allSatisfy(v -> assertThat(v).isBetween(2L, last));
    } finally {
      pool.shutdownNow();
    }
    assertThat(r53.getHealthCheckCount(b -> { }).healthCheckCount()).isEqualTo(1L + 1 + writers * 5);
    assertThat(checker.checks()).hasSize(1 + 1 + writers * 5);
    close();
    open();
    assertThat(checker.checks()).as("all on disk").hasSize(1 + 1 + writers * 5);
  }

  @Test
  void listHealthChecks_pagesByMarker() {
    for (int i = 0; i < 4; i++) {
      create("page-" + i, http(3));
    }
    ListHealthChecksResponse first = r53.listHealthChecks(b -> b.maxItems("2"));
    assertThat(first.healthChecks()).hasSize(2);
    assertThat(first.isTruncated()).isTrue();
    ListHealthChecksResponse second = r53.listHealthChecks(b -> b.maxItems("2").marker(first.nextMarker()));
    ListHealthChecksResponse third = r53.listHealthChecks(b -> b.maxItems("2").marker(second.nextMarker()));
    assertThat(third.isTruncated()).isFalse();
    List<String> all = new java.util.ArrayList<>();
    List.of(first, second, third).forEach(p -> p.healthChecks().forEach(h -> all.add(h.id())));
    assertThat(all).hasSize(5).isSorted().doesNotHaveDuplicates().contains("configured");
  }
}
