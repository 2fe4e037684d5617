package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class HealthFeedTest {
  private static final HealthCheckId DB = HealthCheckId.of("db");
  private static final HealthCheckId CACHE = HealthCheckId.of("cache");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final HealthRegistry registry = new HealthRegistry();

  private HealthFeed feed(HealthStatus staleStatus) {
    return HealthFeed.builder(registry).clock(clock).maxAge(Duration.ofMinutes(2)).staleStatus(staleStatus).build();
  }

  @Test
  void set_publishesAtOnce() {
    HealthFeed feed = feed(HealthStatus.UNKNOWN);
    feed.set("db", HealthStatus.UNHEALTHY);
    assertThat(registry.current().check(DB)).isEqualTo(HealthStatus.UNHEALTHY);
    feed.set("db", HealthStatus.HEALTHY);
    assertThat(registry.current().check(DB)).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void refresh_staleStatus_fallsBackUntilSetAgain() {
    HealthFeed feed = feed(HealthStatus.UNHEALTHY);
    feed.set("db", HealthStatus.HEALTHY);

    clock.advance(Duration.ofMinutes(2));
    feed.refresh();
    assertThat(registry.current().check(DB)).as("exactly maxAge old is still fresh").isEqualTo(HealthStatus.HEALTHY);

    clock.advance(Duration.ofSeconds(1));
    feed.refresh();
    assertThat(registry.current().check(DB)).isEqualTo(HealthStatus.UNHEALTHY);
    FeedEntry entry = feed.entry(DB).orElseThrow();
    assertThat(entry.stale()).isTrue();
    assertThat(entry.reported()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(entry.age()).isEqualTo(Duration.ofSeconds(121));

    feed.set("db", HealthStatus.HEALTHY);
    assertThat(registry.current().check(DB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(feed.entry(DB).orElseThrow().age()).isZero();
  }

  @Test
  void set_alreadyStaleObservation_publishesTheFallback() {
    HealthFeed feed = feed(HealthStatus.UNKNOWN);
    feed.set(DB, HealthStatus.UNHEALTHY, clock.instant().minus(Duration.ofMinutes(10)));
    assertThat(registry.current().check(DB)).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(feed.entry(DB).orElseThrow().stale()).isTrue();
  }

  @Test
  void remove_fallsBackToTheStaleStatus() {
    HealthFeed feed = feed(HealthStatus.UNHEALTHY);
    feed.set("db", HealthStatus.HEALTHY);
    feed.remove(DB);
    assertThat(registry.current().check(DB)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(feed.entry(DB)).isEmpty();
  }

  @Test
  void replaceAll_publishesEveryStatusInOneSnapshot() {
    HealthFeed feed = feed(HealthStatus.UNKNOWN);
    long before = registry.current().generation();
    feed.replaceAll(Map.of(DB, HealthStatus.HEALTHY, CACHE, HealthStatus.UNHEALTHY), clock.instant());
    assertThat(registry.current().generation()).isEqualTo(before + 1);
    assertThat(registry.current().check(DB)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(registry.current().check(CACHE)).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void refresh_nothingChanged_publishesNothing() {
    HealthFeed feed = feed(HealthStatus.UNKNOWN);
    feed.set("db", HealthStatus.HEALTHY);
    long generation = registry.current().generation();
    clock.advance(Duration.ofSeconds(30));
    feed.refresh();
    assertThat(registry.current().generation()).isEqualTo(generation);
  }

  @Test
  void start_refreshesPeriodically() throws Exception {
    HealthFeed feed = HealthFeed.builder(registry).clock(clock).maxAge(Duration.ofMinutes(1))
        .staleStatus(HealthStatus.UNHEALTHY).refreshInterval(Duration.ofMillis(5)).build();
    try (feed) {
      feed.set("db", HealthStatus.HEALTHY);
      CountDownLatch stale = new CountDownLatch(1);
      registry.addListener(s -> {
        if (s.check(DB) == HealthStatus.UNHEALTHY) {
          stale.countDown();
        }
      });
      feed.start();
      clock.advance(Duration.ofMinutes(5));
      assertThat(stale.await(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
