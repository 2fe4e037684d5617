package io.github.trafficpolicy.dns;

import io.github.trafficpolicy.api.RecordData;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The wire RDATA of policy answers' record data, encoded once per value: A and AAAA from their address, other types
 * through dnsjava's presentation parser. The values are the policies' value endpoints and their alias targets'
 * current records, so the map stays small; it is emptied should it ever pass {@value #LIMIT} values (alias targets
 * whose records keep changing). Thread-safe.
 */
final class RdataCache {
  static final int LIMIT = 10_000;
  private final Map<RecordData, byte[]> cache = new ConcurrentHashMap<>();

  /** The wire rdata of {@code d}. */
  byte[] get(RecordData d) {
    byte[] b = cache.get(d);
    if (b == null) {
      if (d instanceof RecordData.A a) {
        b = a.address().getAddress();
      } else if (d instanceof RecordData.Aaaa a) {
        b = a.address().getAddress();
      } else {
        try {
          Record rec = Record.fromString(Name.root, Type.value(d.type().name()), 1, 0, d.presentation(), Name.root);
          byte[] wire = rec.toWire(Section.ANSWER);
          b = Arrays.copyOfRange(wire, 11, wire.length);
        } catch (java.io.IOException e) {
          throw new IllegalStateException("cannot render " + d.type() + " " + d.presentation(), e);
        }
      }
      if (cache.size() > LIMIT) {
        cache.clear();
      }
      cache.put(d, b);
    }
    return b;
  }
}
