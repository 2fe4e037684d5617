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

  private static byte[] bytes(String... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (String p : parts) {
      out.writeBytes(p.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
    return out.toByteArray();
  }

  private static byte[] txtBytes(Zone zone, String name) {
    ZoneStore store = zone.store();
    int node = store.find(name);
    int rrset = node < 0 ? -1 : store.rrset(node, org.xbill.DNS.Type.TXT);
    if (rrset < 0) {
      throw new AssertionError("no TXT at " + name);
    }
    return ((org.xbill.DNS.TXTRecord) store.record(rrset, store.name(node))).getStringsAsByteArrays().get(0);
  }

  @Test
  void parse_rawUtf8AndInvalidBytesInTxt_keptAsTheBytesWritten() {
    // ISO-8859-1 keeps each char as one byte: "caf\xc3\xa9" is café in UTF-8; \xff\xfe is not UTF-8 at all.
    Zone zone = Zone.parse("example.com", bytes(HEAD, "t1 IN TXT \"caf\u00c3\u00a9\"\n",
        "t2 IN TXT \"\u00ff\u00fe\"\n", "t3 IN TXT caf\u00c3\u00a9\n", "t4 IN TXT \"\\\u00c3\u00a9\"\n"), "z");
    byte[] cafe = {'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9};
    assertThat(txtBytes(zone, "t1.example.com.")).containsExactly(cafe);
    assertThat(txtBytes(zone, "t2.example.com.")).containsExactly((byte) 0xff, (byte) 0xfe);
    assertThat(txtBytes(zone, "t3.example.com.")).containsExactly(cafe);
    assertThat(txtBytes(zone, "t4.example.com.")).containsExactly((byte) 0xc3, (byte) 0xa9);
  }

  @Test
  void parse_rawUtf8Txt_servedAsTheSameBytes() throws Exception {
    Zone zone = Zone.parse("example.com", bytes(HEAD, "t IN TXT \"caf\u00c3\u00a9\"\n"), "z");
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(zone).build()).build();
    byte[] reply = h.handle(Dns.query("t.example.com.", org.xbill.DNS.Type.TXT).toWire(), Dns.ip("192.0.2.1"),
        Transport.UDP).orElseThrow();
    org.xbill.DNS.TXTRecord t = (org.xbill.DNS.TXTRecord) Dns.parse(reply).getSection(org.xbill.DNS.Section.ANSWER)
        .get(0);
    assertThat(t.getStringsAsByteArrays().get(0)).containsExactly('c', 'a', 'f', (byte) 0xc3, (byte) 0xa9);
  }

  @Test
  void parse_dname_refusedWithItsLine() {
    String zone = """
        $TTL 300
        @    IN SOA ns1 hostmaster (
                    1 7200 900 1209600 60 )
        @    IN NS  ns1
        ns1  IN A   192.0.2.53
        ; a comment line
        $ORIGIN example.com.
        d    IN DNAME example.net.
        """;
    assertThatThrownBy(() -> Zone.parse("example.com", zone, "z.zone")).isInstanceOf(ZoneFileException.class)
        .hasMessageStartingWith("z.zone: line 8: d.example.com. DNAME: DNAME is not supported");
  }

  @Test
  void parse_unbalancedParentheses_refusedWithTheLine() {
    assertThatThrownBy(() -> Zone.parse("example.com", HEAD + "x IN TXT ( \"abc\"\ny IN A 192.0.2.1\n", "z"))
        .isInstanceOf(ZoneFileException.class).hasMessage("z: line 5: '(' opened here is never closed");
    assertThatThrownBy(() -> Zone.parse("example.com", HEAD + "x IN TXT \"abc\" )\n", "z"))
        .isInstanceOf(ZoneFileException.class).hasMessage("z: line 5: ')' without an open '('");
    // Parentheses in strings, comments and escapes do not count.
    Zone ok = Zone.parse("example.com", HEAD + "x IN TXT \"(\" \\( ; (\n", "z");
    assertThat(ok.size()).isEqualTo(4);
  }

  @Test
  void parse_unterminatedString_refusedWithTheLine() {
    assertThatThrownBy(() -> Zone.parse("example.com", HEAD + "x IN TXT \"abc\n", "z"))
        .isInstanceOf(ZoneFileException.class).hasMessage("z: line 5: a quoted string starts here and is never closed");
  }

  @Test
  void parse_generate_refusedWithTheLine() {
    assertThatThrownBy(() -> Zone.parse("example.com", HEAD + "$GENERATE 1-10 host$ A 192.0.2.$\n", "z"))
        .isInstanceOf(ZoneFileException.class)
        .hasMessage("z: line 5: $GENERATE is not supported; write the records out");
  }

  @Test
  void parse_recordDataNoMessageCanHold_refusedWithTheLine() {
    String big = ("\"" + "x".repeat(250) + "\" ").repeat(300);   // 75,300 bytes of TXT data
    assertThatThrownBy(() -> Zone.parse("example.com", HEAD + "big IN TXT " + big + "\n", "z"))
        .isInstanceOf(ZoneFileException.class)
        .hasMessageStartingWith("z: line 5: big.example.com. TXT: the record data is 75300 bytes");
  }

  @Test
  void parse_rrsetNoMessageCanHold_refusedWithTheLineOfItsFirstRecord() {
    StringBuilder z = new StringBuilder(HEAD).append("other IN A 192.0.2.1\n");
    for (int i = 0; i < 300; i++) {
      z.append("set IN TXT \"").append(i).append("x".repeat(240)).append("\"\n");
    }
    assertThatThrownBy(() -> Zone.parse("example.com", z.toString(), "z"))
        .isInstanceOf(ZoneFileException.class)
        .hasMessageStartingWith("z: line 6: set.example.com. TXT: 300 records need a")
        .hasMessageContaining("no DNS message can hold more than 65535 bytes");
    // The same RRset that fits is accepted.
    StringBuilder fits = new StringBuilder(HEAD);
    for (int i = 0; i < 200; i++) {
      fits.append("set IN TXT \"").append(i).append("x".repeat(240)).append("\"\n");
    }
    assertThat(Zone.parse("example.com", fits.toString(), "z").size()).isEqualTo(203);
  }

  @Test
  void fromFile_overTheSizeLimit_refusedBeforeReading(@TempDir Path dir) throws Exception {
    Path huge = dir.resolve("huge.zone");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(InputLimits.ZONE_FILE_BYTES + 1);   // sparse: nothing is written
    }
    assertThatThrownBy(() -> Zone.fromFile(huge, "example.com")).isInstanceOf(ZoneFileException.class)
        .hasMessageContaining("is 67,108,865 bytes, over the limit of 67,108,864 bytes for a zone file");
  }

  @Test
  void fromFile_problemAtTheEndOfABigFile_reportedBeforeDnsjavaSeesTheEnd(@TempDir Path dir) throws Exception {
    // The file is read in blocks; the unclosed string in the last line is found when the input ends, which must
    // come before dnsjava reads that line (it would report "newline in quoted string" instead).
    StringBuilder z = new StringBuilder(HEAD);
    for (int i = 0; i < 2000; i++) {
      z.append("h").append(i).append(" IN A 192.0.2.").append(i % 250).append('\n');
    }
    z.append("last IN TXT \"abc\n");
    Path file = dir.resolve("big.zone");
    Files.writeString(file, z);
    assertThatThrownBy(() -> Zone.fromFile(file, "example.com")).isInstanceOf(ZoneFileException.class)
        .hasMessage(file + ": line 2005: a quoted string starts here and is never closed");
  }

  @Test
  void parse_cnameAndOtherData_refusedWithTheLineOfTheCname() {
    assertThatThrownBy(() -> Zone.parse("example.com", HEAD + "a IN A 192.0.2.1\nb IN A 192.0.2.2\nA IN CNAME b\n",
        "z")).isInstanceOf(ZoneFileException.class).hasMessage("z: line 7: a.example.com. has a CNAME and other data");
  }

  @Test
  void parse_namesWrittenApartAndInAnyCase_oneNameWithItsRRsetsInTheOrderTheirTypesFirstAppear() {
    Zone zone = Zone.parse("example.com", HEAD + "www IN TXT \"t\"\nother IN A 192.0.2.9\nWWW 60 IN A 192.0.2.1\n"
        + "www.EXAMPLE.com. IN TXT \"u\"\nWww IN A 192.0.2.2\nwww IN A 192.0.2.1\n", "z");
    ZoneStore store = zone.store();
    int www = store.find("www.example.com.");
    assertThat(store.find("WWW.example.com.")).as("keys are lower case").isEqualTo(-1);
    assertThat(store.endRRset(www) - store.firstRRset(www)).isEqualTo(2);
    assertThat(store.type(store.firstRRset(www))).isEqualTo(org.xbill.DNS.Type.TXT);
    int a = store.rrset(www, org.xbill.DNS.Type.A);
    // The smallest TTL of the RRset; the duplicate 192.0.2.1 once.
    assertThat(store.ttl(a)).isEqualTo(60);
    assertThat(store.rrset(a, store.name(www)).rrs(false)).extracting(r -> r.rdataToString())
        .containsExactly("192.0.2.1", "192.0.2.2");
    assertThat(zone.size()).isEqualTo(9);
  }

  @Test
  void parse_20000Records_storedInUnder48BytesEach() {
    // Each record here is 35 bytes on the wire (owner "h1NNNNN.example.com." 21, 10 bytes of type, class, TTL and
    // length, 4 of address); dnsjava objects took about 500 bytes each.
    StringBuilder z = new StringBuilder(HEAD);
    for (int i = 0; i < 20_000; i++) {
      z.append('h').append(100_000 + i).append(" IN A 10.0.").append(i >> 8).append('.').append(i & 255).append('\n');
    }
    Zone zone = Zone.parse("example.com", z.toString(), "z");
    ZoneStore store = zone.store();
    assertThat(zone.size()).isEqualTo(20_003);
    assertThat(store.nodeCount()).isEqualTo(20_002);
    assertThat(store.arrayBytes() / zone.size()).isLessThan(48);
    int n = store.find("h119999.example.com.");
    assertThat(store.rrset(store.rrset(n, org.xbill.DNS.Type.A), store.name(n)).first().rdataToString())
        .isEqualTo("10.0.78.31");
  }
}
