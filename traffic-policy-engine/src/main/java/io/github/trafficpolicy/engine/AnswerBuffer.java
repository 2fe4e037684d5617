package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.trafficpolicy.api.EndpointId;
import io.github.trafficpolicy.api.RecordData;
import java.util.Arrays;
import java.util.List;

/**
 * A reusable answer, filled by {@link CompiledPolicy#evaluate(byte[], int, AnswerBuffer)}: what a DNS server needs
 * to write a reply (the outcome, the record data in answer order, the TTL and the ECS scope) without an
 * {@link Answer}, list or client object per query. The record data and endpoint IDs are the compiled policy's own
 * instances (or an alias target's current records), so filling the buffer allocates nothing once its arrays are as
 * long as the longest answer seen.
 *
 * <p>Not thread-safe: a server keeps one per thread. What it holds is valid until it is filled again.
 */
public final class AnswerBuffer {
  private Outcome outcome = Outcome.NO_DATA;
  private EndpointId[] endpoints = new EndpointId[8];
  private int endpointCount;
  private RecordData[] records = new RecordData[8];
  private int recordCount;
  private long ttl;
  private int ecsScope;

  /** An empty buffer (outcome {@link Outcome#NO_DATA}). */
  public AnswerBuffer() {}

  /** An answer, or no data. */
  public Outcome outcome() {
    return outcome;
  }

  /** The number of endpoints chosen (0 for no data). */
  public int endpointCount() {
    return endpointCount;
  }

  /** The {@code i}-th endpoint chosen, in answer order. */
  public EndpointId endpoint(int i) {
    checkElementIndex(i, endpointCount);
    return endpoints[i];
  }

  /** The number of records of the answer (0 for no data; an alias target may give several). */
  public int recordCount() {
    return recordCount;
  }

  /** The {@code i}-th record of the answer, in answer order. */
  public RecordData record(int i) {
    checkElementIndex(i, recordCount);
    return records[i];
  }

  /** The TTL of the answer, as {@link Answer#ttl()}. */
  public long ttl() {
    return ttl;
  }

  /** The EDNS Client Subnet scope prefix length, as {@link Answer#ecsScope()}. */
  public int ecsScope() {
    return ecsScope;
  }

  /** Copies {@code answer} in (for {@link CompiledPolicy} implementations that evaluate through {@link Answer}). */
  public AnswerBuffer set(Answer answer) {
    start(answer.outcome(), answer.ttl(), answer.ecsScope());
    for (EndpointId e : answer.endpoints()) {
      addEndpoint(e);
    }
    addRecords(answer.records());
    return this;
  }

  @Override
  public String toString() {
    return outcome + " " + Arrays.asList(records).subList(0, recordCount) + " ttl " + ttl + " scope /" + ecsScope;
  }

  /** Checks the arguments of {@link CompiledPolicy#evaluate(byte[], int, AnswerBuffer)}. */
  static void checkClient(byte[] address, int prefixLength) {
    checkNotNull(address, "address");
    checkArgument(address.length == 4 || address.length == 16, "an address has 4 or 16 bytes, not %s",
        address.length);
    checkArgument(prefixLength >= 0 && prefixLength <= address.length * 8,
        "prefix length must be in [0, %s] but was %s", address.length * 8, prefixLength);
  }

  void start(Outcome outcome, long ttl, int ecsScope) {
    this.outcome = outcome;
    this.ttl = ttl;
    this.ecsScope = ecsScope;
    endpointCount = 0;
    recordCount = 0;
  }

  void addEndpoint(EndpointId id) {
    if (endpointCount == endpoints.length) {
      endpoints = Arrays.copyOf(endpoints, endpoints.length * 2);
    }
    endpoints[endpointCount++] = id;
  }

  void addRecords(List<RecordData> data) {
    int n = data.size();
    if (recordCount + n > records.length) {
      records = Arrays.copyOf(records, Math.max(records.length * 2, recordCount + n));
    }
    for (int i = 0; i < n; i++) {
      records[recordCount++] = data.get(i);
    }
  }
}
