package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.net.InetAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * A network written as {@code address/prefix} (a bare address is a /32 or /128), parsed strictly: the bits past the
 * prefix must be zero, and IPv4-mapped IPv6 notation is refused (write the IPv4 network), so a typo cannot widen or
 * move a table row silently.
 */
record Cidr(InetAddress address, int prefixLength) {
  /** The first 96 bits of an IPv4-mapped IPv6 address ({@code ::ffff:0:0/96}). */
  private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

  Cidr {
    checkNotNull(address, "address");
    int bits = address instanceof Inet4Address ? 32 : 128;
    checkArgument(prefixLength >= 0 && prefixLength <= bits, "prefix length must be in [0, %s] but was %s", bits,
        prefixLength);
  }

  /** Parses {@code text}; the message of the exception says what is wrong. */
  static Cidr parse(String text) {
    checkNotNull(text, "text");
    int slash = text.indexOf('/');
    String ip = slash < 0 ? text : text.substring(0, slash);
    checkArgument(!ip.isEmpty() && InetAddresses.isInetAddress(ip), "'%s' is not an IP network (address/prefix)",
        text);
    InetAddress address = InetAddresses.forString(ip);
    checkArgument(!(address instanceof Inet4Address && ip.indexOf(':') >= 0),
        "'%s' is an IPv4-mapped IPv6 network; write it as an IPv4 network", text);
    int bits = address instanceof Inet4Address ? 32 : 128;
    int prefix = bits;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      checkArgument(p.matches("[0-9]{1,3}") && Integer.parseInt(p) <= bits,
          "'%s' has a bad prefix length: must be 0 to %s", text, bits);
      prefix = Integer.parseInt(p);
    }
    InetAddress masked = ClientSubnet.mask(address, prefix);
    checkArgument(masked.equals(address), "'%s' has bits set past the prefix length; the network is %s/%s", text,
        InetAddresses.toAddrString(masked), prefix);
    return new Cidr(address, prefix);
  }

  /** 4 bytes as IPv4, 16 as IPv6 (also when IPv4-mapped). */
  static InetAddress inetAddress(byte[] address) {
    try {
      return address.length == 4 ? InetAddress.getByAddress(address.clone())
          : java.net.Inet6Address.getByAddress(null, address.clone(), -1);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Whether the 16 bytes of an IPv6 address are an IPv4-mapped address ({@code ::ffff:0:0/96}). */
  static boolean isMappedIpv4(byte[] b) {
    for (int i = 0; i < MAPPED_PREFIX.length; i++) {
      if (b[i] != MAPPED_PREFIX[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The IPv4 address embedded in an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}); empty when {@code address}
   * is not one. (Java and Guava turn such text into an {@link Inet4Address} already; this handles
   * {@link Inet6Address} objects built from raw bytes, e.g. from an EDNS Client Subnet option.)
   */
  static Optional<Inet4Address> mappedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return Optional.empty();
    }
    byte[] b = address.getAddress();
    for (int i = 0; i < MAPPED_PREFIX.length; i++) {
      if (b[i] != MAPPED_PREFIX[i]) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of((Inet4Address) InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The length of the longest prefix of the IPv6 {@code address} that contains no IPv4-mapped address: the gap an
   * IPv4-only table leaves around a plain IPv6 address. (The number of leading bits it shares with
   * {@code ::ffff:0:0/96}, plus one.)
   */
  static int gapOutsideMapped(InetAddress address) {
    return gapOutsideMapped(address.getAddress());
  }

  /** {@link #gapOutsideMapped(InetAddress)} for the 16 bytes of an IPv6 address. */
  static int gapOutsideMapped(byte[] b) {
    for (int bit = 0; bit < 96; bit++) {
      int have = (b[bit >> 3] >>> (7 - (bit & 7))) & 1;
      int want = (MAPPED_PREFIX[bit >> 3] >>> (7 - (bit & 7))) & 1;
      if (have != want) {
        return bit + 1;
      }
    }
    throw new IllegalArgumentException("an IPv4-mapped address");
  }

  @Override
  public String toString() {
    return InetAddresses.toAddrString(address) + "/" + prefixLength;
  }
}
