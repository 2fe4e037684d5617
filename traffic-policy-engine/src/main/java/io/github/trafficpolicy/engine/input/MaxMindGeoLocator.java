package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.maxmind.db.Metadata;
import com.maxmind.db.Network;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseProvider;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;
import com.maxmind.geoip2.record.Location;
import com.maxmind.geoip2.record.Subdivision;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.GeoLookup;
import io.github.trafficpolicy.engine.internal.AddressLocator;
import io.github.trafficpolicy.engine.internal.Addresses;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Client locations from a MaxMind GeoIP2 or GeoLite2 <em>City</em> or <em>Country</em> database (also other
 * databases of the same layout, e.g. DB-IP's City and Country Lite). The kind is detected from the database
 * metadata. IPv4 and IPv6 addresses are supported, including IPv4 addresses in IPv6 databases and IPv4-mapped IPv6
 * addresses.
 *
 * <pre>{@code
 * try (MaxMindGeoLocator geo = MaxMindGeoLocator.open(Path.of("GeoLite2-City.mmdb"))) {
 *   GeoLookup lookup = geo.locate(InetAddresses.forString("192.0.2.1"));
 * }
 * }</pre>
 *
 * <p>What a lookup reports:
 *
 * <ul>
 *   <li>continent: the record's {@code continent.code}; country: {@code country.iso_code} (where the address is,
 *       not where its network is registered: {@code registered_country} is not used);
 *   <li>subdivision (City only): the {@code iso_code} of the <em>first</em> entry of {@code subdivisions}, which
 *       MaxMind orders largest first, so the first-level subdivision (a US state, e.g. {@code WA}; in the United
 *       Kingdom the country, e.g. {@code ENG}, rather than the county) — the level Route 53 geolocation matches; it
 *       is reported only together with a country;
 *   <li>coordinates (City only): {@code location.latitude}/{@code longitude};
 *   <li>the prefix length of the database network the address falls in, in the address's own family: an IPv4
 *       address in an IPv6 database reports e.g. {@code 24}, not {@code 120}; an IPv4-mapped IPv6 address
 *       ({@code ::ffff:192.0.2.1} as an {@link java.net.Inet6Address}) reports the IPv6 prefix, e.g. {@code 120}.
 * </ul>
 *
 * <p>A code that is malformed in the database is left out rather than passed on. An address the database does not
 * cover is {@link ClientLocation#UNKNOWN}; a locator {@linkplain #open opened} from a file reports the prefix of the
 * gap it fell in (e.g. {@code 0} for any IPv6 address in an IPv4-only database, as far as IPv4-mapped addresses
 * allow); one {@linkplain #using(DatabaseProvider, Edition) using a GeoIP2 provider} cannot see the gap and
 * reports the full address length (32 or 128).
 *
 * <p>Lookups never throw: an I/O error, a corrupt database region or a closed database gives
 * {@link ClientLocation#UNKNOWN} with the full address length as its prefix (so nothing is claimed for a wider
 * network) and is counted in {@link #failedLookups()}. Thread-safe; a locator {@linkplain #open opened} from a file
 * memory-maps it and must be {@linkplain #close closed} when no longer needed.
 */
public final class MaxMindGeoLocator implements GeoLocator, AddressLocator, Closeable {
  /** The largest location table a locator {@linkplain #open(Path) opened} with the default sizes makes. */
  private static final int MAX_DEFAULT_LOCATIONS = 1 << 22;
  /** The shared parts of {@link #part}. */
  private static final ConcurrentHashMap<String, Optional<String>> CODE_PARTS = new ConcurrentHashMap<>();

  private final Source source;
  private final Edition edition;
  private final String description;
  private final LongAdder failures = new LongAdder();

  private MaxMindGeoLocator(Source source, Edition edition, String description) {
    this.source = source;
    this.edition = edition;
    this.description = description;
  }

  /** The kinds of database a locator reads. */
  public enum Edition {
    /** City databases: continent, country, subdivisions and coordinates. */
    CITY,
    /** Country databases: continent and country. */
    COUNTRY;

    /**
     * The edition of a database from its metadata type ({@code GeoIP2-City}, {@code GeoLite2-Country},
     * {@code GeoIP2-Enterprise}, {@code DBIP-City-Lite} …); empty for a database of another kind (ASN, ISP …).
     */
    public static Optional<Edition> ofDatabaseType(String databaseType) {
      checkNotNull(databaseType, "databaseType");
      if (databaseType.contains("City") || databaseType.contains("Enterprise")) {
        return Optional.of(CITY);
      }
      if (databaseType.contains("Country")) {
        return Optional.of(COUNTRY);
      }
      return Optional.empty();
    }
  }

  /**
   * Opens (memory-maps) the database at {@code path}. The locator reads only the fields it needs and reports the
   * prefix of gaps for unknown addresses.
   *
   * @throws IOException when the file cannot be read or is not a MaxMind DB file
   * @throws IllegalArgumentException when it is a MaxMind DB of another kind than City or Country
   */
  public static MaxMindGeoLocator open(Path path) throws IOException {
    return openSized(path, -1);
  }

  /**
   * Opens (memory-maps) the database at {@code path}, keeping the locations of up to about
   * {@code locationCacheSize} data records.
   *
   * <p>A lookup walks the database's search tree itself (no decoding) to the data record the address falls in; the
   * {@link ClientLocation} of a record is decoded once and kept in a lock-free table keyed by the record's position
   * in the data section, so a record seen before costs only the tree walk and allocates nothing. The table has
   * room for {@code locationCacheSize} records: it is filled to three quarters of its slots at most (4/3 of that
   * size, rounded up to a power of two), and no record is evicted before then; a record that finds it full takes its
   * first slot (one entry evicted, never the whole table). A slot costs 8 bytes, and each distinct location (a city)
   * is kept once, about 100 bytes. {@link #open(Path)} sizes the table from the database: a sixth of its search
   * tree's node count (at least 1,024, at most 2^22), which holds every data record of GeoLite2 City and Country
   * databases (GeoLite2-City of 2019: 3.7 million nodes, 540,000 records: 1,048,576 slots, 8 MB); the size does not
   * depend on the clients. {@code 0} disables the table (every lookup decodes).
   *
   * @throws IOException when the file cannot be read or is not a MaxMind DB file
   * @throws IllegalArgumentException when it is a MaxMind DB of another kind than City or Country, or when
   *     {@code locationCacheSize} is negative or above 2^26
   */
  public static MaxMindGeoLocator open(Path path, int locationCacheSize) throws IOException {
    checkArgument(locationCacheSize >= 0, "locationCacheSize must be in [0, 2^26], was %s", locationCacheSize);
    return openSized(path, locationCacheSize);
  }

  /** {@link #open(Path, int)}; a negative size: from the database. */
  private static MaxMindGeoLocator openSized(Path path, int locationCacheSize) throws IOException {
    checkNotNull(path, "path");
    checkArgument(locationCacheSize <= 1 << 26, "locationCacheSize must be in [0, 2^26], was %s", locationCacheSize);
    // MaxMind's reader only for the metadata (it checks the file is a MaxMind DB); lookups read the file themselves.
    Metadata metadata;
    try (Reader reader = new Reader(path.toFile())) {
      metadata = reader.getMetadata();
    }
    String type = metadata.databaseType();
    Optional<Edition> edition = Edition.ofDatabaseType(type);
    if (edition.isEmpty()) {
      throw new IllegalArgumentException(
          path + ": database type '" + type + "' is neither a City nor a Country database");
    }
    FileSource source;
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      Mapping mapping = new Mapping(channel, path, metadata);
      int size = locationCacheSize >= 0 ? locationCacheSize
          : (int) Math.min(MAX_DEFAULT_LOCATIONS, Math.max(1024, mapping.nodeCount() / 6));
      source = new FileSource(mapping, size);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return new MaxMindGeoLocator(source, edition.get(),
        type + " (" + path.getFileName() + ", IPv" + metadata.ipVersion() + ")");
  }

  /**
   * A locator over a GeoIP2 {@link DatabaseReader} the caller built (and closes): the edition is detected from its
   * metadata. Unknown addresses report the full address length.
   *
   * @throws IllegalArgumentException when it reads a database of another kind than City or Country
   */
  public static MaxMindGeoLocator using(DatabaseReader reader) {
    checkNotNull(reader, "reader");
    String type = reader.metadata().databaseType();
    Optional<Edition> edition = Edition.ofDatabaseType(type);
    checkArgument(edition.isPresent(), "database type '%s' is neither a City nor a Country database", type);
    return new MaxMindGeoLocator(new ProviderSource(reader, edition.get()), edition.get(), type + " (DatabaseReader)");
  }

  /**
   * A locator over any GeoIP2 {@link DatabaseProvider} (e.g. a stub in tests) holding a database of
   * {@code edition}: City uses {@code tryCity}, Country {@code tryCountry}. Unknown addresses report the full
   * address length.
   */
  public static MaxMindGeoLocator using(DatabaseProvider provider, Edition edition) {
    checkNotNull(provider, "provider");
    checkNotNull(edition, "edition");
    return new MaxMindGeoLocator(new ProviderSource(provider, edition), edition, edition + " (" + provider + ")");
  }

  /** The kind of database this locator reads. */
  public Edition edition() {
    return edition;
  }

  /** Lookups that failed (I/O error, corrupt region, closed database) and answered unknown, since creation. */
  public long failedLookups() {
    return failures.sum();
  }

  @Override
  public GeoLookup locate(InetAddress address) {
    checkNotNull(address, "address");
    try {
      return source.locate(address);
    } catch (IOException | GeoIp2Exception | RuntimeException e) {
      failures.increment();
      return new GeoLookup(ClientLocation.UNKNOWN, bits(address));
    }
  }

  @Override
  public ClientLocation locate(byte[] address, int[] prefix) {
    try {
      return source.locate(address, prefix);
    } catch (IOException | GeoIp2Exception | RuntimeException e) {
      failures.increment();
      prefix[0] = address.length * 8;
      return ClientLocation.UNKNOWN;
    }
  }

  /**
   * Reads the location of every data record of the database into the location table now (a second or two for a
   * GeoLite2 City database, allocating about 20 MB; the table and its locations then hold about 25 MB), so that
   * lookups never read the data section and allocate nothing, even for clients never seen before: what a server
   * wants before it takes queries. Records already read are skipped. The file is read through mappings of its own,
   * released when they are garbage-collected (a server runs a collection before its first query): the pages this
   * reads then no longer count in the process's resident memory. Returns the number of records the table holds.
   * Does nothing for a locator {@linkplain #using(DatabaseReader) using} a GeoIP2 reader or provider, or one opened
   * with a table of size 0.
   *
   * @throws IOException when the database cannot be read (the table keeps what was read)
   */
  public int preload() throws IOException {
    return source instanceof FileSource file ? file.preload() : 0;
  }

  /**
   * Visits every network of the database that holds data, each exactly once, with its location: the IPv4 networks
   * (as {@link java.net.Inet4Address}es, also in an IPv6 database), then the IPv6 ones; the aliases of the IPv4
   * space inside an IPv6 database ({@code ::ffff:0:0/96}, 6to4, Teredo) are not visited again. Locations are
   * decoded once per data record (in parallel) and equal locations are passed as one instance.
   *
   * @throws IllegalStateException for a locator {@linkplain #using(DatabaseReader) using} a GeoIP2 reader or
   *     provider, whose networks cannot be listed
   * @throws IOException when the database cannot be read
   */
  public void forEachNetwork(NetworkVisitor visitor) throws IOException {
    checkNotNull(visitor, "visitor");
    if (!(source instanceof FileSource file)) {
      throw new IllegalStateException("the networks of " + description + " cannot be listed; open the file");
    }
    file.forEachNetwork(visitor);
  }

  /**
   * Closes the database file of a locator {@linkplain #open opened} from a path; later lookups answer unknown (and
   * count as failed). Does nothing for a locator {@linkplain #using(DatabaseReader) using} a caller's reader.
   */
  @Override
  public void close() throws IOException {
    source.close();
  }

  /** The database type and where it comes from. */
  @Override
  public String toString() {
    return "MaxMindGeoLocator{" + description + "}";
  }

  private static int bits(InetAddress address) {
    return address instanceof Inet4Address ? 32 : 128;
  }

  /**
   * A location from raw database fields ({@code null}, or NaN for a coordinate, when absent), dropping malformed
   * codes and coordinates; the subdivision only with a country.
   */
  static ClientLocation location(@Nullable String continent, @Nullable String country, @Nullable String subdivision,
                                 double latitude, double longitude) {
    Optional<String> cc = countryPart(country);
    boolean at = hasCoordinates(latitude, longitude);
    return ofParts(continentPart(continent), cc, subdivisionPart(cc, subdivision), at, latitude, longitude);
  }

  /**
   * The location of parts already checked ({@link #continentPart}, {@link #countryPart}, {@link #subdivisionPart},
   * {@link #hasCoordinates}: the coordinates count only when {@code at}); {@link ClientLocation#UNKNOWN} when there
   * is no continent, country or coordinates.
   */
  static ClientLocation ofParts(Optional<String> ct, Optional<String> cc, Optional<String> sd, boolean at,
                                double latitude, double longitude) {
    if (ct.isEmpty() && cc.isEmpty() && !at) {
      return ClientLocation.UNKNOWN;
    }
    return new ClientLocation(ct, cc, sd,
        at ? Optional.of(new Coordinates(latitude, longitude)) : Optional.empty());
  }

  /** The continent part of a location: the shared {@code Optional} of a valid code, else empty. */
  static Optional<String> continentPart(@Nullable String continent) {
    return continent != null && ClientLocation.CONTINENTS.contains(continent) ? part(continent) : Optional.empty();
  }

  static Optional<String> countryPart(@Nullable String country) {
    return country != null && isCode(country, 2, 2, false) ? part(country) : Optional.empty();
  }

  /** The subdivision part: only together with a country. */
  static Optional<String> subdivisionPart(Optional<String> country, @Nullable String subdivision) {
    return country.isPresent() && subdivision != null && isCode(subdivision, 1, 3, true) ? part(subdivision)
        : Optional.empty();
  }

  /** Whether both coordinates are there (not NaN) and in range. */
  static boolean hasCoordinates(double latitude, double longitude) {
    return Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
  }

  /**
   * One {@code Optional} (and so one string) per code, shared by every location that has it: a database of 150,000
   * locations would otherwise keep 450,000 of them (7 MB). Bounded by the codes' form (one to three letters or
   * digits).
   */
  private static Optional<String> part(String code) {
    return CODE_PARTS.computeIfAbsent(code, Optional::of);
  }

  /** True for {@code min} to {@code max} characters, each an upper-case ASCII letter or, if allowed, a digit. */
  private static boolean isCode(String s, int min, int max, boolean digits) {
    if (s.length() < min || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'A' && c <= 'Z') && !(digits && c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  /** Where lookups go. */
  private interface Source {
    GeoLookup locate(InetAddress address) throws IOException, GeoIp2Exception;

    /** {@link AddressLocator#locate}, but may throw. */
    default ClientLocation locate(byte[] address, int[] prefix) throws IOException, GeoIp2Exception {
      GeoLookup lookup = locate(Addresses.inetAddress(address));
      prefix[0] = lookup.prefixLength();
      return lookup.location();
    }

    void close() throws IOException;
  }

  /**
   * The database file, open: its search tree and data section can be mapped more than once, always from the same
   * file (even when its path is replaced meanwhile). Each mapping's resident pages are its own and are given back
   * when it is collected.
   */
  private static final class Mapping {
    private final FileChannel channel;
    private final Path path;
    private final Metadata metadata;
    private final long treeBytes;
    private final long metadataStart;

    Mapping(FileChannel channel, Path path, Metadata metadata) throws IOException {
      this.channel = channel;
      this.path = path;
      this.metadata = metadata;
      this.treeBytes = metadata.nodeCount() * (long) (metadata.recordSize() / 4);
      this.metadataStart = MmdbData.metadataStart(channel, path);
    }

    long nodeCount() {
      return metadata.nodeCount();
    }

    MmdbTree tree() throws IOException {
      return MmdbTree.map(channel, path, metadata);
    }

    /** The tree for a walk over every network only (no jump tables). */
    MmdbTree walkTree() throws IOException {
      return MmdbTree.mapForWalk(channel, path, metadata);
    }

    MmdbData data() throws IOException {
      return MmdbData.map(channel, path, metadata.nodeCount(), treeBytes, metadataStart);
    }

    void close() throws IOException {
      channel.close();
    }
  }

  /**
   * A database file: the search tree walked by {@link MmdbTree}, data records read by {@link MmdbData} once and
   * their locations kept in a {@link LocationTable}.
   */
  private static final class FileSource implements Source {
    private final Mapping mapping;
    private final MmdbTree tree;
    private final MmdbData data;
    private final @Nullable LocationTable table;
    private final boolean ipv4Only;
    private volatile boolean closed;

    FileSource(Mapping mapping, int cacheSize) throws IOException {
      this.mapping = mapping;
      this.tree = mapping.tree();
      this.data = mapping.data();
      this.table = cacheSize == 0 ? null : new LocationTable(cacheSize, mapping.nodeCount());
      this.ipv4Only = mapping.metadata.ipVersion() == 4;
    }

    @Override
    public GeoLookup locate(InetAddress address) throws IOException {
      int[] prefix = new int[1];
      ClientLocation location = locate(address.getAddress(), prefix);
      return new GeoLookup(location, prefix[0]);
    }

    @Override
    public ClientLocation locate(byte[] address, int[] prefix) throws IOException {
      int offset = 0;
      int length = address.length;
      int extra = 0;
      if (ipv4Only && length == 16) {
        // An IPv4 database knows IPv6 addresses only as IPv4-mapped ones; any other lies in a gap.
        if (!Addresses.isMappedIpv4(address)) {
          prefix[0] = Addresses.gapOutsideMapped(address);
          return ClientLocation.UNKNOWN;
        }
        offset = 12;
        length = 4;
        extra = 96;
      }
      if (closed) {
        throw new IOException("the database is closed");
      }
      long found = tree.find(address, offset, length);
      // The walk counts bits from where the address's own family starts in the tree (the IPv4 subtree for an
      // IPv4 address), so the prefix is already in the address's family.
      int walked = MmdbTree.prefixLength(found);
      prefix[0] = extra + walked;
      long record = MmdbTree.record(found);
      if (tree.isEmpty(record)) {
        return ClientLocation.UNKNOWN;
      }
      ClientLocation location = table == null ? null : table.get(record);
      if (location == null) {
        MmdbData.Fields fields = new MmdbData.Fields();
        data.read(record, fields);
        location = table == null ? fields.location() : table.put(record, fields);
      }
      return location;
    }

    int preload() throws IOException {
      if (table == null) {
        return 0;
      }
      if (closed) {
        throw new IOException("the database is closed");
      }
      // The walk reads the whole tree and every record, through mappings of its own: the pages it makes resident
      // (the whole file: 62 MB for GeoLite2 City) go when these are collected, rather than staying counted in the
      // mappings lookups use, which then hold only the tree pages that lookups touch. One Fields for every record,
      // and locations interned by their fields: reading allocates only the table's entries and the distinct
      // locations.
      MmdbTree walkTree = mapping.walkTree();
      MmdbData walkData = mapping.data();
      MmdbData.Fields fields = new MmdbData.Fields();
      long[] last = {-1};
      walkTree.forEachNetwork((bytes, prefix, record) -> {
        // Neighbouring networks often share a record: skip the table look-up for a repeat.
        if (record != last[0] && table.get(record) == null) {
          walkData.read(record, fields);
          table.put(record, fields);
        }
        last[0] = record;
      });
      return table.size();
    }

    /**
     * Two walks of the tree: the first finds each distinct data record and one network of it, the records are then
     * decoded in parallel (the data section is read-only) and equal locations made one instance, the second walk
     * visits.
     * Like {@link #preload}, through mappings of its own.
     */
    void forEachNetwork(NetworkVisitor visitor) throws IOException {
      if (closed) {
        throw new IOException("the database is closed");
      }
      MmdbTree tree = mapping.walkTree();
      MmdbData data = mapping.data();
      Map<Long, Integer> index = new HashMap<>();
      List<Long> records = new ArrayList<>();
      tree.forEachNetwork((bytes, prefix, record) -> {
        if (index.putIfAbsent(record, records.size()) == null) {
          records.add(record);
        }
      });
      ClientLocation[] locations = new ClientLocation[records.size()];
      try {
        IntStream.range(0, locations.length).parallel().forEach(i -> {
          try {
            locations[i] = data.location(records.get(i));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      Map<ClientLocation, ClientLocation> interned = new HashMap<>();
      for (int i = 0; i < locations.length; i++) {
        locations[i] = interned.computeIfAbsent(locations[i], l -> l);
      }
      tree.forEachNetwork((bytes, prefix, record) ->
          visitor.network(InetAddress.getByAddress(bytes), prefix, locations[checkNotNull(index.get(record))]));
    }

    @Override
    public void close() throws IOException {
      closed = true;
      mapping.close();
    }
  }

  /**
   * Locations by data record, sized from the database rather than from the clients: an open-addressing table of
   * {@code long}s, each a record's position in the data section (the key) and the index of its location in a
   * {@link LocationInterner} (so equal locations are one instance, and a policy evaluation, which derives what it
   * needs from a location once per instance, reuses its work across the records of one city). Linear probing, one
   * slot per probe with no object to follow, up to an empty slot; slots are never emptied, and at most three quarters
   * are filled (so probes stay short): a record that finds the table that full takes its first slot, evicting one
   * entry (never the whole table), and no record is evicted before then. Reads and writes race benignly: a slot is
   * written whole (a release store, after the location it names is published) and read whole (an acquire load), so a
   * reader sees a complete entry (which it checks by key) or an empty slot, which ends the probe (a missed entry only
   * costs a decode).
   */
  private static final class LocationTable {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] slots;
    private final int mask;
    private final int shift;
    private final int limit;
    private final long nodeCount;
    private final LocationInterner interned = new LocationInterner();
    private final AtomicInteger filled = new AtomicInteger();

    LocationTable(int size, long nodeCount) {
      // At most 2^26 (checked by open): 4/3 of it rounds up to at most 2^27 slots.
      long wanted = Math.max(2, ((long) size * 4 + 2) / 3);
      int capacity = (int) Long.highestOneBit(wanted - 1) << 1;
      this.slots = new long[capacity];
      this.mask = capacity - 1;
      this.shift = 64 - Integer.numberOfTrailingZeros(capacity);
      this.limit = capacity - capacity / 4;
      this.nodeCount = nodeCount;
    }

    /**
     * The key of a data record: its position after the search tree, at least 16 (the section separator), so never
     * 0, the empty slot; under 2^31, as {@link MmdbData} maps data sections of at most that size.
     */
    private int key(long record) {
      return (int) (record - nodeCount);
    }

    private int home(int key) {
      return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }

    @Nullable ClientLocation get(long record) {
      int key = key(record);
      int at = home(key);
      for (int i = 0; i <= mask; i++) {
        long slot = (long) SLOT.getAcquire(slots, (at + i) & mask);
        if (slot == 0) {
          return null;
        }
        if ((int) (slot >>> 32) == key) {
          return interned.location((int) slot);
        }
      }
      return null;
    }

    /**
     * Keeps the location of {@code fields} for {@code record}; returns the instance kept (an equal one seen before,
     * if any).
     */
    ClientLocation put(long record, MmdbData.Fields fields) {
      // Bounded by the database: at most one instance per distinct location it holds.
      int index = interned.intern(fields);
      int key = key(record);
      long entry = (long) key << 32 | (index & 0xFFFFFFFFL);
      int at = home(key);
      int slot = at;
      for (int i = 0; i <= mask; i++) {
        int probe = (at + i) & mask;
        long held = (long) SLOT.getAcquire(slots, probe);
        if (held == 0) {
          if (filled.get() < limit) {
            filled.incrementAndGet();
            slot = probe;
          }
          break;
        }
        if ((int) (held >>> 32) == key) {
          slot = probe;
          break;
        }
      }
      SLOT.setRelease(slots, slot, entry);
      return interned.location(index);
    }

    int size() {
      return filled.get();
    }
  }

  /** A GeoIP2 provider: locations from its City or Country responses. */
  private static final class ProviderSource implements Source {
    private final DatabaseProvider provider;
    private final Edition edition;

    ProviderSource(DatabaseProvider provider, Edition edition) {
      this.provider = provider;
      this.edition = edition;
    }

    @Override
    public GeoLookup locate(InetAddress address) throws IOException, GeoIp2Exception {
      if (edition == Edition.CITY) {
        Optional<CityResponse> city = provider.tryCity(address);
        if (city.isEmpty()) {
          return new GeoLookup(ClientLocation.UNKNOWN, bits(address));
        }
        CityResponse r = city.get();
        List<Subdivision> subdivisions = r.subdivisions();
        Location at = r.location();
        Double latitude = at.latitude();
        Double longitude = at.longitude();
        return new GeoLookup(location(r.continent().code(), r.country().isoCode(),
            subdivisions.isEmpty() ? null : subdivisions.get(0).isoCode(),
            latitude == null ? Double.NaN : latitude, longitude == null ? Double.NaN : longitude),
            prefix(address, r.traits().network()));
      }
      Optional<CountryResponse> country = provider.tryCountry(address);
      if (country.isEmpty()) {
        return new GeoLookup(ClientLocation.UNKNOWN, bits(address));
      }
      CountryResponse r = country.get();
      return new GeoLookup(location(r.continent().code(), r.country().isoCode(), null, Double.NaN, Double.NaN),
          prefix(address, r.traits().network()));
    }

    /**
     * The prefix of the network GeoIP2 reports, in the address's family; the full length when it reports none. A
     * provider reporting an IPv4 lookup in IPv6 terms (e.g. {@code /120}) is brought back to IPv4 ({@code /24}).
     */
    private static int prefix(InetAddress address, Network network) {
      int bits = bits(address);
      if (network == null) {
        return bits;
      }
      int p = network.prefixLength();
      if (bits == 32 && p > 32) {
        p = p >= 96 ? p - 96 : 32;
      }
      return Math.max(0, Math.min(p, bits));
    }

    @Override
    public void close() {
      // The caller owns the provider.
    }

    @Override
    public String toString() {
      return provider.toString();
    }
  }
}
