// The zone side of the scale benchmark (zone-scale.sh), run as a single-file program on the server's jar:
//   java -cp traffic-policy-dns/target/traffic-policy.jar traffic-policy-dns/src/bench/ZoneScale.java generate FILE N
//   java -Xmx256m -cp traffic-policy-dns/target/traffic-policy.jar traffic-policy-dns/src/bench/ZoneScale.java load FILE
// generate: writes zone big.test with SOA, NS, glue and N records more: per ten, 4 A, 2 AAAA, 1 MX, 1 TXT, 1 CNAME
// (to an A name) and 1 second A beside an earlier A (a 2-record RRset); names r0000000.big.test and so on.
// load: reads the zone (Zone.fromFile, then a Catalog around it, as serve does), and prints: the time to read it,
// the live heap after a full GC (MemoryMXBean, System.gc() until it stops shrinking) minus the same before
// reading, per record; and the records' own size on the wire (owner name uncompressed, 10 bytes of type, class,
// TTL and length, RDATA; counted afterwards by a second pass with dnsjava, timed too: the parsing that any load
// needs), so the store's cost beyond that.
import io.github.trafficpolicy.dns.Catalog;
import io.github.trafficpolicy.dns.Zone;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

public final class ZoneScale {
  static final String ORIGIN = "big.test";

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("generate")) {
      generate(Path.of(args[1]), Integer.parseInt(args[2]));
    } else if (args.length == 2 && args[0].equals("load")) {
      load(Path.of(args[1]));
    } else {
      System.err.println("usage: ZoneScale generate FILE N | load FILE");
      System.exit(2);
    }
  }

  static String name(int i) {
    return String.format(Locale.ROOT, "r%07d", i);
  }

  static void generate(Path file, int n) throws Exception {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      w.write("$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n@ IN NS ns1\n@ IN NS ns2\n"
          + "ns1 IN A 127.0.0.53\nns2 IN A 127.0.0.54\n");
      for (int i = 0; i < n; i++) {
        String owner = name(i);
        int b = i % 256;
        int c = (i / 256) % 256;
        w.write(switch (i % 10) {
          case 0, 1, 2, 3 -> owner + " IN A 10." + (i >> 16 & 255) + "." + c + "." + b;
          case 4, 5 -> owner + " IN AAAA 2001:db8:" + Integer.toHexString(i >> 16) + "::" + Integer.toHexString(i & 0xffff);
          case 6 -> owner + " IN MX 10 mail" + (i % 100) + ".example.net.";
          case 7 -> owner + " 600 IN TXT \"v=spf1 ip4:10." + c + "." + b + ".0/24 -all\"";
          case 8 -> owner + " IN CNAME " + name(i - 8);
          default -> name(i - 9) + " IN A 10.255." + c + "." + b;
        });
        w.write('\n');
      }
    }
    System.out.println("RESULT generated " + file + ": " + n + " records beside SOA, NS and glue, "
        + Files.size(file) + " bytes");
  }

  static long liveHeap() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(50);
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= last) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }

  static void load(Path file) throws Exception {
    long before = liveHeap();
    long t0 = System.nanoTime();
    Zone zone = Zone.fromFile(file, ORIGIN);
    long t1 = System.nanoTime();
    Catalog catalog = Catalog.builder().zone(zone).build();
    long t2 = System.nanoTime();
    long after = liveHeap();
    long heap = after - before;
    int records = zone.size();
    long wire = 0;
    long t3 = System.nanoTime();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file));
        Master master = new Master(in, Name.fromString(ORIGIN + "."), 3600)) {
      Record r;
      while ((r = master.nextRecord()) != null) {
        wire += r.toWire(Section.ANSWER).length;
      }
    }
    long t4 = System.nanoTime();
    System.out.printf(Locale.ROOT, "RESULT load %s: %,d records in %d ms (catalog %d ms; dnsjava alone reading "
        + "the file and writing each record to wire form: %d ms), max heap %d MiB%n", file.getFileName(), records,
        (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t4 - t3) / 1_000_000, Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf(Locale.ROOT, "RESULT live heap for the zone: %,d bytes = %.1f B/record; the records on the "
        + "wire: %,d bytes = %.1f B/record; beyond the wire: %.1f B/record%n", heap, heap / (double) records, wire,
        wire / (double) records, (heap - wire) / (double) records);
    // Keep the zone reachable until it has been measured.
    if (catalog.zones().isEmpty()) {
      throw new AssertionError();
    }
  }
}
