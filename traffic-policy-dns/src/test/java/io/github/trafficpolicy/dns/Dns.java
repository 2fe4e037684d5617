package io.github.trafficpolicy.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Test helpers: queries built with dnsjava, replies parsed with dnsjava. */
final class Dns {
  private Dns() {}

  static Message query(String name, int type) {
    try {
      Message m = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
      return m;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Message withEdns(Message m, int payload, EDNSOption... options) {
    m.addRecord(new OPTRecord(payload, 0, 0, 0, List.of(options)), Section.ADDITIONAL);
    return m;
  }

  static ClientSubnetOption ecs(String address, int prefix) {
    try {
      return new ClientSubnetOption(prefix, InetAddress.getByName(address));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Message parse(byte[] wire) {
    try {
      return new Message(wire);
    } catch (IOException e) {
      throw new AssertionError("reply does not parse: " + e.getMessage(), e);
    }
  }

  static InetAddress ip(String address) {
    try {
      return InetAddress.getByName(address);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The ECS option of a reply, or null. */
  static ClientSubnetOption ecsOf(Message reply) {
    OPTRecord opt = reply.getOPT();
    if (opt == null) {
      return null;
    }
    List<EDNSOption> o = opt.getOptions(EDNSOption.Code.CLIENT_SUBNET);
    return o.isEmpty() ? null : (ClientSubnetOption) o.get(0);
  }

  static final String ZONE = String.join("\n",
      "$TTL 3600",
      "@        IN SOA ns1 hostmaster 2024010101 7200 900 1209600 300",
      "@        IN NS  ns1",
      "@        IN NS  ns2",
      "@        IN MX  10 mail",
      "ns1      IN A   192.0.2.53",
      "ns2      IN A   192.0.2.54",
      "mail     IN A   192.0.2.25",
      "static   IN A   192.0.2.80",
      "static   IN AAAA 2001:db8::80",
      "alias    IN CNAME static",
      "outside  IN CNAME www.example.net.",
      "loop1    IN CNAME loop2",
      "loop2    IN CNAME loop1",
      "toPolicy IN CNAME www",
      "a.b.c    IN A   192.0.2.99",
      "*.wild   IN A   192.0.2.77",
      "*.wild   IN TXT \"wildcard\"",
      "sub      IN NS  ns.sub",
      "ns.sub   IN A   192.0.2.200",
      "big      IN TXT \"" + "x".repeat(200) + "\"",
      "big      IN TXT \"" + "y".repeat(200) + "\"",
      "big      IN TXT \"" + "z".repeat(200) + "\"",
      "");
}
