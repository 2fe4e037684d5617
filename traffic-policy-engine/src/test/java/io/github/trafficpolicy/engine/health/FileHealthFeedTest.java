package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.HealthRegistry;
import io.github.trafficpolicy.engine.HealthStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FileHealthFeedTest {
  private static final HealthCheckId WEB1 = HealthCheckId.of("web-1");
  private static final HealthCheckId WEB2 = HealthCheckId.of("web-2");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);
  private final HealthRegistry registry = new HealthRegistry();

  private Path write(String name, String content, Instant modified) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }

  private FileHealthFeed feed(Path file) {
    return FileHealthFeed.builder(file, registry).clock(clock).maxAge(Duration.ofMinutes(1))
        .staleStatus(HealthStatus.UNHEALTHY).build();
  }

  @Test
  void poll_jsonFile_publishesItsStatusesAgedByTheModificationTime() throws IOException {
    Path file = write("health.json", "{\"web-1\": \"HEALTHY\", \"web-2\": \"unhealthy\"}", T0.minusSeconds(20));
    FileHealthFeed feed = feed(file);

    assertThat(feed.poll()).isTrue();

    assertThat(registry.current().check(WEB1)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(registry.current().check(WEB2)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(feed.entries().get(WEB1).age()).isEqualTo(Duration.ofSeconds(20));
    assertThat(feed.poll()).as("unchanged file").isFalse();
  }

  @Test
  void poll_fileNotRewritten_goesStaleAndFallsBack_thenRecoversWhenRewritten() throws IOException {
    Path file = write("health.csv", "id,status\nweb-1,HEALTHY\n", T0);
    FileHealthFeed feed = feed(file);
    feed.poll();

    clock.advance(Duration.ofSeconds(61));
    feed.poll();
    assertThat(registry.current().check(WEB1)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(feed.entries().get(WEB1).stale()).isTrue();

    write("health.csv", "web-1,HEALTHY\n", clock.instant());
    assertThat(feed.poll()).isTrue();
    assertThat(registry.current().check(WEB1)).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void poll_invalidFile_keepsTheLastGoodStatusesAndReportsTheError() throws IOException {
    Path file = write("health.csv", "web-1,HEALTHY\n", T0);
    FileHealthFeed feed = feed(file);
    feed.poll();

    write("health.csv", "web-1,MAYBE\n", T0.plusSeconds(1));
    assertThat(feed.poll()).isFalse();

    assertThat(registry.current().check(WEB1)).isEqualTo(HealthStatus.HEALTHY);
    assertThat(feed.lastError()).hasValueSatisfying(e -> assertThat(e)
        .contains("line 1: status must be HEALTHY or UNHEALTHY but was 'MAYBE'"));
    Files.delete(file);
    feed.poll();
    assertThat(feed.lastError()).hasValueSatisfying(e -> assertThat(e).contains("does not exist"));
    assertThat(registry.current().check(WEB1)).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void poll_idRemovedFromTheFile_fallsBack() throws IOException {
    Path file = write("health.csv", "web-1,HEALTHY\nweb-2,HEALTHY\n", T0);
    FileHealthFeed feed = feed(file);
    feed.poll();
    write("health.csv", "web-1,HEALTHY\n", T0.plusSeconds(1));
    feed.poll();
    assertThat(registry.current().check(WEB2)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(feed.entries()).containsOnlyKeys(WEB1);
  }

  @Test
  void start_pollsTheFile() throws IOException {
    Path file = write("health.json", "{\"web-1\": \"HEALTHY\"}", T0);
    try (FileHealthFeed feed = FileHealthFeed.builder(file, registry).clock(clock).pollInterval(Duration.ofMillis(5))
        .build()) {
      feed.start();
      assertThat(Await.until(() -> registry.current().check(WEB1) == HealthStatus.HEALTHY, Duration.ofSeconds(30)))
          .isTrue();
      write("health.json", "{\"web-1\": \"UNHEALTHY\"}", T0.plusSeconds(1));
      assertThat(Await.until(() -> registry.current().check(WEB1) == HealthStatus.UNHEALTHY,
          Duration.ofSeconds(30))).isTrue();
    }
  }

  @Test
  void parse_csvWithCommentsAndHeader() {
    assertThat(FileHealthFeed.parse("# statuses\nid,status\n\n web-1 , healthy \nweb-2,UNHEALTHY\r\n"))
        .isEqualTo(Map.of(WEB1, HealthStatus.HEALTHY, WEB2, HealthStatus.UNHEALTHY));
  }

  @Test
  void parse_badContent_listsEveryProblem() {
    assertThatThrownBy(() -> FileHealthFeed.parse("web-1,HEALTHY\nweb-1,UNHEALTHY\nweb-3\nweb-4,UP\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("line 2: duplicate ID web-1; line 3: expected id,status but was 'web-3'; "
            + "line 4: status must be HEALTHY or UNHEALTHY but was 'UP'");
    assertThatThrownBy(() -> FileHealthFeed.parse("{\"web-1\": true, \"a/b\": \"DOWN\"}"))
        .hasMessage("/web-1: must be \"HEALTHY\" or \"UNHEALTHY\" but was true; "
            + "/a~1b: status must be HEALTHY or UNHEALTHY but was 'DOWN'");
    assertThatThrownBy(() -> FileHealthFeed.parse("{\"web-1\": \"HEALTHY\", \"web-1\": \"UNHEALTHY\"}"))
        .hasMessageStartingWith("malformed JSON: Duplicate field 'web-1'");
    assertThatThrownBy(() -> FileHealthFeed.parse("{\"web-1\": "))
        .hasMessageStartingWith("malformed JSON");
  }
}
