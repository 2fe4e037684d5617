package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.HealthCheckId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The current {@link HealthSnapshot}, replaced atomically. Readers ({@link #current()}) never block; writers
 * publish a whole new snapshot, so a query sees either the old or the new statuses, never a mix. Thread-safe.
 */
public final class HealthRegistry implements Supplier<HealthSnapshot> {
  private final AtomicReference<HealthSnapshot> current;
  private final List<Consumer<HealthSnapshot>> listeners = new CopyOnWriteArrayList<>();

  /** A registry whose first snapshot is empty (every status unknown). */
  public HealthRegistry() {
    this(HealthSnapshot.empty());
  }

  /** A registry starting at {@code initial}. */
  public HealthRegistry(HealthSnapshot initial) {
    this.current = new AtomicReference<>(checkNotNull(initial, "initial"));
  }

  /** The snapshot in force (never null: the reference starts set and is only ever set to built snapshots). */
  private HealthSnapshot snapshot() {
    return checkNotNull(current.get());
  }

  /** The snapshot in force now. */
  public HealthSnapshot current() {
    return snapshot();
  }

  @Override
  public HealthSnapshot get() {
    return snapshot();
  }

  /** Replaces the snapshot by {@code change(current)}, retrying on contention; returns the published snapshot. */
  public HealthSnapshot update(UnaryOperator<HealthSnapshot.Builder> change) {
    checkNotNull(change, "change");
    while (true) {
      HealthSnapshot old = snapshot();
      HealthSnapshot next = change.apply(old.toBuilder()).generation(old.generation() + 1).build();
      if (current.compareAndSet(old, next)) {
        listeners.forEach(l -> l.accept(next));
        return next;
      }
    }
  }

  /** Sets one health check's status (a no-op when it already has it). */
  public HealthSnapshot setCheck(String healthCheckId, HealthStatus status) {
    HealthSnapshot now = snapshot();
    if (now.check(io.github.trafficpolicy.api.HealthCheckId.of(healthCheckId)) == status) {
      return now;
    }
    return update(b -> b.check(healthCheckId, status));
  }

  /**
   * Sets several health checks' statuses in one new snapshot, so readers see all of them change together; a no-op
   * (returning the current snapshot) when every status is already as given.
   */
  public HealthSnapshot setChecks(Map<HealthCheckId, HealthStatus> statuses) {
    checkNotNull(statuses, "statuses");
    ImmutableMap<HealthCheckId, HealthStatus> copy = ImmutableMap.copyOf(statuses);
    HealthSnapshot now = snapshot();
    if (copy.entrySet().stream().allMatch(e -> now.check(e.getKey()) == e.getValue())) {
      return now;
    }
    return update(b -> {
      copy.forEach(b::check);
      return b;
    });
  }

  /** Sets one alias target's health (a no-op when it already has it). */
  public HealthSnapshot setTarget(String endpointId, HealthStatus status) {
    HealthSnapshot now = snapshot();
    if (now.target(io.github.trafficpolicy.api.EndpointId.of(endpointId)) == status) {
      return now;
    }
    return update(b -> b.target(endpointId, status));
  }

  /** Calls {@code listener} with every snapshot published from now on. */
  public void addListener(Consumer<HealthSnapshot> listener) {
    listeners.add(checkNotNull(listener, "listener"));
  }
}
