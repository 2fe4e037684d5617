package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.engine.ClientLatency;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.LatencyTable;
import io.github.trafficpolicy.engine.internal.AddressLatencyTable;
import io.github.trafficpolicy.engine.internal.RegionCodes;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Measured latency per client network, from a table. Longest-prefix match of the client address (IPv4 and IPv6;
 * an IPv4-mapped IPv6 address is looked up among the IPv4 rows); the client then has the milliseconds listed for
 * its network, and no data for other regions. Immutable and thread-safe.
 *
 * <p>The CSV form, one network and region per line:
 *
 * <pre>
 * network,region,milliseconds
 * 192.0.2.0/24,us-east-1,12
 * 192.0.2.0/24,eu-west-1,85.5
 * 2001:db8::/32,ap-northeast-1,140
 * </pre>
 *
 * <p>The header line is optional (recognised by its first field {@code network}); {@code #} starts a comment line;
 * blank lines are ignored. The network is {@code address/prefix} with no bits set past the prefix; the region a
 * region or local zone code ({@code us-east-1}, {@code us-east-1-bos-1a}; the {@code aws:route53:} prefix is
 * accepted and dropped); milliseconds a finite number, not negative. Each (network, region) at most once. Every bad
 * line is reported, with its number, in one {@link InvalidTableException}.
 *
 * <p>The prefix length of the data is the prefix over which the table's answer is the same: the matched network's,
 * or longer when more specific networks lie inside it; for an address in no network, the largest block around it
 * that holds none.
 */
public final class CsvLatencyTable implements LatencyTable, AddressLatencyTable {
  private static final String HEADER = "network";
  private static final Pattern REGION = Pattern.compile("[a-z]{2,}(-[a-z0-9]+)+");
  private static final Pattern NUMBER = Pattern.compile("([0-9]+(\\.[0-9]*)?|\\.[0-9]+)");

  private final PrefixTrie<ImmutableMap<String, Double>> trie;
  /**
   * Per network, its answer at the last prefix length it was found with (nearly always its own), made on first use:
   * a lookup allocates only the first time, or when a network is found with another prefix (more specific networks
   * inside it). The answers are immutable, so a race between threads only makes one twice.
   */
  private final @Nullable ClientLatency[] answers;
  /** Per prefix length, the answer for an address in no network. */
  private final @Nullable ClientLatency[] misses = new ClientLatency[129];

  private CsvLatencyTable(PrefixTrie<ImmutableMap<String, Double>> trie) {
    this.trie = trie;
    this.answers = new ClientLatency[trie.size()];
  }

  /**
   * Reads the CSV file at {@code path} (UTF-8).
   *
   * @throws InvalidTableException listing every bad line
   * @throws IOException when the file cannot be read
   */
  public static CsvLatencyTable load(Path path) throws IOException {
    return fromCsv(CsvTable.read(path, HEADER));
  }

  /**
   * Reads CSV text from {@code reader}; {@code source} names it in messages.
   *
   * @throws InvalidTableException listing every bad line
   * @throws IOException when the reader fails
   */
  public static CsvLatencyTable read(String source, Reader reader) throws IOException {
    return fromCsv(CsvTable.read(source, reader, HEADER));
  }

  /**
   * Parses CSV text.
   *
   * @throws InvalidTableException listing every bad line
   */
  public static CsvLatencyTable parse(String csv) {
    return fromCsv(CsvTable.parse("<text>", csv, HEADER));
  }

  /** The number of networks in the table. */
  public int size() {
    return trie.size();
  }

  @Override
  public ClientLatency forClient(InetAddress address, ClientLocation location) {
    checkNotNull(address, "address");
    return latency(trie.find(address));
  }

  @Override
  public ClientLatency forClient(byte[] address, ClientLocation location) {
    return latency(trie.find(address));
  }

  private ClientLatency latency(long found) {
    int index = PrefixTrie.index(found);
    int prefix = PrefixTrie.prefix(found);
    @Nullable ClientLatency[] row = index < 0 ? misses : answers;
    int slot = index < 0 ? prefix : index;
    ClientLatency known = row[slot];
    if (known != null && known.prefixLength() == prefix) {
      return known;
    }
    ClientLatency made = ClientLatency.of(index < 0 ? ImmutableMap.of() : trie.value(index), prefix);
    row[slot] = made;
    return made;
  }

  @Override
  public String toString() {
    return "CsvLatencyTable{" + trie.size() + " networks}";
  }

  private static CsvLatencyTable fromCsv(CsvTable table) {
    Map<Cidr, Map<String, Double>> rows = new LinkedHashMap<>();
    for (CsvTable.Row row : table.rows()) {
      if (row.fields().size() != 3) {
        table.problem(row.line(), "expected 3 fields (network,region,milliseconds) but found " + row.fields().size());
        continue;
      }
      try {
        Cidr network = Cidr.parse(row.field(0));
        String region = region(row.field(1));
        double ms = millis(row.field(2));
        Map<String, Double> regions = rows.computeIfAbsent(network, n -> new LinkedHashMap<>());
        checkArgument(!regions.containsKey(region), "network %s has region %s more than once", network, region);
        regions.put(region, ms);
      } catch (IllegalArgumentException e) {
        table.problem(row.line(), IoMessages.message(e));
      }
    }
    table.throwIfProblems();
    PrefixTrie.Builder<ImmutableMap<String, Double>> trie = PrefixTrie.builder();
    rows.forEach((network, regions) -> trie.put(network, ImmutableMap.copyOf(regions)));
    return new CsvLatencyTable(trie.build());
  }

  private static String region(String text) {
    String region = RegionCodes.plain(text);
    checkArgument(REGION.matcher(region).matches(),
        "'%s' is not a region or local zone code (like us-east-1 or us-east-1-bos-1a)", text);
    return region;
  }

  private static double millis(String text) {
    checkArgument(NUMBER.matcher(text).matches(), "milliseconds must be a number, not negative, but was '%s'", text);
    double ms = Double.parseDouble(text);
    checkArgument(Double.isFinite(ms), "milliseconds must be finite but was '%s'", text);
    return ms;
  }
}
