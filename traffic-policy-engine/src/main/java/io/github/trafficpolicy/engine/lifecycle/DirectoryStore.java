package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkNotNull;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The registry on disk. Layout:
 *
 * <pre>
 * DIR/registry.json            metadata: policies, versions, comments, records with history
 * DIR/registry.journal         record changes since registry.json was written (only in large registries)
 * DIR/policies/ID/N.json       the document of version N of policy ID, byte for byte as it was given
 * DIR/.lock                    locked (FileChannel.lock) by whoever reads or writes the directory
 * </pre>
 *
 * <p><b>Full writes.</b> A change is committed in this order: new documents are written (temporary file, fsync,
 * atomic rename, fsync of the directory), then {@code registry.json} is replaced the same way, then the journal (if
 * any) and documents of deleted versions are removed. Replacing {@code registry.json} is the commit point: a crash
 * before it leaves the previous complete state (plus unreferenced documents and temporary files, removed when the
 * directory is next opened); a crash after it leaves the new state (a journal left behind names the generation it
 * continues, older than the new {@code registry.json}'s, so it is ignored and removed).
 *
 * <p><b>Journal.</b> Rewriting {@code registry.json} costs its whole size (about 200 bytes per record), so once it
 * is larger than {@link #JOURNAL_FLOOR} a change that touches only records is appended instead to
 * {@code registry.journal} as one line (the records it puts and the names it deletes), followed by an fsync: the
 * complete line is the commit point, and a line cut short by a crash is ignored (and cut off before the next
 * append). The journal's first line names the generation of the {@code registry.json} it continues. When the journal
 * would grow beyond half the size of {@code registry.json} (or a change touches policies), the change is a full write
 * instead, which starts afresh without a journal: the cost of a change is then proportional to what it touches,
 * amortized, whatever the number of records. A bulk change (most records moved) is one full write; every change,
 * small or bulk, is atomic.
 *
 * <p>Every change holds the lock, so several processes (two CLI invocations, a CLI and a server) never interleave
 * their changes; within one JVM, registries on the same directory also share a lock.
 */
final class DirectoryStore {
  static final String METADATA = "registry.json";
  static final String JOURNAL = "registry.journal";
  /** Below this size of {@code registry.json}, every change rewrites it (cheap, and the file stays complete). */
  static final long JOURNAL_FLOOR = 64 * 1024;
  static final String LOCK = ".lock";
  static final String POLICIES = "policies";
  private static final String TMP_SUFFIX = ".tmp";

  private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path dir;
  private final Faults faults;
  private final long journalFloor;
  private final ReentrantLock jvmLock;
  /**
   * The journal the last load or commit went up to: its file key (null: none) and how many of its bytes (complete
   * lines) the state includes, so that lines appended by another writer can be read alone. Guarded by the lock.
   */
  private @Nullable Object journalKey;
  private long journalRead;

  /** Test hook: called after each step of a commit; throwing there simulates a crash at that point. */
  interface Faults {
    Faults NONE = step -> {};

    void after(Step step) throws IOException;
  }

  /** The steps of a commit, in order. */
  enum Step {
    DOCUMENT_TEMP_WRITTEN,
    DOCUMENT_RENAMED,
    METADATA_TEMP_WRITTEN,
    METADATA_RENAMED,
    OLD_DOCUMENT_DELETED,
    /** A new journal (header and first line) is written to its temporary file. */
    JOURNAL_TEMP_WRITTEN,
    /** A journal line is written and synced (the commit point of a journaled change). */
    JOURNAL_APPENDED
  }

  /** What identifies one version of a file on disk: inode (if any), size and modification time. */
  record FileStamp(Object fileKey, long size, long modifiedNanos) {}

  /** What identifies the directory's content: the stamps of {@code registry.json} and of the journal (if any). */
  record Stamp(FileStamp metadata, Optional<FileStamp> journal) {}

  /** The loaded state and the stamp of the files it came from. */
  record Loaded(RegistryState state, Optional<Stamp> stamp) {}

  DirectoryStore(Path dir, Faults faults, long journalFloor) throws IOException {
    Files.createDirectories(dir);
    this.dir = dir.toRealPath();
    this.faults = faults;
    this.journalFloor = journalFloor;
    this.jvmLock = JVM_LOCKS.computeIfAbsent(this.dir, d -> new ReentrantLock());
  }

  Path dir() {
    return dir;
  }

  /** Holds the directory's lock (in this JVM and across processes) until closed. */
  final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock fileLock;

    private Lock() throws IOException {
      jvmLock.lock();
      FileChannel ch = null;
      try {
        ch = FileChannel.open(dir.resolve(LOCK), CREATE, WRITE);
        this.fileLock = ch.lock();
        this.channel = ch;
      } catch (IOException | RuntimeException e) {
        if (ch != null) {
          ch.close();
        }
        jvmLock.unlock();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        fileLock.release();
        channel.close();
      } finally {
        jvmLock.unlock();
      }
    }
  }

  Lock lock() throws IOException {
    return new Lock();
  }

  /**
   * The stamp of {@code registry.json} and the journal, or empty when there is no {@code registry.json} yet. Cheap:
   * two {@code stat}s.
   */
  Optional<Stamp> stamp() throws IOException {
    Optional<FileStamp> metadata = fileStamp(dir.resolve(METADATA));
    return metadata.isEmpty() ? Optional.empty()
        : Optional.of(new Stamp(metadata.get(), fileStamp(dir.resolve(JOURNAL))));
  }

  private static Optional<FileStamp> fileStamp(Path file) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return Optional.of(new FileStamp(a.fileKey() == null ? "" : a.fileKey(), a.size(),
          a.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Loads the directory (the caller holds the lock). An empty directory is the empty registry. Throws
   * {@link IllegalArgumentException} or {@link IOException} describing what is wrong.
   */
  Loaded load(DocumentCodec codec) throws IOException {
    Optional<Stamp> stamp = stamp();
    if (stamp.isEmpty()) {
      return new Loaded(RegistryState.empty(), stamp);
    }
    byte[] bytes = Files.readAllBytes(dir.resolve(METADATA));
    RegistryState state = RegistryJson.read(bytes, codec, (id, version, sha) -> {
      Path file = dir.resolve(RegistryJson.documentPath(id, version));
      try {
        return decode(Files.readAllBytes(file));
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("policy " + id + " version " + version + ": "
            + RegistryJson.documentPath(id, version) + " is missing", e);
      }
    });
    return new Loaded(replayJournal(state), stamp);
  }

  /**
   * {@code base} (the state of {@code registry.json}) with the journal's complete lines applied, when the journal
   * continues it; a journal continuing an older generation is left over from a crashed full write: it is removed
   * (the caller holds the lock).
   */
  private RegistryState replayJournal(RegistryState base) throws IOException {
    journalKey = null;
    journalRead = 0;
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(dir.resolve(JOURNAL));
    } catch (NoSuchFileException e) {
      return base;
    }
    List<String> lines = completeLines(bytes);
    if (lines.isEmpty()) {
      return base;
    }
    long continues = RegistryJson.journalBase(lines.get(0));
    if (continues < base.generation()) {
      Files.deleteIfExists(dir.resolve(JOURNAL));
      return base;
    }
    Optional<FileStamp> journal = fileStamp(dir.resolve(JOURNAL));
    journalKey = journal.map(FileStamp::fileKey).filter(k -> !"".equals(k)).orElse(null);
    journalRead = completeEnd(bytes);
    if (continues > base.generation()) {
      throw new IllegalArgumentException(JOURNAL + " continues generation " + continues + " but " + METADATA
          + " is generation " + base.generation());
    }
    Map<String, ManagedRecord> records = new LinkedHashMap<>(base.recordMap());
    long generation = base.generation();
    for (int i = 1; i < lines.size(); i++) {
      generation = RegistryJson.applyJournalEntry(lines.get(i), generation + 1, records, JOURNAL + " line " + (i + 1));
    }
    try {
      return new RegistryState(generation, base.policyMap(), records);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(JOURNAL + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code current} (the state this store last loaded or committed, {@code seen} its stamp) with the lines another
   * writer appended to the journal since, read alone; empty when anything else changed ({@code registry.json}
   * replaced, the journal replaced or cut): then load in full. The caller holds the lock.
   */
  Optional<Loaded> loadAppended(RegistryState current, Optional<Stamp> seen, Optional<Stamp> now) throws IOException {
    if (seen.isEmpty() || now.isEmpty() || !seen.get().metadata().equals(now.get().metadata()) || journalKey == null
        || now.get().journal().isEmpty() || !now.get().journal().get().fileKey().equals(journalKey)
        || now.get().journal().get().size() < journalRead) {
      return Optional.empty();
    }
    byte[] bytes;
    try (FileChannel ch = FileChannel.open(dir.resolve(JOURNAL), READ)) {
      ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(ch.size() - journalRead));
      while (b.hasRemaining() && ch.read(b, journalRead + b.position()) >= 0) {
        // reading to the end
      }
      bytes = Arrays.copyOf(b.array(), b.position());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Map<String, ManagedRecord> records = new LinkedHashMap<>(current.recordMap());
    long generation = current.generation();
    for (String line : completeLines(bytes)) {
      generation = RegistryJson.applyJournalEntry(line, generation + 1, records,
          JOURNAL + " line of generation " + (generation + 1));
    }
    RegistryState state;
    try {
      state = new RegistryState(generation, current.policyMap(), records);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(JOURNAL + ": " + e.getMessage(), e);
    }
    journalRead += completeEnd(bytes);
    return Optional.of(new Loaded(state, now));
  }

  /** How many of {@code bytes} are complete lines: up to and including the last newline. */
  private static int completeEnd(byte[] bytes) {
    int end = bytes.length;
    while (end > 0 && bytes[end - 1] != '\n') {
      end--;
    }
    return end;
  }

  /** The journal's lines that end with a newline (a last line without one was cut short by a crash). */
  private static List<String> completeLines(byte[] bytes) throws CharacterCodingException {
    String text = decode(ByteBuffer.wrap(bytes, 0, completeEnd(bytes)));
    List<String> lines = new ArrayList<>();
    int from = 0;
    for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      lines.add(text.substring(from, nl));
      from = nl + 1;
    }
    return lines;
  }

  /**
   * Commits {@code next} over {@code previous}, the state on disk (the caller holds the lock): appended to the
   * journal when it changes only records and the journal may grow, else written in full. Returns the new stamp.
   */
  Optional<Stamp> commit(RegistryState previous, RegistryState next) throws IOException {
    if (next.policyMap().equals(previous.policyMap()) && next.generation() == previous.generation() + 1) {
      Optional<FileStamp> metadata = fileStamp(dir.resolve(METADATA));
      if (metadata.isPresent() && metadata.get().size() >= journalFloor) {
        byte[] entry = journalEntry(previous, next);
        if (appendToJournal(previous, entry, metadata.get().size())) {
          faults.after(Step.JOURNAL_APPENDED);
          return stamp();
        }
      }
    }
    return writeInFull(previous, next);
  }

  /** The journal line taking {@code previous} to {@code next} (same policies): the records put and deleted. */
  @SuppressWarnings("ReferenceEquality") // the same object is unchanged without comparing
  private static byte[] journalEntry(RegistryState previous, RegistryState next) {
    Map<String, ManagedRecord> before = previous.recordMap();
    Map<String, ManagedRecord> after = next.recordMap();
    List<ManagedRecord> put = inPlace(previous.records(), next.records());
    if (put != null) {
      return RegistryJson.journalEntry(next.generation(), put, List.of());
    }
    put = new ArrayList<>();
    for (ManagedRecord r : after.values()) {
      ManagedRecord old = before.get(r.name());
      if (old != r && !r.equals(old)) {
        put.add(r);
      }
    }
    List<String> deleted = new ArrayList<>();
    for (String name : before.keySet()) {
      if (!after.containsKey(name)) {
        deleted.add(name);
      }
    }
    return RegistryJson.journalEntry(next.generation(), put, deleted);
  }

  /**
   * The records of {@code after} that differ from {@code before} when both hold the same names in the same order
   * (a change that replaced records in place, the usual one), found by comparing instances position by position;
   * null otherwise.
   */
  @SuppressWarnings("ReferenceEquality") // the same object is unchanged without comparing
  private static @Nullable List<ManagedRecord> inPlace(List<ManagedRecord> before, List<ManagedRecord> after) {
    if (before.size() != after.size()) {
      return null;
    }
    List<ManagedRecord> put = new ArrayList<>();
    for (int i = 0; i < after.size(); i++) {
      ManagedRecord a = before.get(i);
      ManagedRecord b = after.get(i);
      if (a != b) {
        if (!a.name().equals(b.name())) {
          return null;
        }
        if (!a.equals(b)) {
          put.add(b);
        }
      }
    }
    return put;
  }

  /**
   * Appends {@code entry} to the journal continuing {@code previous} (starting one after the header when there is
   * none), unless the journal would then be larger than half of {@code registry.json} ({@code metadataSize}): then
   * false, and the change is better written in full (a change of most records, or a journal due for folding).
   */
  private boolean appendToJournal(RegistryState previous, byte[] entry, long metadataSize) throws IOException {
    Path journal = dir.resolve(JOURNAL);
    long validLength = validJournalLength(journal);
    if (validLength + entry.length > metadataSize / 2) {
      return false;
    }
    if (validLength == 0) {
      byte[] header = RegistryJson.journalHeader(previous.generation());
      byte[] both = Arrays.copyOf(header, header.length + entry.length);
      System.arraycopy(entry, 0, both, header.length, entry.length);
      writeAtomically(journal, both, Step.JOURNAL_TEMP_WRITTEN);
      journalRead(journal, both.length);
      return true;
    }
    try (FileChannel ch = FileChannel.open(journal, WRITE)) {
      ch.truncate(validLength);
      ch.position(validLength);
      ByteBuffer buffer = ByteBuffer.wrap(entry);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    journalRead(journal, validLength + entry.length);
    return true;
  }

  private void journalRead(Path journal, long read) throws IOException {
    journalKey = fileStamp(journal).map(FileStamp::fileKey).filter(k -> !"".equals(k)).orElse(null);
    journalRead = read;
  }

  /**
   * How many bytes of the journal are complete lines (it continues the state on disk: {@link #load} removed any
   * journal left over from a full write); 0 when there is none.
   */
  private static long validJournalLength(Path journal) throws IOException {
    try (FileChannel ch = FileChannel.open(journal, READ)) {
      long end = ch.size();
      ByteBuffer one = ByteBuffer.allocate(1);
      while (end > 0) {
        one.clear();
        ch.read(one, end - 1);
        if (one.get(0) == '\n') {
          break;
        }
        end--;
      }
      return end;
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  /** Writes {@code next} in full: new documents, {@code registry.json}, then removes the journal and old documents. */
  private Optional<Stamp> writeInFull(RegistryState previous, RegistryState next) throws IOException {
    for (ManagedPolicy p : next.policies()) {
      for (PolicyVersion v : p.versions().values()) {
        if (previous.version(v.ref()).isEmpty()) {
          Path file = dir.resolve(RegistryJson.documentPath(p.id(), v.version()));
          Files.createDirectories(file.getParent());
          writeAtomically(file, v.documentText().getBytes(StandardCharsets.UTF_8), Step.DOCUMENT_TEMP_WRITTEN);
          faults.after(Step.DOCUMENT_RENAMED);
        }
      }
    }
    writeAtomically(dir.resolve(METADATA), RegistryJson.write(next), Step.METADATA_TEMP_WRITTEN);
    faults.after(Step.METADATA_RENAMED);
    Files.deleteIfExists(dir.resolve(JOURNAL));
    journalKey = null;
    journalRead = 0;
    Optional<Stamp> stamp = stamp();
    for (ManagedPolicy p : previous.policies()) {
      for (PolicyVersion v : p.versions().values()) {
        if (next.version(v.ref()).isEmpty()) {
          Files.deleteIfExists(dir.resolve(RegistryJson.documentPath(p.id(), v.version())));
          faults.after(Step.OLD_DOCUMENT_DELETED);
        }
      }
      if (next.policy(p.id()).isEmpty()) {
        deleteIfEmpty(dir.resolve(POLICIES).resolve(p.id()));
      }
    }
    return stamp;
  }

  /**
   * Removes what a crash can leave behind (the caller holds the lock and has loaded {@code state}): temporary
   * files, and documents and policy folders that {@code registry.json} does not reference.
   */
  void removeLeftovers(RegistryState state) throws IOException {
    deleteTemporaryFiles(dir);
    Path policies = dir.resolve(POLICIES);
    if (!Files.isDirectory(policies)) {
      return;
    }
    try (DirectoryStream<Path> ids = Files.newDirectoryStream(policies)) {
      for (Path idDir : ids) {
        if (!Files.isDirectory(idDir)) {
          continue;
        }
        String id = idDir.getFileName().toString();
        deleteTemporaryFiles(idDir);
        Optional<ManagedPolicy> policy = state.policy(id);
        Set<String> keep = new HashSet<>();
        policy.ifPresent(p -> p.versions().keySet().forEach(n -> keep.add(n + ".json")));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(idDir, "*.json")) {
          for (Path f : files) {
            if (!keep.contains(f.getFileName().toString())) {
              Files.deleteIfExists(f);
            }
          }
        }
        deleteIfEmpty(idDir);
      }
    }
  }

  private void writeAtomically(Path target, byte[] bytes, Step tempWritten) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + "."
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TMP_SUFFIX);
    try (FileChannel ch = FileChannel.open(tmp, CREATE_NEW, WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        ch.write(buffer);
      }
      ch.force(true);
    }
    faults.after(tempWritten);
    Files.move(tmp, target, ATOMIC_MOVE, REPLACE_EXISTING);
    fsyncDirectory(checkNotNull(target.getParent(), "a file in the registry directory"));
  }

  private static void fsyncDirectory(Path directory) {
    try (FileChannel ch = FileChannel.open(directory, READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open or sync a directory; the rename is still atomic there.
    }
  }

  private static void deleteTemporaryFiles(Path directory) throws IOException {
    try (DirectoryStream<Path> tmps = Files.newDirectoryStream(directory, ".*" + TMP_SUFFIX)) {
      for (Path t : tmps) {
        Files.deleteIfExists(t);
      }
    }
  }

  private static void deleteIfEmpty(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      if (entries.iterator().hasNext()) {
        return;
      }
    }
    Files.deleteIfExists(directory);
  }

  private static String decode(byte[] bytes) throws CharacterCodingException {
    return decode(ByteBuffer.wrap(bytes));
  }

  private static String decode(ByteBuffer bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(bytes)
        .toString();
  }

  @Override
  public String toString() {
    return "DirectoryStore{" + dir + "}";
  }
}
