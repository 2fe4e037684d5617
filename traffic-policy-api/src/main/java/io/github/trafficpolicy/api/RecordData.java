package io.github.trafficpolicy.api;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.net.InetAddresses;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The record data of a {@code value} endpoint, parsed for the policy's record type. Values use the presentation
 * format Route 53 uses for record values: {@code "192.0.2.1"}, {@code "10 mail.example.com"},
 * {@code "\"v=spf1 -all\""} (TXT and SPF strings may also be written without quotes, as one string),
 * {@code "1 10 443 host.example.com"}, {@code "0 issue \"ca.example\""} …
 *
 * <p>Host names are kept as written, without a trailing dot added.
 */
public sealed interface RecordData {

  /** The record type this data belongs to. */
  RecordType type();

  /** The data in presentation format (as in a zone file), e.g. {@code 10 mail.example.com}. */
  String presentation();

  /**
   * Parses {@code value} as record data of {@code type}.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  static RecordData parse(RecordType type, String value) {
    checkNotNull(type, "type");
    checkNotNull(value, "value");
    String v = value.strip();
    checkArgument(!v.isEmpty(), "empty %s value", type);
    switch (type) {
      case A:
        return new A(ipv4(v));
      case AAAA:
        return new Aaaa(ipv6(v));
      case CNAME:
        return new Cname(hostName(v, "CNAME"));
      case PTR:
        return new Ptr(hostName(v, "PTR"));
      case MX: {
        List<String> f = fields(v, 2, 2, "MX", "PREFERENCE EXCHANGE");
        return new Mx(uint16(f.get(0), "MX preference"), hostName(f.get(1), "MX exchange"));
      }
      case SRV: {
        List<String> f = fields(v, 4, 4, "SRV", "PRIORITY WEIGHT PORT TARGET");
        return new Srv(uint16(f.get(0), "SRV priority"), uint16(f.get(1), "SRV weight"),
            uint16(f.get(2), "SRV port"), hostName(f.get(3), "SRV target"));
      }
      case TXT:
        return new Txt(characterStrings(v, "TXT"));
      case SPF:
        return new Spf(characterStrings(v, "SPF"));
      case NAPTR: {
        List<String> f = tokens(v, "NAPTR");
        checkArgument(f.size() == 6, "NAPTR needs ORDER PREFERENCE FLAGS SERVICE REGEXP REPLACEMENT but was '%s'", v);
        return new Naptr(uint16(f.get(0), "NAPTR order"), uint16(f.get(1), "NAPTR preference"),
            unquote(f.get(2)), unquote(f.get(3)), unquote(f.get(4)), hostName(f.get(5), "NAPTR replacement"));
      }
      case CAA: {
        List<String> f = tokens(v, "CAA");
        checkArgument(f.size() == 3, "CAA needs FLAGS TAG VALUE but was '%s'", v);
        int flags = uint(f.get(0), 255, "CAA flags");
        String tag = f.get(1);
        checkArgument(tag.matches("[A-Za-z0-9]{1,15}"), "CAA tag must be 1 to 15 letters or digits but was '%s'", tag);
        return new Caa(flags, tag.toLowerCase(Locale.ROOT), unquote(f.get(2)));
      }
    }
    throw new AssertionError(type);
  }

  /** An IPv4 address. */
  record A(Inet4Address address) implements RecordData {
    public A {
      checkNotNull(address, "address");
    }

    @Override
    public RecordType type() {
      return RecordType.A;
    }

    @Override
    public String presentation() {
      return address.getHostAddress();
    }
  }

  /** An IPv6 address. */
  record Aaaa(Inet6Address address) implements RecordData {
    public Aaaa {
      checkNotNull(address, "address");
    }

    @Override
    public RecordType type() {
      return RecordType.AAAA;
    }

    @Override
    public String presentation() {
      return InetAddresses.toAddrString(address);
    }
  }

  /** A canonical name. */
  record Cname(String target) implements RecordData {
    public Cname {
      checkNotNull(target, "target");
    }

