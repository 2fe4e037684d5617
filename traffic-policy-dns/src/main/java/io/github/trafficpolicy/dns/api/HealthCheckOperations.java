package io.github.trafficpolicy.dns.api;

import com.google.common.collect.ImmutableListMultimap;
import io.github.trafficpolicy.api.HealthCheckId;
import io.github.trafficpolicy.engine.health.HealthCheckMetrics;
import io.github.trafficpolicy.engine.health.ProbeResult;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * Route 53's health check operations over a {@link HealthCheckStore}: {@code CreateHealthCheck},
 * {@code GetHealthCheck}, {@code ListHealthChecks}, {@code UpdateHealthCheck}, {@code DeleteHealthCheck},
 * {@code GetHealthCheckStatus}, {@code GetHealthCheckLastFailureReason} and {@code GetHealthCheckCount}, with
 * Route 53's paths, elements and errors. The server itself is the one vantage point: a status has one observation,
 * from the region {@value #REGION}.
 */
final class HealthCheckOperations {
  /** The region name of this server's observations. */
  static final String REGION = "local";
  private static final int MAX_CALLER_REFERENCE = 64;

  private final HealthCheckStore store;
  private final AuditLog audit;

  HealthCheckOperations(HealthCheckStore store, AuditLog audit) {
    this.store = store;
    this.audit = audit;
  }

  /** The response for the path segments after {@code /2013-04-01/} ({@code healthcheck…}), or empty. */
  Optional<ApiResponse> handle(List<String> seg, String method, ImmutableListMultimap<String, String> q,
                               ApiRequest request, Route53Api.Caller caller) throws IOException {
    int n = seg.size();
    if (seg.get(0).equals("healthcheckcount")) {
      return n == 1 && method.equals("GET") ? Optional.of(ApiResponse.ok(new Xml.Writer("GetHealthCheckCountResponse")
          .element("HealthCheckCount", store.count()).finish())) : Optional.empty();
    }
    if (n == 1 && method.equals("POST")) {
      return Optional.of(create(request, caller));
    } else if (n == 1 && method.equals("GET")) {
      return Optional.of(list(q));
    } else if (n == 2 && method.equals("GET")) {
      return Optional.of(ApiResponse.ok(healthCheck(new Xml.Writer("GetHealthCheckResponse"),
          store.get(id(seg.get(1)))).finish()));
    } else if (n == 2 && method.equals("POST")) {
      return Optional.of(update(id(seg.get(1)), request, caller));
    } else if (n == 2 && method.equals("DELETE")) {
      String id = id(seg.get(1));
      HealthCheckStore.Stored before = store.delete(id);
      audit.write(caller.requestId(), caller.key(), "DeleteHealthCheck", id, before.toJson(), null);
      return Optional.of(ApiResponse.ok(new Xml.Writer("DeleteHealthCheckResponse").finish()));
    } else if (n == 3 && method.equals("GET") && seg.get(2).equals("status")) {
      return Optional.of(status(id(seg.get(1))));
    } else if (n == 3 && method.equals("GET") && seg.get(2).equals("lastfailurereason")) {
      return Optional.of(lastFailureReason(id(seg.get(1))));
    }
    return Optional.empty();
  }

  private ApiResponse create(ApiRequest request, Route53Api.Caller caller) throws IOException {
    Element root = Xml.parse(request.body(), "CreateHealthCheckRequest");
    String reference = Xml.required(root, "CallerReference");
    if (reference.isEmpty() || reference.length() > MAX_CALLER_REFERENCE) {
      throw ApiException.invalidInput("CallerReference must have 1 to 64 characters but has " + reference.length());
    }
    List<Element> configs = Xml.children(root, "HealthCheckConfig");
    if (configs.size() != 1) {
      throw ApiException.invalidInput("Exactly one HealthCheckConfig element is required");
    }
    HealthCheckStore.Created created = store.create(reference, Route53HealthCheckConfig.fromXml(configs.get(0)));
    HealthCheckStore.Stored s = created.check();
    if (created.isNew()) {
      audit.write(caller.requestId(), caller.key(), "CreateHealthCheck", s.id(), null, s.toJson());
    }
    return ApiResponse.created(caller.baseUrl() + Route53Api.PREFIX + "healthcheck/" + s.id(),
        healthCheck(new Xml.Writer("CreateHealthCheckResponse"), s).finish());
  }

  private ApiResponse update(String id, ApiRequest request, Route53Api.Caller caller) throws IOException {
    Element root = Xml.parse(request.body(), "UpdateHealthCheckRequest");
    Optional<Long> version = Xml.text(root, "HealthCheckVersion").map(v -> {
      try {
        long parsed = Long.parseLong(v.strip());
        if (parsed < 1) {
          throw new NumberFormatException();
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw ApiException.invalidInput("HealthCheckVersion must be a number from 1 but was " + v);
      }
    });
    HealthCheckStore.Updated u = store.update(id, version, c -> c.updatedBy(root));
    audit.write(caller.requestId(), caller.key(), "UpdateHealthCheck", id, u.before().toJson(), u.after().toJson());
    return ApiResponse.ok(healthCheck(new Xml.Writer("UpdateHealthCheckResponse"), u.after()).finish());
  }

  /** Checks sorted by ID; {@code marker} is the ID of the first check of the page. */
  private ApiResponse list(ImmutableListMultimap<String, String> q) {
    int max = Route53Api.maxItems(q);
    List<HealthCheckStore.Stored> all = store.list();
    Optional<String> marker = Route53Api.optional(q, "marker");
    int from = marker.map(m -> Route53Api.indexOf(all, s -> s.id().compareTo(m) >= 0)).orElse(0);
    from = from < 0 ? all.size() : from;
    int to = Math.min(all.size(), from + max);
    Xml.Writer w = new Xml.Writer("ListHealthChecksResponse").start("HealthChecks");
    all.subList(from, to).forEach(s -> healthCheck(w, s));
    w.end().element("Marker", marker.orElse("")).element("IsTruncated", to < all.size());
    if (to < all.size()) {
      w.element("NextMarker", all.get(to).id());
    }
    return ApiResponse.ok(w.element("MaxItems", max).finish());
  }

  /**
   * The latest result of this server's probes: "Success: …" or "Failure: …" with the probe's reason (Route 53's
   * form); no observation before the first probe, for a disabled check, or where nothing probes
   * ({@code traffic-policy api} alone). A calculated check has no observations of its own (Route 53 refuses it).
   */
  private ApiResponse status(String id) {
    HealthCheckStore.Stored s = store.get(id);
    if (s.config().calculated()) {
      throw ApiException.invalidInput("GetHealthCheckStatus does not apply to the calculated health check " + id
          + ": get the status of its children");
    }
    Optional<ProbeResult> last = store.checker().flatMap(c -> c.metrics(HealthCheckId.of(id)))
        .flatMap(HealthCheckMetrics::lastResult);
    return observations("GetHealthCheckStatusResponse", last);
  }

  private ApiResponse lastFailureReason(String id) {
    HealthCheckStore.Stored s = store.get(id);
    if (s.config().calculated()) {
      throw ApiException.invalidInput("GetHealthCheckLastFailureReason does not apply to the calculated health "
          + "check " + id);
    }
    return observations("GetHealthCheckLastFailureReasonResponse", store.lastFailure(id));
  }

  private static ApiResponse observations(String root, Optional<ProbeResult> result) {
    Xml.Writer w = new Xml.Writer(root).start("HealthCheckObservations");
    result.ifPresent(r -> w.start("HealthCheckObservation").element("Region", REGION).start("StatusReport")
        .element("Status", (r.success() ? "Success: " : "Failure: ") + r.reason())
        .element("CheckedTime", r.at().toString()).end().end());
    return ApiResponse.ok(w.end().finish());
  }

  private static Xml.Writer healthCheck(Xml.Writer w, HealthCheckStore.Stored s) {
    w.start("HealthCheck").element("Id", s.id()).element("CallerReference", s.callerReference());
    s.config().write(w);
    return w.element("HealthCheckVersion", s.version()).end();
  }

  private static String id(String id) {
    if (id.isEmpty() || id.length() > 64 || !id.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw ApiException.invalidInput("Invalid health check ID: " + id);
    }
    return id;
  }
}
