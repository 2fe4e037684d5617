package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.CreateTrafficPolicyInstanceResponse;
import software.amazon.awssdk.services.route53.model.CreateTrafficPolicyResponse;
import software.amazon.awssdk.services.route53.model.GetHostedZoneResponse;
import software.amazon.awssdk.services.route53.model.HostedZone;
import software.amazon.awssdk.services.route53.model.ListHostedZonesByNameResponse;
import software.amazon.awssdk.services.route53.model.ListHostedZonesResponse;
import software.amazon.awssdk.services.route53.model.ListTrafficPoliciesResponse;
import software.amazon.awssdk.services.route53.model.ListTrafficPolicyInstancesResponse;
import software.amazon.awssdk.services.route53.model.ListTrafficPolicyVersionsResponse;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.Route53Exception;
import software.amazon.awssdk.services.route53.model.TestDnsAnswerResponse;
import software.amazon.awssdk.services.route53.model.TrafficPolicy;
import software.amazon.awssdk.services.route53.model.TrafficPolicyInstance;

/** The AWS SDK for Java v2, unchanged but for its endpoint, drives every operation over loopback. */
final class ApiSdkTest {
  /** A Route 53 document as the console writes it: indented, with a failover rule between two values. */
  static final String FAILOVER = "{\n"
      + "  \"AWSPolicyFormatVersion\": \"2015-10-01\",\n"
      + "  \"RecordType\": \"A\",\n"
      + "  \"StartRule\": \"site_switch\",\n"
      + "  \"Endpoints\": {\n"
      + "    \"my_primary\": { \"Type\": \"value\", \"Value\": \"192.0.2.1\" },\n"
      + "    \"my_secondary\": { \"Type\": \"value\", \"Value\": \"192.0.2.2\" }\n"
      + "  },\n"
      + "  \"Rules\": {\n"
      + "    \"site_switch\": {\n"
      + "      \"RuleType\": \"failover\",\n"
      + "      \"Primary\": { \"EndpointReference\": \"my_primary\" },\n"
      + "      \"Secondary\": { \"EndpointReference\": \"my_secondary\" }\n"
      + "    }\n"
      + "  }\n"
      + "}\n";

  static String single(String type, String value) {
    return "{\"AWSPolicyFormatVersion\":\"2015-10-01\",\"RecordType\":\"" + type + "\","
        + "\"StartEndpoint\":\"e\",\"Endpoints\":{\"e\":{\"Type\":\"value\",\"Value\":\"" + value + "\"}}}";
  }

  @TempDir java.nio.file.Path dir;

  private ApiFixture api;
  private Route53Client r53;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixture.inDirectory(dir);
    r53 = api.admin();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void createTrafficPolicy_roundTripsTheDocumentByteForByte_andGetReturnsIt() {
    String comment = "first <version> & \"ünïcode\" comment";
    CreateTrafficPolicyResponse created = r53.createTrafficPolicy(b -> b.name("www-failover").document(FAILOVER)
        .comment(comment));
    TrafficPolicy p = created.trafficPolicy();
    assertThat(p.version()).isEqualTo(1);
    assertThat(p.name()).isEqualTo("www-failover");
    assertThat(p.type()).isEqualTo(RRType.A);
    assertThat(p.document()).isEqualTo(FAILOVER);
    assertThat(p.comment()).isEqualTo(comment);
    assertThat(created.location()).isEqualTo(api.server.endpoint() + "/2013-04-01/trafficpolicy/" + p.id() + "/1");

    TrafficPolicy got = r53.getTrafficPolicy(b -> b.id(p.id()).version(1)).trafficPolicy();
    assertThat(got).isEqualTo(p);
    assertThat(api.registry.getPolicy(p.id(), 1).documentText()).isEqualTo(FAILOVER);
  }

