// The registry side of the scale benchmark (scale.sh), run as a single-file program on the server's jar:
//   java -cp traffic-policy-dns/target/traffic-policy.jar traffic-policy-dns/src/bench/RegistryScale.java setup WORK
//   java -cp traffic-policy-dns/target/traffic-policy.jar traffic-policy-dns/src/bench/RegistryScale.java updates DIR N
// setup: 10 policies x 10 versions (the bench's one-page document, one endpoint value changed per version) in
// WORK/registry and WORK/baseline, and the CSV files scale.sh imports: WORK/records.csv (100,000 records
// n000000.scale.test..., record i on policy scale-(i % 10) version (i / 10) % 10 + 1), WORK/moved.csv (every record
// one version further), WORK/baseline.csv (one record per version: 100).
// updates: opens the registry in DIR (timed), updates N single records one after the other (each to another
// version of its policy: the median and 90th percentile latency, and the bytes appended to the journal per
// update), then moves every record to the next version with one putRecords (timed, one atomic write).
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.engine.lifecycle.DocumentCodec;
import io.github.trafficpolicy.engine.lifecycle.ManagedRecord;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;

public final class RegistryScale {
  static final int POLICIES = 10;
  static final int VERSIONS = 10;
  static final int RECORDS = 100_000;

  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("setup")) {
      setup(Path.of(args[1]), Path.of(args.length > 2 ? args[2]
          : "traffic-policy-dns/src/bench/www-example-test.json"));
    } else if (args.length == 3 && args[0].equals("updates")) {
      updates(Path.of(args[1]), Integer.parseInt(args[2]));
    } else {
      System.err.println("usage: RegistryScale setup WORK [TEMPLATE] | updates REGISTRY N");
      System.exit(2);
    }
  }

  static String name(int i) {
    return String.format("n%06d.scale.test", i);
  }

  static void setup(Path work, Path template) throws Exception {
    String text = Files.readString(template);
    if (!text.contains("127.1.1.11")) {
      throw new IllegalStateException(template + " does not contain 127.1.1.11");
    }
    for (String dir : new String[] {"registry", "baseline"}) {
      TrafficPolicyRegistry r = TrafficPolicyRegistry.builder().codec(DocumentCodec.json())
          .directory(work.resolve(dir)).build();
      for (int p = 0; p < POLICIES; p++) {
        String id = null;
        for (int v = 1; v <= VERSIONS; v++) {
          String doc = text.replace("127.1.1.11", "127.1.1." + (100 + p * 10 + v));
          id = v == 1 ? r.createPolicy("scale-" + p, doc, Optional.empty()).id()
              : r.createPolicyVersion(id, doc, Optional.empty()).id();
        }
      }
    }
    try (BufferedWriter all = Files.newBufferedWriter(work.resolve("records.csv"));
         BufferedWriter moved = Files.newBufferedWriter(work.resolve("moved.csv"))) {
      all.write("zone,name,ttl,policy,version\n");
      moved.write("zone,name,ttl,policy,version\n");
      for (int i = 0; i < RECORDS; i++) {
        int p = i % POLICIES;
        int v = (i / POLICIES) % VERSIONS + 1;
        all.write("scale.test," + name(i) + ",60,scale-" + p + "," + v + "\n");
        moved.write("scale.test," + name(i) + ",60,scale-" + p + "," + (v % VERSIONS + 1) + "\n");
      }
    }
    try (BufferedWriter base = Files.newBufferedWriter(work.resolve("baseline.csv"))) {
      for (int i = 0; i < POLICIES * VERSIONS; i++) {
        base.write("scale.test," + name(i) + ",60,scale-" + (i % POLICIES) + "," + ((i / POLICIES) % VERSIONS + 1)
            + "\n");
      }
    }
  }

  static void updates(Path dir, int n) throws Exception {
    long t0 = System.nanoTime();
    TrafficPolicyRegistry r = TrafficPolicyRegistry.builder().codec(DocumentCodec.json()).directory(dir).build();
    long opened = System.nanoTime() - t0;
    List<ManagedRecord> records = r.listRecords();
    System.out.printf("opened %s: %,d records, %,d policy versions, in %.0f ms%n", dir, records.size(),
        r.state().policies().stream().mapToInt(p -> p.versions().size()).sum(), opened / 1e6);
    Path journal = dir.resolve("registry.journal");
    Path metadata = dir.resolve("registry.json");
    SplittableRandom random = new SplittableRandom(20);
    long[] nanos = new long[n];
    long appended = 0;
    int fullWrites = 0;
    for (int i = 0; i < n; i++) {
      ManagedRecord m = records.get(random.nextInt(records.size()));
      int to = m.current().version() % VERSIONS + 1;
      long before = Files.exists(journal) ? Files.size(journal) : 0;
      Object metadataKey = Files.readAttributes(metadata, "unix:ino").get("ino");
      long start = System.nanoTime();
      r.updateRecord(m.name(), Optional.of(to), OptionalLong.empty());
      nanos[i] = System.nanoTime() - start;
      if (!Files.readAttributes(metadata, "unix:ino").get("ino").equals(metadataKey)) {
        fullWrites++;
      } else {
        appended += Files.size(journal) - before;
      }
      records = r.listRecords();
    }
    Arrays.sort(nanos);
    System.out.printf("one-record update, %d in a row: median %.2f ms, p90 %.2f ms, max %.2f ms; %d appended to the "
        + "journal (%.0f bytes each), %d full rewrites of registry.json (%,d bytes)%n", n, nanos[n / 2] / 1e6,
        nanos[n * 9 / 10] / 1e6, nanos[n - 1] / 1e6, n - fullWrites, appended / (double) Math.max(1, n - fullWrites),
        fullWrites, Files.size(metadata));
    List<PolicyRecord> move = new ArrayList<>();
    for (ManagedRecord m : records) {
      PolicyRecord p = m.record();
      move.add(p.withVersion(p.policyVersion() % VERSIONS + 1));
    }
    long b0 = System.nanoTime();
    r.putRecords(move);
    long bulk = System.nanoTime() - b0;
    System.out.printf("bulk move of all %,d records to their next version (putRecords, one change): %.0f ms; "
        + "registry.json %,d bytes, journal %s%n", move.size(), bulk / 1e6, Files.size(metadata),
        Files.exists(journal) ? Files.size(journal) + " bytes" : "none");
  }
}
