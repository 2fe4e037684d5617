package io.github.trafficpolicy.engine.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Where a persistent {@link TrafficPolicyRegistry} keeps its state: a directory ({@link DirectoryStore}, through
 * {@link DirectoryRegistryStore}) or etcd ({@link EtcdStore}). Both give the same guarantees: a change is committed
 * over the latest stored state or not at all, and every state committed by any writer reaches the registry in order.
 */
interface RegistryStore extends AutoCloseable {
  /** What a store reads and updates in its registry. Its lock serializes every change and publication. */
  interface Host {
    RegistryState current();

    /** Makes {@code next} the registry's state and tells the listeners (the caller holds {@link #lock}). */
    void publish(RegistryState next);

    ReentrantLock lock();
  }

  /** The state stored now, read when the registry opens. */
  RegistryState initial();

  /**
   * Applies {@code change} to the latest stored state (first publishing it when another writer changed it) and
   * commits the result as the next generation, all or nothing; returns the committed state (already published).
   * The caller holds the host's lock. {@link RegistryException}s thrown by {@code change} pass through unchanged.
   */
  RegistryState change(Host host, UnaryOperator<RegistryState> change) throws IOException;

  /** Publishes the stored state if another writer changed it since. */
  ReloadResult reloadIfChanged(Host host);

  /**
   * Follows changes by other writers until the subscription is closed (a directory is polled every
   * {@code interval}; etcd is watched), passing each result but {@code UNCHANGED} to {@code onReload}.
   */
  TrafficPolicyRegistry.Subscription follow(Host host, Duration interval, Consumer<? super ReloadResult> onReload);

  /** The directory, for a directory store. */
  default Optional<Path> directory() {
    return Optional.empty();
  }

  /** Why the store cannot be reached right now (the registry keeps its last state), or empty when it can. */
  default Optional<String> unavailable() {
    return Optional.empty();
  }

  /** Where the registry is, for messages. */
  String describe();

  @Override
  void close();
}
