package io.github.trafficpolicy.dns;

import io.github.trafficpolicy.engine.CompiledPolicy;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Name;

/**
 * A policy record inside a catalog, with its counters. A {@link QueryHandler} that serves the catalog points the
 * counters at its own for the record's name before the first query sees the entry, so that counts survive
 * catalog swaps (a registry change, a new policy version).
 */
final class PolicyEntry {
  final CompiledPolicy policy;
  final Name name;
  final String key;
  final int type;
  LongAdder answers = new LongAdder();
  LongAdder noData = new LongAdder();
  /** Answers per endpoint of the policy (shared by its records; see {@link QueryHandler}). */
  java.util.Map<io.github.trafficpolicy.api.EndpointId, LongAdder> endpointAnswers = java.util.Map.of();

  /** The origin of the record's zone, in canonical (lower-case, uncompressed) wire form. */
  private final byte[] zoneOrigin;

  PolicyEntry(CompiledPolicy policy, Name name, String key, int type, Name zoneOrigin) {
    this.policy = policy;
    this.name = name;
    this.key = key;
    this.type = type;
    this.zoneOrigin = zoneOrigin.toWireCanonical();
  }

  /**
   * Whether the name {@code target} (uncompressed wire form, as {@link RdataCache} renders a CNAME's data) is this
   * record's zone's origin or below it: where a CNAME answer's walk would go on (RFC 1034 4.3.2). Compares
   * ASCII letters case-insensitively (RFC 4343) and allocates nothing.
   */
  boolean inZone(byte[] target) {
    int start = target.length - zoneOrigin.length;
    if (start < 0) {
      return false;
    }
    int pos = 0;
    while (pos < start) {
      int len = target[pos] & 0xff;
      if (len == 0 || len > 63) {
        return false;
      }
      pos += len + 1;
    }
    if (pos != start) {
      return false; // the origin's length falls inside a label
    }
    for (int i = 0; i < zoneOrigin.length; i++) {
      byte b = target[start + i];
      if (b >= 'A' && b <= 'Z') {
        b = (byte) (b + ('a' - 'A'));
      }
      if (b != zoneOrigin[i]) {
        return false;
      }
    }
    return true;
  }
}