  @Test
  void versions_areDense_listedWithPagination_andCommentsUpdate() {
    String id = r53.createTrafficPolicy(b -> b.name("p").document(single("A", "192.0.2.1"))).trafficPolicy().id();
    for (int v = 2; v <= 5; v++) {
      String value = "192.0.2." + v;
      TrafficPolicy p = r53.createTrafficPolicyVersion(b -> b.id(id).document(single("A", value))
          .comment("v" + value)).trafficPolicy();
      assertThat(p.version()).isEqualTo(v);
    }
    ListTrafficPolicyVersionsResponse page1 = r53.listTrafficPolicyVersions(b -> b.id(id).maxItems("2"));
    assertThat(page1.trafficPolicies()).extracting(TrafficPolicy::version).containsExactly(1, 2);
    assertThat(page1.isTruncated()).isTrue();
    assertThat(page1.maxItems()).isEqualTo("2");
    ListTrafficPolicyVersionsResponse page2 = r53.listTrafficPolicyVersions(b -> b.id(id).maxItems("2")
        .trafficPolicyVersionMarker(page1.trafficPolicyVersionMarker()));
    assertThat(page2.trafficPolicies()).extracting(TrafficPolicy::version).containsExactly(3, 4);
    ListTrafficPolicyVersionsResponse page3 = r53.listTrafficPolicyVersions(b -> b.id(id).maxItems("2")
        .trafficPolicyVersionMarker(page2.trafficPolicyVersionMarker()));
    assertThat(page3.trafficPolicies()).extracting(TrafficPolicy::version).containsExactly(5);
    assertThat(page3.isTruncated()).isFalse();
    assertThat(page3.trafficPolicies().get(0).document()).isEqualTo(single("A", "192.0.2.5"));

    TrafficPolicy updated = r53.updateTrafficPolicyComment(b -> b.id(id).version(3).comment("rolled back to"))
        .trafficPolicy();
    assertThat(updated.comment()).isEqualTo("rolled back to");
    assertThat(r53.getTrafficPolicy(b -> b.id(id).version(3)).trafficPolicy().comment()).isEqualTo("rolled back to");

    r53.deleteTrafficPolicy(b -> b.id(id).version(5));
    TrafficPolicy next = r53.createTrafficPolicyVersion(b -> b.id(id).document(single("A", "192.0.2.9")))
        .trafficPolicy();
    assertThat(next.version()).as("a deleted version's number is never reused").isEqualTo(6);
  }

