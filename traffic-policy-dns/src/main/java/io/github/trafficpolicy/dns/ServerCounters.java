package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import java.util.Map;

/**
 * A snapshot of a handler's counters since it was built.
 *
 * @param queries queries received (including dropped ones)
 * @param dropped packets given no reply (shorter than a header, or a response rather than a query)
 * @param byRcode replies per response code name ({@code NOERROR}, {@code NXDOMAIN}, {@code BADVERS} …)
 * @param byPolicyRecord per policy record name: answers given and NODATA replies (the policy had nothing)
 */
public record ServerCounters(
    long queries, long dropped, ImmutableMap<String, Long> byRcode,
    ImmutableMap<String, PolicyRecordCounters> byPolicyRecord) {
  public ServerCounters {
    checkArgument(queries >= 0, "queries must be >= 0 but was %s", queries);
    checkArgument(dropped >= 0, "dropped must be >= 0 but was %s", dropped);
    byRcode = ImmutableMap.copyOf(byRcode);
    byPolicyRecord = ImmutableMap.copyOf(byPolicyRecord);
  }

  /**
   * Counters of one policy record.
   *
   * @param answers queries answered with the policy's records
   * @param noData queries for which the policy had nothing (answered NODATA)
   */
  public record PolicyRecordCounters(long answers, long noData) {}

  /** A multi-line summary, as printed on shutdown. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append("queries ").append(queries).append(", dropped ").append(dropped).append('\n');
    for (Map.Entry<String, Long> e : byRcode.entrySet()) {
      sb.append("  rcode ").append(e.getKey()).append(' ').append(e.getValue()).append('\n');
    }
    for (Map.Entry<String, PolicyRecordCounters> e : byPolicyRecord.entrySet()) {
      sb.append("  policy record ").append(e.getKey()).append(" answers ").append(e.getValue().answers())
          .append(" nodata ").append(e.getValue().noData()).append('\n');
    }
    return sb.toString();
  }
}
