package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.engine.CompiledPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Type;

/**
 * Everything a server answers for: zones (static data) and policy records (a name in one of the zones answered by
 * a {@link CompiledPolicy}; its name and TTL are the policy's {@link io.github.trafficpolicy.engine.PolicyBinding}).
 * Immutable and thread-safe; a {@link QueryHandler} can switch to a new catalog atomically.
 *
 * <p>Checked when built: zone names are distinct; each policy record lies in a zone, is not below a delegation,
 * has no CNAME beside it and no static records of the policy's own type.
 */
public final class Catalog {
  private final ImmutableMap<String, ZoneData> zones;
  private final ImmutableMap<String, PolicyEntry> policies;

  private Catalog(ImmutableMap<String, ZoneData> zones, ImmutableMap<String, PolicyEntry> policies) {
    this.zones = zones;
    this.policies = policies;
  }

  /** A builder for a catalog. */
  public static Builder builder() {
    return new Builder();
  }

  /** The zone names served, in lower case with a trailing dot. */
  public ImmutableList<String> zones() {
    return zones.keySet().asList();
  }

  /** The policy records by name (lower case, trailing dot). */
  public ImmutableMap<String, CompiledPolicy> policyRecords() {
    ImmutableMap.Builder<String, CompiledPolicy> b = ImmutableMap.builder();
    policies.forEach((k, v) -> b.put(k, v.policy));
    return b.build();
  }

  /** The policy answering at {@code name} ({@code www.example.com} or {@code www.example.com.}, any case). */
  public Optional<CompiledPolicy> policyRecord(String name) {
    checkNotNull(name, "name");
    PolicyEntry e = policies.get(PolicyRecord.absolute(name));
    return e == null ? Optional.empty() : Optional.of(e.policy);
  }

  ImmutableMap<String, PolicyEntry> policyEntries() {
    return policies;
  }

  /** The zone {@code key} falls in (longest match), or {@code null}. */
  ZoneData findZone(String key) {
    String k = key;
    while (k != null) {
      ZoneData z = zones.get(k);
      if (z != null) {
        return z;
      }
      k = NameKeys.parent(k);
    }
    return null;
  }

  /** Builds a {@link Catalog}. */
  public static final class Builder {
    private final List<Zone> zones = new ArrayList<>();
    private final List<CompiledPolicy> policies = new ArrayList<>();
    private Map<String, PolicyEntry> previous = Map.of();

    private Builder() {}

    /**
     * Takes the parsed names of policy records from {@code catalog} (the one being replaced) instead of parsing
     * them again, so rebuilding a catalog of many names after a small change costs less. Answers are the same.
     */
    public Builder reusingNamesOf(Catalog catalog) {
      this.previous = checkNotNull(catalog, "catalog").policies;
      return this;
    }

    /** Serves this zone. */
    public Builder zone(Zone zone) {
      zones.add(checkNotNull(zone, "zone"));
      return this;
    }

    /** Serves this policy at its binding's record name, with its binding's TTL. */
    public Builder policyRecord(CompiledPolicy policy) {
      policies.add(checkNotNull(policy, "policy"));
      return this;
    }

    /**
     * The catalog.
     *
     * @throws IllegalArgumentException listing every problem, one per line
     */
    public Catalog build() {
      List<String> problems = new ArrayList<>();
      Map<String, ZoneData> zoneMap = new LinkedHashMap<>();
      for (Zone z : zones) {
        if (zoneMap.containsKey(z.origin())) {
          problems.add("zone " + z.origin() + " is given twice");
          continue;
        }
        zoneMap.put(z.origin(), new ZoneData(z));
      }
      Catalog probe = new Catalog(ImmutableMap.copyOf(zoneMap), ImmutableMap.of());
      Map<String, PolicyEntry> policyMap = new LinkedHashMap<>();
      for (CompiledPolicy p : policies) {
        String name;
        Name dnsName;
        String key;
        try {
          name = PolicyRecord.absolute(p.binding().recordName());
          PolicyEntry known = previous.get(name);
          dnsName = known != null ? known.name : Name.fromString(name);
          key = known != null ? known.key : NameKeys.key(dnsName);
        } catch (IllegalArgumentException | org.xbill.DNS.TextParseException e) {
          problems.add("policy record name '" + p.binding().recordName() + "' is not a valid DNS name");
          continue;
        }
        ZoneData zone = probe.findZone(key);
        int type = Type.value(p.document().recordType().name());
        String what = "policy record " + name + " " + p.document().recordType();
        if (zone == null) {
          problems.add(what + " is not in any zone (zones: " + zoneMap.keySet() + ")");
          continue;
        }
        if (policyMap.containsKey(key)) {
          problems.add(what + " is given twice");
          continue;
        }
        if (zone.cutAbove(key, true) != null) {
          problems.add(what + " is below the delegation " + zone.cutAbove(key, true).key);
          continue;
        }
        ZoneData.Node node = zone.nodes.get(key);
        if (node != null && node.cname != null) {
          problems.add(what + " has a static CNAME beside it");
          continue;
        }
        if (node != null && type == Type.CNAME && !node.rrsets.isEmpty()) {
          // RFC 1034 3.6.2: a CNAME has no other data beside it (this includes the apex's SOA and NS).
          problems.add(what + " has static records beside it (" + node.rrsets.keySet().stream().map(Type::string)
              .collect(java.util.stream.Collectors.joining(" ")) + ")");
          continue;
        }
        if (node != null && node.rrsets.containsKey(type)) {
          problems.add(what + " has static " + Type.string(type) + " records beside it");
          continue;
        }
        policyMap.put(key, new PolicyEntry(p, dnsName, key, type));
      }
      checkArgument(problems.isEmpty(), "%s", String.join("\n", problems));
      for (PolicyEntry e : policyMap.values()) {
        probe.findZone(e.key).attach(e);
      }
      return new Catalog(ImmutableMap.copyOf(zoneMap), ImmutableMap.copyOf(policyMap));
    }
  }

