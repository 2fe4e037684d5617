package io.github.trafficpolicy.engine.input;

import static io.github.trafficpolicy.engine.input.MaxMindGeoLocatorTest.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.engine.ClientLocation;
import io.github.trafficpolicy.engine.GeoLocator;
import io.github.trafficpolicy.engine.GeoLookup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class GeoLocatorsTest {
  private static final ClientLocation SEATTLE = ClientLocation.of("NA", "US", "WA", null);
  private static final ClientLocation BERLIN = ClientLocation.of("EU", "DE", null, null);

  @Test
  void chain_firstLocatorKnows_itsAnswerWinsAndLaterOnesAreNotAsked() {
    List<String> asked = new ArrayList<>();
    GeoLocator chain = GeoLocators.chain(
        address -> {
          asked.add("first");
          return new GeoLookup(SEATTLE, 24);
        },
        address -> {
          asked.add("second");
          return new GeoLookup(BERLIN, 16);
        });

    assertThat(chain.locate(ip("192.0.2.1"))).isEqualTo(new GeoLookup(SEATTLE, 24));
    assertThat(asked).containsExactly("first");
  }

  @Test
  void chain_firstLocatorDoesNotKnow_nextAnswersWithTheLongerOfBothPrefixes() {
    GeoLocator chain = GeoLocators.chain(
        address -> new GeoLookup(ClientLocation.UNKNOWN, 28),
        address -> new GeoLookup(BERLIN, 16));

    assertThat(chain.locate(ip("192.0.2.1"))).isEqualTo(new GeoLookup(BERLIN, 28));
  }

  @Test
  void chain_nobodyKnows_unknownWithTheLongestPrefix() {
    GeoLocator chain = GeoLocators.chain(
        address -> new GeoLookup(ClientLocation.UNKNOWN, 3),
        address -> new GeoLookup(ClientLocation.UNKNOWN, 20),
        address -> new GeoLookup(ClientLocation.UNKNOWN, 8));

    assertThat(chain.locate(ip("2001:db8::1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 20));
  }

  @Test
  void chain_cidrOverridesInFrontOfDatabase_overrideWinsInsideItsNetworkOnly() {
    CidrGeoLocator overrides = CidrGeoLocator.parse("192.0.2.0/26,EU,DE\n");
    CidrGeoLocator database = CidrGeoLocator.parse("192.0.2.0/24,NA,US,WA\n");
    GeoLocator chain = GeoLocators.chain(overrides, database);

    assertThat(chain.locate(ip("192.0.2.1"))).isEqualTo(new GeoLookup(ClientLocation.of("EU", "DE", null, null), 26));
    // Outside the override, the database answers, for the block the override table leaves empty.
    assertThat(chain.locate(ip("192.0.2.200"))).isEqualTo(new GeoLookup(SEATTLE, 25));
  }

  @Test
  void chain_empty_isRefused() {
    assertThatThrownBy(GeoLocators::chain).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nowhere_knowsNothingForTheWholeSpace() {
    assertThat(GeoLocators.nowhere().locate(ip("192.0.2.1"))).isEqualTo(new GeoLookup(ClientLocation.UNKNOWN, 0));
  }
}
