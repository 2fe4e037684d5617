package io.github.trafficpolicy.engine.lifecycle;

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
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The registry on disk. Layout:
 *
 * <pre>
 * DIR/registry.json            metadata: policies, versions, comments, records with history (the commit point)
 * DIR/policies/ID/N.json       the document of version N of policy ID, byte for byte as it was given
 * DIR/.lock                    locked (FileChannel.lock) by whoever reads or writes the directory
 * </pre>
 *
 * <p>A change is committed in this order: new documents are written (temporary file, fsync, atomic rename, fsync
 * of the directory), then {@code registry.json} is replaced the same way, then documents of deleted versions are
 * removed. Replacing {@code registry.json} is the commit point: a crash before it leaves the previous complete
 * state (plus unreferenced documents and temporary files, removed when the directory is next opened); a crash after
 * it leaves the new state. Every change holds the lock, so several processes (two CLI invocations, a CLI and a
 * server) never interleave their changes; within one JVM, registries on the same directory also share a lock.
 */
final class DirectoryStore {
  static final String METADATA = "registry.json";
  static final String LOCK = ".lock";
  static final String POLICIES = "policies";
  private static final String TMP_SUFFIX = ".tmp";

  private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path dir;
  private final Faults faults;
  private final ReentrantLock jvmLock;

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
    OLD_DOCUMENT_DELETED
  }

  /** What identifies one version of {@code registry.json} on disk: inode (if any), size and modification time. */
  record Stamp(Object fileKey, long size, long modifiedNanos) {}

  /** The loaded state and the stamp of the metadata file it came from. */
  record Loaded(RegistryState state, Optional<Stamp> stamp) {}

  DirectoryStore(Path dir, Faults faults) throws IOException {
    Files.createDirectories(dir);
    this.dir = dir.toRealPath();
    this.faults = faults;
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

  /** The stamp of {@code registry.json}, or empty when there is none yet. Cheap: one {@code stat}. */
  Optional<Stamp> stamp() throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(dir.resolve(METADATA), BasicFileAttributes.class);
      return Optional.of(new Stamp(a.fileKey() == null ? "" : a.fileKey(), a.size(),
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
    return new Loaded(state, stamp);
  }

  /** Commits {@code next} over {@code previous} (the caller holds the lock); returns the new stamp. */
  Optional<Stamp> commit(RegistryState previous, RegistryState next) throws IOException {
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
    fsyncDirectory(target.getParent());
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
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  @Override
  public String toString() {
    return "DirectoryStore{" + dir + "}";
  }
}
