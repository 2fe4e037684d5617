package io.github.trafficpolicy.engine.input;

import static io.github.trafficpolicy.engine.input.MaxMindGeoLocatorTest.ip;
import static io.github.trafficpolicy.engine.input.MaxMindGeoLocatorTest.mapped;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.Coordinates;
import io.github.trafficpolicy.engine.GeoLookup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CidrGeoLocatorTest {
  private static final String TABLE = """
      # overrides for the office networks
      network,continent,country,subdivision,latitude,longitude
      192.0.2.0/24,NA,US,WA,47.61,-122.33
      192.0.2.128/25,NA,US,OR,45.52,-122.68

      198.51.100.7,EU,DE,,52.52,13.40
      2001:db8::/32,AS,,,,
      2001:db8:1::/48,,,,-33.87,151.21
      203.0.113.0/24,oc,au
      """;

  private final CidrGeoLocator table = CidrGeoLocator.parse(TABLE);

  @Test
  void parse_commentsHeaderBlankLinesAndShortRows_areAccepted() {
    assertThat(table.size()).isEqualTo(6);
  }

  @Test
  void locate_addressInOneRow_returnsThatRowWithItsPrefix() {
    assertThat(table.locate(ip("203.0.113.99")))
        .isEqualTo(new GeoLookup(ClientLocation.of("OC", "AU", null, null), 24));
  }

  @Test
  void locate_moreSpecificRow_wins() {
    assertThat(table.locate(ip("192.0.2.200")).location().subdivision()).contains("OR");
    assertThat(table.locate(ip("192.0.2.200")).prefixLength()).isEqualTo(25);
  }

  @Test
  void locate_coveringRowWithMoreSpecificRowInside_reportsOnlyTheUniformBlock() {
    // 192.0.2.1 matches the /24, but its upper half answers OR: the answer holds for 192.0.2.0/25 only.
    GeoLookup lookup = table.locate(ip("192.0.2.1"));

    assertThat(lookup.location().subdivision()).contains("WA");
    assertThat(lookup.prefixLength()).isEqualTo(25);
  }

  @Test
  void locate_hostRow_matchesOnlyThatAddress() {
    assertThat(table.locate(ip("198.51.100.7")))
        .isEqualTo(new GeoLookup(ClientLocation.of("EU", "DE", null, new Coordinates(52.52, 13.40)), 32));
    assertThat(table.locate(ip("198.51.100.6")).location()).isEqualTo(ClientLocation.UNKNOWN);
    assertThat(table.locate(ip("198.51.100.6")).prefixLength()).isEqualTo(32);
  }

  @Test
  void locate_ipv6_longestPrefixAndCoordinatesOnlyRow() {
    assertThat(table.locate(ip("2001:db8:1::5")))
        .isEqualTo(new GeoLookup(ClientLocation.of(null, null, null, new Coordinates(-33.87, 151.21)), 48));
    GeoLookup outer = table.locate(ip("2001:db8:ffff::1"));
    assertThat(outer.location()).isEqualTo(ClientLocation.of("AS", null, null, null));
    assertThat(outer.prefixLength()).isEqualTo(33);
  }

  @Test
  void locate_addressInNoRow_isUnknownWithTheEmptyBlockAroundIt() {
    // 10.0.0.0/1 holds no row (every row starts with bit 1).
    assertThat(table.locate(ip("10.0.0.1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 1));
    // 2001:db9:: differs from 2001:db8::/32 only at bit 31.
    assertThat(table.locate(ip("2001:db9::1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 32));
  }

  @Test
  void locate_ipv4MappedIpv6_usesIpv4RowsWithIpv6Prefix() {
    assertThat(table.locate(mapped("203.0.113.99")))
        .isEqualTo(new GeoLookup(ClientLocation.of("OC", "AU", null, null), 120));
  }

  @Test
  void locate_emptyTable_isUnknownForTheWholeSpace() {
    CidrGeoLocator empty = CidrGeoLocator.parse("network,continent,country,subdivision,latitude,longitude\n");

    assertThat(empty.locate(ip("192.0.2.1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 0));
    assertThat(empty.locate(ip("2001:db8::1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 0));
  }

  @Test
  void parse_badLines_reportsEveryOneWithItsLineNumber() {
    String csv = """
        network,continent,country,subdivision,latitude,longitude
        192.0.2.0/24,NA,US
        192.0.2.1/24,NA,US
        not-a-network,EU
        198.51.100.0/24,XX,DE
        198.51.100.0/25,EU,DEU
        198.51.100.128/25,EU,,BE
        203.0.113.0/24,OC,AU,,12.5
        203.0.113.0/24,OC,AU,,,
        2001:db8::/33,AS,JP,,95,10
        2001:db8::/129,AS
        ::ffff:192.0.2.0/120,NA
        192.0.2.0/24,NA,US,,,,extra
        """;

    InvalidTableException e = catchThrowableOfType(InvalidTableException.class, () -> CidrGeoLocator.parse(csv));

    assertThat(e.problems()).extracting(InvalidTableException.LineProblem::line)
        .containsExactly(3, 4, 5, 6, 7, 8, 10, 11, 12, 13);
    assertThat(e.getMessage())
        .contains("10 bad lines")
        .contains("<text>:3: '192.0.2.1/24' has bits set past the prefix length; the network is 192.0.2.0/24")
        .contains("<text>:4: 'not-a-network' is not an IP network")
        .contains("<text>:5: continent must be one of AF AN AS EU NA OC SA but was 'XX'")
        .contains("<text>:6: country must be two letters")
        .contains("<text>:7: subdivision 'BE' needs a country")
        .contains("<text>:8: latitude and longitude go together")
        .contains("<text>:10: latitude must be in [-90, 90] but was 95.0")
        .contains("<text>:11: '2001:db8::/129' has a bad prefix length")
        .contains("<text>:12: '::ffff:192.0.2.0/120' is an IPv4-mapped IPv6 network")
        .contains("<text>:13: expected at most 6 fields");
  }

  @Test
  void parse_sameNetworkTwice_isReported() {
    assertThatThrownBy(() -> CidrGeoLocator.parse("192.0.2.0/24,NA\n192.0.2.0/24,EU\n"))
        .isInstanceOf(InvalidTableException.class)
        .hasMessageContaining("<text>:2: network 192.0.2.0/24 is listed more than once");
  }

  @Test
  void load_file_namesTheFileInMessages(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("geo.csv");
    Files.writeString(file, "192.0.2.0/24,NA,US\nbad\n");

    assertThatThrownBy(() -> CidrGeoLocator.load(file)).hasMessageContaining(file + ":2: 'bad' is not an IP network");
  }

  @Test
  void load_fileNotUtf8_invalidTableNamingTheLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("geo.csv");
    byte[] good = "192.0.2.0/24,NA,US\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] bad = {'1', '9', '8', '.', (byte) 0xff, ',', 'E', 'U', '\n'};
    byte[] bytes = java.util.Arrays.copyOf(good, good.length + bad.length);
    System.arraycopy(bad, 0, bytes, good.length, bad.length);
    Files.write(file, bytes);

    InvalidTableException e = catchThrowableOfType(InvalidTableException.class, () -> CidrGeoLocator.load(file));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains(file + ":2: not UTF-8 text");
  }

  @Test
  void builder_addsNetworksAndRefusesDuplicates() {
    CidrGeoLocator built = CidrGeoLocator.builder()
        .add("192.0.2.0/24", ClientLocation.of("NA", "US", null, null))
        .add("2001:db8::/32", ClientLocation.of("EU", null, null, null))
        .build();

    assertThat(built.locate(ip("192.0.2.9")).location().country()).contains("US");
    assertThat(built.locate(ip("2001:db8::9")).location().continent()).contains("EU");
    assertThatThrownBy(() -> CidrGeoLocator.builder().add("192.0.2.0/24", ClientLocation.UNKNOWN)
        .add("192.0.2.0/24", ClientLocation.UNKNOWN)).hasMessageContaining("more than once");
  }
}
