package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;
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

  @Test
  void reusingNamesOf_takesTheParsedNamesOfTheReplacedCatalog_forTheSameNamesOnly() {
    Catalog first = Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE))
        .policyRecord(FakePolicy.constant("www.example.com", "192.0.2.1", 0))
        .policyRecord(FakePolicy.constant("api.example.com", "192.0.2.2", 0)).build();

    Catalog second = Catalog.builder().reusingNamesOf(first).zone(Zone.parse("example.com", Dns.ZONE))
        .policyRecord(FakePolicy.constant("WWW.example.com.", "192.0.2.3", 0))
        .policyRecord(FakePolicy.constant("new.example.com", "192.0.2.4", 0)).build();

    PolicyEntry www = second.policyEntries().get("www.example.com.");
    assertThat(www.name).isSameAs(first.policyEntries().get("www.example.com.").name);
    assertThat(www.key).isEqualTo("www.example.com.");
    assertThat(second.policyEntries().get("new.example.com.").name.toString()).isEqualTo("new.example.com.");
    assertThat(second.policyEntries()).doesNotContainKey("api.example.com.");
    assertThat(second.findZone("www.example.com.").node("www.example.com.").policy).isSameAs(www);
  }
}
