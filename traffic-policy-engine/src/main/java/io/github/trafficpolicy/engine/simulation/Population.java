package io.github.trafficpolicy.engine.simulation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.input.InvalidTableException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the queries come from: shares per client network and per country, for weighting a {@link Simulation}.
 *
 * <p>The CSV form, one entry per line ({@code #} starts a comment line, blank lines are ignored, the header line
 * {@code key,share} is optional):
 *
 * <pre>
 * key,share
 * US,40
 * DE,10
 * 192.0.2.0/24,5
 * 2001:db8::/32,1.5
 * </pre>
 *
 * <p>A key is a network ({@code address/prefix}, no bits set past the prefix) or a country (ISO 3166-1 alpha-2);
 * a share is a finite number, not negative, in any unit (shares are normalised over what the simulation covers).
 * A network entry's share is spread evenly over its addresses; where network entries nest, the most specific one
 * counts for the addresses it covers. A country entry's share goes to the database networks of that country that no
 * network entry covers, spread as with no population file (per address, within each address family). Addresses in
 * no entry get no weight.
 */
public final class Population {
  private final ImmutableMap<String, Double> countries;
  private final List<Network> networks;
  private final Node v4;
  private final Node v6;

  /** A network entry. */
  @SuppressWarnings("ArrayRecordComponent") // never compared: a network read from the file
  record Network(byte[] address, int prefixLength, double share) {}

  private Population(Map<String, Double> countries, List<Network> networks) {
    this.countries = ImmutableMap.copyOf(countries);
    this.networks = List.copyOf(networks);
    this.v4 = new Node();
    this.v6 = new Node();
    for (int i = 0; i < networks.size(); i++) {
      Network n = networks.get(i);
      Node node = n.address.length == 4 ? v4 : v6;
      for (int d = 0; d < n.prefixLength; d++) {
        int bit = (n.address[d >> 3] >>> (7 - (d & 7))) & 1;
        if (node.child[bit] == null) {
          node.child[bit] = new Node();
        }
        node = node.child[bit];
      }
      node.entry = i;
    }
  }

  /**
   * Reads a population file.
   *
   * @throws InvalidTableException listing every bad line
   * @throws IOException when the file cannot be read
   */
  public static Population load(Path path) throws IOException {
    return parse(path.toString(), Files.readString(path, StandardCharsets.UTF_8));
  }

  /**
   * Parses population CSV text; {@code source} names it in messages.
   *
   * @throws InvalidTableException listing every bad line
   */
  public static Population parse(String source, String csv) {
    checkNotNull(csv, "csv");
    Map<String, Double> countries = new LinkedHashMap<>();
    List<Network> networks = new ArrayList<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    List<InvalidTableException.LineProblem> problems = new ArrayList<>();
    String[] lines = csv.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int line = i + 1;
      String text = lines[i].strip();
      if (text.isEmpty() || text.startsWith("#") || (line == firstDataLine(lines) && text.startsWith("key"))) {
        continue;
      }
      String[] f = text.split(",", -1);
      if (f.length != 2) {
        problems.add(new InvalidTableException.LineProblem(line,
            "expected 2 fields (key,share) but found " + f.length));
        continue;
      }
      String key = f[0].strip();
      double share;
      try {
        share = Double.parseDouble(f[1].strip());
        checkArgument(Double.isFinite(share) && share >= 0, "share must be a finite number, not negative, but was %s",
            f[1].strip());
        if (key.matches("[A-Za-z]{2}")) {
          key = key.toUpperCase(Locale.ROOT);
          countries.put(key, share);
        } else {
          Network n = network(key, share);
          key = InetAddresses.toAddrString(InetAddress.getByAddress(n.address)) + "/" + n.prefixLength;
          networks.add(n);
        }
      } catch (IllegalArgumentException | IOException e) {
        problems.add(new InvalidTableException.LineProblem(line, IoMessages.message(e)));
        continue;
      }
      Integer before = seen.putIfAbsent(key, line);
      if (before != null) {
        problems.add(new InvalidTableException.LineProblem(line, key + " is listed more than once (first on line "
            + before + ")"));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidTableException(source, problems);
    }
    return new Population(countries, networks);
  }

  private static int firstDataLine(String[] lines) {
    for (int i = 0; i < lines.length; i++) {
      String t = lines[i].strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        return i + 1;
      }
    }
    return -1;
  }

  private static Network network(String key, double share) {
    checkArgument(key.contains("/") || InetAddresses.isInetAddress(key),
        "'%s' is neither a country (two letters) nor a network (address/prefix)", key);
    ClientSubnet subnet = ClientSubnet.parse(key);
    String ip = key.contains("/") ? key.substring(0, key.indexOf('/')) : key;
    checkArgument(subnet.address().equals(InetAddresses.forString(ip)),
        "'%s' has bits set past the prefix length; the network is %s", key, subnet);
    return new Network(subnet.address().getAddress(), subnet.prefixLength(), share);
  }

  /** The share of each country entry. */
  public ImmutableMap<String, Double> countries() {
    return countries;
  }

  /** The number of network entries. */
  public int networkCount() {
    return networks.size();
  }

  /** Whether there are network entries (so networks must be matched against them). */
  boolean hasNetworks() {
    return !networks.isEmpty();
  }

  /** The share of network entry {@code index} over the addresses of the entry. */
  double sharePerAddress(int index) {
    Network n = networks.get(index);
    return n.share / Math.pow(2, n.address.length * 8 - n.prefixLength);
  }

  /** Sum of every entry's share. */
  double totalShare() {
    double t = 0;
    for (double s : countries.values()) {
      t += s;
    }
    for (Network n : networks) {
      t += n.share;
    }
    return t;
  }

  /**
   * The network entry that counts for every address of {@code address/prefix} ({@code -1}: none), or
   * {@link #SPLIT} when entries lie strictly inside the block (it must be split to be weighed).
   */
  int entryFor(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    Node node = address instanceof Inet4Address ? v4 : v6;
    int best = -1;
    for (int d = 0; ; d++) {
      if (node.entry >= 0) {
        best = node.entry;
      }
      if (d == prefix) {
        return node.child[0] != null || node.child[1] != null ? SPLIT : best;
      }
      int bit = (b[d >> 3] >>> (7 - (d & 7))) & 1;
      node = node.child[bit];
      if (node == null) {
        return best;
      }
    }
  }

  static final int SPLIT = -2;

  /**
   * The shortest prefix of {@code address} whose block holds no network entry strictly inside it (over which
   * {@link #entryFor} does not say {@link #SPLIT}).
   */
  int holdsFor(InetAddress address) {
    byte[] b = address.getAddress();
    Node node = address instanceof Inet4Address ? v4 : v6;
    int bits = b.length * 8;
    for (int d = 0; d < bits; d++) {
      if (node.child[0] == null && node.child[1] == null) {
        return d;
      }
      node = node.child[(b[d >> 3] >>> (7 - (d & 7))) & 1];
      if (node == null) {
        return d + 1;
      }
    }
    return bits;
  }

  private static final class Node {
    final Node[] child = new Node[2];
    int entry = -1;
  }
}
