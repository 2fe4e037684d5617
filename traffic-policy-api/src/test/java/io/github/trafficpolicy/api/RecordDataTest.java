package io.github.trafficpolicy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class RecordDataTest {

  @Test
  void parse_a_givesTheAddress() {
    RecordData d = RecordData.parse(RecordType.A, "192.0.2.1");
    assertThat(d).isInstanceOf(RecordData.A.class);
    assertThat(d.presentation()).isEqualTo("192.0.2.1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"192.0.2", "192.0.2.256", "2001:db8::1", "example.com", "192.0.2.1 192.0.2.2",
      "::ffff:1.2.3.4"})
  void parse_aInvalid_throws(String value) {
    assertThatThrownBy(() -> RecordData.parse(RecordType.A, value)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IPv4");
  }

  @Test
  void parse_aaaa_givesCompressedAddress() {
    assertThat(RecordData.parse(RecordType.AAAA, "2001:0db8:0000:0000:0000:0000:0000:0001").presentation())
        .isEqualTo("2001:db8::1");
  }

  @Test
  void parse_aaaaMappedIpv4_staysIpv6() {
    RecordData d = RecordData.parse(RecordType.AAAA, "::ffff:192.0.2.1");
    assertThat(d).isInstanceOf(RecordData.Aaaa.class);
    assertThat(((RecordData.Aaaa) d).address().getAddress()[15]).isEqualTo((byte) 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"192.0.2.1", "2001:db8::g", "fe80::1%eth0", "2001:db8:::1"})
  void parse_aaaaInvalid_throws(String value) {
    assertThatThrownBy(() -> RecordData.parse(RecordType.AAAA, value)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IPv6");
  }

  @ParameterizedTest
  @ValueSource(strings = {"www.example.com", "www.example.com.", "*.example.com", "_sip._tcp.example.com", "a", "."})
  void parse_cnameValid_keepsNameAsWritten(String value) {
    assertThat(RecordData.parse(RecordType.CNAME, value)).isEqualTo(new RecordData.Cname(value));
    assertThat(RecordData.parse(RecordType.PTR, value)).isEqualTo(new RecordData.Ptr(value));
  }

  @ParameterizedTest
  @ValueSource(strings = {"www..example.com", "-bad.example.com", "bad-.example.com", "a.*.example.com",
      "with space.example.com", "*", "ex@mple.com"})
  void parse_cnameInvalid_throws(String value) {
    assertThatThrownBy(() -> RecordData.parse(RecordType.CNAME, value)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid host name");
  }

  @Test
  void parse_cnameLabelOf64_throws() {
    String label = "a".repeat(64);
    assertThatThrownBy(() -> RecordData.parse(RecordType.CNAME, label + ".example.com"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(RecordData.parse(RecordType.CNAME, "a".repeat(63) + ".example.com").presentation())
        .startsWith("aaa");
  }

  @Test
  void parse_cnameLongerThan255_throws() {
    String name = ("a".repeat(60) + ".").repeat(5);
    assertThatThrownBy(() -> RecordData.parse(RecordType.CNAME, name)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than 255");
  }

  @Test
  void parse_mx_givesPreferenceAndExchange() {
    assertThat(RecordData.parse(RecordType.MX, "10  mail.example.com")).isEqualTo(new RecordData.Mx(10,
        "mail.example.com"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mail.example.com", "10", "65536 mail.example.com", "-1 mail.example.com",
      "10 mail.example.com extra", "x mail.example.com"})
  void parse_mxInvalid_throws(String value) {
    assertThatThrownBy(() -> RecordData.parse(RecordType.MX, value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_srv_givesAllFields() {
    assertThat(RecordData.parse(RecordType.SRV, "1 10 443 host.example.com"))
        .isEqualTo(new RecordData.Srv(1, 10, 443, "host.example.com"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1 10 443", "1 10 70000 host.example.com", "1 10 443 host.example.com x"})
  void parse_srvInvalid_throws(String value) {
    assertThatThrownBy(() -> RecordData.parse(RecordType.SRV, value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_txtQuotedStrings_givesEachString() {
    assertThat(RecordData.parse(RecordType.TXT, "\"v=spf1 -all\" \"second \\\"q\\\"\""))
        .isEqualTo(new RecordData.Txt(ImmutableList.of("v=spf1 -all", "second \"q\"")));
  }

  @Test
  void parse_txtUnquoted_isOneString() {
    assertThat(RecordData.parse(RecordType.TXT, "hello world"))
        .isEqualTo(new RecordData.Txt(ImmutableList.of("hello world")));
  }

  @Test
  void parse_txtDecimalEscape_decodesByte() {
    assertThat(((RecordData.Txt) RecordData.parse(RecordType.TXT, "\"A\\066C\"")).strings()).containsExactly("ABC");
  }

  @Test
  void parse_txtPresentation_roundTrips() {
    RecordData d = RecordData.parse(RecordType.TXT, "\"a \\\"b\\\" \\\\ c\" \"d\"");
    assertThat(RecordData.parse(RecordType.TXT, d.presentation())).isEqualTo(d);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"unterminated", "\"a\" b", "\"a\\300\""})
  void parse_txtInvalid_throws(String value) {
    assertThatThrownBy(() -> RecordData.parse(RecordType.TXT, value)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RecordData.parse(RecordType.SPF, value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_txtStringOver255Bytes_throws() {
    assertThatThrownBy(() -> RecordData.parse(RecordType.TXT, "\"" + "é".repeat(128) + "\""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("255 bytes");
  }

  @Test
  void parse_spf_givesStrings() {
    assertThat(RecordData.parse(RecordType.SPF, "\"v=spf1 ip4:192.0.2.0/24 -all\""))
        .isEqualTo(new RecordData.Spf(ImmutableList.of("v=spf1 ip4:192.0.2.0/24 -all")));
  }

  @Test
  void parse_caa_givesFlagsTagValue() {
    assertThat(RecordData.parse(RecordType.CAA, "0 ISSUE \"ca.example.net\""))
        .isEqualTo(new RecordData.Caa(0, "issue", "ca.example.net"));
    assertThat(RecordData.parse(RecordType.CAA, "128 iodef \"mailto:a@example.com\"").presentation())
        .isEqualTo("128 iodef \"mailto:a@example.com\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"256 issue \"ca\"", "0 is-sue \"ca\"", "0 issue", "0 issue \"ca\" extra", "0 " +
      "abcdefghijklmnop \"ca\""})
  void parse_caaInvalid_throws(String value) {
    assertThatThrownBy(() -> RecordData.parse(RecordType.CAA, value)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_naptr_givesAllFields() {
    assertThat(RecordData.parse(RecordType.NAPTR, "100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."))
        .isEqualTo(new RecordData.Naptr(100, 10, "U", "E2U+sip", "!^.*$!sip:info@example.com!", "."));
  }

  @ParameterizedTest
  @ValueSource(strings = {"100 10 \"U\" \"E2U+sip\" \"!x!\"", "100 70000 \"U\" \"s\" \"r\" .",
      "100 10 \"U\" \"s\" \"r\" bad..name"})
  void parse_naptrInvalid_throws(String value) {
    assertThatThrownBy(() -> RecordData.parse(RecordType.NAPTR, value)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @CsvSource({"A", "AAAA", "CAA", "CNAME", "MX", "NAPTR", "PTR", "SPF", "SRV", "TXT"})
  void parse_blank_throws(RecordType type) {
    for (String blank : List.of("", "   ")) {
      assertThatThrownBy(() -> RecordData.parse(type, blank)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty");
    }
  }
}
