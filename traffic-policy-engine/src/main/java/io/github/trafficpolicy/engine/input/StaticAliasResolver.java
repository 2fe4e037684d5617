package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static java.util.stream.Collectors.joining;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.Endpoint;
import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.engine.AliasResolver;
import io.github.trafficpolicy.engine.HealthStatus;
import java.io.IOException;
import java.io.Reader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The default {@link AliasResolver}: a static table of the addresses of AWS resources (load balancers, CloudFront
 * distributions, Elastic Beanstalk environments, S3 website endpoints), keyed by the endpoint {@code Value} as it
 * appears in policies. Route 53 answers an alias with the resource's current addresses; outside AWS those have to
 * be supplied, and this table is the simplest way. Immutable and thread-safe; a lookup allocates nothing.
 *
 * <p>Names are compared without case and without a trailing dot. An endpoint is found, in this order, by:
 *
 * <ol>
 *   <li>its {@code Value};
 *   <li>its {@code Value} without a leading {@code dualstack.} (Route 53's form for load balancers), so one table
 *       row serves both spellings;
 *   <li>for {@code s3-website} endpoints only: the record name the policy answers at (the bucket must be named like
 *       the record for S3 to serve it, so the row is usually written under that name), then the region's website
 *       endpoint host names {@code s3-website-REGION.amazonaws.com} and {@code s3-website.REGION.amazonaws.com}.
 * </ol>
 *
 * <p>An A question gets the IPv4 addresses of the row, an AAAA question the IPv6 ones, in table order; a name not
 * in the table (or a type other than A/AAAA) gets none.
 *
 * <p>The CSV form, one address per line (several lines per name for several addresses):
 *
 * <pre>
 * value,address
 * dualstack.my-elb-1234.us-east-1.elb.amazonaws.com,192.0.2.10
 * dualstack.my-elb-1234.us-east-1.elb.amazonaws.com,2001:db8::10
 * www.example.com,198.51.100.20
 * </pre>
 *
 * <p>The header line is optional (recognised by its first field {@code value}); {@code #} starts a comment line;
 * blank lines are ignored. Every bad line is reported, with its number, in one {@link InvalidTableException}.
 */
public final class StaticAliasResolver implements AliasResolver {
  private static final StaticAliasResolver EMPTY = new StaticAliasResolver(ImmutableMap.of(), ImmutableMap.of());
  private static final String HEADER = "value";
  private static final String DUALSTACK = "dualstack.";

  private final ImmutableMap<String, ImmutableList<RecordData>> a;
  private final ImmutableMap<String, ImmutableList<RecordData>> aaaa;

  private StaticAliasResolver(
      ImmutableMap<String, ImmutableList<RecordData>> a, ImmutableMap<String, ImmutableList<RecordData>> aaaa) {
    this.a = a;
    this.aaaa = aaaa;
  }

  /** A table that knows no name. */
  public static StaticAliasResolver empty() {
    return EMPTY;
  }

  /** A builder for a table assembled in code. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the CSV file at {@code path} (UTF-8).
   *
   * @throws InvalidTableException listing every bad line
   * @throws IOException when the file cannot be read
   */
  public static StaticAliasResolver load(Path path) throws IOException {
    return fromCsv(CsvTable.read(path, HEADER));
  }

  /**
   * Reads CSV text from {@code reader}; {@code source} names it in messages.
   *
   * @throws InvalidTableException listing every bad line
   * @throws IOException when the reader fails
   */
  public static StaticAliasResolver read(String source, Reader reader) throws IOException {
    return fromCsv(CsvTable.read(source, reader, HEADER));
  }

  /**
   * Parses CSV text.
   *
   * @throws InvalidTableException listing every bad line
   */
  public static StaticAliasResolver parse(String csv) {
    return fromCsv(CsvTable.parse("<text>", csv, HEADER));
  }

  @Override
  public ImmutableList<RecordData> resolve(Endpoint endpoint, RecordType type, String recordName) {
    checkNotNull(endpoint, "endpoint");
    checkNotNull(type, "type");
    checkNotNull(recordName, "recordName");
    ImmutableMap<String, ImmutableList<RecordData>> table = type == RecordType.A ? a
        : type == RecordType.AAAA ? aaaa
        : ImmutableMap.of();
    ImmutableList<RecordData> found = find(table, endpoint.value());
    if (found == null && endpoint.type() == EndpointType.S3_WEBSITE) {
      found = find(table, recordName);
      if (found == null && endpoint.region().isPresent()) {
        String region = endpoint.region().get();
        found = table.get(normalize("s3-website-" + region + ".amazonaws.com"));
        if (found == null) {
          found = table.get(normalize("s3-website." + region + ".amazonaws.com"));
        }
      }
    }
    return found == null ? ImmutableList.of() : found;
  }

  /**
   * A fixed handle: the table's records for the endpoint (looked up once), with no opinion on health (the health
   * snapshot decides) and no TTL limit.
   */
  @Override
  public Target target(Endpoint endpoint, RecordType type, String recordName) {
    ImmutableList<RecordData> records = resolve(endpoint, type, recordName);
    String text = records.isEmpty() ? "not in the alias table (no " + type + " records)"
        : "alias table: " + records.stream().map(RecordData::presentation).collect(joining(" "));
    return new FixedTarget(records, records.isEmpty() ? Freshness.MISSING : Freshness.STATIC, text);
  }

  /** A table row as a {@link Target}: fixed records, no opinion on health, no TTL limit. */
  private record FixedTarget(ImmutableList<RecordData> records, Freshness freshness, String describe)
      implements Target {
    @Override
    public HealthStatus health() {
      return HealthStatus.UNKNOWN;
    }

    @Override
    public long maxAnswerTtl() {
      return Long.MAX_VALUE;
    }
  }

  /** Every name the table knows, normalised (lower case, no trailing dot). */
  public ImmutableList<String> names() {
    List<String> names = new ArrayList<>(a.keySet());
    aaaa.keySet().stream().filter(n -> !a.containsKey(n)).forEach(names::add);
    return ImmutableList.copyOf(names);
  }

  @Override
  public String toString() {
    return "StaticAliasResolver{" + names().size() + " names}";
  }

  private static @Nullable ImmutableList<RecordData> find(Map<String, ImmutableList<RecordData>> table, String name) {
    String key = normalize(name);
    ImmutableList<RecordData> found = table.get(key);
    if (found == null && key.startsWith(DUALSTACK)) {
      found = table.get(key.substring(DUALSTACK.length()));
    }
    return found;
  }

  private static String normalize(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    return n.endsWith(".") && n.length() > 1 ? n.substring(0, n.length() - 1) : n;
  }

  private static StaticAliasResolver fromCsv(CsvTable table) {
    Builder builder = builder();
    for (CsvTable.Row row : table.rows()) {
      if (row.fields().size() != 2) {
        table.problem(row.line(), "expected 2 fields (value,address) but found " + row.fields().size());
        continue;
      }
      try {
        builder.add(row.field(0), row.field(1));
      } catch (IllegalArgumentException e) {
        table.problem(row.line(), IoMessages.message(e));
      }
    }
    table.throwIfProblems();
    return builder.build();
  }

  /** Builds a {@link StaticAliasResolver}. */
  public static final class Builder {
    private final Map<String, List<RecordData>> a = new LinkedHashMap<>();
    private final Map<String, List<RecordData>> aaaa = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds an address (IPv4 or IPv6, as text) of the resource named {@code value}; an address already listed for
     * that name is refused.
     *
     * @throws IllegalArgumentException when the name is empty, the address malformed or already listed
     */
    public Builder add(String value, String address) {
      checkNotNull(value, "value");
      checkNotNull(address, "address");
      String name = normalize(value);
      checkArgument(!name.isEmpty() && name.indexOf(' ') < 0, "'%s' is not a name", value);
      String ip = address.strip();
      checkArgument(InetAddresses.isInetAddress(ip), "'%s' is not an IP address", address);
      InetAddress parsed = InetAddresses.forString(ip);
      RecordData data = parsed instanceof Inet4Address v4 && ip.indexOf(':') < 0
          ? new RecordData.A(v4)
          : RecordData.parse(RecordType.AAAA, ip);
      List<RecordData> list = (data instanceof RecordData.A ? a : aaaa).computeIfAbsent(name, n -> new ArrayList<>());
      checkArgument(!list.contains(data), "%s is listed twice for %s", ip, name);
      list.add(data);
      return this;
    }

    /** Adds several addresses of the resource named {@code value}. */
    public Builder add(String value, List<String> addresses) {
      addresses.forEach(address -> add(value, address));
      return this;
    }

    public StaticAliasResolver build() {
      return new StaticAliasResolver(freeze(a), freeze(aaaa));
    }

    private static ImmutableMap<String, ImmutableList<RecordData>> freeze(Map<String, List<RecordData>> m) {
      ImmutableMap.Builder<String, ImmutableList<RecordData>> b = ImmutableMap.builder();
      m.forEach((k, v) -> b.put(k, ImmutableList.copyOf(v)));
      return b.buildOrThrow();
    }
  }
}
