package io.github.trafficpolicy.engine.input;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.GeoLookup;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link MaxMindGeoLocator#forEachNetwork} on the databases built by make-test-mmdb.pl (IPv4 aliased into the IPv6
 * tree at ::/96, ::ffff:0:0/96 and 2002::/16; record sizes 24, 28 and 32; an IPv4-only tree): every network is
 * answered alike from its first to its last address, with exactly its prefix, and no address is visited twice.
 */
final class MaxMindNetworksTest {

  private record Visited(InetAddress address, int prefix, ClientLocation location) {
    BigInteger first() {
      return new BigInteger(1, address.getAddress());
    }

    BigInteger last() {
      int bits = address.getAddress().length * 8;
      return first().add(BigInteger.ONE.shiftLeft(bits - prefix)).subtract(BigInteger.ONE);
    }

    InetAddress lastAddress() throws IOException {
      byte[] raw = last().toByteArray();
      byte[] out = new byte[address.getAddress().length];
      for (int i = 0; i < out.length && i < raw.length; i++) {
        out[out.length - 1 - i] = raw[raw.length - 1 - i];
      }
      return InetAddress.getByAddress(out);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"city.mmdb", "city-record28.mmdb", "city-record32.mmdb", "country.mmdb",
      "city-ipv4-only.mmdb"})
  void forEachNetwork_agreesWithLocateAndNeverRepeatsAnAddress(String name) throws IOException {
    List<Visited> seen = new ArrayList<>();
    try (MaxMindGeoLocator geo = MaxMindGeoLocator.open(MaxMindGeoLocatorTest.database(name))) {
      geo.forEachNetwork((address, prefix, location) -> seen.add(new Visited(address, prefix, location)));

      assertThat(seen).isNotEmpty();
      assertThat(seen).anyMatch(v -> v.address instanceof Inet4Address);
      for (Visited v : seen) {
        for (InetAddress a : List.of(v.address, v.lastAddress())) {
          GeoLookup lookup = geo.locate(a);
          assertThat(lookup.location()).as("%s/%s at %s", v.address, v.prefix, a).isEqualTo(v.location);
          assertThat(lookup.prefixLength()).as("%s/%s at %s", v.address, v.prefix, a).isEqualTo(v.prefix);
        }
      }
    }
    for (int i = 1; i < seen.size(); i++) {
      Visited a = seen.get(i - 1);
      Visited b = seen.get(i);
      if (a.address.getClass() == b.address.getClass()) {
        assertThat(a.last()).as("%s/%s then %s/%s", a.address, a.prefix, b.address, b.prefix).isLessThan(b.first());
      }
    }
    BigInteger mapped = BigInteger.valueOf(0xffff).shiftLeft(32);
    BigInteger sixToFour = BigInteger.valueOf(0x2002).shiftLeft(112);
    for (Visited v : seen) {
      if (!(v.address instanceof Inet4Address)) {
        assertThat(v.first().shiftRight(32)).as("%s/%s inside ::/96 or ::ffff:0:0/96", v.address, v.prefix)
            .isNotIn(BigInteger.ZERO, mapped.shiftRight(32));
        assertThat(v.first().shiftRight(112)).as("%s/%s inside 2002::/16", v.address, v.prefix)
            .isNotEqualTo(sixToFour.shiftRight(112));
      }
    }
  }
}
