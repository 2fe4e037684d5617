package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ZoneTest {
  private static final String HEAD = """
      $TTL 300
      @    IN SOA ns1 hostmaster 1 7200 900 1209600 60
      @    IN NS  ns1
      ns1  IN A   192.0.2.53
      """;

  @Test
  void fromFile_includeDirective_refusedNamingTheLine(@TempDir Path dir) throws Exception {
    Path included = dir.resolve("more.zone");
    Files.writeString(included, "www IN A 192.0.2.1\n");
    Path zone = dir.resolve("example.com.zone");
    Files.writeString(zone, HEAD + "$INCLUDE " + included + "\n");
    // Silently skipping the directive would serve a zone without the records the operator meant to include.
    assertThatThrownBy(() -> Zone.fromFile(zone, "example.com"))
        .isInstanceOf(ZoneFileException.class)
        .hasMessageContaining(zone.toString())
        .hasMessageContaining("line 5")
        .hasMessageContaining("$INCLUDE");
  }

  @Test
  void parse_recordOfClassCh_refused() {
    // Only class IN is served: a CH record would otherwise be the answer to an IN question.
    assertThatThrownBy(() -> Zone.parse("example.com", HEAD + "txt CH TXT \"chaos\"\n"))
        .isInstanceOf(ZoneFileException.class)
        .hasMessageContaining("txt.example.com.")
        .hasMessageContaining("CH");
  }

  @Test
  void parse_validZone_keepsEveryRecord() {
    Zone zone = Zone.parse("example.com", HEAD);
    assertThat(zone.origin()).isEqualTo("example.com.");
    assertThat(zone.size()).isEqualTo(3);
  }
}
