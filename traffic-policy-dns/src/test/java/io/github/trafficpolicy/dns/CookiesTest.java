package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Dns.ip;
import static io.github.trafficpolicy.dns.Dns.query;
import static io.github.trafficpolicy.dns.Dns.withEdns;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.io.BaseEncoding;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** DNS Cookies (RFC 7873) with RFC 9018 server cookies. */
final class CookiesTest {
  private static final byte[] SECRET = hex("e5e973e5a6b2a43f48e7dc849e37bfcf");
  private static final byte[] CLIENT = hex("2464c4abcf10c957");

  private static byte[] hex(String s) {
    return BaseEncoding.base16().lowerCase().decode(s);
  }

  @Test
  void serverCookie_rfc9018TestVector() {
    ServerCookies cookies = new ServerCookies(SECRET);
    byte[] out = new byte[24];
    cookies.write(CLIENT, ip("198.51.100.100"), 1559731985L, out, 0);
    // RFC 9018 appendix A.1: the server cookie for this client cookie, address, time and secret.
    assertThat(BaseEncoding.base16().lowerCase().encode(out))
        .isEqualTo("2464c4abcf10c957" + "010000005cf79f111f8130c3eee29480");
    byte[] server = hex("010000005cf79f111f8130c3eee29480");
    assertThat(cookies.valid(CLIENT, server, ip("198.51.100.100"), 1559731985L + 60)).isTrue();
    assertThat(cookies.valid(CLIENT, server, ip("198.51.100.101"), 1559731985L)).as("other address").isFalse();
    assertThat(cookies.valid(CLIENT, server, ip("198.51.100.100"), 1559731985L + 3601)).as("too old").isFalse();
    assertThat(cookies.valid(CLIENT, server, ip("198.51.100.100"), 1559731985L - 301)).as("future").isFalse();
    server[15] ^= 1;
    assertThat(cookies.valid(CLIENT, server, ip("198.51.100.100"), 1559731985L)).as("tampered").isFalse();
  }

  private static Message ask(QueryHandler h, EDNSOption... options) {
    Message q = withEdns(query("static.example.com.", Type.A), 1232, options);
    Optional<byte[]> r = h.handle(q.toWire(), ip("198.51.100.7"), Transport.UDP);
    return r.map(Dns::parse).orElse(null);
  }

  private static CookieOption cookieOf(Message reply) {
    List<EDNSOption> o = reply.getOPT().getOptions(EDNSOption.Code.COOKIE);
    assertThat(o).hasSize(1);
    return (CookieOption) o.get(0);
  }

  private static QueryHandler handler(boolean rateLimited) {
    QueryHandler.Builder b = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).build())
        .cookieSecret(SECRET);
    if (rateLimited) {
      b.rateLimit(1, 0, 24, 56);
    }
    return b.build();
  }

  @Test
  void clientCookie_answeredWithItAndAServerCookieThatValidates() {
    QueryHandler h = handler(false);
    Message r = ask(h, new CookieOption(CLIENT));
    assertThat(r.getRcode()).isEqualTo(Rcode.NOERROR);
    CookieOption c = cookieOf(r);
    assertThat(c.getClientCookie()).isEqualTo(CLIENT);
    byte[] server = c.getServerCookie().orElseThrow();
    assertThat(server).hasSize(16);
    assertThat(server[0]).isEqualTo((byte) 1);
    assertThat(new ServerCookies(SECRET).valid(CLIENT, server, ip("198.51.100.7"), System.currentTimeMillis() / 1000))
        .isTrue();
  }

  @Test
  void validServerCookie_exemptFromRateLimiting_othersLimited() {
    QueryHandler h = handler(true);
    byte[] server = cookieOf(ask(h, new CookieOption(CLIENT))).getServerCookie().orElseThrow();
    int withCookie = 0;
    int without = 0;
    for (int i = 0; i < 10; i++) {
      if (ask(h, new CookieOption(CLIENT, server)) != null) {
        withCookie++;
      }
      if (ask(h) != null) {
        without++;
      }
    }
    assertThat(withCookie).isEqualTo(10);
    assertThat(without).as("1 per second, the first one spent by the cookie request").isBetween(0, 1);
  }

  @Test
  void malformedCookieOption_formerr() {
    QueryHandler h = handler(false);
    byte[] wire = withEdns(query("static.example.com.", Type.A), 1232).toWire();
    // Append a 5-byte COOKIE option to the OPT record (the last 11 bytes: rdlength at the end).
    byte[] option = {0, 10, 0, 5, 1, 2, 3, 4, 5};
    byte[] bad = java.util.Arrays.copyOf(wire, wire.length + option.length);
    System.arraycopy(option, 0, bad, wire.length, option.length);
    bad[wire.length - 1] = (byte) option.length;
    Message r = Dns.parse(h.handle(bad, ip("198.51.100.7"), Transport.UDP).orElseThrow());
    assertThat(r.getRcode()).isEqualTo(Rcode.FORMERR);
  }

  @Test
  void noCookies_optionIgnored() {
    QueryHandler h = QueryHandler.builder(Catalog.builder().zone(Zone.parse("example.com", Dns.ZONE)).build())
        .noCookies().build();
    Message r = ask(h, new CookieOption(CLIENT));
    assertThat(r.getOPT().getOptions(EDNSOption.Code.COOKIE)).isEmpty();
  }
}
