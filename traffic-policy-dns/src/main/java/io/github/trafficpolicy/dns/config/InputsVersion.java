package io.github.trafficpolicy.dns.config;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The version of everything a policy answer depends on besides the client and the fixed data files: the health
 * snapshot and the alias resolver's generation. The same object while neither changes, a new one as soon as either
 * does, so the handler's answer caches (which compare versions by identity) never outlive a change.
 */
final class InputsVersion implements Supplier<Object> {
  private final Supplier<?> health;
  private final LongSupplier aliasGeneration;
  private volatile Version current = new Version(null, Long.MIN_VALUE);

  private record Version(Object health, long aliasGeneration) {}

  InputsVersion(Supplier<?> health, LongSupplier aliasGeneration) {
    this.health = health;
    this.aliasGeneration = aliasGeneration;
  }

  @Override
  public Object get() {
    // The generation is read first: a version made from a newer snapshot and an older generation is replaced at the
    // next call, never kept past a change.
    long g = aliasGeneration.getAsLong();
    Object h = health.get();
    Version v = current;
    if (v.health != h || v.aliasGeneration != g) {
      v = new Version(h, g);
      current = v;
    }
    return v;
  }
}
