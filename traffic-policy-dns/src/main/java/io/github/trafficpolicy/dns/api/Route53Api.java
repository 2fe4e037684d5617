package io.github.trafficpolicy.dns.api;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.net.InetAddresses;
import io.github.trafficpolicy.api.internal.IoMessages;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.Transport;
import io.github.trafficpolicy.engine.lifecycle.ManagedPolicy;
import io.github.trafficpolicy.engine.lifecycle.ManagedRecord;
import io.github.trafficpolicy.engine.lifecycle.PolicyRef;
import io.github.trafficpolicy.engine.lifecycle.PolicyVersion;
import io.github.trafficpolicy.engine.lifecycle.RegistryError;
import io.github.trafficpolicy.engine.lifecycle.RegistryException;
import io.github.trafficpolicy.engine.lifecycle.RegistryState;
import io.github.trafficpolicy.engine.lifecycle.TrafficPolicyRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Element;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Route 53's API (2013-04-01) over a {@link TrafficPolicyRegistry} and the zones a {@link QueryHandler} serves:
 * {@link #handle} turns one authenticated request into a response. Paths, query parameters, element names, status
 * codes and errors are Route 53's (from its API reference and service model); where Route 53 states a limit
 * (document 102,400 characters, comment 1,024, name 512, {@code MaxItems} at most 100) the same limit holds.
 *
 * <p>Operations: {@code CreateTrafficPolicy}, {@code CreateTrafficPolicyVersion}, {@code GetTrafficPolicy},
 * {@code ListTrafficPolicies}, {@code ListTrafficPolicyVersions}, {@code UpdateTrafficPolicyComment},
 * {@code DeleteTrafficPolicy}, {@code CreateTrafficPolicyInstance}, {@code GetTrafficPolicyInstance},
 * {@code UpdateTrafficPolicyInstance}, {@code DeleteTrafficPolicyInstance}, {@code ListTrafficPolicyInstances},
 * {@code ListTrafficPolicyInstancesByHostedZone}, {@code ListTrafficPolicyInstancesByPolicy},
 * {@code GetTrafficPolicyInstanceCount}, {@code ListHostedZones}, {@code GetHostedZone},
 * {@code ListHostedZonesByName}, {@code TestDNSAnswer} (answered by the query handler, as a resolver would see
 * it) and the health check operations ({@link HealthCheckOperations}). A policy record (traffic policy instance)
 * is applied at once, so its {@code State} is always {@code Applied}. Every write is appended to the
 * {@link AuditLog}.
 *
 * <p>Extensions beside the compatible surface (paths Route 53 does not have; no Route 53 operation changes):
 * {@code POST /2013-04-01/trafficpolicyinstances/update} binds many instances to one version atomically, and
 * {@code POST /2013-04-01/trafficpolicyinstance/{Id}/rollback} returns an instance to its previous version.
 *
 * <p>Thread-safe: the registry serializes writes and each read sees one complete registry state.
 */
public final class Route53Api {
  static final String PREFIX = "/2013-04-01/";
  static final int MAX_ITEMS = 100;
  static final int MAX_DOCUMENT = 102_400;
  static final int MAX_COMMENT = 1024;
  static final int MAX_NAME = 512;
  private static final String ID_PATTERN = "[A-Za-z0-9-]{1,36}";
  private static final String ZONE_ID_PATTERN = "[A-Z0-9]{1,32}";

  private final TrafficPolicyRegistry registry;
  private final QueryHandler dns;
  private final AuditLog audit;
  private final HealthCheckOperations healthChecks;

  /**
   * The API over {@code registry}, serving the zones of {@code dns}, managing the health checks of
   * {@code healthChecks}, logging writes to {@code audit}.
   */
  public Route53Api(TrafficPolicyRegistry registry, QueryHandler dns, HealthCheckStore healthChecks,
                    AuditLog audit) {
    this.registry = checkNotNull(registry, "registry");
    this.dns = checkNotNull(dns, "dns");
    this.audit = checkNotNull(audit, "audit");
    this.healthChecks = new HealthCheckOperations(checkNotNull(healthChecks, "healthChecks"), audit);
  }

  /** Who made a request and its ID (for the audit log). */
  public record Caller(AccessKeys.Key key, String requestId, String baseUrl) {
    public Caller {
      checkNotNull(key, "key");
      checkNotNull(requestId, "requestId");
      checkNotNull(baseUrl, "baseUrl");
    }
  }

  /**
   * The response to {@code request}, made by {@code caller}.
   *
   * @throws ApiException when Route 53 would answer with an error
   */
  public ApiResponse handle(ApiRequest request, Caller caller) {
    if (!request.rawPath().startsWith(PREFIX)) {
      throw invalidAction(request);
    }
    List<String> seg = segments(request.rawPath().substring(PREFIX.length()));
    try {
      ApiResponse response = dispatch(seg, query(request.rawQuery()), request, caller);
      if (response != null) {
        return response;
      }
    } catch (RegistryException e) {
      throw fromRegistry(e);
    } catch (IOException e) {
      throw new ApiException(500, "InternalFailure", "The health checks cannot be saved: " + e.getMessage());
    }
    throw invalidAction(request);
  }

  /** The decoded segments of a path after the API version (a trailing slash ignored); never "." or "..". */
  private static List<String> segments(String rawPath) {
    List<String> seg = new ArrayList<>();
    for (String s : rawPath.split("/", -1)) {
      String d = SigV4.decode(s);
      if (d.contains("/") || d.equals("..") || d.equals(".") || d.indexOf('\\') >= 0 || d.indexOf(0) >= 0) {
        throw ApiException.invalidInput("Invalid path segment: " + s);
      }
      seg.add(d);
    }
    if (seg.size() > 1 && seg.get(seg.size() - 1).isEmpty()) {
      seg.remove(seg.size() - 1);
    }
    return seg;
  }

  /** The operation a method and path name, or null when they name none. */
  private @Nullable ApiResponse dispatch(List<String> seg, ImmutableListMultimap<String, String> q,
                                         ApiRequest request, Caller caller) throws IOException {
    String m = request.method();
    int n = seg.size();
    switch (seg.get(0)) {
      case "trafficpolicy":
        if (n == 1 && m.equals("POST")) {
          return createTrafficPolicy(request, caller);
        } else if (n == 2 && m.equals("POST")) {
          return createTrafficPolicyVersion(policyId(seg.get(1)), request, caller);
        } else if (n == 3 && m.equals("GET")) {
          return getTrafficPolicy(policyId(seg.get(1)), version(seg.get(2), "Version"));
        } else if (n == 3 && m.equals("POST")) {
          return updateTrafficPolicyComment(policyId(seg.get(1)), version(seg.get(2), "Version"), request, caller);
        } else if (n == 3 && m.equals("DELETE")) {
          return deleteTrafficPolicy(policyId(seg.get(1)), version(seg.get(2), "Version"), caller);
        }
        break;
      case "trafficpolicies":
        if (n == 1 && m.equals("GET")) {
          return listTrafficPolicies(q);
        } else if (n == 3 && m.equals("GET") && seg.get(2).equals("versions")) {
          return listTrafficPolicyVersions(policyId(seg.get(1)), q);
        }
        break;
      case "trafficpolicyinstance":
      case "trafficpolicyinstances":
        return instances(seg, q, request, caller);
      case "trafficpolicyinstancecount":
        if (n == 1 && m.equals("GET")) {
          return ApiResponse.ok(new Xml.Writer("GetTrafficPolicyInstanceCountResponse")
              .element("TrafficPolicyInstanceCount", registry.state().records().size()).finish());
        }
        break;
      case "hostedzone":
        if (n == 1 && m.equals("GET")) {
          return listHostedZones(q);
        } else if (n == 2 && m.equals("GET")) {
          String zone = zoneName(seg.get(1));
          return ApiResponse.ok(hostedZone(new Xml.Writer("GetHostedZoneResponse"), zone).finish());
        }
        break;
      case "hostedzonesbyname":
        if (n == 1 && m.equals("GET")) {
          return listHostedZonesByName(q);
        }
        break;
      case "testdnsanswer":
        if (n == 1 && m.equals("GET")) {
          return testDnsAnswer(q);
        }
        break;
      case "healthcheck":
      case "healthcheckcount":
        Optional<ApiResponse> r = healthChecks.handle(seg, m, q, request, caller);
        if (r.isPresent()) {
          return r.get();
        }
        break;
      case "checkeripranges":
        throw new ApiException(501, "NotImplemented", "This server probes from its own addresses; it has no "
            + "checker IP ranges to list");
      default:
        break;
  }
    return null;
  }

  /** The policy record (traffic policy instance) operations, or null when the method and path name none. */
  private @Nullable ApiResponse instances(List<String> seg, ImmutableListMultimap<String, String> q,
                                          ApiRequest request, Caller caller) {
    String m = request.method();
    int n = seg.size();
    switch (seg.get(0)) {
      case "trafficpolicyinstance":
        if (n == 1 && m.equals("POST")) {
          return createTrafficPolicyInstance(request, caller);
        } else if (n == 2 && m.equals("GET")) {
          return getTrafficPolicyInstance(instanceId(seg.get(1)));
        } else if (n == 2 && m.equals("POST")) {
          return updateTrafficPolicyInstance(instanceId(seg.get(1)), request, caller);
        } else if (n == 2 && m.equals("DELETE")) {
          return deleteTrafficPolicyInstance(instanceId(seg.get(1)), caller);
        } else if (n == 3 && m.equals("POST") && seg.get(2).equals("rollback")) {
          return rollbackTrafficPolicyInstance(instanceId(seg.get(1)), caller);
        }
        break;
      case "trafficpolicyinstances":
        if (n == 2 && m.equals("POST") && seg.get(1).equals("update")) {
          return updateTrafficPolicyInstances(request, caller);
        } else if (n == 1 && m.equals("GET")) {
          return listInstances("ListTrafficPolicyInstancesResponse", q, i -> true, true);
        } else if (n == 2 && m.equals("GET") && seg.get(1).equals("hostedzone")) {
          String zone = zoneName(required(q, "id"));
          return listInstances("ListTrafficPolicyInstancesByHostedZoneResponse", q,
              r -> r.zone().equals(zone), false);
        } else if (n == 2 && m.equals("GET") && seg.get(1).equals("trafficpolicy")) {
          PolicyRef ref = ref(required(q, "id"), version(required(q, "version"), "version"));
          return listInstances("ListTrafficPolicyInstancesByPolicyResponse", q,
              r -> r.current().equals(ref), true);
        }
        break;
      default:
        return null;
    }
    return null;
  }

  // ---------------------------------------------------------------- traffic policies

  private ApiResponse createTrafficPolicy(ApiRequest request, Caller caller) {
    Element root = Xml.parse(request.body(), "CreateTrafficPolicyRequest");
    String name = limited(Xml.required(root, "Name"), "Name", MAX_NAME);
    String document = limited(Xml.required(root, "Document"), "Document", MAX_DOCUMENT);
    Optional<String> comment = comment(root, false);
    PolicyVersion v = registry.createPolicy(name, document, comment);
    audit.write(caller.requestId(), caller.key(), "CreateTrafficPolicy", v.id() + "/" + v.version(), null,
        AuditLog.policyVersion(v));
    return ApiResponse.created(caller.baseUrl() + PREFIX + "trafficpolicy/" + v.id() + "/" + v.version(),
        trafficPolicyElement(new Xml.Writer("CreateTrafficPolicyResponse"), v).finish());
  }

  private ApiResponse createTrafficPolicyVersion(String id, ApiRequest request, Caller caller) {
    Element root = Xml.parse(request.body(), "CreateTrafficPolicyVersionRequest");
    String document = limited(Xml.required(root, "Document"), "Document", MAX_DOCUMENT);
    Optional<String> comment = comment(root, false);
    PolicyVersion v = registry.createPolicyVersion(id, document, comment);
    audit.write(caller.requestId(), caller.key(), "CreateTrafficPolicyVersion", v.id() + "/" + v.version(), null,
        AuditLog.policyVersion(v));
    return ApiResponse.created(caller.baseUrl() + PREFIX + "trafficpolicy/" + v.id() + "/" + v.version(),
        trafficPolicyElement(new Xml.Writer("CreateTrafficPolicyVersionResponse"), v).finish());
  }

  private ApiResponse getTrafficPolicy(String id, int version) {
    return ApiResponse.ok(trafficPolicyElement(new Xml.Writer("GetTrafficPolicyResponse"),
        registry.getPolicy(id, version)).finish());
  }

  private ApiResponse updateTrafficPolicyComment(String id, int version, ApiRequest request, Caller caller) {
    Element root = Xml.parse(request.body(), "UpdateTrafficPolicyCommentRequest");
    Optional<String> comment = comment(root, true);
    PolicyVersion before = registry.getPolicy(id, version);
    PolicyVersion v = registry.updatePolicyComment(id, version, comment.filter(c -> !c.isEmpty()));
    audit.write(caller.requestId(), caller.key(), "UpdateTrafficPolicyComment", id + "/" + version,
        AuditLog.policyVersion(before), AuditLog.policyVersion(v));
    return ApiResponse.ok(trafficPolicyElement(new Xml.Writer("UpdateTrafficPolicyCommentResponse"), v).finish());
  }

  private ApiResponse deleteTrafficPolicy(String id, int version, Caller caller) {
    PolicyVersion before = registry.getPolicy(id, version);
    registry.deletePolicyVersion(id, version);
    audit.write(caller.requestId(), caller.key(), "DeleteTrafficPolicy", id + "/" + version,
        AuditLog.policyVersion(before), null);
    return ApiResponse.ok(new Xml.Writer("DeleteTrafficPolicyResponse").finish());
  }

  private ApiResponse listTrafficPolicies(ImmutableListMultimap<String, String> q) {
    int max = maxItems(q);
    ImmutableList<ManagedPolicy> all = registry.state().policies();
    int from = 0;
    Optional<String> marker = optional(q, "trafficpolicyid");
    if (marker.isPresent()) {
      from = indexOf(all, p -> p.id().equals(marker.get()));
      if (from < 0) {
        throw ApiException.invalidInput("TrafficPolicyIdMarker " + marker.get() + " is not a traffic policy");
      }
    }
    int to = Math.min(all.size(), from + max);
    Xml.Writer w = new Xml.Writer("ListTrafficPoliciesResponse").start("TrafficPolicySummaries");
    for (ManagedPolicy p : all.subList(from, to)) {
      w.start("TrafficPolicySummary").element("Id", p.id()).element("Name", p.name())
          .element("Type", p.latest().type()).element("LatestVersion", p.latest().version())
          .element("TrafficPolicyCount", p.versions().size()).end();
    }
    w.end().element("IsTruncated", to < all.size());
    if (to < all.size()) {
      w.element("TrafficPolicyIdMarker", all.get(to).id());
    }
    return ApiResponse.ok(w.element("MaxItems", max).finish());
  }

  private ApiResponse listTrafficPolicyVersions(String id, ImmutableListMultimap<String, String> q) {
    int max = maxItems(q);
    ImmutableList<PolicyVersion> all = registry.listPolicyVersions(id);
    int from = 0;
    Optional<String> marker = optional(q, "trafficpolicyversion");
    if (marker.isPresent()) {
      int v = version(marker.get(), "TrafficPolicyVersionMarker");
      from = indexOf(all, p -> p.version() >= v);
      from = from < 0 ? all.size() : from;
    }
    int to = Math.min(all.size(), from + max);
    Xml.Writer w = new Xml.Writer("ListTrafficPolicyVersionsResponse").start("TrafficPolicies");
    for (PolicyVersion v : all.subList(from, to)) {
      trafficPolicyElement(w, v);
    }
    w.end().element("IsTruncated", to < all.size());
    if (to < all.size()) {
      w.element("TrafficPolicyVersionMarker", all.get(to).version());
    }
    return ApiResponse.ok(w.element("MaxItems", max).finish());
  }

  private static Xml.Writer trafficPolicyElement(Xml.Writer w, PolicyVersion v) {
    return w.start("TrafficPolicy").element("Id", v.id()).element("Version", v.version()).element("Name", v.name())
        .element("Type", v.type()).element("Document", v.documentText()).element("Comment", v.comment()).end();
  }

  // ---------------------------------------------------------------- traffic policy instances

  private ApiResponse createTrafficPolicyInstance(ApiRequest request, Caller caller) {
    Element root = Xml.parse(request.body(), "CreateTrafficPolicyInstanceRequest");
    String zone = zoneName(Xml.required(root, "HostedZoneId"));
    String name = Xml.required(root, "Name");
    long ttl = ttl(Xml.required(root, "TTL"));
    PolicyRef ref = ref(policyId(Xml.required(root, "TrafficPolicyId")),
        version(Xml.required(root, "TrafficPolicyVersion"), "TrafficPolicyVersion"));
    ManagedRecord r = registry.createRecord(zone, name, ttl, ref.policyId(), ref.version());
    String id = HostedZones.instanceId(r.name());
    audit.write(caller.requestId(), caller.key(), "CreateTrafficPolicyInstance", id, null, AuditLog.record(r));
    return ApiResponse.created(caller.baseUrl() + PREFIX + "trafficpolicyinstance/" + id,
        instanceElement(new Xml.Writer("CreateTrafficPolicyInstanceResponse"), r).finish());
  }

  private ApiResponse getTrafficPolicyInstance(String id) {
    ManagedRecord r = instance(registry.state(), id);
    return ApiResponse.ok(instanceElement(new Xml.Writer("GetTrafficPolicyInstanceResponse"), r).finish());
  }

  private ApiResponse updateTrafficPolicyInstance(String id, ApiRequest request, Caller caller) {
    Element root = Xml.parse(request.body(), "UpdateTrafficPolicyInstanceRequest");
    long ttl = ttl(Xml.required(root, "TTL"));
    PolicyRef ref = ref(policyId(Xml.required(root, "TrafficPolicyId")),
        version(Xml.required(root, "TrafficPolicyVersion"), "TrafficPolicyVersion"));
    ManagedRecord before = instance(registry.state(), id);
    ManagedRecord r = registry.updateRecord(before.name(), ref, OptionalLong.of(ttl));
    audit.write(caller.requestId(), caller.key(), "UpdateTrafficPolicyInstance", id, AuditLog.record(before),
        AuditLog.record(r));
    return ApiResponse.ok(instanceElement(new Xml.Writer("UpdateTrafficPolicyInstanceResponse"), r).finish());
  }

  private ApiResponse deleteTrafficPolicyInstance(String id, Caller caller) {
    ManagedRecord before = instance(registry.state(), id);
    registry.deleteRecord(before.name());
    audit.write(caller.requestId(), caller.key(), "DeleteTrafficPolicyInstance", id, AuditLog.record(before), null);
    return ApiResponse.ok(new Xml.Writer("DeleteTrafficPolicyInstanceResponse").finish());
  }

  /**
   * Extension {@code POST /2013-04-01/trafficpolicyinstances/update}: binds every listed instance to one policy
   * version atomically (each is checked first; if any fails, none changes).
   */
  private ApiResponse updateTrafficPolicyInstances(ApiRequest request, Caller caller) {
    Element root = Xml.parse(request.body(), "UpdateTrafficPolicyInstancesRequest");
    PolicyRef ref = ref(policyId(Xml.required(root, "TrafficPolicyId")),
        version(Xml.required(root, "TrafficPolicyVersion"), "TrafficPolicyVersion"));
    List<Element> lists = Xml.children(root, "TrafficPolicyInstanceIds");
    if (lists.size() != 1) {
      throw ApiException.invalidInput("Exactly one TrafficPolicyInstanceIds element is required");
    }
    RegistryState state = registry.state();
    List<ManagedRecord> before = new ArrayList<>();
    for (Element e : Xml.children(lists.get(0), "TrafficPolicyInstanceId")) {
      before.add(instance(state, instanceId(e.getTextContent().strip())));
    }
    if (before.isEmpty() || before.size() > MAX_ITEMS) {
      throw ApiException.invalidInput("TrafficPolicyInstanceIds must list 1 to " + MAX_ITEMS + " IDs");
    }
    ImmutableList<ManagedRecord> after = registry.updateRecords(before.stream().map(ManagedRecord::name).toList(),
        ref);
    for (ManagedRecord now : after) {
      ManagedRecord was = before.stream().filter(r -> r.name().equals(now.name())).findFirst().orElseThrow();
      audit.write(caller.requestId(), caller.key(), "UpdateTrafficPolicyInstances",
          HostedZones.instanceId(was.name()), AuditLog.record(was), AuditLog.record(now));
    }
    Xml.Writer w = new Xml.Writer("UpdateTrafficPolicyInstancesResponse").start("TrafficPolicyInstances");
    after.forEach(r -> instanceElement(w, r));
    return ApiResponse.ok(w.end().finish());
  }

  /**
   * Extension {@code POST /2013-04-01/trafficpolicyinstance/{Id}/rollback}: binds the instance back to the version
   * it had before its last version change.
   */
  private ApiResponse rollbackTrafficPolicyInstance(String id, Caller caller) {
    ManagedRecord before = instance(registry.state(), id);
    ManagedRecord r = registry.rollbackRecord(before.name());
    audit.write(caller.requestId(), caller.key(), "RollbackTrafficPolicyInstance", id, AuditLog.record(before),
        AuditLog.record(r));
    return ApiResponse.ok(instanceElement(new Xml.Writer("RollbackTrafficPolicyInstanceResponse"), r).finish());
  }

  /** Instances sorted by (hosted zone ID, name, type); the markers name the first of the next page. */
  private ApiResponse listInstances(String root, ImmutableListMultimap<String, String> q,
                                    java.util.function.Predicate<ManagedRecord> filter, boolean zoneMarker) {
    int max = maxItems(q);
    Comparator<ManagedRecord> order = Comparator.comparing((ManagedRecord r) -> HostedZones.zoneId(r.zone()))
        .thenComparing(ManagedRecord::name).thenComparing(r -> r.type().toString());
    List<ManagedRecord> all = registry.state().records().stream().filter(filter).sorted(order).toList();
    int from = 0;
    Optional<String> name = optional(q, "trafficpolicyinstancename").map(HostedZones::absolute);
    Optional<String> type = optional(q, "trafficpolicyinstancetype");
    Optional<String> zone = zoneMarker ? optional(q, "hostedzoneid").map(Route53Api::stripZonePrefix)
        : Optional.empty();
    if (name.isPresent() || zone.isPresent()) {
      from = indexOf(all, r -> (zone.isEmpty() || HostedZones.zoneId(r.zone()).compareTo(zone.get()) > 0
          || (HostedZones.zoneId(r.zone()).equals(zone.get())
              && (name.isEmpty() || r.name().compareTo(name.get()) > 0
                  || (r.name().equals(name.get()) && r.type().toString().compareTo(type.orElse("")) >= 0)))));
      from = from < 0 ? all.size() : from;
    }
    int to = Math.min(all.size(), from + max);
    Xml.Writer w = new Xml.Writer(root).start("TrafficPolicyInstances");
    for (ManagedRecord r : all.subList(from, to)) {
      instanceElement(w, r);
    }
    w.end();
    if (to < all.size()) {
      ManagedRecord next = all.get(to);
      if (zoneMarker) {
        w.element("HostedZoneIdMarker", HostedZones.zoneId(next.zone()));
      }
      w.element("TrafficPolicyInstanceNameMarker", next.name())
          .element("TrafficPolicyInstanceTypeMarker", next.type());
    }
    return ApiResponse.ok(w.element("IsTruncated", to < all.size()).element("MaxItems", max).finish());
  }

  private static ManagedRecord instance(RegistryState state, String id) {
    return state.records().stream().filter(r -> HostedZones.instanceId(r.name()).equals(id)).findFirst()
        .orElseThrow(() -> new ApiException(404, "NoSuchTrafficPolicyInstance",
            "No traffic policy instance exists with the specified ID: " + id));
  }

  private static Xml.Writer instanceElement(Xml.Writer w, ManagedRecord r) {
    return w.start("TrafficPolicyInstance").element("Id", HostedZones.instanceId(r.name()))
        .element("HostedZoneId", HostedZones.zoneId(r.zone())).element("Name", r.name()).element("TTL", r.ttl())
        .element("State", "Applied").element("Message", "").element("TrafficPolicyId", r.current().policyId())
        .element("TrafficPolicyVersion", r.current().version()).element("TrafficPolicyType", r.type()).end();
  }

  // ---------------------------------------------------------------- hosted zones

  /** The served zones, absolute and in lower case, sorted by ID. */
  private List<String> zones() {
    return dns.catalog().zones().stream().map(HostedZones::absolute)
        .sorted(Comparator.comparing(HostedZones::zoneId)).toList();
  }

  /** The zone a hosted zone ID ({@code Z…} or {@code /hostedzone/Z…}) names. */
  private String zoneName(String id) {
    String bare = stripZonePrefix(id.strip());
    if (!bare.matches(ZONE_ID_PATTERN)) {
      throw ApiException.invalidInput("Invalid hosted zone ID: " + id);
    }
    return zones().stream().filter(z -> HostedZones.zoneId(z).equals(bare)).findFirst()
        .orElseThrow(() -> new ApiException(404, "NoSuchHostedZone", "No hosted zone found with ID: " + bare));
  }

  private static String stripZonePrefix(String id) {
    return id.startsWith("/hostedzone/") ? id.substring("/hostedzone/".length()) : id;
  }

  private Xml.Writer hostedZone(Xml.Writer w, String zone) {
    long records = registry.state().recordsInZone(zone).size();
    return w.start("HostedZone").element("Id", "/hostedzone/" + HostedZones.zoneId(zone)).element("Name", zone)
        .element("CallerReference", "traffic-policy:" + zone).start("Config")
        .element("Comment", "served by traffic-policy").element("PrivateZone", false).end()
        .element("ResourceRecordSetCount", records).end();
  }

  private ApiResponse listHostedZones(ImmutableListMultimap<String, String> q) {
    int max = maxItems(q);
    if (optional(q, "delegationsetid").isPresent()) {
      throw ApiException.invalidInput("Reusable delegation sets are not supported");
    }
    List<String> all = zones();
    Optional<String> marker = optional(q, "marker").map(Route53Api::stripZonePrefix);
    int from = marker.map(mk -> indexOf(all, z -> HostedZones.zoneId(z).compareTo(mk) >= 0)).orElse(0);
    from = from < 0 ? all.size() : from;
    int to = Math.min(all.size(), from + max);
    Xml.Writer w = new Xml.Writer("ListHostedZonesResponse").start("HostedZones");
    for (String z : all.subList(from, to)) {
      hostedZone(w, z);
    }
    w.end().element("Marker", marker.orElse("")).element("IsTruncated", to < all.size());
    if (to < all.size()) {
      w.element("NextMarker", HostedZones.zoneId(all.get(to)));
    }
    return ApiResponse.ok(w.element("MaxItems", max).finish());
  }

  /** Zones by name, labels compared from the root ({@code com.example.}), then by ID, as Route 53 sorts them. */
  private ApiResponse listHostedZonesByName(ImmutableListMultimap<String, String> q) {
    int max = maxItems(q);
    Comparator<String> byName = Comparator.comparing(Route53Api::reversed);
    List<String> all = zones().stream().sorted(byName.thenComparing(HostedZones::zoneId)).toList();
    Optional<String> dnsName = optional(q, "dnsname").map(HostedZones::absolute);
    Optional<String> zoneId = optional(q, "hostedzoneid").map(Route53Api::stripZonePrefix);
    if (zoneId.isPresent() && dnsName.isEmpty()) {
      throw ApiException.invalidInput("HostedZoneId requires DNSName");
    }
    int from = 0;
    if (dnsName.isPresent()) {
      String key = reversed(dnsName.get());
      from = indexOf(all, z -> reversed(z).compareTo(key) > 0 || (reversed(z).equals(key)
          && HostedZones.zoneId(z).compareTo(zoneId.orElse("")) >= 0));
      from = from < 0 ? all.size() : from;
    }
    int to = Math.min(all.size(), from + max);
    Xml.Writer w = new Xml.Writer("ListHostedZonesByNameResponse").start("HostedZones");
    for (String z : all.subList(from, to)) {
      hostedZone(w, z);
    }
    w.end().element("DNSName", dnsName).element("HostedZoneId", zoneId).element("IsTruncated", to < all.size());
    if (to < all.size()) {
      w.element("NextDNSName", all.get(to)).element("NextHostedZoneId", HostedZones.zoneId(all.get(to)));
    }
    return ApiResponse.ok(w.element("MaxItems", max).finish());
  }

  private static String reversed(String name) {
    List<String> labels = new ArrayList<>(List.of(name.split("\\.")));
    java.util.Collections.reverse(labels);
    return String.join(".", labels);
  }

  // ---------------------------------------------------------------- TestDNSAnswer

  /**
   * Asks the query handler, as a resolver at {@code resolverip} (default 127.0.0.1) would, with an EDNS Client
   * Subnet option when {@code edns0clientsubnetip} is given (mask default 24 for IPv4, 64 for IPv6).
   */
  private ApiResponse testDnsAnswer(ImmutableListMultimap<String, String> q) {
    String zone = zoneName(required(q, "hostedzoneid"));
    String recordName = HostedZones.absolute(required(q, "recordname"));
    String recordType = required(q, "recordtype").toUpperCase(Locale.ROOT);
    if (!recordName.equals(zone) && !recordName.endsWith("." + zone)) {
      throw ApiException.invalidInput("RecordName " + recordName + " is not in hosted zone " + zone);
    }
    int type = Type.value(recordType);
    if (type < 0) {
      throw ApiException.invalidInput("Invalid RecordType: " + recordType);
    }
    InetAddress resolver = address(optional(q, "resolverip").orElse("127.0.0.1"), "ResolverIP");
    Message query;
    try {
      query = Message.newQuery(Record.newRecord(Name.fromString(recordName), type, DClass.IN));
    } catch (TextParseException e) {
      throw ApiException.invalidInput("Invalid RecordName: " + e.getMessage());
    }
    Optional<String> ecs = optional(q, "edns0clientsubnetip");
    List<org.xbill.DNS.EDNSOption> options = new ArrayList<>();
    if (ecs.isPresent()) {
      InetAddress subnet = address(ecs.get(), "EDNS0ClientSubnetIP");
      int maxMask = subnet.getAddress().length * 8;
      int mask = optional(q, "edns0clientsubnetmask").map(s -> integer(s, "EDNS0ClientSubnetMask", 0, maxMask))
          .orElse(maxMask == 32 ? 24 : 64);
      options.add(new ClientSubnetOption(mask, masked(subnet, mask)));
    } else if (optional(q, "edns0clientsubnetmask").isPresent()) {
      throw ApiException.invalidInput("EDNS0ClientSubnetMask requires EDNS0ClientSubnetIP");
    }
    query.addRecord(new OPTRecord(4096, 0, 0, 0, options), Section.ADDITIONAL);
    byte[] reply = dns.handle(query.toWire(), resolver, Transport.UDP)
        .orElseThrow(() -> new ApiException(500, "InternalFailure", "The DNS server gave no answer"));
    Message answer;
    try {
      answer = new Message(reply);
    } catch (IOException e) {
      throw new ApiException(500, "InternalFailure", "The DNS server's answer cannot be read: " + e.getMessage());
    }
    Xml.Writer w = new Xml.Writer("TestDNSAnswerResponse").element("Nameserver", "traffic-policy")
        .element("RecordName", recordName).element("RecordType", recordType).start("RecordData");
    for (Record r : answer.getSection(Section.ANSWER)) {
      w.element("RecordDataEntry", r.rdataToString());
    }
    return ApiResponse.ok(w.end().element("ResponseCode", Rcode.string(answer.getRcode()))
        .element("Protocol", "UDP").finish());
  }

  // ---------------------------------------------------------------- parameters and errors

  /** {@code address} with every bit past {@code prefix} cleared (as an ECS option must carry it). */
  private static InetAddress masked(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    for (int i = 0; i < b.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      b[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Optional<String> comment(Element root, boolean required) {
    Optional<String> c = required ? Optional.of(Xml.required(root, "Comment")) : Xml.text(root, "Comment");
    return c.map(s -> limited(s, "Comment", MAX_COMMENT));
  }

  private static String limited(String value, String element, int max) {
    if (value.length() > max) {
      throw ApiException.invalidInput(element + " is " + value.length() + " characters long; at most " + max
          + " are allowed");
    }
    return value;
  }

  private static String policyId(String id) {
    if (!id.matches(ID_PATTERN)) {
      throw ApiException.invalidInput("Invalid traffic policy ID: " + id);
    }
    return id;
  }

  private static String instanceId(String id) {
    if (!id.matches(ID_PATTERN)) {
      throw ApiException.invalidInput("Invalid traffic policy instance ID: " + id);
    }
    return id;
  }

  private static PolicyRef ref(String id, int version) {
    return PolicyRef.of(policyId(id), version);
  }

  private static int version(String s, String what) {
    return integer(s, what, 1, 1000);
  }

  private static long ttl(String s) {
    try {
      long ttl = Long.parseLong(s.strip());
      if (ttl < 0 || ttl > 2_147_483_647L) {
        throw ApiException.invalidInput("TTL must be from 0 to 2147483647 but was " + s);
      }
      return ttl;
    } catch (NumberFormatException e) {
      throw ApiException.invalidInput("TTL must be a number but was " + s);
    }
  }

  private static int integer(String s, String what, int min, int max) {
    try {
      int v = Integer.parseInt(s.strip());
      if (v < min || v > max) {
        throw ApiException.invalidInput(what + " must be from " + min + " to " + max + " but was " + s);
      }
      return v;
    } catch (NumberFormatException e) {
      throw ApiException.invalidInput(what + " must be a number but was " + s);
    }
  }

  /** {@code maxitems}: default and most 100 (a larger value is lowered to 100, as Route 53 does). */
  static int maxItems(ImmutableListMultimap<String, String> q) {
    return optional(q, "maxitems").map(s -> integer(s, "MaxItems", 1, Integer.MAX_VALUE))
        .map(v -> Math.min(v, MAX_ITEMS)).orElse(MAX_ITEMS);
  }

  private static InetAddress address(String s, String what) {
    try {
      return InetAddresses.forString(s.strip());
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidInput(what + " must be an IP address but was " + s);
    }
  }

  private static ImmutableListMultimap<String, String> query(String raw) {
    ImmutableListMultimap.Builder<String, String> b = ImmutableListMultimap.builder();
    for (String part : raw.split("&", -1)) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = SigV4.decode((eq < 0 ? part : part.substring(0, eq)).replace('+', ' '));
      String value = eq < 0 ? "" : SigV4.decode(part.substring(eq + 1).replace('+', ' '));
      b.put(name.toLowerCase(Locale.ROOT), value);
    }
    return b.build();
  }

  static Optional<String> optional(ImmutableListMultimap<String, String> q, String name) {
    ImmutableList<String> v = q.get(name);
    if (v.size() > 1) {
      throw ApiException.invalidInput("Query parameter " + name + " is given " + v.size() + " times");
    }
    return v.isEmpty() || v.get(0).isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  private static String required(ImmutableListMultimap<String, String> q, String name) {
    return optional(q, name).orElseThrow(() -> ApiException.invalidInput("Missing required parameter " + name));
  }

  static <T> int indexOf(List<T> list, java.util.function.Predicate<T> p) {
    for (int i = 0; i < list.size(); i++) {
      if (p.test(list.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static ApiException invalidAction(ApiRequest request) {
    return new ApiException(400, "InvalidAction", "The action " + request.method() + " " + request.rawPath()
        + " is not valid for this web service.");
  }

  /** Route 53's status for a registry error: 404 for a missing resource, 409 for a duplicate, else 400. */
  static ApiException fromRegistry(RegistryException e) {
    RegistryError error = e.error();
    int status = switch (error) {
      case NO_SUCH_TRAFFIC_POLICY, NO_SUCH_TRAFFIC_POLICY_INSTANCE -> 404;
      case TRAFFIC_POLICY_ALREADY_EXISTS, TRAFFIC_POLICY_INSTANCE_ALREADY_EXISTS -> 409;
      default -> 400;
    };
    String prefix = error.awsName() + ": ";
    String full = IoMessages.message(e);
    String message = full.startsWith(prefix) ? full.substring(prefix.length()) : full;
    return new ApiException(status, error.awsName(), message);
  }

}
