package io.github.trafficpolicy.engine.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import com.maxmind.geoip2.DatabaseProvider;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;
import com.maxmind.geoip2.record.Continent;
import com.maxmind.geoip2.record.Country;
import com.maxmind.geoip2.record.Location;
import com.maxmind.geoip2.record.Subdivision;
import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.GeoLookup;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the locator for real on the small databases built by src/test/resources/geoip/make-test-mmdb.pl. */
final class MaxMindGeoLocatorTest {
  private static MaxMindGeoLocator city;
  private static MaxMindGeoLocator country;
  private static MaxMindGeoLocator cityIpv4Only;

  @BeforeAll
  static void open() throws IOException {
    city = MaxMindGeoLocator.open(database("city.mmdb"));
    country = MaxMindGeoLocator.open(database("country.mmdb"));
    cityIpv4Only = MaxMindGeoLocator.open(database("city-ipv4-only.mmdb"));
  }

  @AfterAll
  static void close() throws IOException {
    city.close();
    country.close();
    cityIpv4Only.close();
  }

  @Test
  void locations_shareTheirCodeParts_soThatAWholeDatabaseKeepsOneOptionalPerCode() {
    var paris = MaxMindGeoLocator.location(new String("EU"), new String("FR"), new String("IDF"), 48.86, 2.35);
    var lyon = MaxMindGeoLocator.location(new String("EU"), new String("FR"), new String("ARA"), 45.76, 4.84);
    assertThat(paris.continent()).contains("EU").isSameAs(lyon.continent());
    assertThat(paris.country()).contains("FR").isSameAs(lyon.country());
    assertThat(paris.subdivision()).contains("IDF").isNotEqualTo(lyon.subdivision());
    assertThat(paris.coordinates()).isNotEqualTo(lyon.coordinates());
  }

  @Test
  void open_cityAndCountryDatabases_detectEditionFromMetadata() {
    assertThat(city.edition()).isEqualTo(MaxMindGeoLocator.Edition.CITY);
    assertThat(country.edition()).isEqualTo(MaxMindGeoLocator.Edition.COUNTRY);
    assertThat(city.toString()).contains("GeoIP2-City", "city.mmdb", "IPv6");
  }

  @Test
  void locate_ipv4InIpv6CityDatabase_reportsEveryPartAndIpv4Prefix() {
    GeoLookup lookup = city.locate(ip("192.0.2.7"));

    assertThat(lookup.location()).isEqualTo(
        ClientLocation.of("NA", "US", "WA", new Coordinates(47.6062, -122.3321)));
    assertThat(lookup.prefixLength()).isEqualTo(24);
  }

  @Test
  void locate_twoSubdivisionLevels_reportsFirstLevel() {
    GeoLookup lookup = city.locate(ip("198.51.100.200"));

    assertThat(lookup.location().country()).contains("GB");
    assertThat(lookup.location().subdivision()).contains("ENG");
    assertThat(lookup.prefixLength()).isEqualTo(25);
  }

  @Test
  void locate_networkWithoutSubdivision_reportsCountryAndCoordinatesOnly() {
    GeoLookup lookup = city.locate(ip("203.0.113.9"));

    assertThat(lookup.location()).isEqualTo(ClientLocation.of("AS", "JP", null, new Coordinates(35.6762, 139.6503)));
    assertThat(lookup.prefixLength()).isEqualTo(26);
  }

  @Test
  void locate_continentOnlyNetwork_reportsContinentOnly() {
    GeoLookup lookup = city.locate(ip("203.0.113.100"));

    assertThat(lookup.location()).isEqualTo(ClientLocation.of("OC", null, null, null));
    assertThat(lookup.prefixLength()).isEqualTo(26);
  }

  @Test
  void locate_ipv4GapNextToKnownNetworks_isUnknownWithGapPrefix() {
    GeoLookup lookup = city.locate(ip("203.0.113.200"));

    assertThat(lookup.location()).isEqualTo(ClientLocation.UNKNOWN);
    assertThat(lookup.prefixLength()).isEqualTo(25);
  }

