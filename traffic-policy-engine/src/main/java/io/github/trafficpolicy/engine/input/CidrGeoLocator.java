package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.GeoLookup;
import io.github.trafficpolicy.engine.internal.AddressLocator;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Client locations from a table of networks: for overrides in front of a GeoIP database, and for small setups that
 * need no database. Longest-prefix match over IPv4 and IPv6 networks; an IPv4-mapped IPv6 address
 * ({@code ::ffff:a.b.c.d}) is looked up among the IPv4 rows. Immutable and thread-safe.
 *
 * <p>The CSV form, one network per line:
 *
 * <pre>
 * # network,continent,country,subdivision,latitude,longitude
 * network,continent,country,subdivision,latitude,longitude
 * 192.0.2.0/24,NA,US,WA,47.61,-122.33
 * 198.51.100.0/25,EU,DE,,52.52,13.40
 * 2001:db8::/32,AS,,,,
 * 203.0.113.7,,,,-33.87,151.21
 * </pre>
 *
 * <p>The header line is optional (recognised by its first field {@code network}); {@code #} starts a comment line;
 * blank lines are ignored; trailing empty fields may be left out. Empty fields are unknown parts. A network is
 * {@code address/prefix} with no bits set past the prefix (a bare address is a /32 or /128); continent is one of
 * {@code AF AN AS EU NA OC SA}; country two letters (ISO 3166-1); subdivision one to three letters or digits (the
 * ISO 3166-2 part after the hyphen, e.g. {@code WA}) and only with a country; latitude and longitude both or
 * neither, in degrees. Each network at most once. Every bad line is reported, with its number, in one
 * {@link InvalidTableException}.
 *
 * <p>{@link #locate} reports the matched row's location and the prefix length over which that answer holds: the
 * row's prefix, or longer when more specific rows lie inside it. An address in no row is
 * {@link ClientLocation#UNKNOWN}, with the prefix of the largest block around it that holds no row.
 */
public final class CidrGeoLocator implements GeoLocator, AddressLocator {
  private static final String HEADER = "network";

  private final PrefixTrie<ClientLocation> trie;
  /** The rows' networks, by trie value index. */
  private final ImmutableList<Cidr> networks;

  private CidrGeoLocator(PrefixTrie<ClientLocation> trie, List<Cidr> networks) {
    this.trie = trie;
    this.networks = ImmutableList.copyOf(networks);
  }

  /**
   * Reads the CSV file at {@code path} (UTF-8).
   *
   * @throws InvalidTableException listing every bad line
   * @throws IOException when the file cannot be read
   */
  public static CidrGeoLocator load(Path path) throws IOException {
    return fromCsv(CsvTable.read(path, HEADER));
  }

  /**
   * Reads CSV text from {@code reader}; {@code source} names it in messages.
   *
   * @throws InvalidTableException listing every bad line
   * @throws IOException when the reader fails
   */
  public static CidrGeoLocator read(String source, Reader reader) throws IOException {
    return fromCsv(CsvTable.read(source, reader, HEADER));
  }

  /**
   * Parses CSV text.
   *
   * @throws InvalidTableException listing every bad line
   */
  public static CidrGeoLocator parse(String csv) {
    return fromCsv(CsvTable.parse("<text>", csv, HEADER));
  }

  /** A builder for a table assembled in code. */
  public static Builder builder() {
    return new Builder();
  }

  /** The number of networks in the table. */
  public int size() {
    return trie.size();
  }

  @Override
  public GeoLookup locate(InetAddress address) {
    checkNotNull(address, "address");
    long r = trie.find(address);
    int index = PrefixTrie.index(r);
    return new GeoLookup(index < 0 ? ClientLocation.UNKNOWN : trie.value(index), PrefixTrie.prefix(r));
  }

  @Override
  public ClientLocation locate(byte[] address, int[] prefix) {
    long r = trie.find(address);
    int index = PrefixTrie.index(r);
    prefix[0] = PrefixTrie.prefix(r);
    return index < 0 ? ClientLocation.UNKNOWN : trie.value(index);
  }

  /**
   * Visits the addresses of the table as disjoint networks, each with the location {@link #locate} gives every
   * address in it: a row's network, or, where more specific rows lie inside a row, the largest blocks of the row
   * outside them (so no address is visited twice), in row order.
   */
  public void forEachNetwork(NetworkVisitor visitor) {
    checkNotNull(visitor, "visitor");
    for (int i = 0; i < networks.size(); i++) {
      Cidr row = networks.get(i);
      byte[] bytes = row.address().getAddress();
      visitRow(i, bytes, row.prefixLength(), visitor);
    }
  }

  /** Visits the part of the block {@code bytes/prefix} that row {@code row} answers for, splitting where needed. */
  private void visitRow(int row, byte[] bytes, int prefix, NetworkVisitor visitor) {
    InetAddress address = address(bytes);
    long r = trie.find(address);
    if (PrefixTrie.prefix(r) <= prefix) {
      if (PrefixTrie.index(r) == row) {
        visitor.network(address, prefix, trie.value(row));
      }
      return;
    }
    visitRow(row, bytes.clone(), prefix + 1, visitor);
    byte[] upper = bytes.clone();
    upper[prefix >> 3] |= (byte) (0x80 >>> (prefix & 7));
    visitRow(row, upper, prefix + 1, visitor);
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public String toString() {
    return "CidrGeoLocator{" + trie.size() + " networks}";
  }

  private static CidrGeoLocator fromCsv(CsvTable table) {
    PrefixTrie.Builder<ClientLocation> trie = PrefixTrie.builder();
    List<Cidr> networks = new ArrayList<>();
    for (CsvTable.Row row : table.rows()) {
      if (row.fields().size() > 6) {
        table.problem(row.line(), "expected at most 6 fields (network,continent,country,subdivision,latitude,"
            + "longitude) but found " + row.fields().size());
        continue;
      }
      Cidr network;
      ClientLocation location;
      try {
        network = Cidr.parse(row.field(0));
        location = ClientLocation.ofCodes(emptyToNull(row.field(1)), emptyToNull(row.field(2)),
            emptyToNull(row.field(3)), coordinates(row.field(4), row.field(5)));
      } catch (IllegalArgumentException e) {
        table.problem(row.line(), IoMessages.message(e));
        continue;
      }
      if (trie.put(network, location)) {
        networks.add(network);
      } else {
        table.problem(row.line(), "network " + network + " is listed more than once");
      }
    }
    table.throwIfProblems();
    return new CidrGeoLocator(trie.build(), networks);
  }

  /** Parses an optional latitude/longitude pair (both empty = no coordinates). */
  static @Nullable Coordinates coordinates(String latitude, String longitude) {
    if (latitude.isEmpty() && longitude.isEmpty()) {
      return null;
    }
    checkArgument(!latitude.isEmpty() && !longitude.isEmpty(),
        "latitude and longitude go together but only one was given");
    return new Coordinates(degrees(latitude, "latitude"), degrees(longitude, "longitude"));
  }

  private static double degrees(String text, String what) {
    checkArgument(text.matches("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)"), "%s must be a number of degrees but was '%s'",
        what, text);
    return Double.parseDouble(text);
  }

  private static @Nullable String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  /** Builds a {@link CidrGeoLocator}. */
  public static final class Builder {
    private final PrefixTrie.Builder<ClientLocation> trie = PrefixTrie.builder();
    private final List<Cidr> networks = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a network ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or a bare address) with its location.
     *
     * @throws IllegalArgumentException when the network is malformed or already added
     */
    public Builder add(String network, ClientLocation location) {
      checkNotNull(location, "location");
      Cidr cidr = Cidr.parse(checkNotNull(network, "network"));
      checkArgument(trie.put(cidr, location), "network %s is added more than once", cidr);
      networks.add(cidr);
      return this;
    }

    public CidrGeoLocator build() {
      return new CidrGeoLocator(trie.build(), networks);
    }
  }
}
