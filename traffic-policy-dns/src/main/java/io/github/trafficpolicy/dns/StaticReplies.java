package io.github.trafficpolicy.dns;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Rendered replies to questions whose answer does not depend on the client (static zone data, referrals, negative
 * answers), looked up by the query's lower-case name, type and class without making a key object. A fixed table of
 * {@code capacity} entries in buckets of {@value #WAYS}: a new entry takes an empty place in its bucket or evicts one
 * entry of it (round robin), so a flood of distinct names (a random-subdomain attack) replaces entries one at a time
 * and never empties the table or grows it. Reads and writes race benignly: entries are immutable and published
 * whole through final fields; a reader sees an entry it checks by key, or misses and renders the reply again. A
 * table belongs to one catalog and is replaced with it.
 */
final class StaticReplies {
  static final int WAYS = 4;

  private final Entry[] slots;
  private final int bucketMask;
  private final byte[] next;

  /** A table of at least {@code capacity} entries (rounded up to a power of two, at least {@value #WAYS}). */
  StaticReplies(int capacity) {
    int size = Integer.highestOneBit(Math.max(WAYS, capacity - 1)) << 1;
    slots = new Entry[size];
    bucketMask = size / WAYS - 1;
    next = new byte[size / WAYS];
  }

  /** The number of entries the table holds at most. */
  int capacity() {
    return slots.length;
  }

  /** The reply for the query's question, or null. */
  @Nullable Entry get(WireQuery q) {
    int base = (q.qnameHash & bucketMask) * WAYS;
    for (int i = 0; i < WAYS; i++) {
      Entry e = slots[base + i];
      if (e != null && e.matches(q)) {
        return e;
      }
    }
    return null;
  }

  /** Keeps {@code e}, replacing an entry for the same question or evicting one of its bucket. */
  void put(Entry e) {
    int bucket = e.hash & bucketMask;
    int base = bucket * WAYS;
    for (int i = 0; i < WAYS; i++) {
      Entry old = slots[base + i];
      if (old == null || old.sameQuestion(e)) {
        slots[base + i] = e;
        return;
      }
    }
    int victim = next[bucket] & (WAYS - 1);
    next[bucket] = (byte) (victim + 1);
    slots[base + victim] = e;
  }

  /** Entries held (for tests and counters; walks the table). */
  int size() {
    int n = 0;
    for (Entry e : slots) {
      if (e != null) {
        n++;
      }
    }
    return n;
  }

  /** A rendered reply (without its OPT record) to one question. */
  static final class Entry {
    private final byte[] name;
    private final int hash;
    private final int type;
    private final int dclass;
    /** The reply as rendered for the question in lower case; header ID, RD and CD are set per query. */
    final byte[] wire;
    final int rcode;
    /** The answer section as text, for the query log (empty when no log is written). */
    final String answer;

    /** An entry for the question of {@code q} (its name is copied). */
    Entry(WireQuery q, byte[] wire, int rcode, String answer) {
      this.name = Arrays.copyOf(q.qnameLower, q.qnameLength);
      this.hash = q.qnameHash;
      this.type = q.qtype;
      this.dclass = q.qclass;
      this.wire = wire;
      this.rcode = rcode;
      this.answer = answer;
    }

    boolean matches(WireQuery q) {
      return hash == q.qnameHash && type == q.qtype && dclass == q.qclass && name.length == q.qnameLength
          && Arrays.equals(name, 0, name.length, q.qnameLower, 0, q.qnameLength);
    }

    boolean sameQuestion(Entry o) {
      return hash == o.hash && type == o.type && dclass == o.dclass && Arrays.equals(name, o.name);
    }
  }
}
