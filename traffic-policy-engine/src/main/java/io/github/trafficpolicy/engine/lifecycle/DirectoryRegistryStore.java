package io.github.trafficpolicy.engine.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry in a directory ({@link DirectoryStore} holds the layout and the crash-safe commits): every change
 * holds the directory's lock, re-reads what another writer committed since, and commits over it; other writers'
 * changes are found by a {@code stat} of the metadata and journal files.
 */
final class DirectoryRegistryStore implements RegistryStore {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryRegistryStore.class);

  private final DirectoryStore store;
  private final DocumentCodec codec;
  private final RegistryState initial;
  /** The stamp of the metadata file the current state came from (written under the host's lock). */
  private volatile Optional<DirectoryStore.Stamp> seen;
  /**
   * The stamp of the last metadata file refused (empty inside: the file was missing), written under the host's
   * lock, so a refused directory is reported once.
   */
  private volatile Optional<Optional<DirectoryStore.Stamp>> refused = Optional.empty();

  DirectoryRegistryStore(DirectoryStore store, DocumentCodec codec) throws IOException {
    this.store = store;
    this.codec = codec;
    try (DirectoryStore.Lock lock = store.lock()) {
      DirectoryStore.Loaded loaded;
      try {
        loaded = store.load(codec);
      } catch (IllegalArgumentException e) {
        throw new RegistryException(RegistryError.INVALID_INPUT,
            "the registry in " + store.dir() + " is invalid: " + e.getMessage(), e);
      }
      store.removeLeftovers(loaded.state());
      this.initial = loaded.state();
      this.seen = loaded.stamp();
    }
  }

  @Override
  public RegistryState initial() {
    return initial;
  }

  @Override
  public Optional<Path> directory() {
    return Optional.of(store.dir());
  }

  @Override
  public String describe() {
    return store.dir().toString();
  }

  @Override
  public ReloadResult reloadIfChanged(Host host) {
    try {
      Optional<DirectoryStore.Stamp> now = store.stamp();
      if (now.equals(seen) || refused.equals(Optional.of(now))) {
        return ReloadResult.unchanged(host.current());
      }
      host.lock().lock();
      try (DirectoryStore.Lock lock = store.lock()) {
        now = store.stamp();
        if (now.equals(seen)) {
          return ReloadResult.unchanged(host.current());
        }
        DirectoryStore.Loaded loaded;
        try {
          if (now.isEmpty()) {
            throw new IllegalArgumentException(DirectoryStore.METADATA + " has disappeared");
          }
          loaded = load(host, now);
        } catch (IllegalArgumentException | IOException | RegistryException e) {
          if (refused.equals(Optional.of(now))) {
            return ReloadResult.unchanged(host.current());
          }
          refused = Optional.of(now);
          return ReloadResult.refused(host.current(),
              "the registry in " + store.dir() + " is invalid: " + e.getMessage());
        }
        seen = loaded.stamp();
        refused = Optional.empty();
        if (loaded.state().equals(host.current())) {
          return ReloadResult.unchanged(host.current());
        }
        host.publish(loaded.state());
        return ReloadResult.reloaded(loaded.state());
      } finally {
        host.lock().unlock();
      }
    } catch (IOException e) {
      return ReloadResult.refused(host.current(), "cannot read the registry in " + store.dir() + ": " + e);
    }
  }

  @Override
  public TrafficPolicyRegistry.Subscription follow(Host host, Duration interval,
                                                   Consumer<? super ReloadResult> onReload) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "traffic-policy-registry-watch");
      t.setDaemon(true);
      return t;
    });
    // The task catches its own failures; the timer is shut down with the store.
    ScheduledFuture<?> unused = timer.scheduleWithFixedDelay(() -> {
      try {
        ReloadResult r = reloadIfChanged(host);
        if (r.status() != ReloadResult.Status.UNCHANGED) {
          onReload.accept(r);
        }
      } catch (RuntimeException e) {
        LOG.warn("registry watch failed", e);
      }
    }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    return timer::shutdownNow;
  }

  @Override
  public RegistryState change(Host host, UnaryOperator<RegistryState> change) throws IOException {
    try (DirectoryStore.Lock lock = store.lock()) {
      RegistryState base = host.current();
      Optional<DirectoryStore.Stamp> now = store.stamp();
      if (!now.equals(seen)) {
        try {
          if (now.isEmpty()) {
            throw new IllegalArgumentException(DirectoryStore.METADATA + " has disappeared");
          }
          DirectoryStore.Loaded loaded = load(host, now);
          base = loaded.state();
          seen = loaded.stamp();
          refused = Optional.empty();
        } catch (IllegalArgumentException e) {
          throw new RegistryException(RegistryError.INVALID_INPUT,
              "the registry in " + store.dir() + " is invalid, refusing to change it: " + e.getMessage(), e);
        }
        if (!base.equals(host.current())) {
          host.publish(base);
        }
      }
      RegistryState next = change.apply(base).withGeneration(base.generation() + 1);
      seen = store.commit(base, next);
      host.publish(next);
      return next;
    }
  }

  /**
   * The directory's state now (stamp {@code now}; the caller holds both locks): when another writer only appended
   * to the journal since {@link #seen}, its new lines applied to the current state; else loaded in full.
   */
  private DirectoryStore.Loaded load(Host host, Optional<DirectoryStore.Stamp> now) throws IOException {
    Optional<DirectoryStore.Loaded> appended = refused.isEmpty() ? store.loadAppended(host.current(), seen, now)
        : Optional.empty();
    return appended.isPresent() ? appended.get() : store.load(codec);
  }

  @Override
  public void close() {
    // Nothing held between changes: the directory's lock is taken per change.
  }

  @Override
  public String toString() {
    return store.toString();
  }
}
