package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.PolicyRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The registry journal: a change of a few records in a large registry appends one line (its cost does not grow with
 * the number of records), replays to the same state, survives a cut-short line, folds into {@code registry.json}
 * before it outgrows it; bulk changes are one atomic write.
 */
final class RegistryJournalTest {
  @TempDir Path dir;

  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final List<DirectoryStore.Step> steps = new ArrayList<>();

  private TrafficPolicyRegistry open(Path directory, long journalFloor) {
    return TrafficPolicyRegistry.builder().codec(codec).directory(directory).idGenerator(() -> "web")
        .journalFloor(journalFloor).faults(steps::add).build();
  }

  private TrafficPolicyRegistry crashingAfter(DirectoryStore.Step step) {
    return TrafficPolicyRegistry.builder().codec(codec).directory(dir).idGenerator(() -> "web").journalFloor(0)
        .faults(s -> {
          if (s == step) {
            throw new RegistryPersistenceTest.SimulatedCrash(s);
          }
        }).build();
  }

  /** A policy "web" with versions 1 and 2 and {@code n} records r000000… bound to version 1, put in one change. */
  private static void populate(TrafficPolicyRegistry r, int n) {
    r.createPolicy("web", TestDocuments.singleA("192.0.2.1"), Optional.empty());
    r.createPolicyVersion("web", TestDocuments.singleA("192.0.2.2"), Optional.empty());
    List<PolicyRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(new PolicyRecord("example.com", String.format("r%06d.example.com", i), 60, "web", 1));
    }
    r.putRecords(records);
  }

  /** Every regular file with its identity (inode), size and modification time. */
  private static Map<Path, String> files(Path directory) throws IOException {
    Map<Path, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(directory)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        out.put(directory.relativize(p), a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().toMillis()
            + " " + Files.readString(p, StandardCharsets.ISO_8859_1).hashCode());
      }
    }
    return out;
  }

  private static long size(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  @Test
  void oneRecordUpdate_writesTheSameFewBytesWith1000As20000Records_andTouchesOnlyTheJournal() throws IOException {
    List<Long> written = new ArrayList<>();
    for (int n : new int[] {1_000, 20_000}) {
      Path d = dir.resolve("n" + n);
      TrafficPolicyRegistry r = open(d, DirectoryStore.JOURNAL_FLOOR);
      populate(r, n);
      Map<Path, String> before = files(d);
      long metadata = size(d.resolve(DirectoryStore.METADATA));
      assertThat(metadata).isGreaterThan(DirectoryStore.JOURNAL_FLOOR);

      r.updateRecord("r000500.example.com", Optional.of(2), OptionalLong.empty());

      Map<Path, String> after = files(d);
      Path journal = Path.of(DirectoryStore.JOURNAL);
      assertThat(before).doesNotContainKey(journal);
      assertThat(after).containsKey(journal);
      after.remove(journal);
      assertThat(after).as("every file but the new journal is untouched, n = %s", n).isEqualTo(before);
      written.add(size(d.resolve(DirectoryStore.JOURNAL)));
      assertThat(open(d, DirectoryStore.JOURNAL_FLOOR).state()).isEqualTo(r.state());
    }
    assertThat(written.get(1)).isEqualTo(written.get(0)).isLessThan(512);
  }

  @Test
  void secondUpdate_appendsOneLine_ofTheSameSize() throws IOException {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 200);
    r.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty());
    long first = size(dir.resolve(DirectoryStore.JOURNAL));
    String metadata = files(dir).get(Path.of(DirectoryStore.METADATA));

    r.updateRecord("r000002.example.com", Optional.of(2), OptionalLong.empty());
    long second = size(dir.resolve(DirectoryStore.JOURNAL));
    r.updateRecord("r000003.example.com", Optional.of(2), OptionalLong.empty());

    assertThat(size(dir.resolve(DirectoryStore.JOURNAL)) - second).isEqualTo(second - first);
    assertThat(files(dir).get(Path.of(DirectoryStore.METADATA))).isEqualTo(metadata);
    assertThat(Files.readAllLines(dir.resolve(DirectoryStore.JOURNAL))).hasSize(4);
  }

  @Test
  void journaledChanges_reopenAndReloadGiveTheSameState() {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 50);
    TrafficPolicyRegistry other = open(dir, 0);
    r.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.of(30));
    r.createRecord("example.com", "new.example.com", 10, "web", 2);
    r.deleteRecord("r000003.example.com");
    r.rollbackRecord("r000001.example.com");
    r.updateRecord("r000001.example.com", Optional.empty(), OptionalLong.of(99));
    assertThat(Files.exists(dir.resolve(DirectoryStore.JOURNAL))).isTrue();

    assertThat(other.reloadIfChanged().status()).isEqualTo(ReloadResult.Status.RELOADED);
    assertThat(other.state()).isEqualTo(r.state());
    RegistryState reopened = open(dir, 0).state();
    assertThat(reopened).isEqualTo(r.state());
    assertThat(reopened.records().get(reopened.records().size() - 1).name()).isEqualTo("new.example.com.");
    ManagedRecord rolledBack = reopened.record("r000001.example.com").orElseThrow();
    assertThat(rolledBack.current()).isEqualTo(PolicyRef.of("web", 1));
    assertThat(rolledBack.ttl()).isEqualTo(99);
    assertThat(rolledBack.history()).isEmpty();
    other.updateRecord("r000004.example.com", Optional.of(2), OptionalLong.empty());
    assertThat(r.reloadIfChanged().status()).isEqualTo(ReloadResult.Status.RELOADED);
    assertThat(r.state()).isEqualTo(other.state());
  }

  @Test
  void reloadAfterAnotherWriterAppended_readsOnlyTheNewLines() throws IOException {
    TrafficPolicyRegistry server = open(dir, 0);
    populate(server, 50);
    server.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty());
    TrafficPolicyRegistry cli = open(dir, 0);
    cli.updateRecord("r000002.example.com", Optional.of(2), OptionalLong.of(5));
    // registry.json is not read again: spoil its content in place, keeping its size, inode and time.
    Path metadata = dir.resolve(DirectoryStore.METADATA);
    java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(metadata);
    byte[] spoiled = new byte[(int) Files.size(metadata)];
    java.util.Arrays.fill(spoiled, (byte) ' ');
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(metadata, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(spoiled));
    }
    Files.setLastModifiedTime(metadata, time);

    ReloadResult reload = server.reloadIfChanged();

    assertThat(reload.status()).isEqualTo(ReloadResult.Status.RELOADED);
    assertThat(server.state()).isEqualTo(cli.state());
    assertThat(server.getRecord("r000002.example.com").ttl()).isEqualTo(5);
  }

  @Test
  void reloadAcrossACutShortLine_thatTheNextWriterCutsOff() throws IOException {
    TrafficPolicyRegistry server = open(dir, 0);
    populate(server, 50);
    server.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty());
    Files.writeString(dir.resolve(DirectoryStore.JOURNAL), "{\"generation\": 99, \"pu",
        StandardOpenOption.APPEND);
    assertThat(server.reloadIfChanged().status()).isEqualTo(ReloadResult.Status.UNCHANGED);

    TrafficPolicyRegistry cli = open(dir, 0);
    cli.updateRecord("r000002.example.com", Optional.of(2), OptionalLong.empty());
    cli.updateRecord("r000003.example.com", Optional.of(2), OptionalLong.empty());

    assertThat(server.reloadIfChanged().status()).isEqualTo(ReloadResult.Status.RELOADED);
    assertThat(server.state()).isEqualTo(cli.state()).isEqualTo(open(dir, 0).state());
  }

  @Test
  void lineCutShortByACrash_isIgnored_andCutOffBeforeTheNextAppend() throws IOException {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 50);
    r.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty());
    RegistryState committed = r.state();
    Files.writeString(dir.resolve(DirectoryStore.JOURNAL), "{\"generation\": " + (committed.generation() + 1)
        + ", \"put\": [{\"name\": \"r0000", StandardOpenOption.APPEND);

    TrafficPolicyRegistry reopened = open(dir, 0);
    assertThat(reopened.state()).isEqualTo(committed);
    reopened.updateRecord("r000002.example.com", Optional.of(2), OptionalLong.empty());

    assertThat(open(dir, 0).state()).isEqualTo(reopened.state());
    assertThat(Files.readAllLines(dir.resolve(DirectoryStore.JOURNAL))).hasSize(3)
        .allSatisfy(line -> assertThat(line).startsWith("{\"").endsWith("}"));
  }

  @Test
  void damagedCompleteLine_isRefused() throws IOException {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 5);
    r.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty());
    Files.writeString(dir.resolve(DirectoryStore.JOURNAL), "{\"generation\": 1}\n", StandardOpenOption.APPEND);

    assertThatThrownBy(() -> open(dir, 0)).isInstanceOf(RegistryException.class)
        .hasMessageContaining(DirectoryStore.JOURNAL + " line 3");
  }

  @Test
  void journal_neverOutgrowsTheMetadata_andFoldsIntoIt() throws IOException {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 20);
    boolean folded = false;
    for (int i = 0; i < 100; i++) {
      r.updateRecord(String.format("r%06d.example.com", i % 20), Optional.of(1 + i % 2), OptionalLong.empty());
      long journal = size(dir.resolve(DirectoryStore.JOURNAL));
      assertThat(journal).isLessThanOrEqualTo(size(dir.resolve(DirectoryStore.METADATA)) / 2);
      folded |= i > 0 && journal == 0;
    }
    assertThat(folded).as("the journal was folded into registry.json at least once").isTrue();
    assertThat(open(dir, 0).state()).isEqualTo(r.state());
  }

  @Test
  void policyChange_writesInFull_andRemovesTheJournal() {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 20);
    r.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty());
    assertThat(dir.resolve(DirectoryStore.JOURNAL)).exists();

    r.createPolicyVersion("web", TestDocuments.singleA("192.0.2.3"), Optional.empty());

    assertThat(dir.resolve(DirectoryStore.JOURNAL)).doesNotExist();
    assertThat(open(dir, 0).state()).isEqualTo(r.state());
  }

  @Test
  void crashAfterAppend_reopenGivesTheNewState_crashBeforeANewJournalIsRenamed_thePrevious() throws IOException {
    populate(open(dir, 0), 20);
    assertThatThrownBy(() -> crashingAfter(DirectoryStore.Step.JOURNAL_TEMP_WRITTEN)
        .updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty()))
        .isInstanceOf(RegistryPersistenceTest.SimulatedCrash.class);
    RegistryState before = open(dir, 0).state();
    assertThat(before.record("r000001.example.com").orElseThrow().current().version()).isEqualTo(1);
    assertThat(files(dir).keySet()).noneMatch(p -> p.toString().endsWith(".tmp"));

    assertThatThrownBy(() -> crashingAfter(DirectoryStore.Step.JOURNAL_APPENDED)
        .updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty()))
        .isInstanceOf(RegistryPersistenceTest.SimulatedCrash.class);
    RegistryState after = open(dir, 0).state();
    assertThat(after.generation()).isEqualTo(before.generation() + 1);
    assertThat(after.record("r000001.example.com").orElseThrow().current().version()).isEqualTo(2);
  }

  @Test
  void crashAfterAFullWritesRename_leftoverJournalIsIgnoredAndRemoved() {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 20);
    r.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty());

    assertThatThrownBy(() -> crashingAfter(DirectoryStore.Step.METADATA_RENAMED)
        .createPolicyVersion("web", TestDocuments.singleA("192.0.2.3"), Optional.empty()))
        .isInstanceOf(RegistryPersistenceTest.SimulatedCrash.class);
    assertThat(dir.resolve(DirectoryStore.JOURNAL)).exists();
    TrafficPolicyRegistry reopened = open(dir, 0);

    assertThat(reopened.state().generation()).isEqualTo(r.state().generation() + 1);
    assertThat(reopened.state().record("r000001.example.com").orElseThrow().current().version()).isEqualTo(2);
    assertThat(dir.resolve(DirectoryStore.JOURNAL)).doesNotExist();
  }

  @Test
  void bulkMoveOfEveryRecord_isOneFullWrite() {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 500);
    r.updateRecord("r000001.example.com", Optional.of(2), OptionalLong.empty());
    steps.clear();

    r.updateAllRecords("web", 2);

    assertThat(steps).containsExactly(DirectoryStore.Step.METADATA_TEMP_WRITTEN, DirectoryStore.Step.METADATA_RENAMED);
    assertThat(dir.resolve(DirectoryStore.JOURNAL)).doesNotExist();
    assertThat(open(dir, 0).state().recordsUsing(PolicyRef.of("web", 2))).hasSize(500);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, DirectoryStore.JOURNAL_FLOOR})
  void putRecords_anyBadRecord_nothingWritten_everyProblemReportedWithItsPosition(long floor) throws IOException {
    TrafficPolicyRegistry r = open(dir, floor);
    populate(r, 10);
    RegistryState before = r.state();
    Map<Path, String> files = files(dir);
    List<PolicyRecord> put = List.of(
        new PolicyRecord("example.com", "ok.example.com", 60, "web", 2),
        new PolicyRecord("example.com", "bad-version.example.com", 60, "web", 7),
        new PolicyRecord("example.com", "r000001.example.com", 30, "web", 2),
        new PolicyRecord("example.com", "ok.example.com", 60, "web", 1),
        new PolicyRecord("example.com", "x.example.com", 60, "nope", 1));

    assertThat(r.checkRecords(put).keySet()).containsExactly(1, 3, 4);
    assertThatThrownBy(() -> r.putRecords(put)).isInstanceOf(RegistryException.class)
        .hasMessageContaining("3 of 5 records cannot be put")
        .hasMessageContaining("record 2 (bad-version.example.com.): NoSuchTrafficPolicy")
        .hasMessageContaining("record 4 (ok.example.com.): InvalidInput: ok.example.com. is given twice")
        .hasMessageContaining("record 5 (x.example.com.): NoSuchTrafficPolicy");
    assertThat(r.state()).isSameAs(before);
    assertThat(files(dir)).isEqualTo(files);
  }

  @Test
  void putRecords_createsNewAndMovesExisting_inOneChange() {
    TrafficPolicyRegistry r = open(dir, 0);
    populate(r, 10);
    long generation = r.state().generation();

    List<ManagedRecord> put = r.putRecords(List.of(
        new PolicyRecord("example.com", "new.example.com", 5, "web", 2),
        new PolicyRecord("example.com", "r000001.example.com", 30, "web", 2)));

    assertThat(r.state().generation()).isEqualTo(generation + 1);
    assertThat(put.get(0).ttl()).isEqualTo(5);
    assertThat(put.get(1).current()).isEqualTo(PolicyRef.of("web", 2));
    assertThat(put.get(1).ttl()).isEqualTo(30);
    assertThat(put.get(1).history()).containsExactly(PolicyRef.of("web", 1));
    assertThatThrownBy(() -> r.putRecords(List.of(new PolicyRecord("com", "r000002.example.com", 5, "web", 1))))
        .hasMessageContaining("is in zone example.com., not com.");
  }
}
