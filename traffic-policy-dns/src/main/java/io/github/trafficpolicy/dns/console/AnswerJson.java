package io.github.trafficpolicy.dns.console;

import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.engine.Answer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * An evaluation's answer as JSON members, the same for {@code traffic-policy evaluate --json} and the console's
 * "try it": {@code outcome} ({@code ANSWER} or {@code NO_DATA}), {@code rcode}, {@code endpoints} (ids),
 * {@code answer} (record data in zone-file text, as the server puts it on the wire), {@code ttl} and {@code ecsScope}.
 */
public final class AnswerJson {
  private AnswerJson() {}

  /** The members, in that order (a mutable map: callers add theirs). */
  public static Map<String, Object> of(Answer answer) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("outcome", answer.outcome().name());
    m.put("rcode", "NOERROR");
    m.put("endpoints", answer.endpoints().stream().map(EndpointId::toString).toList());
    m.put("answer", answer.records().stream().map(AnswerJson::zoneText).toList());
    m.put("ttl", answer.ttl());
    m.put("ecsScope", answer.ecsScope());
    return m;
  }

  /**
   * Record data as the server puts it on the wire, in zone-file text: names are absolute (with their final dot),
   * whether or not the document wrote one.
   */
  public static String zoneText(RecordData r) {
    try {
      return Record.fromString(Name.root, Type.value(r.type().name()), DClass.IN, 0, r.presentation(), Name.root)
          .rdataToString();
    } catch (IOException | RuntimeException e) {
      // Not reached: a compiled document's record data is valid for its type.
      return r.presentation();
    }
  }
}
