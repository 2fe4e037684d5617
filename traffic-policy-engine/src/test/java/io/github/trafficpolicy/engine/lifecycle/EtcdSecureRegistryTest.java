package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthStatus;
import io.github.trafficpolicy.engine.health.VantageResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry and shared health in a real etcd that serves its clients over TLS only, requires a client
 * certificate signed by its CA, and has authentication on (user {@code app} may read and write {@code /secure/}
 * only): what works with the right CA, client certificate and password, and the clear, prompt failure of each
 * wrong one. The CA and certificates are made by {@code openssl} for this run.
 */
final class EtcdSecureRegistryTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Opening waits this long for an unreachable etcd: a failure well before it did not wait. */
  private static final Duration PATIENT = Duration.ofHours(1);
  /** Far beyond the request timeout and one TLS probe, far below {@link #PATIENT}. */
  private static final Duration PROMPTLY = Duration.ofSeconds(60);
  @TempDir static Path dir;
  private static EtcdProcess etcd;
  private static EtcdProcess.Tls tls;
  /** Another CA, with a client certificate of its own: trusted by nobody here. */
  private static EtcdProcess.Tls other;
  private static int prefixes;

  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final List<TrafficPolicyRegistry> opened = new ArrayList<>();
  private final List<EtcdSharedHealthTest.Vantage> vantages = new ArrayList<>();

  @BeforeAll
  static void startEtcd() throws Exception {
    EtcdProcess.assumeTlsAndAuthInstalled();
    tls = EtcdProcess.Tls.generate(dir.resolve("tls"));
    other = EtcdProcess.Tls.generate(dir.resolve("other"));
    etcd = EtcdProcess.startTls(dir.resolve("etcd"), tls);
    etcd.enableAuth("root-secret", "app", "app-secret", "/secure/");
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
  }

  @AfterEach
  void close() throws Exception {
    opened.forEach(TrafficPolicyRegistry::close);
    for (EtcdSharedHealthTest.Vantage v : vantages) {
      v.close();
    }
  }

  /** A prefix of its own under /secure/, over TLS with the client certificate, as user app; no password yet. */
  private static EtcdSettings secure() {
    return EtcdSettings.parse("etcd://" + etcd.endpoint() + "/secure/p" + (++prefixes))
        .withTls(tls.ca()).withClientCertificate(tls.clientCertificate(), tls.clientKey())
        .withTimeout(Duration.ofSeconds(3));
  }

  private TrafficPolicyRegistry open(EtcdSettings settings) {
    TrafficPolicyRegistry r = TrafficPolicyRegistry.builder().codec(codec).etcd(settings).build();
    opened.add(r);
    return r;
  }

  /** Opening with {@code settings} fails long before {@link #PATIENT}, saying {@code expected}. */
  private void refusedPromptly(EtcdSettings settings, String expected) {
    assertTimeoutPreemptively(PROMPTLY, () -> assertThatThrownBy(() -> open(settings.withStartupWait(PATIENT)))
        .hasMessageContaining(expected));
  }

  @Test
  void withTheCaTheClientCertificateAndThePassword_aWriteIsReadBackAndReachesAnotherStoreThroughItsWatch()
      throws Exception {
    EtcdSettings settings = secure().withCredentials("app", "app-secret").withStartupWait(WAIT);
    TrafficPolicyRegistry writer = open(settings);
    TrafficPolicyRegistry reader = open(settings);
    // no reachability check within the test: only the watch can bring the change
    reader.watch(Duration.ofHours(1), r -> { });
    String a1 = codec.text("{\"a\": 1}", TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"));
    String a2 = codec.text("{\"a\": 2}", TestDocuments.weightedA("192.0.2.1", "192.0.2.3", "hc-2"));

    String id = writer.createPolicy("web", a1, Optional.of("over TLS")).id();
    writer.createPolicyVersion(id, a2, Optional.empty());
    writer.createRecord("example.com", "www.example.com", 60, id, 2);
    EtcdRegistryTest.await("the reader to see the record on version 2", () -> reader.state().records().stream()
        .anyMatch(r -> r.name().equals("www.example.com.") && r.current().version() == 2));

    assertThat(reader.state()).isEqualTo(writer.state());
    assertThat(reader.getPolicy(id, 1).documentText()).isEqualTo(a1);
    assertThat(open(settings).state()).as("opened afterwards").isEqualTo(writer.state());
    // really in that etcd, under the prefix (read as root)
    assertThat(etcd.etcdctl("get", "--prefix", "--keys-only", "/" + settings.prefix() + "/"))
        .contains("/" + settings.prefix() + "/registry.json", "/" + settings.prefix() + "/policies/");
  }

  @Test
  void aWrongPasswordOrAnUnknownUserFailsAtOnceNamingTheUser() {
    EtcdSettings settings = secure();
    refusedPromptly(settings.withCredentials("app", "not-the-password"), "etcd at " + settings.uri()
        + " refused the user 'app': authentication failed (wrong user name or password)");
    refusedPromptly(settings.withCredentials("nobody", "app-secret"), "refused the user 'nobody': authentication"
        + " failed");
  }

  @Test
  void withoutAUserOrOutsideTheUsersPrefixPermissionIsDenied() {
    EtcdSettings settings = secure();
    refusedPromptly(settings, "etcd at " + settings.uri() + " refused access to /" + settings.prefix()
        + "/: permission denied (etcd has authentication on: name a user and its password)");
    EtcdSettings elsewhere = EtcdSettings.parse("etcd://" + etcd.endpoint() + "/elsewhere").withTls(tls.ca())
        .withClientCertificate(tls.clientCertificate(), tls.clientKey()).withCredentials("app", "app-secret");
    refusedPromptly(elsewhere, "refused the user 'app' access to /elsewhere/: permission denied");
  }

  @Test
  void aPermissionRevokedWhileRunning_aWriteFailsSayingSoAndChangesNothing() throws Exception {
    etcd.etcdctl("user", "add", "ops:ops-secret");
    etcd.etcdctl("role", "add", "ops-rw");
    etcd.etcdctl("role", "grant-permission", "ops-rw", "--prefix=true", "readwrite", "/secure/ops/");
    etcd.etcdctl("user", "grant-role", "ops", "ops-rw");
    EtcdSettings settings = EtcdSettings.parse("etcd://" + etcd.endpoint() + "/secure/ops").withTls(tls.ca())
        .withClientCertificate(tls.clientCertificate(), tls.clientKey()).withCredentials("ops", "ops-secret")
        .withStartupWait(WAIT);
    TrafficPolicyRegistry registry = open(settings);
    String document = codec.text("{\"a\": 1}", TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"));
    String id = registry.createPolicy("web", document, Optional.empty()).id();
    RegistryState before = registry.state();

    etcd.etcdctl("role", "revoke-permission", "ops-rw", "--prefix=true", "/secure/ops/");
    assertThatThrownBy(() -> registry.createPolicyVersion(id, document, Optional.empty()))
        .hasMessageContaining("etcd at " + settings.uri() + " refused the user 'ops' access to /secure/ops/:"
            + " permission denied")
        .hasMessageContaining("the change is not committed");
    assertThat(registry.state()).isEqualTo(before);
    assertThat(etcd.etcdctl("get", "--prefix", "--keys-only", "/secure/ops/policies/"))
        .contains("/secure/ops/policies/" + id + "/1.json").doesNotContain("/2.json");
  }

  @Test
  void plainTextToTheTlsEtcdFailsWithinTheTimeoutSayingItServesTls() {
    EtcdSettings plain = EtcdSettings.parse("etcd://" + etcd.endpoint() + "/secure/plain")
        .withCredentials("app", "app-secret").withTimeout(Duration.ofSeconds(3));
    refusedPromptly(plain, "etcd at " + etcd.endpoint() + " serves TLS, but no trusted CA is configured");
  }

  @Test
  void aCaThatDidNotSignTheServersCertificate_orAClientCertificateItDidNotSign_failsWithinTheTimeoutSayingSo() {
    EtcdSettings base = EtcdSettings.parse("etcd://" + etcd.endpoint() + "/secure/tls")
        .withCredentials("app", "app-secret").withTimeout(Duration.ofSeconds(3));
    refusedPromptly(base.withTls(other.ca()).withClientCertificate(tls.clientCertificate(), tls.clientKey()),
        "TLS with etcd at " + etcd.endpoint() + " failed: its certificate is not one the trusted CA " + other.ca()
            + " signed for 127.0.0.1");
    refusedPromptly(base.withTls(tls.ca()).withClientCertificate(other.clientCertificate(), other.clientKey()),
        "TLS with etcd at " + etcd.endpoint() + " failed: it refused the client certificate "
            + other.clientCertificate());
    refusedPromptly(base.withTls(tls.ca()), "TLS with etcd at " + etcd.endpoint() + " failed: it refused to go on"
        + " without a client certificate");
  }

  @Test
  void sharedHealthOverTlsWithAuthentication_eachVantagePointCountsTheOther() throws Exception {
    EtcdSettings settings = secure().withCredentials("app", "app-secret");
    vantages.add(new EtcdSharedHealthTest.Vantage("v0", settings, 0.5));
    vantages.add(new EtcdSharedHealthTest.Vantage("v1", settings, 0.5));
    for (EtcdSharedHealthTest.Vantage v : vantages) {
      v.probe();
    }
    EtcdSharedHealthTest.awaitOn(vantages, v -> v.shared.connected() && v.view().healthy() == 2,
        "both connected, each counting two healthy results");
    vantages.get(1).seeDown();
    // 1 of 2 is not more than half: unhealthy also where the local checker sees it up
    EtcdSharedHealthTest.awaitOn(vantages, v -> v.view().healthy() == 1 && v.status() == HealthStatus.UNHEALTHY,
        "both counting v1's result: unhealthy on both");
    List<VantageResult> read = EtcdHealthSharing.read(settings).get(HealthCheckId.of("web"));
    assertThat(read).extracting(VantageResult::vantage).containsExactlyInAnyOrder("v0", "v1");
    assertThat(etcd.etcdctl("get", "--prefix", "--keys-only", "/" + settings.prefix() + "/health/"))
        .contains("/" + settings.prefix() + "/health/web/v0", "/" + settings.prefix() + "/health/web/v1");
  }
}
