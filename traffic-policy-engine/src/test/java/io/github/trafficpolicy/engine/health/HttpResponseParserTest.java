package io.github.trafficpolicy.engine.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class HttpResponseParserTest {
  private static Optional<HttpResponseParser.Verdict> feed(HttpResponseParser p, String text) {
    return p.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /** Feeds one byte at a time, as a slow network would; the verdict must not depend on the split. */
  private static HttpResponseParser.Verdict byteByByte(Optional<String> search, String response) {
    HttpResponseParser p = new HttpResponseParser(search);
    byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
    for (byte b : bytes) {
      Optional<HttpResponseParser.Verdict> v = p.feed(ByteBuffer.wrap(new byte[] {b}));
      if (v.isPresent()) {
        return v.get();
      }
    }
    return p.endOfStream();
  }

  @ParameterizedTest
  @CsvSource({"200,true", "204,true", "301,true", "399,true", "199,false", "400,false", "404,false", "503,false"})
  void feed_statusLine_successOnlyFor2xxAnd3xx(int status, boolean success) {
    HttpResponseParser p = new HttpResponseParser(Optional.empty());
    assertThat(feed(p, "HTTP/1.1 " + status + " Whatever\r\n")).hasValueSatisfying(v -> {
      assertThat(v.success()).isEqualTo(success);
      assertThat(v.reason()).isEqualTo("HTTP " + status + " Whatever");
    });
  }

  @Test
  void feed_partialStatusLine_waits() {
    HttpResponseParser p = new HttpResponseParser(Optional.empty());
    assertThat(feed(p, "HTTP/1.1 20")).isEmpty();
    assertThat(feed(p, "0 OK\r\n")).hasValue(new HttpResponseParser.Verdict(true, "HTTP 200 OK"));
  }

  @Test
  void feed_malformedStatusLine_fails() {
    HttpResponseParser p = new HttpResponseParser(Optional.empty());
    assertThat(feed(p, "SSH-2.0-OpenSSH\r\n")).hasValue(
        new HttpResponseParser.Verdict(false, "malformed status line: SSH-2.0-OpenSSH"));
  }

  @Test
  void endOfStream_beforeAnyByte_fails() {
    assertThat(new HttpResponseParser(Optional.empty()).endOfStream())
        .isEqualTo(new HttpResponseParser.Verdict(false, "connection closed without a response"));
  }

  @Test
  void feed_searchStringInContentLengthBody_found() {
    String response = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
    assertThat(byteByByte(Optional.of("world"), response))
        .isEqualTo(new HttpResponseParser.Verdict(true, "HTTP 200 OK, search string found"));
  }

  @Test
  void feed_searchStringAcrossChunks_foundAfterDechunking() {
    String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nwor\r\n2;ext=1\r\nld\r\n0\r\n\r\n";
    assertThat(byteByByte(Optional.of("world"), response).success()).isTrue();
  }

  @Test
  void feed_searchStringSplitByChunkFraming_notFoundInRawBytesOnly() {
    // the chunk framing (size lines and CRLFs) is not part of the body, so it cannot match
    String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n\r\n";
    assertThat(byteByByte(Optional.of("\r\n"), response).success()).isFalse();
  }

  @Test
  void feed_searchStringBeyond5120Bytes_notFound() {
    String body = "a".repeat(5120) + "NEEDLE";
    String response = "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    HttpResponseParser p = new HttpResponseParser(Optional.of("NEEDLE"));
    assertThat(feed(p, response)).hasValue(new HttpResponseParser.Verdict(false,
        "HTTP 200 OK, search string not found in the first 5120 bytes of the body"));
  }

  @Test
  void feed_bodyWithoutLengthEndedByClose_isSearched() {
    HttpResponseParser p = new HttpResponseParser(Optional.of("up"));
    assertThat(feed(p, "HTTP/1.0 200 OK\r\n\r\nall up")).isEmpty();
    assertThat(p.endOfStream().success()).isTrue();
  }

  @Test
  void feed_unacceptableStatusWithSearchString_failsWithoutReadingTheBody() {
    HttpResponseParser p = new HttpResponseParser(Optional.of("ok"));
    assertThat(feed(p, "HTTP/1.1 500 Internal Server Error\r\n")).hasValue(
        new HttpResponseParser.Verdict(false, "HTTP 500 Internal Server Error"));
  }

  @Test
  void feed_malformedChunkSize_fails() {
    HttpResponseParser p = new HttpResponseParser(Optional.of("ok"));
    assertThat(feed(p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n"))
        .hasValue(new HttpResponseParser.Verdict(false, "HTTP 200, malformed chunked body"));
  }

  @Test
  void feed_endlessHeaders_failAtTheLimit() {
    HttpResponseParser p = new HttpResponseParser(Optional.of("ok"));
    feed(p, "HTTP/1.1 200 OK\r\n");
    Optional<HttpResponseParser.Verdict> v = Optional.empty();
    for (int i = 0; i < 2000 && v.isEmpty(); i++) {
      v = feed(p, "X-Filler: " + "f".repeat(20) + "\r\n");
    }
    assertThat(v).hasValueSatisfying(verdict -> assertThat(verdict.reason()).contains("headers longer than"));
  }
}