  @Test
  void locate_ipv4FarFromEveryNetwork_isUnknownForItsWholeHalfOfTheSpace() {
    // 10.0.0.0 starts with bit 0, every network in the database with bit 1.
    assertThat(city.locate(ip("10.1.2.3"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 1));
  }

  @Test
  void locate_ipv6_reportsLocationAndIpv6Prefix() {
    assertThat(city.locate(ip("2001:db8::1"))).isEqualTo(new GeoLookup(
        ClientLocation.of("NA", "US", "NY", new Coordinates(40.7128, -74.0060)), 33));
    assertThat(city.locate(ip("2001:db8:8000:1::1"))).isEqualTo(new GeoLookup(
        ClientLocation.of("SA", "BR", "SP", new Coordinates(-23.5505, -46.6333)), 34));
  }

  @Test
  void locate_ipv6Gap_isUnknownWithGapPrefix() {
    assertThat(city.locate(ip("2001:db8:c000::1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 34));
  }

  @Test
  void locate_ipv4MappedIpv6Address_findsIpv4NetworkWithIpv6Prefix() {
    GeoLookup lookup = city.locate(mapped("192.0.2.7"));

    assertThat(lookup.location().subdivision()).contains("WA");
    assertThat(lookup.prefixLength()).isEqualTo(96 + 24);
  }

  @Test
  void locate_countryDatabase_reportsContinentAndCountryOnly() {
    assertThat(country.locate(ip("192.0.2.7"))).isEqualTo(new GeoLookup(ClientLocation.of("NA", "US", null, null), 24));
    assertThat(country.locate(ip("198.51.100.1"))).isEqualTo(
        new GeoLookup(ClientLocation.of("EU", "DE", null, null), 24));
    assertThat(country.locate(ip("2001:db8:ffff::1"))).isEqualTo(
        new GeoLookup(ClientLocation.of("AS", "JP", null, null), 32));
  }

  @Test
  void locate_countryDatabaseUnknownAddress_isUnknownWithGapPrefix() {
    GeoLookup lookup = country.locate(ip("203.0.113.1"));

    assertThat(lookup.location()).isEqualTo(ClientLocation.UNKNOWN);
    assertThat(lookup.prefixLength()).isBetween(1, 24);
  }

  @Test
  void locate_ipv4OnlyDatabase_answersIpv4AndMappedAddresses() {
    assertThat(cityIpv4Only.locate(ip("192.0.2.7")).location().subdivision()).contains("WA");
    assertThat(cityIpv4Only.locate(ip("192.0.2.7")).prefixLength()).isEqualTo(24);
    assertThat(cityIpv4Only.locate(mapped("192.0.2.7"))).isEqualTo(
        new GeoLookup(cityIpv4Only.locate(ip("192.0.2.7")).location(), 120));
  }

  @Test
  void locate_plainIpv6InIpv4OnlyDatabase_isUnknownForTheBlockWithoutMappedAddresses() {
    // 2001:db8::1 shares its first two bits (00) with ::ffff:0:0 and differs at the third.
    assertThat(cityIpv4Only.locate(ip("2001:db8::1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 3));
    // fe80::1 differs at the first bit.
    assertThat(cityIpv4Only.locate(ip("fe80::1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 1));
  }

  @Test
  void open_databaseOfAnotherKind_throwsNamingItsType() {
    assertThatThrownBy(() -> MaxMindGeoLocator.open(database("asn.mmdb")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GeoLite2-ASN")
        .hasMessageContaining("neither a City nor a Country database");
  }

  @Test
  void open_fileThatIsNoDatabase_throwsIoException() {
    assertThatThrownBy(() -> MaxMindGeoLocator.open(database("README.md"))).isInstanceOf(IOException.class);
  }

  @Test
  void locate_afterClose_answersUnknownWithFullLengthAndCountsFailure() throws IOException {
    MaxMindGeoLocator geo = MaxMindGeoLocator.open(database("city.mmdb"));
    geo.close();

    assertThat(geo.locate(ip("192.0.2.7"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 32));
    assertThat(geo.locate(ip("2001:db8::1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 128));
    assertThat(geo.failedLookups()).isEqualTo(2);
  }

  @Test
  void locate_corruptedDatabase_neverThrows_failuresAnswerUnknownAndAreCounted(@TempDir Path dir) throws Exception {
    long seed = 20261204L;
    SplittableRandom random = new SplittableRandom(seed);
    byte[] original = java.nio.file.Files.readAllBytes(database("city.mmdb"));
    List<byte[]> addresses = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      byte[] a = new byte[random.nextBoolean() ? 4 : 16];
      random.nextBytes(a);
      addresses.add(a);
    }
    addresses.add(ip("192.0.2.7").getAddress());
    addresses.add(ip("203.0.113.9").getAddress());
    // Flip bytes of the search tree and data section (the metadata at the end is left readable).
    int corruptible = original.length - 1024;
    long failed = 0;
    for (int t = 0; t < 100; t++) {
      byte[] copy = original.clone();
      for (int k = 0; k < 1 + random.nextInt(8); k++) {
        copy[random.nextInt(corruptible)] = (byte) random.nextInt(256);
      }
      Path file = dir.resolve("corrupt-" + t + ".mmdb");
      java.nio.file.Files.write(file, copy);
      MaxMindGeoLocator geo;
      try {
        geo = MaxMindGeoLocator.open(file);
      } catch (IOException | IllegalArgumentException e) {
        continue; // refused at open: fine
      }
      try (geo) {
        for (byte[] a : addresses) {
          int[] prefix = new int[1];
          ClientLocation location = geo.locate(a, prefix);
          assertThat(location).as("seed %s, case %s", seed, t).isNotNull();
          assertThat(prefix[0]).as("seed %s, case %s", seed, t).isBetween(0, a.length * 8);
        }
        failed += geo.failedLookups();
      }
    }
    assertThat(failed).as("corruptions noticed (seed %s)", seed).isPositive();
  }

  @Test
  void using_databaseReader_agreesWithOpenOnKnownAddressesAndReportsFullLengthForUnknown() throws Exception {
    try (DatabaseReader reader = new DatabaseReader.Builder(database("city.mmdb").toFile()).build()) {
      MaxMindGeoLocator geo = MaxMindGeoLocator.using(reader);

      assertThat(geo.edition()).isEqualTo(MaxMindGeoLocator.Edition.CITY);
      for (String a : List.of("192.0.2.7", "198.51.100.200", "203.0.113.9", "203.0.113.100", "2001:db8::1")) {
        assertThat(geo.locate(ip(a))).as(a).isEqualTo(city.locate(ip(a)));
      }
      assertThat(geo.locate(mapped("192.0.2.7"))).isEqualTo(city.locate(mapped("192.0.2.7")));
      assertThat(geo.locate(ip("203.0.113.200"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 32));
      assertThat(geo.locate(ip("2001:db8:c000::1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 128));
    }
  }

  @Test
  void using_countryDatabaseReader_detectsCountryEdition() throws Exception {
    try (DatabaseReader reader = new DatabaseReader.Builder(database("country.mmdb").toFile()).build()) {
      MaxMindGeoLocator geo = MaxMindGeoLocator.using(reader);

      assertThat(geo.edition()).isEqualTo(MaxMindGeoLocator.Edition.COUNTRY);
      assertThat(geo.locate(ip("192.0.2.7"))).isEqualTo(country.locate(ip("192.0.2.7")));
    }
  }

  @Test
  void using_providerThatFails_answersUnknownAndCountsFailure() {
    DatabaseProvider failing = provider((method, address) -> {
      throw new IOException("disk on fire");
    });
    MaxMindGeoLocator geo = MaxMindGeoLocator.using(failing, MaxMindGeoLocator.Edition.CITY);

    assertThat(geo.locate(ip("192.0.2.1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 32));
    assertThat(geo.failedLookups()).isEqualTo(1);
  }

  @Test
  void using_providerWithMalformedCodes_dropsThemAndReportsFullLengthWithoutNetwork() {
    CityResponse response = new CityResponse(null, new Continent(List.of(), "Europe", null, Map.of()),
        new Country(List.of(), null, null, false, "germany", Map.of()), new Location(null, null, 91.0, 13.4, null, null),
        null, null, null, null, List.of(new Subdivision(List.of(), null, null, "BE", Map.of())), null);
    DatabaseProvider stub = provider((method, address) -> method.equals("tryCity") ? Optional.of(response) : null);
    MaxMindGeoLocator geo = MaxMindGeoLocator.using(stub, MaxMindGeoLocator.Edition.CITY);

    assertThat(geo.locate(ip("192.0.2.1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 32));
    assertThat(geo.failedLookups()).isZero();
  }

  @Test
  void using_countryProvider_usesTryCountry() {
    CountryResponse response = new CountryResponse(new Continent(List.of(), "EU", null, Map.of()),
        new Country(List.of(), null, null, false, "DE", Map.of()), null, null, null, null);
    DatabaseProvider stub = provider((method, address) -> method.equals("tryCountry") ? Optional.of(response) : null);
    MaxMindGeoLocator geo = MaxMindGeoLocator.using(stub, MaxMindGeoLocator.Edition.COUNTRY);

    assertThat(geo.locate(ip("2001:db8::1"))).isEqualTo(new GeoLookup(ClientLocation.of("EU", "DE", null, null), 128));
  }

  @Test
  void open_everyRecordSizeAndCacheSize_agreesWithTheMaxMindReaderOnEveryAddress() throws Exception {
    long seed = 20261126L;
    SplittableRandom random = new SplittableRandom(seed);
    List<InetAddress> addresses = new ArrayList<>();
    for (String prefix : List.of("192.0.2.", "198.51.100.", "203.0.113.", "192.0.3.", "10.0.0.")) {
      for (int i = 0; i < 256; i += 3) {
        addresses.add(ip(prefix + i));
      }
    }
    for (int i = 0; i < 200; i++) {
      byte[] v6 = new byte[16];
      random.nextBytes(v6);
      v6[0] = 0x20;
      v6[1] = 0x01;
      v6[2] = 0x0d;
      v6[3] = (byte) 0xb8;
      addresses.add(InetAddress.getByAddress(v6));
      byte[] v4 = new byte[4];
      random.nextBytes(v4);
      addresses.add(InetAddress.getByAddress(v4));
    }
    addresses.add(mapped("192.0.2.7"));
    for (String file : List.of("city.mmdb", "city-record28.mmdb", "city-record32.mmdb", "country.mmdb")) {
      try (DatabaseReader reader = new DatabaseReader.Builder(database(file).toFile()).build()) {
        MaxMindGeoLocator reference = MaxMindGeoLocator.using(reader);
        for (int cacheSize : List.of(0, 1, 3, 1 << 16)) {
          try (MaxMindGeoLocator geo = MaxMindGeoLocator.open(database(file), cacheSize)) {
            for (int round = 0; round < 2; round++) {
              for (InetAddress a : addresses) {
                GeoLookup expected = reference.locate(a);
                GeoLookup actual = geo.locate(a);
                String what = file + " cache " + cacheSize + " " + a.getHostAddress() + " (seed " + seed + ")";
                assertThat(actual.location()).as(what).isEqualTo(expected.location());
                if (expected.location().isKnown()) {
                  // The provider path sees the network of known addresses only.
                  assertThat(actual.prefixLength()).as(what).isEqualTo(expected.prefixLength());
                }
                int[] prefix = new int[1];
                assertThat(geo.locate(a.getAddress(), prefix)).as(what + ", from bytes").isEqualTo(actual.location());
                assertThat(prefix[0]).as(what + ", prefix from bytes").isEqualTo(actual.prefixLength());
              }
            }
            assertThat(geo.failedLookups()).as(file + " cache " + cacheSize).isZero();
          }
        }
      }
    }
  }

  @Test
  void preload_readsEveryRecord_lookupsThenAgreeWithTheReaderAndShareOneInstancePerLocation() throws Exception {
    for (String file : List.of("city.mmdb", "city-record28.mmdb", "city-record32.mmdb", "country.mmdb",
        "city-ipv4-only.mmdb")) {
      try (DatabaseReader reader = new DatabaseReader.Builder(database(file).toFile()).build();
           MaxMindGeoLocator geo = MaxMindGeoLocator.open(database(file))) {
        MaxMindGeoLocator reference = MaxMindGeoLocator.using(reader);
        int records = geo.preload();
        assertThat(geo.preload()).as(file + ": a second preload finds nothing new").isEqualTo(records);
        List<InetAddress> networks = new ArrayList<>();
        geo.forEachNetwork((address, prefixLength, location) -> networks.add(address));
        assertThat(networks).as(file).isNotEmpty();
        Map<ClientLocation, ClientLocation> first = new HashMap<>();
        for (InetAddress a : networks) {
          GeoLookup actual = geo.locate(a);
          assertThat(actual.location()).as(file + " " + a.getHostAddress())
              .isEqualTo(reference.locate(a).location());
          ClientLocation seen = first.putIfAbsent(actual.location(), actual.location());
          if (seen != null) {
            assertThat(actual.location()).as(file + " " + a.getHostAddress() + ": one instance per location")
                .isSameAs(seen);
          }
        }
        // Every network's record was read by the preload: at least one record per distinct location.
        assertThat(records).as(file).isGreaterThanOrEqualTo(first.size()).isLessThanOrEqualTo(networks.size());
        assertThat(geo.failedLookups()).as(file).isZero();
      }
    }
  }

  @Test
  void open_negativeCacheSize_isRejected() {
    assertThatThrownBy(() -> MaxMindGeoLocator.open(database("city.mmdb"), -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("locationCacheSize");
  }

  @Test
  void locate_recordSizes28And32_locateTheCityData() {
    for (String file : List.of("city-record28.mmdb", "city-record32.mmdb")) {
      try (MaxMindGeoLocator geo = MaxMindGeoLocator.open(database(file))) {
        assertThat(geo.locate(ip("192.0.2.7"))).as(file).isEqualTo(city.locate(ip("192.0.2.7")));
        assertThat(geo.locate(ip("2001:db8:8000::1"))).as(file).isEqualTo(city.locate(ip("2001:db8:8000::1")));
        assertThat(geo.locate(ip("203.0.113.200"))).as(file).isEqualTo(city.locate(ip("203.0.113.200")));
      } catch (IOException e) {
        throw new AssertionError(file, e);
      }
    }
  }

  @Test
  void ofDatabaseType_knownAndUnknownTypes() {
    assertThat(MaxMindGeoLocator.Edition.ofDatabaseType("GeoLite2-City")).contains(MaxMindGeoLocator.Edition.CITY);
    assertThat(MaxMindGeoLocator.Edition.ofDatabaseType("GeoIP2-Enterprise")).contains(MaxMindGeoLocator.Edition.CITY);
    assertThat(MaxMindGeoLocator.Edition.ofDatabaseType("DBIP-Country-Lite"))
        .contains(MaxMindGeoLocator.Edition.COUNTRY);
    assertThat(MaxMindGeoLocator.Edition.ofDatabaseType("GeoLite2-ASN")).isEmpty();
  }

  @Test
  void locate_fromManyThreads_givesTheSameAnswersAsOneThread() throws Exception {
    List<InetAddress> addresses = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      addresses.add(ip("192.0.2." + i));
      addresses.add(ip("198.51.100." + i));
      addresses.add(ip("203.0.113." + i));
      addresses.add(ip("2001:db8:" + Integer.toHexString(i << 8) + "::1"));
    }
    List<GeoLookup> expected = addresses.stream().map(city::locate).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<GeoLookup>>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        results.add(pool.submit(() -> {
          start.await();
          List<GeoLookup> out = new ArrayList<>();
          for (int round = 0; round < 20; round++) {
            out = addresses.stream().map(city::locate).toList();
          }
          return out;
        }));
      }
      start.countDown();
      for (Future<List<GeoLookup>> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(city.failedLookups()).isZero();
  }

  // ---------------------------------------------------------------------------------------------------------

  static Path database(String name) {
    try {
      return Path.of(MaxMindGeoLocatorTest.class.getResource("/geoip/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(e);
    }
  }

  static InetAddress ip(String text) {
    return InetAddresses.forString(text);
  }

  /** {@code ::ffff:ipv4} as an {@link Inet6Address} (Java's own parsers fold it to IPv4). */
  static InetAddress mapped(String ipv4) {
    byte[] b = new byte[16];
    b[10] = (byte) 0xff;
    b[11] = (byte) 0xff;
    System.arraycopy(ip(ipv4).getAddress(), 0, b, 12, 4);
    try {
      return Inet6Address.getByAddress(null, b, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** A lookup behaviour for a stub provider: method name and address to a result. */
  @FunctionalInterface
  interface StubLookup {
    Object answer(String method, InetAddress address) throws Exception;
  }

  private static DatabaseProvider provider(StubLookup lookup) {
    return (DatabaseProvider) Proxy.newProxyInstance(DatabaseProvider.class.getClassLoader(),
        new Class<?>[] {DatabaseProvider.class}, (proxy, method, args) -> {
          if (method.getName().equals("toString")) {
            return "stub";
          }
          Object result = lookup.answer(method.getName(), (InetAddress) args[0]);
          if (result == null) {
            throw new AssertionError("unexpected call " + method.getName());
          }
          return result;
        });
  }
}
