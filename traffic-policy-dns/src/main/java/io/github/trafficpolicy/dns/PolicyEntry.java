package io.github.trafficpolicy.dns;

import io.github.trafficpolicy.engine.CompiledPolicy;
import java.util.concurrent.atomic.LongAdder;
import org.xbill.DNS.Name;

/** A policy record inside a catalog, with its counters. */
final class PolicyEntry {
  final CompiledPolicy policy;
  final Name name;
  final String key;
  final int type;
  final LongAdder answers = new LongAdder();
  final LongAdder noData = new LongAdder();

  PolicyEntry(CompiledPolicy policy, Name name, String key, int type) {
    this.policy = policy;
    this.name = name;
    this.key = key;
    this.type = type;
  }
}
