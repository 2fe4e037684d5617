package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.api.RecordType;
import java.util.List;
import org.junit.jupiter.api.Test;

final class CatalogTest {
  private static FakePolicy cname(String name) {
    return new FakePolicy(name, RecordType.CNAME, 60, q -> new FakePolicy.Reply(List.of("target.example.net."), 0));
  }

  @Test
  void build_cnamePolicyBesideStaticRecords_refused() {
    // RFC 1034 3.6.2: a name with a CNAME has no other data.
    Catalog.Builder b = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(cname("static"
        + ".example.com"));
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("policy record static.example.com. CNAME")
        .hasMessageContaining("static records beside it");
  }

  @Test
  void build_cnamePolicyAtApex_refused() {
    Catalog.Builder b = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).policyRecord(cname("example"
        + ".com"));
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("policy record example.com. CNAME");
  }
}