  @Test
  void listTrafficPolicies_summarizesEachPolicy_andPages() {
    String a = r53.createTrafficPolicy(b -> b.name("a").document(single("A", "192.0.2.1"))).trafficPolicy().id();
    r53.createTrafficPolicyVersion(b -> b.id(a).document(single("A", "192.0.2.2")));
    String c = r53.createTrafficPolicy(b -> b.name("c").document(single("AAAA", "2001:db8::1"))).trafficPolicy()
        .id();
    ListTrafficPoliciesResponse page1 = r53.listTrafficPolicies(b -> b.maxItems("1"));
    assertThat(page1.trafficPolicySummaries()).singleElement().satisfies(s -> {
      assertThat(s.id()).isEqualTo(a);
      assertThat(s.latestVersion()).isEqualTo(2);
      assertThat(s.trafficPolicyCount()).isEqualTo(2);
      assertThat(s.type()).isEqualTo(RRType.A);
    });
    assertThat(page1.isTruncated()).isTrue();
    assertThat(page1.trafficPolicyIdMarker()).isEqualTo(c);
    ListTrafficPoliciesResponse page2 = r53.listTrafficPolicies(b -> b.maxItems("1")
        .trafficPolicyIdMarker(page1.trafficPolicyIdMarker()));
    assertThat(page2.trafficPolicySummaries()).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("c");
      assertThat(s.type()).isEqualTo(RRType.AAAA);
    });
    assertThat(page2.isTruncated()).isFalse();
  }

  @Test
  void hostedZones_areTheServedZones_withStableIds() {
    ListHostedZonesResponse zones = r53.listHostedZones();
    assertThat(zones.hostedZones()).extracting(HostedZone::name)
        .containsExactlyInAnyOrder("example.com.", "example.org.");
    String comId = HostedZones.zoneId("example.com");
    assertThat(comId).matches("Z[A-Z2-7]{20}").isEqualTo(HostedZones.zoneId("EXAMPLE.COM."));
    // The wire carries "/hostedzone/Z…" as Route 53 does; the SDK strips the prefix.
    assertThat(zones.hostedZones()).extracting(HostedZone::id)
        .containsExactlyInAnyOrder(comId, HostedZones.zoneId("example.org"));
    GetHostedZoneResponse got = r53.getHostedZone(b -> b.id(comId));
    assertThat(got.hostedZone().name()).isEqualTo("example.com.");
    assertThat(got.hostedZone().config().privateZone()).isFalse();

    ListHostedZonesResponse page1 = r53.listHostedZones(b -> b.maxItems("1"));
    assertThat(page1.isTruncated()).isTrue();
    ListHostedZonesResponse page2 = r53.listHostedZones(b -> b.maxItems("1").marker(page1.nextMarker()));
    assertThat(page2.isTruncated()).isFalse();
    assertThat(List.of(page1.hostedZones().get(0).name(), page2.hostedZones().get(0).name()))
        .containsExactlyInAnyOrder("example.com.", "example.org.");
    assertThat(r53.listHostedZonesPaginator().hostedZones().stream().count()).isEqualTo(2);

    ListHostedZonesByNameResponse byName = r53.listHostedZonesByName(b -> b.dnsName("example.net").maxItems("1"));
    assertThat(byName.hostedZones()).extracting(HostedZone::name).containsExactly("example.org.");
    assertThat(byName.isTruncated()).isFalse();
    ListHostedZonesByNameResponse first = r53.listHostedZonesByName(b -> b.maxItems("1"));
    assertThat(first.hostedZones()).extracting(HostedZone::name).containsExactly("example.com.");
    assertThat(first.nextDNSName()).isEqualTo("example.org.");
    assertThat(first.nextHostedZoneId()).isEqualTo(HostedZones.zoneId("example.org"));

    Route53Exception missing = ApiFixture.refused(() -> r53.getHostedZone(b -> b.id("ZNOSUCHZONE")));
    assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("NoSuchHostedZone");
    assertThat(missing.statusCode()).isEqualTo(404);
  }

  @Test
  void policyRecords_inTwoZones_createGetListUpdateTestDelete() {
    TrafficPolicy v1 = r53.createTrafficPolicy(b -> b.name("www").document(FAILOVER)).trafficPolicy();
    String id = v1.id();
    r53.createTrafficPolicyVersion(b -> b.id(id).document(single("A", "198.51.100.7")));
    String com = HostedZones.zoneId("example.com");
    String org = HostedZones.zoneId("example.org");
    CreateTrafficPolicyInstanceResponse created = r53.createTrafficPolicyInstance(b -> b.hostedZoneId(com)
        .name("www.example.com").ttl(60L).trafficPolicyId(id).trafficPolicyVersion(1));
    TrafficPolicyInstance www = created.trafficPolicyInstance();
    assertThat(www.id()).isEqualTo(HostedZones.instanceId("www.example.com."));
    assertThat(www.name()).isEqualTo("www.example.com.");
    assertThat(www.hostedZoneId()).isEqualTo(com);
    assertThat(www.ttl()).isEqualTo(60L);
    assertThat(www.state()).isEqualTo("Applied");
    assertThat(www.trafficPolicyType()).isEqualTo(RRType.A);
    assertThat(created.location()).endsWith("/2013-04-01/trafficpolicyinstance/" + www.id());
    TrafficPolicyInstance other = r53.createTrafficPolicyInstance(b -> b.hostedZoneId("/hostedzone/" + org)
        .name("www.example.org.").ttl(30L).trafficPolicyId(id).trafficPolicyVersion(1)).trafficPolicyInstance();

    assertThat(r53.getTrafficPolicyInstance(b -> b.id(www.id())).trafficPolicyInstance()).isEqualTo(www);
    assertThat(r53.getTrafficPolicyInstanceCount().trafficPolicyInstanceCount()).isEqualTo(2);
    ListTrafficPolicyInstancesResponse all = r53.listTrafficPolicyInstances(b -> b.maxItems("1"));
    assertThat(all.trafficPolicyInstances()).hasSize(1);
    assertThat(all.isTruncated()).isTrue();
    ListTrafficPolicyInstancesResponse rest = r53.listTrafficPolicyInstances(b -> b.maxItems("1")
        .hostedZoneIdMarker(all.hostedZoneIdMarker())
        .trafficPolicyInstanceNameMarker(all.trafficPolicyInstanceNameMarker())
        .trafficPolicyInstanceTypeMarker(all.trafficPolicyInstanceTypeMarker()));
    assertThat(rest.isTruncated()).isFalse();
    assertThat(List.of(all.trafficPolicyInstances().get(0).name(), rest.trafficPolicyInstances().get(0).name()))
        .containsExactlyInAnyOrder("www.example.com.", "www.example.org.");
    assertThat(r53.listTrafficPolicyInstancesByHostedZone(b -> b.hostedZoneId(org)).trafficPolicyInstances())
        .containsExactly(other);
    assertThat(r53.listTrafficPolicyInstancesByPolicy(b -> b.trafficPolicyId(id).trafficPolicyVersion(1))
        .trafficPolicyInstances()).hasSize(2);

    TestDnsAnswerResponse before = r53.testDNSAnswer(b -> b.hostedZoneId(com).recordName("www.example.com")
        .recordType(RRType.A));
    assertThat(before.responseCode()).isEqualTo("NOERROR");
    assertThat(before.recordData()).containsExactly("192.0.2.1");

    TrafficPolicyInstance moved = r53.updateTrafficPolicyInstance(b -> b.id(www.id()).ttl(120L).trafficPolicyId(id)
        .trafficPolicyVersion(2)).trafficPolicyInstance();
    assertThat(moved.trafficPolicyVersion()).isEqualTo(2);
    assertThat(moved.ttl()).isEqualTo(120L);
    TestDnsAnswerResponse after = r53.testDNSAnswer(b -> b.hostedZoneId(com).recordName("www.example.com")
        .recordType(RRType.A).edns0ClientSubnetIP("203.0.113.9").edns0ClientSubnetMask("24"));
    assertThat(after.recordData()).containsExactly("198.51.100.7");
    assertThat(r53.listTrafficPolicyInstancesByPolicy(b -> b.trafficPolicyId(id).trafficPolicyVersion(1))
        .trafficPolicyInstances()).containsExactly(other);

    r53.deleteTrafficPolicyInstance(b -> b.id(www.id()));
    assertThat(r53.getTrafficPolicyInstanceCount().trafficPolicyInstanceCount()).isEqualTo(1);
    TestDnsAnswerResponse gone = r53.testDNSAnswer(b -> b.hostedZoneId(com).recordName("www.example.com")
        .recordType(RRType.A));
    assertThat(gone.responseCode()).isEqualTo("NXDOMAIN");
    assertThat(gone.recordData()).isEmpty();
  }

  @Test
  void errors_haveRoute53CodesAndStatuses_andChangeNothing() {
    String id = r53.createTrafficPolicy(b -> b.name("p").document(single("A", "192.0.2.1"))).trafficPolicy().id();
    String aaaa = r53.createTrafficPolicy(b -> b.name("six").document(single("AAAA", "2001:db8::1")))
        .trafficPolicy().id();
    String com = HostedZones.zoneId("example.com");
    TrafficPolicyInstance www = r53.createTrafficPolicyInstance(b -> b.hostedZoneId(com).name("www.example.com")
        .ttl(60L).trafficPolicyId(id).trafficPolicyVersion(1)).trafficPolicyInstance();
    long generation = api.registry.state().generation();

    expect(() -> r53.getTrafficPolicy(b -> b.id("no-such-policy").version(1)), 404, "NoSuchTrafficPolicy");
    expect(() -> r53.getTrafficPolicy(b -> b.id(id).version(7)), 404, "NoSuchTrafficPolicy");
    expect(() -> r53.createTrafficPolicy(b -> b.name("p").document(single("A", "192.0.2.1"))), 409,
        "TrafficPolicyAlreadyExists");
    expect(() -> r53.deleteTrafficPolicy(b -> b.id(id).version(1)), 400, "TrafficPolicyInUse");
    expect(() -> r53.updateTrafficPolicyInstance(b -> b.id(www.id()).ttl(60L).trafficPolicyId(aaaa)
        .trafficPolicyVersion(1)), 400, "ConflictingTypes");
    expect(() -> r53.createTrafficPolicyInstance(b -> b.hostedZoneId(com).name("www.example.com").ttl(60L)
        .trafficPolicyId(id).trafficPolicyVersion(1)), 409, "TrafficPolicyInstanceAlreadyExists");
    expect(() -> r53.createTrafficPolicyInstance(b -> b.hostedZoneId("ZNOSUCHZONE").name("x.example.com").ttl(60L)
        .trafficPolicyId(id).trafficPolicyVersion(1)), 404, "NoSuchHostedZone");
    expect(() -> r53.createTrafficPolicyInstance(b -> b.hostedZoneId(com).name("x.example.com").ttl(-1L)
        .trafficPolicyId(id).trafficPolicyVersion(1)), 400, "InvalidInput");
    expect(() -> r53.createTrafficPolicyInstance(b -> b.hostedZoneId(com).name("x.example.org").ttl(60L)
        .trafficPolicyId(id).trafficPolicyVersion(1)), 400, "InvalidInput");
    expect(() -> r53.getTrafficPolicyInstance(b -> b.id("00000000-0000-0000-0000-000000000000")), 404,
        "NoSuchTrafficPolicyInstance");
    expect(() -> r53.deleteTrafficPolicyInstance(b -> b.id("00000000-0000-0000-0000-000000000000")), 404,
        "NoSuchTrafficPolicyInstance");
    expect(() -> r53.listTrafficPolicyVersions(b -> b.id(id).maxItems("0")), 400, "InvalidInput");
    expect(() -> r53.testDNSAnswer(b -> b.hostedZoneId(com).recordName("www.example.org").recordType(RRType.A)),
        400, "InvalidInput");
    expect(() -> r53.getHealthCheck(b -> b.healthCheckId("abc")), 404, "NoSuchHealthCheck");

    Route53Exception invalid = ApiFixture.refused(() -> r53.createTrafficPolicyVersion(b -> b.id(id).document(
        "{\"AWSPolicyFormatVersion\":\"2015-10-01\",\"RecordType\":\"A\",\"StartEndpoint\":\"missing\","
            + "\"Endpoints\":{\"e\":{\"Type\":\"value\",\"Value\":\"not-an-address\"}}}")));
    assertThat(invalid.awsErrorDetails().errorCode()).isEqualTo("InvalidTrafficPolicyDocument");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.awsErrorDetails().errorMessage()).contains("/StartEndpoint").contains("/Endpoints/e/Value");
    assertThat(invalid.requestId()).isNotBlank();

    assertThat(api.registry.state().generation()).as("no failed request changed the registry")
        .isEqualTo(generation);
    assertThat(r53.listTrafficPolicyVersions(b -> b.id(id)).trafficPolicies()).hasSize(1);
  }

  @Test
  void the1001stVersion_isTooManyTrafficPolicyVersionsForCurrentPolicy() throws Exception {
    api.close();
    api = ApiFixture.inMemory();
    r53 = api.admin();
    String id = r53.createTrafficPolicy(b -> b.name("busy").document(single("A", "192.0.2.1"))).trafficPolicy()
        .id();
    for (int v = 2; v <= 1000; v++) {
      api.registry.createPolicyVersion(id, single("A", "192.0.2.1"), Optional.empty());
    }
    expect(() -> r53.createTrafficPolicyVersion(b -> b.id(id).document(single("A", "192.0.2.1"))), 400,
        "TooManyTrafficPolicyVersionsForCurrentPolicy");
  }

  private static void expect(Runnable call, int status, String code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(SdkServiceException.class, e -> {
      assertThat(((Route53Exception) e).awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code);
      assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(status);
    });
  }
}
