package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Route 53's continent table, looked up by a country code's two letters. */
final class Route53ContinentsTest {

  @ParameterizedTest(name = "{0} is in {1}")
  @CsvSource({"TR, EU", "CY, EU", "RU, EU", "XK, EU", "AM, AS", "AZ, AS", "GE, AS", "TL, OC", "US, NA", "BR, SA",
      "AQ, AN", "ZA, AF", "AA, ", "ZZ, "})
  void placed_uppercaseCode_isRoute53sContinentOrNull(String country, String continent) {
    assertThat(Route53Continents.placed(country)).isEqualTo(continent);
  }

  /** Anything but two upper-case ASCII letters is not a code of the table (as a case-sensitive map would say). */
  @ParameterizedTest
  @ValueSource(strings = {"", "T", "TRK", "tr", "Tr", "1A", "A1", "@A", "[A", "A[", "\u00C9S", "T\u0130"})
  void placed_notTwoUppercaseLetters_isNull(String code) {
    assertThat(Route53Continents.placed(code)).isNull();
  }

  @ParameterizedTest(name = "country {0}, reported continent {1}: {2}")
  @CsvSource({"TR, AS, EU", "ZZ, AF, AF", "tr, AS, AS", ", OC, OC", ", , ''"})
  void continentOf_route53sPlacementElseTheReportedContinent(String country, String reported, String expected) {
    ClientLocation location = ClientLocation.of(reported, country, null, null);
    assertThat(Route53Continents.continentOf(location)).isEqualTo(expected);
  }
}