    @Override
    public RecordType type() {
      return RecordType.CNAME;
    }

    @Override
    public String presentation() {
      return target;
    }
  }

  /** A pointer. */
  record Ptr(String target) implements RecordData {
    public Ptr {
      checkNotNull(target, "target");
    }

    @Override
    public RecordType type() {
      return RecordType.PTR;
    }

    @Override
    public String presentation() {
      return target;
    }
  }

  /** A mail exchange. */
  record Mx(int preference, String exchange) implements RecordData {
    public Mx {
      checkNotNull(exchange, "exchange");
    }

    @Override
    public RecordType type() {
      return RecordType.MX;
    }

    @Override
    public String presentation() {
      return preference + " " + exchange;
    }
  }

  /** A service location. */
  record Srv(int priority, int weight, int port, String target) implements RecordData {
    public Srv {
      checkNotNull(target, "target");
    }

    @Override
    public RecordType type() {
      return RecordType.SRV;
    }

    @Override
    public String presentation() {
      return priority + " " + weight + " " + port + " " + target;
    }
  }

  /** Text: one or more character strings of at most 255 bytes each. */
  record Txt(ImmutableList<String> strings) implements RecordData {
    public Txt {
      strings = ImmutableList.copyOf(strings);
    }

    @Override
    public RecordType type() {
      return RecordType.TXT;
    }

    @Override
    public String presentation() {
      return quoted(strings);
    }
  }

  /** SPF text: one or more character strings. */
  record Spf(ImmutableList<String> strings) implements RecordData {
    public Spf {
      strings = ImmutableList.copyOf(strings);
    }

    @Override
    public RecordType type() {
      return RecordType.SPF;
    }

    @Override
    public String presentation() {
      return quoted(strings);
    }
  }

  /** A naming authority pointer. */
  record Naptr(int order, int preference, String flags, String service, String regexp, String replacement)
      implements RecordData {
    public Naptr {
      checkNotNull(flags, "flags");
      checkNotNull(service, "service");
      checkNotNull(regexp, "regexp");
      checkNotNull(replacement, "replacement");
    }

    @Override
    public RecordType type() {
      return RecordType.NAPTR;
    }

    @Override
    public String presentation() {
      return order + " " + preference + " " + quoted(List.of(flags)) + " " + quoted(List.of(service)) + " "
          + quoted(List.of(regexp)) + " " + replacement;
    }
  }

  /** A certification authority authorization. */
  record Caa(int flags, String tag, String value) implements RecordData {
    public Caa {
      checkNotNull(tag, "tag");
      checkNotNull(value, "value");
    }

    @Override
    public RecordType type() {
      return RecordType.CAA;
    }

