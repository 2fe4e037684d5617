package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

final class RegistryPersistenceTest {
  static final String SHARED_TEXT = "{\n  \"shared\": true\n}\n";

  @TempDir Path dir;

  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final String a1 = codec.text("{\"a\": 1,\n \"kept\": \"exactly\"}  \n",
      TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"));
  private final String a2 = codec.text("{\"a\": 2}", TestDocuments.weightedA("192.0.2.1", "192.0.2.3", "hc-2"));
  private final String aaaa = codec.text("{\"aaaa\": \"ünïcode\"}", TestDocuments.failoverAaaa("2001:db8::1", "2001:db8::2"));
  private final AtomicInteger ids = new AtomicInteger();

  /** Thrown by a fault hook: the process "dies" at that step. */
  static final class SimulatedCrash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(DirectoryStore.Step step) {
      super("crash after " + step);
    }
  }

  private TrafficPolicyRegistry open() {
    return TrafficPolicyRegistry.builder().codec(codec).directory(dir).idGenerator(() -> "p" + ids.incrementAndGet())
        .build();
  }

  private TrafficPolicyRegistry openCrashingAfter(DirectoryStore.Step step) {
    return TrafficPolicyRegistry.builder().codec(codec).directory(dir).idGenerator(() -> "p" + ids.incrementAndGet())
        .faults(s -> {
          if (s == step) {
            throw new SimulatedCrash(s);
          }
        })
        .build();
  }