  /** One zone's data, indexed by name key. Mutable only while its catalog is being built. */
  static final class ZoneData {
    final Name origin;
    final String key;
    final SOARecord soa;
    /** The SOA as it appears in negative answers: TTL {@link #negativeTtl}. */
    final SOARecord negativeSoa;
    /** RFC 2308: the TTL of the SOA in negative answers, min(SOA TTL, SOA MINIMUM). */
    final long negativeTtl;
    final Map<String, Node> nodes = new HashMap<>();

    ZoneData(Zone zone) {
      this.origin = zone.originName();
      this.key = zone.origin();
      SOARecord s = zone.soa();
      this.negativeTtl = Math.min(s.getTTL(), s.getMinimum());
      this.soa = (SOARecord) s.withName(origin);
      this.negativeSoa = new SOARecord(origin, s.getDClass(), negativeTtl, s.getHost(), s.getAdmin(), s.getSerial(),
          s.getRefresh(), s.getRetry(), s.getExpire(), s.getMinimum());
      Map<String, Map<Integer, List<Record>>> byName = new LinkedHashMap<>();
      for (Record r : zone.records()) {
        String k = NameKeys.key(r.getName());
        node(k, r.getName());
        byName.computeIfAbsent(k, x -> new LinkedHashMap<>()).computeIfAbsent(r.getType(), x -> new ArrayList<>())
            .add(r);
      }
      byName.forEach((k, types) -> {
        Node n = nodes.get(k);
        types.forEach((type, list) -> {
          RRset set = new RRset();
          for (Record r : list) {
            set.addRR(r);
          }
          if (type == Type.CNAME) {
            n.cname = (CNAMERecord) list.get(0);
          } else {
            if (n.rrsets.isEmpty()) {
              n.rrsets = new LinkedHashMap<>();
            }
            n.rrsets.put(type, set);
          }
        });
        if (!k.equals(key) && types.containsKey(Type.NS)) {
          n.delegation = true;
        }
      });
    }

    /** The node for {@code k}, created with its empty non-terminal ancestors up to the apex. */
    private Node node(String k, Name name) {
      Node n = nodes.get(k);
      if (n == null) {
        n = new Node(name, k);
        nodes.put(k, n);
        if (!k.equals(key)) {
          String p = NameKeys.parent(k);
          node(p, new Name(name, 1));
        }
      }
      return n;
    }

    void attach(PolicyEntry e) {
      node(e.key, e.name).policy = e;
    }

    /**
     * The highest delegation point between the apex (exclusive) and {@code k}; {@code inclusive} says whether
     * {@code k} itself counts. {@code null} when there is none.
     */
    Node cutAbove(String k, boolean inclusive) {
      Node found = null;
      String c = inclusive ? k : NameKeys.parent(k);
      while (c != null && !c.equals(key) && NameKeys.isAtOrBelow(c, key)) {
        Node n = nodes.get(c);
        if (n != null && n.delegation) {
          found = n;
        }
        c = NameKeys.parent(c);
      }
      return found;
    }

    /** RFC 4592: the wildcard node of the closest encloser of {@code k} (a name that does not exist), or null. */
    Node wildcard(String k) {
      String c = NameKeys.parent(k);
      while (c != null && NameKeys.isAtOrBelow(c, key)) {
        if (nodes.containsKey(c)) {
          return nodes.get("*." + (c.equals(".") ? "" : c));
        }
        c = NameKeys.parent(c);
      }
      return null;
    }

    /** One owner name: its RRsets by type, its CNAME, its policy record. */
    static final class Node {
      final Name name;
      final String key;
      /** Empty and shared until the node has static records (most policy record names have none). */
      Map<Integer, RRset> rrsets = Map.of();
      CNAMERecord cname;
      PolicyEntry policy;
      boolean delegation;

      Node(Name name, String key) {
        this.name = name;
        this.key = key;
      }

      boolean isEmpty() {
        return rrsets.isEmpty() && cname == null && policy == null;
      }
    }
  }
}
