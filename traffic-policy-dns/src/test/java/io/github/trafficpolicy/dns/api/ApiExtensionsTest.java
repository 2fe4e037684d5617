package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;

/** The documented extensions: an atomic update of many policy records, and rollback. */
final class ApiExtensionsTest {
  private ApiFixture api;
  private SignedHttp http;
  private Route53Client r53;
  private String id;
  private String www;
  private String api2;

  @BeforeEach
  void start() throws Exception {
    api = ApiFixture.inMemory();
    http = new SignedHttp(api.server.endpoint());
    r53 = api.admin();
    id = r53.createTrafficPolicy(b -> b.name("p").document(ApiSdkTest.single("A", "192.0.2.1"))).trafficPolicy().id();
    r53.createTrafficPolicyVersion(b -> b.id(id).document(ApiSdkTest.single("A", "192.0.2.2")));
    String zone = HostedZones.zoneId("example.com");
    www = r53.createTrafficPolicyInstance(b -> b.hostedZoneId(zone).name("www.example.com").ttl(60L)
        .trafficPolicyId(id).trafficPolicyVersion(1)).trafficPolicyInstance().id();
    api2 = r53.createTrafficPolicyInstance(b -> b.hostedZoneId(zone).name("api.example.com").ttl(60L)
        .trafficPolicyId(id).trafficPolicyVersion(1)).trafficPolicyInstance().id();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private SignedHttp.Response updateAll(String version, String... ids) throws Exception {
    StringBuilder b = new StringBuilder("<UpdateTrafficPolicyInstancesRequest xmlns=\"" + Xml.NAMESPACE + "\">"
        + "<TrafficPolicyInstanceIds>");
    for (String i : ids) {
      b.append("<TrafficPolicyInstanceId>").append(i).append("</TrafficPolicyInstanceId>");
    }
    b.append("</TrafficPolicyInstanceIds><TrafficPolicyId>").append(id).append("</TrafficPolicyId>")
        .append("<TrafficPolicyVersion>").append(version).append("</TrafficPolicyVersion>")
        .append("</UpdateTrafficPolicyInstancesRequest>");
    return http.send("POST", "/2013-04-01/trafficpolicyinstances/update", "text/xml",
        b.toString().getBytes(StandardCharsets.UTF_8));
  }

  private int version(String instance) {
    return r53.getTrafficPolicyInstance(b -> b.id(instance)).trafficPolicyInstance().trafficPolicyVersion();
  }

  @Test
  void updateMany_isAtomic() throws Exception {
    SignedHttp.Response refused = updateAll("2", www, "00000000-0000-0000-0000-000000000000");
    assertThat(refused.status()).isEqualTo(404);
    assertThat(refused.body()).contains("<Code>NoSuchTrafficPolicyInstance</Code>");
    assertThat(version(www)).as("nothing changed").isEqualTo(1);

    SignedHttp.Response ok = updateAll("2", www, api2);
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).contains("<UpdateTrafficPolicyInstancesResponse").contains("<Name>www.example.com.</Name>")
        .contains("<Name>api.example.com.</Name>");
    assertThat(version(www)).isEqualTo(2);
    assertThat(version(api2)).isEqualTo(2);
    assertThat(api.audit.stream().filter(l -> l.contains("\"UpdateTrafficPolicyInstances\""))).hasSize(2);
  }

  @Test
  void rollback_returnsToThePreviousVersion() throws Exception {
    r53.updateTrafficPolicyInstance(b -> b.id(www).ttl(60L).trafficPolicyId(id).trafficPolicyVersion(2));
    SignedHttp.Response back = http.send("POST", "/2013-04-01/trafficpolicyinstance/" + www + "/rollback", null,
        new byte[0]);
    assertThat(back.status()).as(back.body()).isEqualTo(200);
    assertThat(back.body()).contains("<TrafficPolicyVersion>1</TrafficPolicyVersion>");
    assertThat(version(www)).isEqualTo(1);
    SignedHttp.Response none = http.send("POST", "/2013-04-01/trafficpolicyinstance/" + www + "/rollback", null,
        new byte[0]);
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.body()).contains("<Code>InvalidInput</Code>");
  }
}
