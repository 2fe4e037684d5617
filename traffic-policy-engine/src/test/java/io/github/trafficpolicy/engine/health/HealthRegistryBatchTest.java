package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthSnapshot;
import io.github.trafficpolicy.engine.HealthStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link HealthRegistry#setChecks}, the batch update the checker and the feeds publish with. */
final class HealthRegistryBatchTest {
  private static final HealthCheckId A = HealthCheckId.of("a");
  private static final HealthCheckId B = HealthCheckId.of("b");

  @Test
  void setChecks_severalChanges_publishOneSnapshot() {
    HealthRegistry registry = new HealthRegistry();
    List<HealthSnapshot> published = new ArrayList<>();
    registry.addListener(published::add);

    registry.setChecks(Map.of(A, HealthStatus.HEALTHY, B, HealthStatus.UNHEALTHY));

    assertThat(published).hasSize(1);
    assertThat(published.get(0).checks()).isEqualTo(Map.of(A, HealthStatus.HEALTHY, B, HealthStatus.UNHEALTHY));
    assertThat(published.get(0).generation()).isEqualTo(1);
  }

  @Test
  void setChecks_nothingDiffers_isANoOp() {
    HealthRegistry registry = new HealthRegistry();
    HealthSnapshot first = registry.setChecks(Map.of(A, HealthStatus.HEALTHY));

    HealthSnapshot again = registry.setChecks(Map.of(A, HealthStatus.HEALTHY, B, HealthStatus.UNKNOWN));

    assertThat(again).isSameAs(first);
  }
}
