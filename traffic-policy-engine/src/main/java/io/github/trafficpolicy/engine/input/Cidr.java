package io.github.trafficpolicy.engine.input;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.engine.ClientSubnet;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A network written as {@code address/prefix} (a bare address is a /32 or /128), parsed strictly: the bits past the
 * prefix must be zero, and IPv4-mapped IPv6 notation is refused (write the IPv4 network), so a typo cannot widen or
 * move a table row silently.
 */
record Cidr(InetAddress address, int prefixLength) {
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

  @Override
  public String toString() {
    return InetAddresses.toAddrString(address) + "/" + prefixLength;
  }
}
