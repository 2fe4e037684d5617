package io.github.trafficpolicy.dns;

import org.jspecify.annotations.Nullable;
import org.xbill.DNS.Name;

/**
 * Lookup keys for DNS names: the name in lower case, labels separated by dots, with a trailing dot; bytes that are
 * not printable ASCII, dots and backslashes inside a label are escaped as {@code \DDD}. The same function is used for
 * names from the wire and names from zone data, so keys compare exactly when the names are equal (RFC 4343).
 */
final class NameKeys {
  private NameKeys() {}

  /** The key of a dnsjava name. */
  static String key(Name name) {
    byte[] wire = name.toWire();
    StringBuilder sb = new StringBuilder(wire.length + 1);
    int pos = 0;
    while (true) {
      int len = wire[pos++] & 0xff;
      if (len == 0) {
        break;
      }
      appendLabel(sb, wire, pos, len);
      pos += len;
    }
    return sb.length() == 0 ? "." : sb.toString();
  }

  /** Appends one label (lower-cased, escaped) and a dot. */
  static void appendLabel(StringBuilder sb, byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      int c = b[i] & 0xff;
      if (c >= 'A' && c <= 'Z') {
        sb.append((char) (c + 32));
      } else if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
        sb.append((char) c);
      } else {
        sb.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + (c / 10) % 10))
            .append((char) ('0' + c % 10));
      }
    }
    sb.append('.');
  }

  /** The key of the parent of {@code key} (the key without its first label), or {@code null} for the root. */
  static @Nullable String parent(String key) {
    if (key.equals(".")) {
      return null;
    }
    // A dot that ends a label is never escaped (escapes are \DDD digits), so the first '.' ends the first label.
    int dot = key.indexOf('.');
    return dot == key.length() - 1 ? "." : key.substring(dot + 1);
  }

  /** True when {@code key} is {@code zone} or below it. */
  static boolean isAtOrBelow(String key, String zone) {
    if (zone.equals(".")) {
      return true;
    }
    return key.equals(zone)
        || (key.endsWith(zone) && key.length() > zone.length() && key.charAt(key.length() - zone.length() - 1) == '.');
  }
}
