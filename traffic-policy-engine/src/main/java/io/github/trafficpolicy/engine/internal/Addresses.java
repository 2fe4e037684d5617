package io.github.trafficpolicy.engine.internal;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Addresses as bytes: 4 bytes are IPv4, 16 bytes IPv6 (IPv4-mapped addresses, {@code ::ffff:a.b.c.d}, included).
 * Shared by the evaluation core and the input implementations. Not API.
 */
public final class Addresses {
  /** The first 96 bits of an IPv4-mapped IPv6 address ({@code ::ffff:0:0/96}). */
  private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

  private Addresses() {}

  /** 4 bytes as IPv4, 16 as IPv6 (also when IPv4-mapped). */
  public static InetAddress inetAddress(byte[] address) {
    try {
      return address.length == 4 ? InetAddress.getByAddress(address.clone())
          : Inet6Address.getByAddress(null, address.clone(), -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Whether the 16 bytes of an IPv6 address are an IPv4-mapped address ({@code ::ffff:0:0/96}). */
  public static boolean isMappedIpv4(byte[] b) {
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
  public static Optional<Inet4Address> mappedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return Optional.empty();
    }
    byte[] b = address.getAddress();
    if (!isMappedIpv4(b)) {
      return Optional.empty();
    }
    try {
      return Optional.of((Inet4Address) InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The length of the longest prefix of the IPv6 address {@code b} (16 bytes) that contains no IPv4-mapped address:
   * the gap an IPv4-only table leaves around a plain IPv6 address. (The number of leading bits it shares with
   * {@code ::ffff:0:0/96}, plus one.)
   */
  public static int gapOutsideMapped(byte[] b) {
    for (int bit = 0; bit < 96; bit++) {
      int have = (b[bit >> 3] >>> (7 - (bit & 7))) & 1;
      int want = (MAPPED_PREFIX[bit >> 3] >>> (7 - (bit & 7))) & 1;
      if (have != want) {
        return bit + 1;
      }
    }
    throw new IllegalArgumentException("an IPv4-mapped address");
  }
}
