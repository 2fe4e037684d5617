package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.trafficpolicy.dns.AuthoritativeServer;
import io.github.trafficpolicy.dns.Catalog;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.Transport;
import io.github.trafficpolicy.dns.Zone;
import io.github.trafficpolicy.engine.input.DnsAliasResolver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The {@code aliasTargets} member of the serve configuration, against a real upstream on loopback: an
 * {@link AuthoritativeServer} of this project serving the AWS names the policies alias to ({@code amazonaws.com}).
 */
final class ServeAliasTargetsTest {
  private static final String ZONE = "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n@ IN NS ns1\n"
      + "ns1 IN A 192.0.2.53\n";

  @TempDir Path dir;
  private AuthoritativeServer upstream;
  private String upstreamZone;

  @BeforeEach
  void startUpstream() throws IOException {
    upstreamZone = resource("aliases/amazonaws.com.zone");
    upstream = AuthoritativeServer.builder(catalog(upstreamZone)).listen(new InetSocketAddress("127.0.0.1", 0))
        .build().start();
    Files.writeString(dir.resolve("example.com.zone"), ZONE);
    Files.writeString(dir.resolve("geo.csv"), resource("aliases/geo.csv"));
    Files.writeString(dir.resolve("geo-latency-failover.json"),
        resource("route53-policies/04-geo-latency-failover.json"));
    Files.writeString(dir.resolve("failover-elb-s3-website.json"), resource("aliases/failover-elb-s3-website.json"));
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop();
  }

