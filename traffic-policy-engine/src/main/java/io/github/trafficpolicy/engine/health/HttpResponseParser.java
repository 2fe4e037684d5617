package io.github.trafficpolicy.engine.health;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads an HTTP/1.x response incrementally and decides a probe: the status line must be 2xx or 3xx; with a search
 * string, the (de-chunked) body's first {@value EndpointHealthCheck#SEARCH_WINDOW_BYTES} bytes must contain it.
 * Not thread-safe; one per probe.
 */
final class HttpResponseParser {
  /** The most bytes read before the end of the headers. */
  static final int MAX_HEADER_BYTES = 16 * 1024;
  /** The most bytes read in all; beyond, the body read so far is searched (bounds chunk-extension abuse). */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final int WINDOW = EndpointHealthCheck.SEARCH_WINDOW_BYTES;

  /** A decision: success or failure with a reason. */
  record Verdict(boolean success, String reason) {}

  private final Optional<byte[]> search;
  private byte[] raw = new byte[1024];
  private int length;
  private int status = -1;
  private String statusText = "";

  HttpResponseParser(Optional<String> searchString) {
    this.search = searchString.map(s -> s.getBytes(StandardCharsets.UTF_8));
  }

  /** The status code once the status line was read, else -1. */
  int status() {
    return status;
  }

  /** Whether the status line is known and acceptable, so only the body (if matching) is awaited. */
  boolean awaitingBody() {
    return status >= 200 && status <= 399 && search.isPresent();
  }

  /** Consumes bytes; returns a verdict once one can be given. */
  Optional<Verdict> feed(ByteBuffer bytes) {
    int n = bytes.remaining();
    ensureCapacity(length + n);
    bytes.get(raw, length, n);
    length += n;
    return decide(false);
  }

  /** The peer closed the connection: gives the final verdict. */
  Verdict endOfStream() {
    return decide(true).orElseThrow();
  }

