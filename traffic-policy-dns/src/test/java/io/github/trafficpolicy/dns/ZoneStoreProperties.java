package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The compact zone store answers every lookup the resolver makes exactly as the plain dnsjava objects did: random
 * zones (names of one to three labels in mixed case, escaped and non-ASCII bytes, a name's records scattered over
 * the file, duplicates, differing TTLs in one RRset, CNAMEs, delegations with glue, wildcards, empty non-terminals)
 * with random policy records are read both by {@link Zone} and by a reference that keeps dnsjava's records in maps
 * the straightforward way (RRsets built with {@link RRset#addRR}). For every name that exists, below one that does,
 * or beside one, both must agree on existence, the records of each type in order (with TTLs and the RDATA as
 * written), the CNAME, the delegation cut above and the wildcard that covers it. Seeded; a failure names the seed,
 * the case and the zone.
 */
final class ZoneStoreProperties {
  private static final long SEED = 0x2011_e5L;
  private static final int CASES = 400;
  private static final String[] LABELS = {"a", "B", "www", "Mail", "x-1", "c\\.d", "caf\\195\\169", "n\\032s"};

  @Test
  void everyLookupMatchesTheReferenceBuiltFromDnsjavaRecords() throws Exception {
    SplittableRandom random = new SplittableRandom(SEED);
    int compared = 0;
    for (int c = 0; c < CASES; c++) {
      String text = zoneText(random);
      String what = "seed " + Long.toHexString(SEED) + " case " + c + ":\n" + text;
      Zone zone = Zone.parse("example.com", text, "case " + c);
      Reference ref = new Reference(text);
      Catalog.Builder b = Catalog.builder().zone(zone);
      List<String> policyNames = new ArrayList<>();
      for (int p = 0; p < random.nextInt(4); p++) {
        String name = "p" + p + "." + (random.nextBoolean() ? "" : LABELS[random.nextInt(5)] + ".") + "example.com.";
        String key = NameKeys.key(Name.fromString(name));
        if (ref.cutAbove(key, true) == null && !ref.has(key)) {
          policyNames.add(key);
          b.policyRecord(FakePolicy.constant(name, "192.0.2." + (p + 1), 0));
        }
      }
      policyNames.forEach(ref::addPolicyName);
      Catalog.ZoneData data = b.build().findZone("example.com.");
      assertThat(zone.size()).as(what).isEqualTo(ref.records);
      for (String key : ref.probes()) {
        compare(data, ref, key, what + "\nname " + key);
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(CASES * 10);
  }

  private static void compare(Catalog.ZoneData data, Reference ref, String key, String what) {
    assertThat(data.exists(key)).as(what + ": exists").isEqualTo(ref.names.contains(key));
    Catalog.ZoneData.Node node = data.node(key);
    assertThat(node != null).as(what + ": node").isEqualTo(ref.names.contains(key));
    if (node != null) {
      assertThat(node.key).as(what).isEqualTo(key);
      Map<Integer, RRset> want = ref.rrsets.getOrDefault(key, Map.of());
      assertThat(node.rrsets.keySet()).as(what + ": types in order").containsExactlyElementsOf(want.keySet());
      want.forEach((type, set) -> assertThat(describe(node.rrsets.get(type))).as(what + ": " + Type.string(type))
          .isEqualTo(describe(set)));
      Record cname = ref.cnames.get(key);
      assertThat(node.cname == null ? null : describe(node.cname)).as(what + ": CNAME")
          .isEqualTo(cname == null ? null : describe(cname));
      assertThat(node.delegation).as(what + ": delegation").isEqualTo(!key.equals("example.com.")
          && want.containsKey(Type.NS));
      assertThat(node.policy == null ? null : node.policy.key).as(what + ": policy")
          .isEqualTo(ref.policyNames.contains(key) ? key : null);
    }
    for (boolean inclusive : new boolean[] {true, false}) {
      Catalog.ZoneData.Node cut = data.cutAbove(key, inclusive);
      assertThat(cut == null ? null : cut.key).as(what + ": cut " + inclusive).isEqualTo(ref.cutAbove(key, inclusive));
    }
    if (node == null) {
      Catalog.ZoneData.Node w = data.wildcard(key);
      assertThat(w == null ? null : w.key).as(what + ": wildcard").isEqualTo(ref.wildcard(key));
    }
  }

  /** The records in order with TTL, class, type and RDATA as text (names in RDATA keep their case). */
  private static List<String> describe(RRset set) {
    List<String> out = new ArrayList<>();
    for (Record r : set.rrs(false)) {
      out.add(describe(r));
    }
    return out;
  }

  private static String describe(Record r) {
    return NameKeys.key(r.getName()) + " " + r.getTTL() + " " + Type.string(r.getType()) + " " + r.rdataToString();
  }

  private static String pick(SplittableRandom random) {
    return LABELS[random.nextInt(LABELS.length)];
  }

  /** A random name below the origin (relative, 1 to 3 labels), sometimes a wildcard; random case. */
  private static String name(SplittableRandom random) {
    StringBuilder sb = new StringBuilder(random.nextInt(6) == 0 ? "*" : pick(random));
    for (int i = random.nextInt(3); i > 0; i--) {
      sb.append('.').append(pick(random));
    }
    return flipCase(random, sb.toString());
  }

  private static String flipCase(SplittableRandom random, String s) {
    StringBuilder sb = new StringBuilder();
    for (char ch : s.toCharArray()) {
      sb.append(random.nextBoolean() ? Character.toUpperCase(ch) : ch);
    }
    return sb.toString();
  }

  /** A zone: SOA and NS at the apex, then random records (some names delegated, some CNAMEs), in shuffled order. */
  private static String zoneText(SplittableRandom random) {
    List<String> lines = new ArrayList<>();
    lines.add("@ IN SOA ns1 hostmaster 1 7200 900 1209600 60");
    lines.add("@ 600 IN NS ns1");
    lines.add("ns1 IN A 192.0.2.53");
    Set<String> cnames = new HashSet<>();
    Set<String> others = new HashSet<>();
    int n = 5 + random.nextInt(30);
    for (int i = 0; i < n; i++) {
      String owner = name(random);
      String key = owner.toLowerCase();
      String ttl = random.nextInt(3) == 0 ? (60 * (1 + random.nextInt(5))) + " " : "";
      int kind = random.nextInt(8);
      if (kind == 0 && !others.contains(key)) {
        cnames.add(key);
        lines.add(owner + " " + ttl + "IN CNAME " + flipCase(random, pick(random)));
        continue;
      }
      if (cnames.contains(key) || (kind == 1 && cnames.contains("ns." + key))) {
        continue;
      }
      others.add(key);
      if (kind == 1) {
        others.add("ns." + key);
      }
      lines.add(switch (kind) {
        case 1 -> owner + " " + ttl + "IN NS " + flipCase(random, "ns." + pick(random)) + "\nns." + owner
            + " IN A 192.0.2." + random.nextInt(4);
        case 2 -> owner + " " + ttl + "IN MX " + random.nextInt(3) + " " + flipCase(random, pick(random))
            + ".example.com.";
        case 3 -> owner + " " + ttl + "IN TXT \"" + flipCase(random, pick(random)) + "\"";
        case 4 -> owner + " " + ttl + "IN AAAA 2001:db8::" + random.nextInt(3);
        default -> owner + " " + ttl + "IN A 192.0.2." + random.nextInt(3);
      });
    }
    for (int i = lines.size() - 1; i > 3; i--) {
      int j = 3 + random.nextInt(i - 2);
      String t = lines.get(i);
      lines.set(i, lines.get(j));
      lines.set(j, t);
    }
    return "$TTL 300\n" + String.join("\n", lines) + "\n";
  }

  /** The zone as maps of dnsjava objects, built the plain way. */
  private static final class Reference {
    final Map<String, Map<Integer, RRset>> rrsets = new LinkedHashMap<>();
    final Map<String, Record> cnames = new LinkedHashMap<>();
    /** Every name that exists: owners, their ancestors up to the apex, policy records and their ancestors. */
    final Set<String> names = new LinkedHashSet<>();
    final Set<String> policyNames = new HashSet<>();
    int records;

    Reference(String text) throws Exception {
      Name origin = Name.fromString("example.com.");
      try (Master m = new Master(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), origin, 3600)) {
        Record r;
        while ((r = m.nextRecord()) != null) {
          records++;
          String key = NameKeys.key(r.getName());
          addName(key);
          if (r.getType() == Type.CNAME) {
            cnames.putIfAbsent(key, r);
          } else {
            rrsets.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(r.getType(), t -> new RRset())
                .addRR(r);
          }
        }
      }
    }

    boolean has(String key) {
      return names.contains(key);
    }

    void addPolicyName(String key) {
      policyNames.add(key);
      addName(key);
    }

    private void addName(String key) {
      for (String k = key; k != null && NameKeys.isAtOrBelow(k, "example.com."); k = NameKeys.parent(k)) {
        names.add(k);
      }
    }

    String cutAbove(String key, boolean inclusive) {
      String found = null;
      for (String k = inclusive ? key : NameKeys.parent(key); k != null && !k.equals("example.com.")
          && NameKeys.isAtOrBelow(k, "example.com."); k = NameKeys.parent(k)) {
        if (rrsets.getOrDefault(k, Map.of()).containsKey(Type.NS)) {
          found = k;
        }
      }
      return found;
    }

    String wildcard(String key) {
      for (String k = NameKeys.parent(key); k != null && NameKeys.isAtOrBelow(k, "example.com.");
          k = NameKeys.parent(k)) {
        if (names.contains(k)) {
          return names.contains("*." + k) ? "*." + k : null;
        }
      }
      return null;
    }

    /** Every name, a name below each and one beside each (most of which do not exist). */
    Set<String> probes() {
      Set<String> out = new LinkedHashSet<>(names);
      for (String k : names) {
        out.add("zz." + k);
        out.add("q." + k);
        String parent = NameKeys.parent(k);
        if (parent != null && NameKeys.isAtOrBelow(parent, "example.com.")) {
          out.add("other." + parent);
        }
      }
      return out;
    }
  }
}
