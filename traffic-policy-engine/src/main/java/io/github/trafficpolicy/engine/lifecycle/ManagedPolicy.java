package io.github.trafficpolicy.engine.lifecycle;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Map;
import java.util.Optional;

/**
 * A traffic policy in the registry: its ID, name, its existing versions in numeric order, and the highest version
 * number it has ever had ({@code lastVersion}); the next version is {@code lastVersion + 1}, so numbers of deleted
 * versions are never reused.
 */
public record ManagedPolicy(String id, String name, int lastVersion, ImmutableSortedMap<Integer, PolicyVersion> versions) {
  public ManagedPolicy {
    checkNotNull(id, "id");
    checkNotNull(name, "name");
    versions = ImmutableSortedMap.copyOf(checkNotNull(versions, "versions"));
    checkArgument(!versions.isEmpty(), "policy %s has no version", id);
    checkArgument(versions.lastKey() <= lastVersion,
        "lastVersion %s of policy %s is below its version %s", lastVersion, id, versions.lastKey());
    for (Map.Entry<Integer, PolicyVersion> e : versions.entrySet()) {
      checkArgument(e.getValue().id().equals(id) && e.getValue().version() == e.getKey()
              && e.getValue().name().equals(name),
          "version %s of policy %s holds %s", e.getKey(), id, e.getValue().policy());
    }
  }

  /** The latest (highest-numbered) existing version. */
  public PolicyVersion latest() {
    return checkNotNull(versions.lastEntry(), "a policy has a version").getValue();
  }

  /** Version {@code n}, if it exists. */
  public Optional<PolicyVersion> version(int n) {
    return Optional.ofNullable(versions.get(n));
  }
}