  private Optional<Verdict> decide(boolean eof) {
    if (status < 0) {
      int eol = indexOf(raw, 0, length, (byte) '\n');
      if (eol < 0) {
        if (eof) {
          return Optional.of(new Verdict(false, length == 0
              ? "connection closed without a response" : "connection closed inside the status line"));
        }
        return length > MAX_HEADER_BYTES ? Optional.of(new Verdict(false, "status line too long")) : Optional.empty();
      }
      String line = new String(raw, 0, eol, StandardCharsets.ISO_8859_1).strip();
      if (!parseStatusLine(line)) {
        return Optional.of(new Verdict(false, "malformed status line: " + abbreviate(line)));
      }
      if (status < 200 || status > 399) {
        return Optional.of(new Verdict(false, "HTTP " + status + statusText));
      }
      if (search.isEmpty()) {
        return Optional.of(new Verdict(true, "HTTP " + status + statusText));
      }
    }
    int headerEnd = headerEnd();
    if (headerEnd < 0) {
      if (eof) {
        return Optional.of(new Verdict(false, "HTTP " + status + ", connection closed inside the headers"));
      }
      return length > MAX_HEADER_BYTES
          ? Optional.of(new Verdict(false, "HTTP " + status + ", headers longer than " + MAX_HEADER_BYTES + " bytes"))
          : Optional.empty();
    }
    String headers = new String(raw, 0, headerEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    Body body = headerValue(headers, "transfer-encoding").filter(v -> v.contains("chunked")).isPresent()
        ? dechunk(headerEnd)
        : identity(headerEnd, headerValue(headers, "content-length"));
    if (body.malformed) {
      return Optional.of(new Verdict(false, "HTTP " + status + ", malformed chunked body"));
    }
    boolean full = length > MAX_RESPONSE_BYTES;
    if (!body.complete && body.length < WINDOW && !eof && !full) {
      return Optional.empty();
    }
    int searched = Math.min(body.length, WINDOW);
    boolean found = indexOf(body.bytes, searched, search.get()) >= 0;
    return Optional.of(found
        ? new Verdict(true, "HTTP " + status + statusText + ", search string found")
        : new Verdict(false, "HTTP " + status + statusText + ", search string not found in the first " + searched
            + " bytes of the body"));
  }

  private boolean parseStatusLine(String line) {
    // HTTP/1.1 200 OK
    if (!line.startsWith("HTTP/") || line.length() < 12 || line.charAt(8) != ' ') {
      return false;
    }
    String code = line.substring(9, 12);
    if (!code.chars().allMatch(c -> c >= '0' && c <= '9') || (line.length() > 12 && line.charAt(12) != ' ')) {
      return false;
    }
    status = Integer.parseInt(code);
    String text = line.substring(12).strip();
    statusText = text.isEmpty() ? "" : " " + abbreviate(text);
    return true;
  }

  private int headerEnd() {
    for (int i = 0; i + 1 < length; i++) {
      if (raw[i] == '\n' && (raw[i + 1] == '\n' || (raw[i + 1] == '\r' && i + 2 < length && raw[i + 2] == '\n'))) {
        return raw[i + 1] == '\n' ? i + 2 : i + 3;
      }
    }
    return -1;
  }

  private static Optional<String> headerValue(String headers, String name) {
    for (String line : headers.split("\n", -1)) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().equals(name)) {
        return Optional.of(line.substring(colon + 1).strip());
      }
    }
    return Optional.empty();
  }

  @SuppressWarnings("ArrayRecordComponent") // never compared: the bytes read so far
  private record Body(byte[] bytes, int length, boolean complete, boolean malformed) {}

  private Body identity(int start, Optional<String> contentLength) {
    int available = length - start;
    long declared = -1;
    if (contentLength.isPresent()) {
      try {
        declared = Long.parseLong(contentLength.get());
      } catch (NumberFormatException e) {
        declared = -1;
      }
    }
    int size = declared >= 0 ? (int) Math.min(available, declared) : available;
    return new Body(Arrays.copyOfRange(raw, start, start + size), size, declared >= 0 && available >= declared, false);
  }

  private Body dechunk(int start) {
    byte[] out = new byte[WINDOW];
    int outLength = 0;
    int pos = start;
    while (outLength < WINDOW) {
      int eol = indexOf(raw, pos, length, (byte) '\n');
      if (eol < 0) {
        return new Body(out, outLength, false, false);
      }
      String sizeLine = new String(raw, pos, eol - pos, StandardCharsets.ISO_8859_1).strip();
      int semicolon = sizeLine.indexOf(';');
      if (semicolon >= 0) {
        sizeLine = sizeLine.substring(0, semicolon).strip();
      }
      long size;
      try {
        size = Long.parseLong(sizeLine, 16);
      } catch (NumberFormatException e) {
        return new Body(out, outLength, false, true);
      }
      if (size < 0) {
        return new Body(out, outLength, false, true);
      }
      if (size == 0) {
        return new Body(out, outLength, true, false);
      }
      pos = eol + 1;
      int take = (int) Math.min(Math.min(size, length - pos), WINDOW - outLength);
      System.arraycopy(raw, pos, out, outLength, take);
      outLength += take;
      if (take < size) {
        return new Body(out, outLength, false, false);
      }
      pos += (int) size;
      // the CRLF after the chunk data
      int next = indexOf(raw, pos, length, (byte) '\n');
      if (next < 0) {
        return new Body(out, outLength, false, false);
      }
      pos = next + 1;
    }
    return new Body(out, outLength, false, false);
  }

  private void ensureCapacity(int needed) {
    if (needed > raw.length) {
      raw = Arrays.copyOf(raw, Math.max(needed, raw.length * 2));
    }
  }

  private static int indexOf(byte[] bytes, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** The first index of {@code needle} in {@code haystack[0, limit)}, else -1. */
  static int indexOf(byte[] haystack, int limit, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= limit; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