    @Override
    public String presentation() {
      return flags + " " + tag + " " + quoted(List.of(value));
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  private static Inet4Address ipv4(String v) {
    checkArgument(v.indexOf(':') < 0 && InetAddresses.isInetAddress(v), "not an IPv4 address: '%s'", v);
    InetAddress a = InetAddresses.forString(v);
    checkArgument(a instanceof Inet4Address, "not an IPv4 address: '%s'", v);
    return (Inet4Address) a;
  }

  private static Inet6Address ipv6(String v) {
    checkArgument(v.indexOf(':') >= 0 && v.indexOf('%') < 0 && InetAddresses.isInetAddress(v),
        "not an IPv6 address: '%s'", v);
    InetAddress a = InetAddresses.forString(v);
    if (a instanceof Inet4Address) {
      // Guava folds IPv4-mapped addresses (::ffff:a.b.c.d) to IPv4; keep them IPv6 as written.
      byte[] b = new byte[16];
      b[10] = (byte) 0xff;
      b[11] = (byte) 0xff;
      System.arraycopy(a.getAddress(), 0, b, 12, 4);
      try {
        return Inet6Address.getByAddress(null, b, -1);
      } catch (UnknownHostException e) {
        throw new AssertionError(e);
      }
    }
    return (Inet6Address) a;
  }

  /**
   * A host name: labels separated by dots, an optional trailing dot, a {@code *} allowed as the whole first label,
   * at most 255 characters; {@code .} alone is the root.
   */
  private static String hostName(String v, String what) {
    checkArgument(v.length() <= 255, "%s name longer than 255 characters", what);
    if (v.equals(".")) {
      return v;
    }
    String n = v.endsWith(".") ? v.substring(0, v.length() - 1) : v;
    String[] labels = n.split("\\.", -1);
    for (int i = 0; i < labels.length; i++) {
      boolean wildcard = i == 0 && labels[i].equals("*") && labels.length > 1;
      checkArgument(wildcard || RecordDataSyntax.LABEL.matcher(labels[i]).matches(),
          "%s is not a valid host name: '%s'", what, v);
    }
    return v;
  }

  private static int uint16(String s, String what) {
    return uint(s, 65535, what);
  }

  private static int uint(String s, int max, String what) {
    checkArgument(s.matches("[0-9]{1,5}"), "%s must be a number in [0, %s] but was '%s'", what, max, s);
    int n = Integer.parseInt(s);
    checkArgument(n <= max, "%s must be in [0, %s] but was %s", what, max, n);
    return n;
  }

  private static List<String> fields(String v, int min, int max, String type, String syntax) {
    String[] f = v.split("\\s+");
    checkArgument(f.length >= min && f.length <= max, "%s needs %s but was '%s'", type, syntax, v);
    return List.of(f);
  }

  /** Splits on white space, keeping quoted strings (with their quotes) together. */
  private static List<String> tokens(String v, String type) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < v.length()) {
      char c = v.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int start = i;
      if (c == '"') {
        i++;
        while (i < v.length() && v.charAt(i) != '"') {
          if (v.charAt(i) == '\\') {
            i++;
          }
          i++;
        }
        checkArgument(i < v.length(), "%s has an unterminated quoted string: '%s'", type, v);
        i++;
      } else {
        while (i < v.length() && !Character.isWhitespace(v.charAt(i))) {
          i++;
        }
      }
      out.add(v.substring(start, i));
    }
    return out;
  }

  /**
   * The text of a character string: a quoted token loses its quotes and its escapes ({@code \\X} is X,
   * {@code \\DDD} is the byte with that decimal value, decoded as UTF-8 with the rest); an unquoted token is kept.
   */
  private static String unquote(String token) {
    if (token.length() >= 2 && token.startsWith("\"") && token.endsWith("\"")) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int end = token.length() - 1;
      for (int i = 1; i < end; i++) {
        char c = token.charAt(i);
        if (c == '\\' && i + 1 < end) {
          if (i + 3 < end && isDigit(token.charAt(i + 1)) && isDigit(token.charAt(i + 2))
              && isDigit(token.charAt(i + 3))) {
            int b = Integer.parseInt(token.substring(i + 1, i + 4));
            checkArgument(b <= 255, "escape \\%s is not a byte value in '%s'", token.substring(i + 1, i + 4), token);
            bytes.write(b);
            i += 3;
            continue;
          }
          c = token.charAt(++i);
        }
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < end) {
          b = token.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(b);
      }
      return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }
    return token;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static ImmutableList<String> characterStrings(String v, String type) {
    ImmutableList<String> strings;
    if (v.startsWith("\"")) {
      List<String> t = tokens(v, type);
      for (String s : t) {
        checkArgument(s.startsWith("\"") && s.endsWith("\"") && s.length() >= 2,
            "%s strings must all be quoted when the first is: '%s'", type, v);
      }
      strings = t.stream().map(RecordData::unquote).collect(ImmutableList.toImmutableList());
    } else {
      strings = ImmutableList.of(v);
    }
    for (String s : strings) {
      checkArgument(s.getBytes(StandardCharsets.UTF_8).length <= 255,
          "%s string longer than 255 bytes: '%s'", type, s);
    }
    return strings;
  }

  private static String quoted(List<String> strings) {
    StringBuilder sb = new StringBuilder();
    for (String s : strings) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return sb.toString();
  }
}
