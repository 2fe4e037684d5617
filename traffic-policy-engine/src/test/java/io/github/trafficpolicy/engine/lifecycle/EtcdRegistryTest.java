package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.trafficpolicy.api.PolicyRecord;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry in a real etcd (started on loopback ports by the test): two registries on one prefix stand for two
 * machines. Each test uses a prefix of its own in one etcd.
 */
final class EtcdRegistryTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir static Path dir;
  private static EtcdProcess etcd;
  private static int prefixes;

  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final String a1 = codec.text("{\"a\":  1,\n \"é\": \"ü\"}\n",
      TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"));
  private final String a2 = codec.text("{\"a\": 2}", TestDocuments.weightedA("192.0.2.1", "192.0.2.3", "hc-2"));
  private final List<TrafficPolicyRegistry> opened = new ArrayList<>();
  private String prefix;

  @BeforeAll
  static void startEtcd() throws Exception {
    EtcdProcess.assumeInstalled();
    etcd = EtcdProcess.start(dir);
  }

  @AfterAll
  static void stopEtcd() throws Exception {
    if (etcd != null) {
      etcd.close();
    }
  }

  @AfterEach
  void closeRegistries() {
    opened.forEach(TrafficPolicyRegistry::close);
  }

  private EtcdSettings settings() {
    if (prefix == null) {
      prefix = "test/p" + (++prefixes);
    }
    // On a busy machine the first connection can take seconds: opening retries for a while.
    return EtcdSettings.parse("etcd://" + etcd.endpoint() + "/" + prefix).withStartupWait(Duration.ofSeconds(20));
  }

  private TrafficPolicyRegistry open(EtcdSettings settings) {
    TrafficPolicyRegistry r = TrafficPolicyRegistry.builder().codec(codec).etcd(settings).build();
    opened.add(r);
    return r;
  }

  private TrafficPolicyRegistry open() {
    return open(settings());
  }

  /** Polls {@code condition} until it holds; fails after {@link #WAIT}. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
      Thread.sleep(5);
    }
  }

  @Test
  void aVersionCreatedByOneWriterReachesAnotherThroughTheWatch_documentsByteForByte() throws Exception {
    TrafficPolicyRegistry writer = open();
    TrafficPolicyRegistry reader = open();
    List<Long> generations = new CopyOnWriteArrayList<>();
    reader.addListener(s -> generations.add(s.generation()));
    reader.watch(Duration.ofMillis(200), r -> { });

    PolicyVersion v1 = writer.createPolicy("web", a1, Optional.of("first"));
    writer.createPolicyVersion(v1.id(), a2, Optional.empty());
    await("the reader to see version 2", () -> reader.state().policy(v1.id())
        .map(p -> p.lastVersion() == 2).orElse(false));

    assertThat(reader.getPolicy(v1.id(), 1).documentText()).isEqualTo(a1);
    assertThat(reader.getPolicy(v1.id(), 1).comment()).contains("first");
    assertThat(reader.state()).isEqualTo(writer.state());
    assertThat(generations).isSorted().doesNotHaveDuplicates().endsWith(writer.state().generation());
    assertThat(writer.location()).isEqualTo("etcd://" + etcd.endpoint() + "/" + prefix);

    TrafficPolicyRegistry late = open();
    assertThat(late.state()).isEqualTo(writer.state());
  }

  @Test
  void twoWritersRacingVersionsAndBulkUpdates_loseAndDuplicateNothing() throws Exception {
    TrafficPolicyRegistry first = open();
    TrafficPolicyRegistry second = open();
    String id = first.createPolicy("web", a1, Optional.empty()).id();
    for (int i = 0; i < 20; i++) {
      first.createRecord("example.com", "r" + i + ".example.com", 60, id, 1);
    }
    second.reloadIfChanged();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<Integer>>> writers = new ArrayList<>();
      for (TrafficPolicyRegistry r : List.of(first, second)) {
        writers.add(pool.submit(() -> {
          List<Integer> mine = new ArrayList<>();
          for (int i = 0; i < 60; i++) {
            mine.add(r.createPolicyVersion(id, i % 2 == 0 ? a1 : a2, Optional.empty()).version());
            if (i % 10 == 9) {
              r.updateAllRecords(id, mine.get(mine.size() - 1));
            }
          }
          return mine;
        }));
      }
      List<Integer> all = new ArrayList<>();
      for (Future<List<Integer>> f : writers) {
        List<Integer> mine = f.get();
        assertThat(mine).isSorted();
        all.addAll(mine);
      }
      assertThat(all).doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(2, 121).boxed().toList());
    } finally {
      pool.shutdownNow();
    }
    TrafficPolicyRegistry check = open();
    ManagedPolicy p = check.state().policy(id).orElseThrow();
    assertThat(p.lastVersion()).isEqualTo(121);
    assertThat(p.versions().keySet()).containsExactlyElementsOf(IntStream.rangeClosed(1, 121).boxed().toList());
    // 1 policy + 20 records + 120 versions + 12 bulk updates, each one generation
    assertThat(check.state().generation()).isEqualTo(1 + 20 + 120 + 12);
    assertThat(check.state().records().stream().map(r -> r.current().version()).collect(Collectors.toSet()))
        .hasSize(1);
  }

  @Test
  void aBulkUpdateOfAHundredRecordsIsSeenWholeOrNotAtAll() throws Exception {
    TrafficPolicyRegistry writer = open();
    TrafficPolicyRegistry reader = open();
    String id = writer.createPolicy("web", a1, Optional.empty()).id();
    writer.createPolicyVersion(id, a2, Optional.empty());
    List<PolicyRecord> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(new PolicyRecord("example.com", "r" + i + ".example.com", 60, id, 1));
    }
    writer.putRecords(records);
    Set<String> mixed = ConcurrentHashMap.newKeySet();
    List<Long> seen = new CopyOnWriteArrayList<>();
    reader.addListener(s -> {
      Set<Integer> versions = s.records().stream().map(r -> r.current().version()).collect(Collectors.toSet());
      if (!s.records().isEmpty() && (versions.size() != 1 || s.records().size() != 100)) {
        mixed.add("generation " + s.generation() + ": " + s.records().size() + " records on " + versions);
      }
      seen.add(s.generation());
    });
    reader.watch(Duration.ofMillis(200), r -> { });
    for (int round = 0; round < 10; round++) {
      writer.updateAllRecords(id, round % 2 == 0 ? 2 : 1);
    }
    long last = writer.state().generation();
    await("the reader to apply the last bulk update", () -> reader.state().generation() == last);
    assertThat(mixed).isEmpty();
    assertThat(seen).isSorted().doesNotHaveDuplicates();
    assertThat(reader.state().records()).hasSize(100).allMatch(r -> r.current().version() == 1);
  }

  @Test
  void aFailedBulkUpdateChangesNothingAnywhere() {
    TrafficPolicyRegistry writer = open();
    String id = writer.createPolicy("web", a1, Optional.empty()).id();
    writer.createRecord("example.com", "a.example.com", 60, id, 1);
    long before = writer.state().generation();
    assertThatThrownBy(() -> writer.putRecords(List.of(
        new PolicyRecord("example.com", "a.example.com", 60, id, 1),
        new PolicyRecord("example.com", "b.example.com", 60, id, 7))))
        .isInstanceOf(RegistryException.class);
    assertThat(open().state().generation()).isEqualTo(before);
  }

  @Test
  void etcdDown_readersKeepTheirStateAndSaySo_writesFailClearly_thenEverythingCatchesUp() throws Exception {
    TrafficPolicyRegistry writer = open(settings().withTimeout(Duration.ofMillis(1500)));
    TrafficPolicyRegistry reader = open(settings().withTimeout(Duration.ofMillis(1500)));
    reader.watch(Duration.ofMillis(100), r -> { });
    writer.watch(Duration.ofMillis(100), r -> { });
    String id = writer.createPolicy("web", a1, Optional.empty()).id();
    await("the reader to see the policy", () -> reader.state().policy(id).isPresent());
    RegistryState kept = reader.state();

    etcd.stop();
    try {
      await("the reader to notice", () -> reader.storeUnavailable().isPresent());
      assertThat(reader.storeUnavailable().get()).contains("etcd at etcd://" + etcd.endpoint());
      assertThat(reader.state()).isEqualTo(kept);
      assertThatThrownBy(() -> writer.createPolicyVersion(id, a2, Optional.empty()))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("etcd at etcd://" + etcd.endpoint())
          .hasMessageContaining("may or may not be committed");
      assertThatThrownBy(() -> TrafficPolicyRegistry.builder().codec(codec)
          .etcd(settings().withTimeout(Duration.ofMillis(500)).withStartupWait(Duration.ZERO)).build())
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("is unreachable");
    } finally {
      etcd.start();
    }
    await("both to say etcd is back", () -> reader.storeUnavailable().isEmpty()
        && writer.storeUnavailable().isEmpty());
    // The unconfirmed change may have reached etcd after all (a request the client had sent or queued): either way
    // the next version takes the next number, and both registries agree.
    PolicyVersion next = writer.createPolicyVersion(id, a2, Optional.empty());
    ManagedPolicy p = writer.state().policy(id).orElseThrow();
    assertThat(next.version()).isIn(2, 3).isEqualTo(p.lastVersion());
    assertThat(p.versions().keySet()).containsExactlyElementsOf(IntStream.rangeClosed(1, next.version()).boxed()
        .toList());
    await("the reader to catch up", () -> reader.state().equals(writer.state()));
  }

  @Test
  void credentialsOrTlsThisEtcdDoesNotUse_failOpeningAtOnceSayingSo() throws Exception {
    EtcdProcess.assumeTlsAndAuthInstalled();
    EtcdSettings patient = settings().withStartupWait(Duration.ofHours(1)).withTimeout(Duration.ofSeconds(3));
    EtcdProcess.Tls tls = EtcdProcess.Tls.generate(dir.resolve("unused-tls"));
    assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      assertThatThrownBy(() -> open(patient.withCredentials("app", "secret")))
          .hasMessageContaining("etcd at " + patient.uri() + " refused the user 'app': authentication is not enabled");
      assertThatThrownBy(() -> open(patient.withTls(tls.ca())))
          .hasMessageContaining("TLS with etcd at " + etcd.endpoint() + " failed: it does not answer TLS");
    });
  }

  @Test
  void locationsWithAnotherSchemeAreRefused_etcdUrisAreParsed() {
    assertThatThrownBy(() -> TrafficPolicyRegistry.builder().codec(codec).location("http://127.0.0.1:2379/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown registry scheme 'http'");
    assertThatThrownBy(() -> EtcdSettings.parse("etcd://127.0.0.1:2379"))
        .hasMessageContaining("names no key prefix");
    assertThatThrownBy(() -> EtcdSettings.parse("etcd://127.0.0.1/x"))
        .hasMessageContaining("is not HOST:PORT");
    EtcdSettings s = EtcdSettings.parse("etcd://127.0.0.1:2379,[::1]:2381/a/b/");
    assertThat(s.prefix()).isEqualTo("a/b");
    assertThat(s.endpointUrls()).containsExactly("http://127.0.0.1:2379", "http://[::1]:2381");
    assertThat(s.withCredentials("u", "secret").toString()).doesNotContain("secret").contains("user u");
    assertThat(EtcdSettings.scheme("C:\\registry")).isEmpty();
    assertThat(EtcdSettings.scheme("relative/dir")).isEmpty();
  }
}
