package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class ClientLocationTest {

  @Test
  void ofCodes_lowerCaseCodes_areUpperCased() {
    assertThat(ClientLocation.ofCodes("na", "us", "wa", null)).isEqualTo(ClientLocation.of("NA", "US", "WA", null));
  }

  @Test
  void ofCodes_badCodes_throwNamingTheValue() {
    assertThatThrownBy(() -> ClientLocation.ofCodes("XX", null, null, null))
        .hasMessage("continent must be one of AF AN AS EU NA OC SA but was 'XX'");
    assertThatThrownBy(() -> ClientLocation.ofCodes(null, "USA", null, null)).hasMessageContaining("'USA'");
    assertThatThrownBy(() -> ClientLocation.ofCodes(null, "US", "W-A", null)).hasMessageContaining("'W-A'");
    assertThatThrownBy(() -> ClientLocation.ofCodes(null, null, "WA", null)).hasMessage("subdivision 'WA' needs a country");
  }

  @Test
  void isKnown_anyPartMakesItKnown() {
    assertThat(ClientLocation.UNKNOWN.isKnown()).isFalse();
    assertThat(ClientLocation.of(null, null, null, new Coordinates(1, 2)).isKnown()).isTrue();
  }
}
