package io.github.trafficpolicy.dns;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.github.trafficpolicy.api.PolicyRecord;
import io.github.trafficpolicy.engine.CompiledPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
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
  @Nullable ZoneData findZone(String key) {
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
        ZoneData.Node cut = zone.cutAbove(key, true);
        if (cut != null) {
          problems.add(what + " is below the delegation " + cut.key);
          continue;
        }
        ZoneData.Node node = zone.node(key);
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
        policyMap.put(key, new PolicyEntry(p, dnsName, key, type, zone.origin));
      }
      checkArgument(problems.isEmpty(), "%s", String.join("\n", problems));
      for (PolicyEntry e : policyMap.values()) {
        checkNotNull(probe.findZone(e.key), e.key).attach(e);
      }
      return new Catalog(ImmutableMap.copyOf(zoneMap), ImmutableMap.copyOf(policyMap));
    }
  }

  /**
   * One zone's data: its static records (the {@link Zone}'s {@link ZoneStore}, shared by every catalog that serves
   * the zone) and the policy records attached to it. Lookups by name key ({@link NameKeys}); a {@link Node} is made
   * for the name looked up, with its records as dnsjava objects. Mutable only while its catalog is being built.
   */
  static final class ZoneData {
    final Name origin;
    final String key;
    final SOARecord soa;
    /** The SOA as it appears in negative answers: TTL {@link #negativeTtl}. */
    final SOARecord negativeSoa;
    /** RFC 2308: the TTL of the SOA in negative answers, min(SOA TTL, SOA MINIMUM). */
    final long negativeTtl;
    private final ZoneStore store;
    /** The policy records in this zone, by key. */
    private final Map<String, PolicyEntry> policies = new HashMap<>();
    /** The names that exist only because a policy record is below them (empty non-terminals), by key. */
    private final Set<String> policyAncestors = new HashSet<>();

    ZoneData(Zone zone) {
      this.origin = zone.originName();
      this.key = zone.origin();
      this.store = zone.store();
      SOARecord s = zone.soa();
      this.negativeTtl = Math.min(s.getTTL(), s.getMinimum());
      this.soa = (SOARecord) s.withName(origin);
      this.negativeSoa = new SOARecord(origin, s.getDClass(), negativeTtl, s.getHost(), s.getAdmin(), s.getSerial(),
          s.getRefresh(), s.getRetry(), s.getExpire(), s.getMinimum());
    }

    void attach(PolicyEntry e) {
      policies.put(e.key, e);
      for (String k = NameKeys.parent(e.key); k != null && !k.equals(key) && NameKeys.isAtOrBelow(k, key);
          k = NameKeys.parent(k)) {
        if (store.find(k) >= 0 || policies.containsKey(k) || !policyAncestors.add(k)) {
          break;
        }
      }
    }

    /** True when the name {@code k} exists in the zone: records, a policy record, or names below it. */
    boolean exists(String k) {
      return store.find(k) >= 0 || policies.containsKey(k) || policyAncestors.contains(k);
    }

    /** The name {@code k} with its records, or null when it does not exist. */
    @Nullable Node node(String k) {
      int n = store.find(k);
      PolicyEntry p = policies.get(k);
      if (n < 0) {
        return p != null ? new Node(p.name, k, p) : policyAncestors.contains(k) ? new Node(nameOf(k), k, null) : null;
      }
      Node node = new Node(store.name(n), k, p);
      for (int r = store.firstRRset(n); r < store.endRRset(n); r++) {
        int type = store.type(r);
        if (type == Type.CNAME) {
          node.cname = (CNAMERecord) store.record(r, node.name);
        } else {
          if (node.rrsets.isEmpty()) {
            node.rrsets = new LinkedHashMap<>();
          }
          node.rrsets.put(type, store.rrset(r, node.name));
        }
      }
      node.delegation = store.isDelegation(n);
      return node;
    }

    private static Name nameOf(String k) {
      try {
        return Name.fromString(k);
      } catch (org.xbill.DNS.TextParseException e) {
        throw new IllegalStateException("name key does not parse: " + k, e);
      }
    }

    /**
     * The highest delegation point between the apex (exclusive) and {@code k}; {@code inclusive} says whether
     * {@code k} itself counts. {@code null} when there is none.
     */
    @Nullable Node cutAbove(String k, boolean inclusive) {
      String found = null;
      String c = inclusive ? k : NameKeys.parent(k);
      while (c != null && !c.equals(key) && NameKeys.isAtOrBelow(c, key)) {
        int n = store.find(c);
        if (n >= 0 && store.isDelegation(n)) {
          found = c;
        }
        c = NameKeys.parent(c);
      }
      return found == null ? null : node(found);
    }

    /** RFC 4592: the wildcard node of the closest encloser of {@code k} (a name that does not exist), or null. */
    @Nullable Node wildcard(String k) {
      String c = NameKeys.parent(k);
      while (c != null && NameKeys.isAtOrBelow(c, key)) {
        if (exists(c)) {
          return node("*." + (c.equals(".") ? "" : c));
        }
        c = NameKeys.parent(c);
      }
      return null;
    }

    /** One owner name, made when looked up: its RRsets by type, its CNAME, its policy record. */
    static final class Node {
      final Name name;
      final String key;
      /** Empty and shared until the node has static records (most policy record names have none). */
      Map<Integer, RRset> rrsets = Map.of();
      @Nullable CNAMERecord cname;
      final @Nullable PolicyEntry policy;
      boolean delegation;

      Node(Name name, String key, @Nullable PolicyEntry policy) {
        this.name = name;
        this.key = key;
        this.policy = policy;
      }
    }
  }
}
