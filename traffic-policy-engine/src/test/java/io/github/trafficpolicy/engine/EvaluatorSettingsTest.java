package io.github.trafficpolicy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.engine.EvaluatorSettings.AllUnhealthy;
import io.github.trafficpolicy.engine.EvaluatorSettings.BiasFormula;
import io.github.trafficpolicy.engine.EvaluatorSettings.UnknownLocation;
import org.junit.jupiter.api.Test;

final class EvaluatorSettingsTest {

  @Test
  void defaults_areTheDocumentedOnes() {
    EvaluatorSettings s = EvaluatorSettings.defaults();
    assertThat(s.evaluateTargetHealthDefault()).isTrue();
    assertThat(s.allUnhealthy()).isEqualTo(AllUnhealthy.FAIL_OPEN);
    assertThat(s.unknownHealth()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(s.unknownLatencyLocation()).isEqualTo(UnknownLocation.DOCUMENT_ORDER);
    assertThat(s.unknownGeoproximityLocation()).isEqualTo(UnknownLocation.DOCUMENT_ORDER);
    assertThat(s.ipv4ClientKeyPrefix()).isEqualTo(24);
    assertThat(s.ipv6ClientKeyPrefix()).isEqualTo(56);
    assertThat(s.seed()).isZero();
    assertThat(s.multivalueMaximum()).isEqualTo(8);
    assertThat(s.regionCoordinates()).isSameAs(RegionCoordinates.builtIn());
    assertThat(s.bias()).isEqualTo(BiasFormula.ROUTE53);
  }

  @Test
  void toBuilder_keepsEverySetting() {
    EvaluatorSettings s = EvaluatorSettings.builder().evaluateTargetHealthDefault(false)
        .allUnhealthy(AllUnhealthy.FAIL_CLOSED).unknownHealth(HealthStatus.UNHEALTHY)
        .unknownLatencyLocation(UnknownLocation.NO_DATA).unknownGeoproximityLocation(UnknownLocation.NO_DATA)
        .clientKeyPrefixes(16, 48).seed(99).multivalueMaximum(4).bias(BiasFormula.LINEAR).build();
    assertThat(s.toBuilder().build()).isEqualTo(s);
    assertThat(s).isNotEqualTo(EvaluatorSettings.defaults());
  }

  @Test
  void build_invalidValues_throwNamingTheSetting() {
    assertThatThrownBy(() -> EvaluatorSettings.builder().clientKeyPrefixes(33, 56).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ipv4ClientKeyPrefix").hasMessageContaining("33");
    assertThatThrownBy(() -> EvaluatorSettings.builder().clientKeyPrefixes(24, 129).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ipv6ClientKeyPrefix");
    assertThatThrownBy(() -> EvaluatorSettings.builder().multivalueMaximum(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multivalueMaximum");
    assertThatThrownBy(() -> EvaluatorSettings.builder().unknownHealth(HealthStatus.UNKNOWN).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknownHealth");
    assertThatThrownBy(() -> EvaluatorSettings.builder().bias(null)).isInstanceOf(NullPointerException.class);
  }
}