  private static Catalog catalog(String zone) {
    return Catalog.builder().zone(Zone.parse("amazonaws.com", zone)).build();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ServeAliasTargetsTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private ServeConfig config(String aliasTargets) throws IOException {
    String text = """
        { "listen": ["127.0.0.1:0"],
          "zones": [ { "origin": "example.com", "file": "example.com.zone" } ],
          "policyRecords": [
            { "zone": "example.com", "name": "www.example.com", "ttl": 300,
              "document": "geo-latency-failover.json" },
            { "zone": "example.com", "name": "failover.example.com", "ttl": 300,
              "document": "failover-elb-s3-website.json" } ],
          "geo": { "cidrTable": "geo.csv" }
          %s }
        """.formatted(aliasTargets);
    Path p = dir.resolve("serve.json");
    Files.writeString(p, text);
    return ServeConfigReader.read(p);
  }

  private String resolvers() {
    return ", \"aliasTargets\": { \"resolvers\": [\"127.0.0.1:" + upstream.port() + "\"] }";
  }

  private static List<String> answer(QueryHandler h, String name, String subnet) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(24, InetAddress.getByName(subnet)))),
        Section.ADDITIONAL);
    Message r = new Message(h.handle(q.toWire(), InetAddress.getByName("127.0.0.1"), Transport.UDP).get());
    List<String> out = new ArrayList<>();
    r.getSection(Section.ANSWER).forEach(rr -> out.add(rr.rdataToString() + " ttl " + rr.getTTL()));
    return out;
  }

  @Test
  void awsExamples_everyClientAnsweredWithTheTargetsAddresses() throws IOException {
    try (ConfiguredServer s = ConfiguredServer.create(config(resolvers()))) {
      QueryHandler h = s.server().handler();
      assertThat(s.startupWarnings()).isEmpty();
      // Washington: the us-west-2 failover pair's primary load balancer (two addresses, its TTL of 60).
      assertThat(answer(h, "www.example.com.", "192.0.2.0")).containsExactly("192.0.2.101 ttl 60",
          "192.0.2.102 ttl 60");
      // Europe: a value endpoint, the record's TTL.
      assertThat(answer(h, "www.example.com.", "198.51.100.0")).containsExactly("198.51.100.40 ttl 300");
      // New York: latency picks us-east-1; its primary load balancer's name is a CNAME chain.
      assertThat(answer(h, "www.example.com.", "203.0.113.0")).containsExactly("192.0.2.121 ttl 60");
      // Japan: the default, the S3 website endpoint of us-east-1.
      assertThat(answer(h, "www.example.com.", "100.64.0.0")).containsExactly("192.0.2.150 ttl 60");
      assertThat(answer(h, "failover.example.com.", "192.0.2.0")).containsExactly("192.0.2.141 ttl 60");
    }
  }

  @Test
  void upstreamChanges_refreshed_newAddressesServedDespiteTheAnswerCache() throws Exception {
    try (ConfiguredServer s = ConfiguredServer.create(config(resolvers()))) {
      QueryHandler h = s.server().handler();
      assertThat(answer(h, "failover.example.com.", "192.0.2.0")).containsExactly("192.0.2.141 ttl 60");
      assertThat(answer(h, "failover.example.com.", "192.0.2.0")).containsExactly("192.0.2.141 ttl 60");
      upstream.handler().replaceCatalog(catalog(upstreamZone.replace("192.0.2.141", "192.0.2.142")));
      ((DnsAliasResolver) s.aliasResolver()).refreshAll().get(30, TimeUnit.SECONDS);
      assertThat(answer(h, "failover.example.com.", "192.0.2.0")).containsExactly("192.0.2.142 ttl 60");
    }
  }

  @Test
  void targetGone_failsOverToTheSecondary() throws Exception {
    try (ConfiguredServer s = ConfiguredServer.create(config(resolvers()))) {
      QueryHandler h = s.server().handler();
      upstream.handler().replaceCatalog(catalog(upstreamZone.replace("web-app-5555555555", "web-app-6666666666")));
      ((DnsAliasResolver) s.aliasResolver()).refreshAll().get(30, TimeUnit.SECONDS);
      assertThat(answer(h, "failover.example.com.", "192.0.2.0")).containsExactly("192.0.2.150 ttl 60");
    }
  }

  @Test
  void targetMissingAtStartup_oneWarningNamingPolicyEndpointAndReason_secondaryAnswers() throws Exception {
    upstream.handler().replaceCatalog(catalog(upstreamZone.replace("web-app-5555555555", "web-app-6666666666")));
    try (ConfiguredServer s = ConfiguredServer.create(config(resolvers()))) {
      assertThat(s.startupWarnings()).singleElement().asString().contains(
          "policy failover-elb-s3-website version 1 at failover.example.com",
          "endpoint app-elb (elastic-load-balancer web-app-5555555555.us-east-2.elb.amazonaws.com)",
          "has no addresses", "NXDOMAIN for web-app-5555555555.us-east-2.elb.amazonaws.com",
          "from 127.0.0.1:" + upstream.port());
      assertThat(answer(s.server().handler(), "failover.example.com.", "192.0.2.0"))
          .containsExactly("192.0.2.150 ttl 60");
    }
  }

  @Test
  void noAliasTargetsMember_warningSaysWhatToAdd() throws IOException {
    try (ConfiguredServer s = ConfiguredServer.create(config(""))) {
      List<String> w = s.startupWarnings();
      // Seven alias endpoints over the two documents, and the advice.
      assertThat(w).hasSize(8);
      assertThat(w.get(7)).contains("\"aliasTargets\": { \"resolvers\": [\"HOST:PORT\"] }", "\"table\"");
      assertThat(w).anySatisfy(l -> assertThat(l).contains("endpoint sorry-page (s3-website www.example.com, "
          + "us-east-1) has no addresses"));
    }
  }

  @Test
  void tableAndResolvers_tableAnswersFirst() throws IOException {
    Files.writeString(dir.resolve("aliases.csv"), "value,address\n"
        + "web-app-5555555555.us-east-2.elb.amazonaws.com,203.0.113.77\n");
    String member = ", \"aliasTargets\": { \"table\": \"aliases.csv\", \"resolvers\": [\"127.0.0.1:"
        + upstream.port() + "\"] }";
    try (ConfiguredServer s = ConfiguredServer.create(config(member))) {
      QueryHandler h = s.server().handler();
      assertThat(answer(h, "failover.example.com.", "192.0.2.0")).containsExactly("203.0.113.77 ttl 300");
      assertThat(answer(h, "www.example.com.", "192.0.2.0")).containsExactly("192.0.2.101 ttl 60",
          "192.0.2.102 ttl 60");
    }
  }

  @Test
  void aliasTargetsMember_everyProblemWithItsPath() throws IOException {
    Path p = dir.resolve("bad.json");
    Files.writeString(p, """
        { "zones": [ { "origin": "example.com", "file": "example.com.zone" } ],
          "aliasTargets": { "resolvers": ["localhost:53", 7], "maxTtlSeconds": 0, "minTtlSeconds": 10,
                            "refreshSeconds": 3 } }
        """);
    assertThatThrownBy(() -> ServeConfigReader.read(p)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(String.join("\n", e.problems())).contains(
            "/aliasTargets/refreshSeconds: unknown key",
            "/aliasTargets/resolvers/0: must be an IP address and a port",
            "/aliasTargets/resolvers/1: must be a \"host:port\" string",
            "/aliasTargets/maxTtlSeconds: must be an integer in [1, 604800] but was 0"));
    Files.writeString(p, "{ \"zones\": [], \"aliasTargets\": {} }");
    assertThatThrownBy(() -> ServeConfigReader.read(p)).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).singleElement().asString()
            .endsWith("/aliasTargets: needs a \"table\", \"resolvers\" or both"));
  }

  @Test
  void aliasTable_unreadable_reportedWithItsPlace() throws IOException {
    String member = ", \"aliasTargets\": { \"table\": \"missing.csv\" }";
    assertThatThrownBy(() -> ConfiguredServer.create(config(member))).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems()).anySatisfy(l -> assertThat(l).contains("/aliasTargets/table: cannot read",
            "missing.csv")));
  }
}
