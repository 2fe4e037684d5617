package io.github.trafficpolicy.engine;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.engine.internal.Addresses;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A client address with a prefix length: the EDNS Client Subnet a resolver sent, or a source address (/32, /128).
 * The address is kept with the bits past the prefix cleared.
 */
public record ClientSubnet(InetAddress address, int prefixLength) {
  public ClientSubnet {
    checkNotNull(address, "address");
    int max = address instanceof Inet4Address ? 32 : 128;
    checkArgument(prefixLength >= 0 && prefixLength <= max, "prefix length must be in [0, %s] but was %s", max,
        prefixLength);
    address = mask(address, prefixLength);
  }

  /** The whole address (/32 or /128). */
  public static ClientSubnet of(InetAddress address) {
    return new ClientSubnet(address, address instanceof Inet4Address ? 32 : 128);
  }

  /** Parses {@code 192.0.2.1}, {@code 192.0.2.0/24} or {@code 2001:db8::/56}. */
  public static ClientSubnet parse(String text) {
    checkNotNull(text, "text");
    int slash = text.indexOf('/');
    String ip = slash < 0 ? text : text.substring(0, slash);
    checkArgument(InetAddresses.isInetAddress(ip), "not an IP address: '%s'", ip);
    InetAddress a = InetAddresses.forString(ip);
    if (slash < 0) {
      return of(a);
    }
    String p = text.substring(slash + 1);
    checkArgument(p.matches("[0-9]{1,3}"), "not a prefix length: '%s'", p);
    return new ClientSubnet(a, Integer.parseInt(p));
  }

  /** True for an IPv4 subnet. */
  public boolean isIpv4() {
    return address instanceof Inet4Address;
  }

  /** The number of bits of an address of this family (32 or 128). */
  public int addressBits() {
    return isIpv4() ? 32 : 128;
  }

  /** This subnet cut to at most {@code prefix} bits. */
  public ClientSubnet truncate(int prefix) {
    return prefix >= prefixLength ? this : new ClientSubnet(address, prefix);
  }

  /** {@code address/prefix}. */
  @Override
  public String toString() {
    return InetAddresses.toAddrString(address) + "/" + prefixLength;
  }

  /** {@code address} with every bit after the first {@code prefix} cleared. */
  public static InetAddress mask(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    boolean changed = false;
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      int m = keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff;
      byte nb = (byte) (b[i] & m);
      if (nb != b[i]) {
        b[i] = nb;
        changed = true;
      }
    }
    // The same family as given: an IPv4-mapped IPv6 address stays IPv6 (InetAddress.getByAddress would make it IPv4).
    return changed ? Addresses.inetAddress(b) : address;
  }
}