  /** Two policies, versions with comments, a deleted version, records with history. */
  private RegistryState populate(TrafficPolicyRegistry r) {
    String web = r.createPolicy("web", a1, Optional.of("first")).id();
    r.createPolicyVersion(web, a2, Optional.empty());
    r.createPolicyVersion(web, a1, Optional.of("third"));
    r.deletePolicyVersion(web, 2);
    String v6 = r.createPolicy("v6", aaaa, Optional.empty()).id();
    r.createRecord("example.com", "www.example.com", 60, web, 1);
    r.updateRecord("www.example.com", Optional.of(3), OptionalLong.of(30));
    r.createRecord("example.org", "v6.example.org", 120, v6, 1);
    return r.state();
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(dir::relativize).sorted().toList();
    }
  }

  @Test
  void reopen_restoresTheSameState() {
    RegistryState saved = populate(open());

    RegistryState loaded = open().state();

    assertThat(loaded).isEqualTo(saved);
    assertThat(loaded.record("www.example.com").orElseThrow().history()).containsExactly(PolicyRef.of("p1", 1));
    assertThat(loaded.version(PolicyRef.of("p1", 3)).orElseThrow().comment()).contains("third");
    assertThat(loaded.policy("p1").orElseThrow().lastVersion()).isEqualTo(3);
  }

  @Test
  void layout_documentsByteForByte_metadataPrettyJson() throws IOException {
    populate(open());

    assertThat(files()).containsExactly(Path.of(".lock"), Path.of("policies/p1/1.json"),
        Path.of("policies/p1/3.json"), Path.of("policies/p2/1.json"), Path.of("registry.json"));
    assertThat(Files.readAllBytes(dir.resolve("policies/p1/1.json"))).isEqualTo(a1.getBytes(StandardCharsets.UTF_8));
    assertThat(Files.readAllBytes(dir.resolve("policies/p2/1.json"))).isEqualTo(aaaa.getBytes(StandardCharsets.UTF_8));
    List<String> meta = Files.readAllLines(dir.resolve("registry.json"));
    assertThat(meta.size()).isGreaterThan(40);
    assertThat(meta).contains("  \"generation\": 8,", "      \"name\": \"web\",", "      \"lastVersion\": 3,",
        "          \"comment\": \"third\",", "          \"document\": \"policies/p1/3.json\",",
        "      \"name\": \"www.example.com.\",", "      \"history\": [");
  }

  @Test
  void deletingAPolicy_removesItsFolder() throws IOException {
    TrafficPolicyRegistry r = open();
    populate(r);
    r.deleteRecord("v6.example.org");

    r.deletePolicy("p2");

    assertThat(dir.resolve("policies/p2")).doesNotExist();
    assertThat(open().state().policy("p2")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = DirectoryStore.Step.class, names = {"DOCUMENT_TEMP_WRITTEN", "DOCUMENT_RENAMED",
      "METADATA_TEMP_WRITTEN"})
  void crashBeforeMetadataRename_reopenGivesPreviousState(DirectoryStore.Step step) throws IOException {
    RegistryState before = populate(open());

    assertThatThrownBy(() -> openCrashingAfter(step).createPolicyVersion("p1", aaaa, Optional.empty()))
        .isInstanceOf(SimulatedCrash.class);
    TrafficPolicyRegistry reopened = open();

    assertThat(reopened.state()).isEqualTo(before);
    assertThat(files()).noneMatch(p -> p.toString().endsWith(".tmp")).doesNotContain(Path.of("policies/p1/4.json"));
    assertThat(reopened.createPolicyVersion("p1", aaaa, Optional.empty()).version()).isEqualTo(4);
  }

  @Test
  void crashAfterMetadataRename_reopenGivesNewState() {
    RegistryState before = populate(open());

    assertThatThrownBy(() -> openCrashingAfter(DirectoryStore.Step.METADATA_RENAMED)
        .createPolicyVersion("p1", aaaa, Optional.empty())).isInstanceOf(SimulatedCrash.class);
    RegistryState after = open().state();

    assertThat(after.generation()).isEqualTo(before.generation() + 1);
    assertThat(after.version(PolicyRef.of("p1", 4)).orElseThrow().documentText()).isEqualTo(aaaa);
  }

  @ParameterizedTest
  @EnumSource(value = DirectoryStore.Step.class, names = {"METADATA_TEMP_WRITTEN", "METADATA_RENAMED",
      "OLD_DOCUMENT_DELETED"})
  void crashDuringVersionDelete_reopenGivesOneCompleteStateWithoutLeftovers(DirectoryStore.Step step)
      throws IOException {
    RegistryState before = populate(open());

    assertThatThrownBy(() -> openCrashingAfter(step).deletePolicyVersion("p1", 1))
        .isInstanceOf(SimulatedCrash.class);
    RegistryState after = open().state();

    boolean committed = step != DirectoryStore.Step.METADATA_TEMP_WRITTEN;
    assertThat(after.version(PolicyRef.of("p1", 1)).isPresent()).isEqualTo(!committed);
    assertThat(after.generation()).isEqualTo(before.generation() + (committed ? 1 : 0));
    assertThat(Files.exists(dir.resolve("policies/p1/1.json"))).isEqualTo(!committed);
    assertThat(files()).noneMatch(p -> p.toString().endsWith(".tmp"));
  }

  @Test
  void partialTempFilesAndOrphans_areIgnoredAndRemoved() throws IOException {
    RegistryState before = populate(open());
    byte[] meta = Files.readAllBytes(dir.resolve("registry.json"));
    Files.write(dir.resolve(".registry.json.1234.tmp"), Arrays.copyOf(meta, meta.length / 2));
    Files.writeString(dir.resolve("policies/p1/.4.json.99.tmp"), "{\"half");
    Files.writeString(dir.resolve("policies/p1/4.json"), "{\"orphan\": true}");
    Files.createDirectories(dir.resolve("policies/p9"));
    Files.writeString(dir.resolve("policies/p9/1.json"), "{\"orphan\": true}");

    TrafficPolicyRegistry reopened = open();

    assertThat(reopened.state()).isEqualTo(before);
    assertThat(files()).containsExactly(Path.of(".lock"), Path.of("policies/p1/1.json"),
        Path.of("policies/p1/3.json"), Path.of("policies/p2/1.json"), Path.of("registry.json"));
  }

  @Test
  void open_invalidMetadata_throwsInvalidInputNamingTheProblem() throws IOException {
    populate(open());
    Files.writeString(dir.resolve("registry.json"), "{\"format\": 1, \"generation\": 3, \"policies\": [}");

    assertThatThrownBy(this::open).isInstanceOfSatisfying(RegistryException.class,
        e -> assertThat(e.error()).isEqualTo(RegistryError.INVALID_INPUT)).hasMessageContaining("not valid JSON");
  }

  @Test
  void open_documentChangedOnDisk_isRefused() throws IOException {
    populate(open());
    Files.writeString(dir.resolve("policies/p1/1.json"), a2);

    assertThatThrownBy(this::open).isInstanceOf(RegistryException.class)
        .hasMessageContaining("policies/p1/1.json does not match its sha256");
  }

  @Test
  void open_documentMissing_isRefused() throws IOException {
    populate(open());
    Files.delete(dir.resolve("policies/p2/1.json"));

    assertThatThrownBy(this::open).isInstanceOf(RegistryException.class)
        .hasMessageContaining("policies/p2/1.json is missing");
  }

  @Test
  void reloadIfChanged_picksUpAnotherWritersChange_once() {
    TrafficPolicyRegistry server = open();
    populate(server);
    List<Long> published = new ArrayList<>();
    server.addListener(s -> published.add(s.generation()));
    TrafficPolicyRegistry cli = open();

    assertThat(server.reloadIfChanged().status()).isEqualTo(ReloadResult.Status.UNCHANGED);
    cli.updateRecord("www.example.com", Optional.of(1), OptionalLong.empty());
    ReloadResult reload = server.reloadIfChanged();

    assertThat(reload.status()).isEqualTo(ReloadResult.Status.RELOADED);
    assertThat(server.state()).isEqualTo(cli.state());
    assertThat(server.getRecord("www.example.com").current().version()).isEqualTo(1);
    assertThat(server.reloadIfChanged().status()).isEqualTo(ReloadResult.Status.UNCHANGED);
    assertThat(published).containsExactly(cli.state().generation());
  }

  @Test
  void reloadIfChanged_invalidChange_isRefusedOnceAndStateStays() throws IOException {
    TrafficPolicyRegistry server = open();
    RegistryState good = populate(server);
    String meta = Files.readString(dir.resolve("registry.json"));
    Files.writeString(dir.resolve("registry.json.new"),
        meta.replace("\"version\": 3,\n      \"history\"", "\"version\": 2,\n      \"history\""));
    Files.move(dir.resolve("registry.json.new"), dir.resolve("registry.json"),
        StandardCopyOption.REPLACE_EXISTING);

    ReloadResult refused = server.reloadIfChanged();

    assertThat(refused.status()).isEqualTo(ReloadResult.Status.REFUSED);
    assertThat(refused.problem().orElseThrow()).contains("www.example.com.").contains("does not exist");
    assertThat(server.state()).isSameAs(good);
    assertThat(server.reloadIfChanged().status()).isEqualTo(ReloadResult.Status.UNCHANGED);
    assertThatThrownBy(() -> server.createPolicy("x", a1, Optional.empty()))
        .isInstanceOf(RegistryException.class).hasMessageContaining("refusing to change it");
  }

  @Test
  void reloadIfChanged_metadataDeleted_isRefused() throws IOException {
    TrafficPolicyRegistry server = open();
    RegistryState good = populate(server);
    Files.delete(dir.resolve("registry.json"));

    ReloadResult refused = server.reloadIfChanged();

    assertThat(refused.status()).isEqualTo(ReloadResult.Status.REFUSED);
    assertThat(refused.problem().orElseThrow()).contains("registry.json has disappeared");
    assertThat(server.state()).isSameAs(good);
    assertThat(server.reloadIfChanged().status()).isEqualTo(ReloadResult.Status.UNCHANGED);
  }

  @Test
  void staleWriter_reloadsBeforeChanging_soNoChangeIsLost() {
    TrafficPolicyRegistry first = open();
    TrafficPolicyRegistry second = open();

    first.createPolicy("one", a1, Optional.empty());
    second.createPolicy("two", a2, Optional.empty());
    first.reloadIfChanged();

    assertThat(first.state().policies()).extracting(ManagedPolicy::name).containsExactly("one", "two");
    assertThat(open().state()).isEqualTo(first.state());
  }

  @Test
  void concurrentWritersInOneJvm_allChangesKept() throws Exception {
    int threads = 4;
    int each = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      TrafficPolicyRegistry r = TrafficPolicyRegistry.builder().codec(codec).directory(dir).build();
      done.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < each; i++) {
          r.createPolicy("t" + thread + "-" + i, a1, Optional.empty());
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    RegistryState state = open().state();
    assertThat(state.policies()).hasSize(threads * each);
    assertThat(state.generation()).isEqualTo(threads * each);
  }

  @Test
  void concurrentWriterProcess_lockKeepsEveryChange() throws Exception {
    codec.text(SHARED_TEXT, TestDocuments.singleA("192.0.2.1"));
    String java = ProcessHandle.current().info().command().orElse("java");
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        RegistryWriterMain.class.getName(), dir.toString(), "child", "15")
        .redirectErrorStream(true).start();
    for (int i = 0; i < 15; i++) {
      TrafficPolicyRegistry.builder().codec(codec).directory(dir).build()
          .createPolicy("parent-" + i, SHARED_TEXT, Optional.empty());
    }
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as(output).isZero();

    RegistryState state = open().state();
    assertThat(state.policies()).hasSize(30);
    assertThat(state.generation()).isEqualTo(30);
  }

  @Test
  void watch_reportsAnotherWritersChange() throws InterruptedException {
    TrafficPolicyRegistry server = open();
    LinkedBlockingQueue<ReloadResult> results = new LinkedBlockingQueue<>();
    try (TrafficPolicyRegistry.Subscription w = server.watch(Duration.ofMillis(5), results::add)) {
      open().createPolicy("web", a1, Optional.empty());

      ReloadResult r = results.poll(30, TimeUnit.SECONDS);

      assertThat(r).isNotNull();
      assertThat(r.status()).isEqualTo(ReloadResult.Status.RELOADED);
      assertThat(server.state().policyNamed("web")).isPresent();
    }
  }
}
