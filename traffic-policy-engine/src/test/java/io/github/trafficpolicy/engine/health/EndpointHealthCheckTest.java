package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class EndpointHealthCheckTest {
  private static EndpointHealthCheck.Builder http() {
    return EndpointHealthCheck.builder("web", HealthCheckType.HTTP).target("192.0.2.10");
  }

  @Test
  void builder_http_hasRoute53Defaults() {
    EndpointHealthCheck c = http().build();
    assertThat(c.port()).isEqualTo(80);
    assertThat(c.resourcePath()).contains("/");
    assertThat(c.requestInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.failureThreshold()).isEqualTo(3);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.responseTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.inverted()).isFalse();
    assertThat(c.disabled()).isFalse();
  }

  @Test
  void builder_httpsAndTcp_haveTheirDefaults() {
    assertThat(EndpointHealthCheck.builder("s", HealthCheckType.HTTPS_STR_MATCH).target("192.0.2.1")
        .searchString("ok").build().port()).isEqualTo(443);
    EndpointHealthCheck tcp = EndpointHealthCheck.builder("t", HealthCheckType.TCP).target("192.0.2.1").port(5432)
        .build();
    assertThat(tcp.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(tcp.resourcePath()).isEmpty();
  }

  @Test
  void effectiveHostHeader_defaultsToTargetWithNonDefaultPort() {
    assertThat(http().build().effectiveHostHeader()).isEqualTo("192.0.2.10");
    assertThat(http().port(8080).build().effectiveHostHeader()).isEqualTo("192.0.2.10:8080");
    assertThat(http().target("2001:db8::1").port(8080).build().effectiveHostHeader()).isEqualTo("[2001:db8::1]:8080");
    assertThat(http().hostHeader("www.example.com").port(8080).build().effectiveHostHeader())
        .isEqualTo("www.example.com");
  }

  @Test
  void serverName_isTheHostHeaderNameElseTheTargetNameElseNone() {
    assertThat(http().hostHeader("www.example.com:8443").build().serverName()).contains("www.example.com");
    assertThat(http().target("origin.example.com.").build().serverName()).contains("origin.example.com");
    assertThat(http().build().serverName()).isEmpty();
  }

  @Test
  void constructor_invalidSettings_throwNamingTheSetting() {
    List<Runnable> invalid = List.of(
        () -> http().port(0).build(),
        () -> http().port(65536).build(),
        () -> http().failureThreshold(0).build(),
        () -> http().failureThreshold(11).build(),
        () -> http().target("not a host").build(),
        () -> http().target("").build(),
        () -> http().resourcePath("health").build(),
        () -> http().resourcePath("/a b").build(),
        () -> http().resourcePath("/" + "p".repeat(255)).build(),
        () -> http().hostHeader("bad\r\nX-Injected: 1").build(),
        () -> http().searchString("ok").build(),
        () -> http().requestInterval(Duration.ZERO).build(),
        () -> http().connectTimeout(Duration.ofSeconds(-1)).build(),
        () -> EndpointHealthCheck.builder("s", HealthCheckType.HTTP_STR_MATCH).target("192.0.2.1").build(),
        () -> EndpointHealthCheck.builder("s", HealthCheckType.HTTP_STR_MATCH).target("192.0.2.1")
            .searchString("x".repeat(256)).build(),
        () -> EndpointHealthCheck.builder("t", HealthCheckType.TCP).target("192.0.2.1").port(1).resourcePath("/")
            .build(),
        () -> EndpointHealthCheck.builder("t", HealthCheckType.TCP).target("192.0.2.1").build(),
        () -> EndpointHealthCheck.builder("c", HealthCheckType.CALCULATED).target("192.0.2.1").port(1).build());
    for (Runnable r : invalid) {
      assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> http().port(0).build()).hasMessage("port of web must be 1..65535 but was 0");
  }

  @Test
  void withFailureThreshold_changesOnlyTheThreshold() {
    EndpointHealthCheck c = http().port(8080).hostHeader("h.example").inverted(true).build();
    assertThat(c.withFailureThreshold(1)).isEqualTo(c.toBuilder().failureThreshold(1).build());
    assertThat(c.withFailureThreshold(1).hostHeader()).isEqualTo(Optional.of("h.example"));
    assertThat(c.withFailureThreshold(1).failureThreshold()).isEqualTo(1);
  }

  @Test
  void calculated_invalidChildren_throw() {
    assertThatThrownBy(() -> CalculatedHealthCheck.of("c", 1, List.of("c")))
        .hasMessage("c cannot be its own child");
    assertThatThrownBy(() -> CalculatedHealthCheck.of("c", 1, List.of("a", "a")))
        .hasMessageContaining("must be distinct");
    assertThatThrownBy(() -> CalculatedHealthCheck.of("c", 257, List.of("a")))
        .hasMessage("healthThreshold of c must be 0..256 but was 257");
    assertThat(CalculatedHealthCheck.of("c", 0, List.of()).type()).isEqualTo(HealthCheckType.CALCULATED);
  }
}
