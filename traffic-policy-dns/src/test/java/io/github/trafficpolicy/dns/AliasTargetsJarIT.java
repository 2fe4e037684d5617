package io.github.trafficpolicy.dns;

import static io.github.trafficpolicy.dns.Jar.answers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end: the built jar serves two Route 53 documents whose clients go to alias endpoints (failover from a load
 * balancer to an S3 website; geolocation over latency over failover pairs of load balancers, with an S3 website as
 * the default), looking the targets up through an upstream on loopback (an {@link AuthoritativeServer} of this
 * project serving {@code amazonaws.com}); real {@code dig} asks as clients of every location.
 */
final class AliasTargetsJarIT {
  private static String tool;
  private static AuthoritativeServer upstream;
  private static Process server;
  private static int port;
  private static final List<String> stderr = new ArrayList<>();
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    tool = Jar.digTool().orElse(null);
    assumeTrue(tool != null, "neither dig nor kdig is on PATH: install bind9-dnsutils or knot-dnsutils "
        + "(.ci/run does) to run the end-to-end tests");
    upstream = AuthoritativeServer.builder(Catalog.builder()
        .zone(Zone.parse("amazonaws.com", resource("aliases/amazonaws.com.zone"))).build())
        .listen(new InetSocketAddress("127.0.0.1", 0)).build().start();
    Files.writeString(dir.resolve("example.com.zone"),
        "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n");
    Files.writeString(dir.resolve("geo.csv"), resource("aliases/geo.csv"));
    Files.writeString(dir.resolve("www.json"), resource("route53-policies/04-geo-latency-failover.json"));
    Files.writeString(dir.resolve("failover.json"), resource("aliases/failover-elb-s3-website.json"));
    Path config = dir.resolve("serve.json");
    Files.writeString(config, """
        { "listen": ["127.0.0.1:0"],
          "zones": [ { "origin": "example.com", "file": "example.com.zone" } ],
          "policyRecords": [
            { "zone": "example.com", "name": "www.example.com", "ttl": 300, "document": "www.json" },
            { "zone": "example.com", "name": "failover.example.com", "ttl": 300, "document": "failover.json" } ],
          "geo": { "cidrTable": "geo.csv" },
          "queryLog": { "enabled": true, "file": "-" },
          "aliasTargets": { "resolvers": ["127.0.0.1:%d"] } }
        """.formatted(upstream.port()));
    server = Jar.builder(List.of(), "serve", "--config", config.toString()).start();
    String line = Jar.startupLine(Jar.pump(server, stderr));
    assertThat(line).as("startup line; stderr: %s", stderr).isNotNull();
    port = Jar.port(line);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (server != null && server.isAlive()) {
      server.destroyForcibly();
      server.waitFor(30, TimeUnit.SECONDS);
    }
    if (upstream != null) {
      upstream.stop();
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = AliasTargetsJarIT.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<String> ask(String name, String subnet) throws Exception {
    return answers(Jar.dig(tool, port, name, "A", "+subnet=" + subnet), name + ".", "A");
  }

  @Test
  void geoLatencyFailoverExample_everyLocationAnsweredWithItsTargetsAddresses() throws Exception {
    assertThat(ask("www.example.com", "192.0.2.1/24")).containsExactly("192.0.2.101", "192.0.2.102");
    assertThat(ask("www.example.com", "198.51.100.1/24")).containsExactly("198.51.100.40");
    assertThat(ask("www.example.com", "203.0.113.1/24")).containsExactly("192.0.2.121");
    assertThat(ask("www.example.com", "100.64.0.1/24")).containsExactly("192.0.2.150");
  }

  @Test
  void failoverElbToS3WebsiteExample_answeredWithTheLoadBalancersAddress() throws Exception {
    assertThat(ask("failover.example.com", "192.0.2.1/24")).containsExactly("192.0.2.141");
    assertThat(ask("failover.example.com", "100.64.0.1/24")).containsExactly("192.0.2.141");
  }

  @Test
  void aliasAnswer_carriesTheTargetsTtl_queryLogShowsTheAddresses() throws Exception {
    String out = Jar.dig(tool, port, "www.example.com", "A", "+subnet=192.0.2.1/24");
    assertThat(out).containsPattern("(?m)^www\\.example\\.com\\.\\s+60\\s+IN\\s+A\\s+192\\.0\\.2\\.101");
    assertThat(Jar.awaitLine(stderr, l -> l.contains("www.example.com") && l.contains("192.0.2.101")))
        .as("a query log line with the addresses answered; stderr: %s", stderr).isTrue();
    synchronized (stderr) {
      assertThat(stderr).noneMatch(l -> l.contains("warning"));
    }
  }
}
