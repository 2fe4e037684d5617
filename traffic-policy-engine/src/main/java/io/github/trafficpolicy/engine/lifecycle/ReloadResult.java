package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * What {@link TrafficPolicyRegistry#reloadIfChanged()} did: nothing changed on disk, the new state was loaded, or
 * the change was refused (it failed validation) and the running state stays. {@code state} is the registry's state
 * afterwards; {@code problem} says why a change was refused.
 */
public record ReloadResult(Status status, RegistryState state, Optional<String> problem) {
  public ReloadResult {
    checkNotNull(status, "status");
    checkNotNull(state, "state");
    checkNotNull(problem, "problem (use Optional.empty())");
    checkArgument(problem.isPresent() == (status == Status.REFUSED), "a problem goes with REFUSED only, not %s",
        status);
  }

  /** The outcome of a reload. */
  public enum Status {
    /** The directory did not change since the last load or write. */
    UNCHANGED,
    /** Another writer changed the directory; its new state is now the registry's state. */
    RELOADED,
    /** The directory changed but its content is invalid; the registry keeps its state. */
    REFUSED
  }

  static ReloadResult unchanged(RegistryState state) {
    return new ReloadResult(Status.UNCHANGED, state, Optional.empty());
  }

  static ReloadResult reloaded(RegistryState state) {
    return new ReloadResult(Status.RELOADED, state, Optional.empty());
  }

  static ReloadResult refused(RegistryState state, String problem) {
    return new ReloadResult(Status.REFUSED, state, Optional.of(problem));
  }
}
