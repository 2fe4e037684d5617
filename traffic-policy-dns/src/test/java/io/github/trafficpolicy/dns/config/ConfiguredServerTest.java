package io.github.trafficpolicy.dns.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.trafficpolicy.dns.Catalog;
import io.github.trafficpolicy.dns.QueryHandler;
import io.github.trafficpolicy.dns.Transport;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.PolicyBinding;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

final class ConfiguredServerTest {
  private static final String ZONE = "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n@ IN NS ns1\n"
      + "ns1 IN A 192.0.2.53\n";
  private static final String FAILOVER = "{ \"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\","
      + " \"StartRule\": \"fo\", \"Endpoints\": { \"a\": { \"Type\": \"value\", \"Value\": \"192.0.2.1\" },"
      + " \"b\": { \"Type\": \"value\", \"Value\": \"192.0.2.2\" } }, \"Rules\": { \"fo\": { \"RuleType\": \"failover\","
      + " \"Primary\": { \"EndpointReference\": \"a\", \"HealthCheck\": \"hc-a\" },"
      + " \"Secondary\": { \"EndpointReference\": \"b\" } } } }";

  @TempDir Path dir;

  private static String answer(QueryHandler h, String name, String subnet, int prefix) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
    if (subnet != null) {
      q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(prefix,
          InetAddress.getByName(subnet)))), Section.ADDITIONAL);
    }
    Message r = new Message(h.handle(q.toWire(), InetAddress.getByName("127.0.0.1"), Transport.UDP).get());
    List<Record> a = r.getSection(Section.ANSWER);
    return a.isEmpty() ? "rcode " + r.getRcode() : a.get(0).rdataToString();
  }

  private Path write(String file, String text) throws IOException {
    Path p = dir.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  private ServeConfig config(String policyRecords, String extra) throws IOException {
    return ServeConfigReader.read(write("serve.json", "{ \"listen\": [\"127.0.0.1:0\"], \"zones\": [ { \"origin\": "
        + "\"example.net\", \"file\": \"example.net.zone\" } ], \"policyRecords\": [" + policyRecords + "]"
        + extra + " }"));
  }

  private static ConfigException createFails(ServeConfig c) {
    try {
      ConfiguredServer.create(c).close();
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("expected a ConfigException");
  }

  @Test
  void bundledExample_eachDocumentationNetworkGetsItsContinentsEndpoints() throws IOException {
    try (ConfiguredServer s = ConfiguredServer.create(ServeConfigReader.bundledExample())) {
      QueryHandler h = s.server().handler();
      // The endpoints of each continent in www-policy.json; the continents come from geo.csv.
      assertThat(answer(h, "www.example.com.", "192.0.2.0", 24)).isIn("192.0.2.10", "192.0.2.11");
      assertThat(answer(h, "www.example.com.", "198.51.100.0", 24)).isIn("198.51.100.10", "198.51.100.11");
      assertThat(answer(h, "www.example.com.", "203.0.113.0", 24)).isIn("203.0.113.10", "203.0.113.11");
      assertThat(answer(h, "www.example.com.", "2001:db8::", 48)).isIn("192.0.2.30", "192.0.2.31");
      // An unknown client gets the default (North America).
      assertThat(answer(h, "www.example.com.", null, 0)).isIn("192.0.2.10", "192.0.2.11");
      assertThat(answer(h, "static.example.com.", null, 0)).isEqualTo("192.0.2.80");
    }
  }

  @Test
  void healthStatusFile_unhealthyPrimaryFailsOver() throws IOException {
    write("example.net.zone", ZONE);
    write("fo.json", FAILOVER);
    write("health.json", "{ \"checks\": { \"hc-a\": \"UNHEALTHY\" } }");
    ServeConfig c = config("{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"fo.json\" }",
        ", \"healthStatus\": { \"file\": \"health.json\", \"watch\": false }");
    try (ConfiguredServer s = ConfiguredServer.create(c)) {
      assertThat(answer(s.server().handler(), "www.example.net.", null, 0)).isEqualTo("192.0.2.2");
    }
  }

  @Test
  void healthStatusFileWatched_changeAppliesWithoutRestart() throws Exception {
    write("example.net.zone", ZONE);
    write("fo.json", FAILOVER);
    Path health = write("health.json", "{ \"checks\": { \"hc-a\": \"HEALTHY\" } }");
    ServeConfig c = config("{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"fo.json\" }",
        ", \"healthStatus\": { \"file\": \"health.json\", \"watch\": true }");
    try (ConfiguredServer s = ConfiguredServer.create(c).start()) {
      QueryHandler h = s.server().handler();
      assertThat(answer(h, "www.example.net.", null, 0)).isEqualTo("192.0.2.1");
      Files.writeString(health, "{ \"checks\": { \"hc-a\": \"UNHEALTHY\" } }");
      Files.setLastModifiedTime(health, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 4000));
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (!answer(h, "www.example.net.", null, 0).equals("192.0.2.2") && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
      }
      assertThat(answer(h, "www.example.net.", null, 0)).isEqualTo("192.0.2.2");
    }
  }

  @Test
  void queryLogFile_oneLinePerQuery() throws IOException {
    write("example.net.zone", ZONE);
    write("fo.json", FAILOVER);
    ServeConfig c = config("{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"fo.json\","
        + " \"policyId\": \"fo\", \"policyVersion\": 4 }", ", \"queryLog\": { \"enabled\": true, \"file\": \"q.log\" }");
    try (ConfiguredServer s = ConfiguredServer.create(c)) {
      answer(s.server().handler(), "www.example.net.", "198.51.100.0", 24);
      answer(s.server().handler(), "nope.example.net.", null, 0);
    }
    List<String> lines = Files.readAllLines(dir.resolve("q.log"));
    assertThat(lines).containsExactly(
        "client=127.0.0.1 ecs=198.51.100.0/24 name=www.example.net. type=A rcode=NOERROR answer=[192.0.2.1] "
            + "policy=fo v4",
        "client=127.0.0.1 ecs=- name=nope.example.net. type=A rcode=NXDOMAIN answer=[] policy=-");
  }

  @Test
  void healthyPrimary_answersPrimary() throws IOException {
    write("example.net.zone", ZONE);
    write("fo.json", FAILOVER);
    ServeConfig c = config("{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"fo.json\" }",
        "");
    try (ConfiguredServer s = ConfiguredServer.create(c)) {
      assertThat(answer(s.server().handler(), "www.example.net.", null, 0)).isEqualTo("192.0.2.1");
    }
  }

  @Test
  void recordsOfOneVersionAndDocument_shareOneProgram_answerWithTheirOwnNameAndTtl() throws IOException {
    write("example.net.zone", ZONE);
    write("fo.json", FAILOVER);
    ServeConfig c = config("{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"ttl\": 60,"
        + " \"document\": \"fo.json\", \"policyId\": \"fo\", \"policyVersion\": 1 },"
        + " { \"zone\": \"example.net\", \"name\": \"api.example.net\", \"ttl\": 30,"
        + " \"document\": \"fo.json\", \"policyId\": \"fo\", \"policyVersion\": 1 },"
        + " { \"zone\": \"example.net\", \"name\": \"img.example.net\", \"ttl\": 60,"
        + " \"document\": \"fo.json\", \"policyId\": \"fo\", \"policyVersion\": 2 }", "");
    try (ConfiguredServer s = ConfiguredServer.create(c)) {
      Catalog catalog = s.server().handler().catalog();
      CompiledPolicy www = catalog.policyRecord("www.example.net").orElseThrow();
      CompiledPolicy api = catalog.policyRecord("api.example.net").orElseThrow();
      CompiledPolicy img = catalog.policyRecord("img.example.net").orElseThrow();
      assertThat(api.program()).containsSame(www.program().orElseThrow());
      assertThat(img.program().orElseThrow()).isNotSameAs(www.program().orElseThrow());
      assertThat(api.binding()).isEqualTo(new PolicyBinding("fo", 1, "api.example.net.", 30));

      Message q = Message.newQuery(Record.newRecord(Name.fromString("api.example.net."), Type.A, DClass.IN));
      Message r = new Message(s.server().handler().handle(q.toWire(), InetAddress.getByName("127.0.0.1"),
          Transport.UDP).get());
      Record a = r.getSection(Section.ANSWER).get(0);
      assertThat(a.getName()).isEqualTo(Name.fromString("api.example.net."));
      assertThat(a.getTTL()).isEqualTo(30);
      assertThat(a.rdataToString()).isEqualTo("192.0.2.1");
    }
  }

  @Test
  void badDocumentNamedByTwoRecords_reportedAtEach() throws IOException {
    write("example.net.zone", ZONE);
    write("bad.json", "{ \"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\" }");
    ConfigException e = createFails(config(
        "{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"bad.json\" },"
        + " { \"zone\": \"example.net\", \"name\": \"api.example.net\", \"document\": \"bad.json\" }", ""));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("bad.json", "/policyRecords/0"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("bad.json", "/policyRecords/1"));
  }

  @Test
  void badZoneFile_reportsFileAndLine() throws IOException {
    write("example.net.zone", ZONE + "www IN A 999.1.1.1\n");
    ConfigException e = createFails(config("", ""));
    assertThat(e.problems()).singleElement().asString()
        .contains(dir.resolve("example.net.zone").toString(), "line 5", "/zones/0");
  }

  @Test
  void badPolicyDocument_reportsItsFile() throws IOException {
    write("example.net.zone", ZONE);
    write("bad.json", "{ \"AWSPolicyFormatVersion\": \"2015-10-01\", \"RecordType\": \"A\" }");
    ConfigException e = createFails(config(
        "{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"bad.json\" }", ""));
    assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).contains(
        dir.resolve("bad.json").toString(), "/policyRecords/0"));
  }

  @Test
  void policyRecordOutsideItsZone_reported() throws IOException {
    write("example.net.zone", ZONE);
    write("fo.json", FAILOVER);
    ConfigException e = createFails(config(
        "{ \"zone\": \"example.net\", \"name\": \"www.example.org\", \"document\": \"fo.json\" }", ""));
    assertThat(e.problems()).singleElement().asString()
        .contains("/policyRecords/0", "www.example.org. is not in hosted zone example.net.");
  }

  @Test
  void missingFilesAndBadTables_allReportedAtOnce() throws IOException {
    write("geo.csv", "network,continent\n192.0.2.0/24,XX\n");
    write("lat.csv", "network,region,milliseconds\n192.0.2.0/24,us-east-1,-5\n");
    ConfigException e = createFails(config(
        "{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"missing.json\" }",
        ", \"geo\": { \"cidrTable\": \"geo.csv\" }, \"latencyTable\": \"lat.csv\""));
    assertThat(String.join("\n", e.problems())).contains("geo.csv:2:", "lat.csv:2:",
        "/zones/0/file: cannot read", "/policyRecords/0/document: cannot read");
  }

  @Test
  void load_configurationAndFileProblems_allReportedInOneRound() throws IOException {
    write("example.net.zone", ZONE + "bad 60 IN A 999.1.1.1\n");
    write("lat.csv", "network,region,milliseconds\n192.0.2.0/24,us-east-1,-5\n");
    Path file = write("serve.json", "{ \"listen\": [\"127.0.0.1:0\"], \"zones\": [ { \"origin\": \"example.net\", "
        + "\"file\": \"example.net.zone\" } ], \"policyRecords\": [ { \"zone\": \"example.net\", \"name\": "
        + "\"www.example.net\", \"ttl\": -1, \"document\": \"missing.json\" } ], \"latencyTable\": \"lat.csv\", "
        + "\"healthChecks\": [ { \"id\": \"x\" } ], \"unknownKey\": 1 }");

    ConfigException e = catchThrowableOfType(() -> ConfiguredServer.load(file), ConfigException.class);

    // The configuration's own problems (reported alone by ServeConfigReader.read) and those of the files it names.
    String all = String.join("\n", e.problems());
    assertThat(all).contains("/unknownKey: unknown key", "/policyRecords/0/ttl: must be an integer",
        "/healthChecks/0", "example.net.zone", "999.1.1.1", "lat.csv:2:", "/policyRecords/0/document: cannot read");
    assertThat(e.problems()).doesNotHaveDuplicates();
    assertThatThrownBy(() -> ServeConfigReader.read(file)).isInstanceOf(ConfigException.class);
  }

  @Test
  void start_secondAddressTaken_nothingStaysBound() throws IOException {
    write("example.net.zone", ZONE);
    try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      int free = probe.getLocalPort();
      probe.close();
      ServeConfig c = ServeConfigReader.read(write("two.json", "{ \"listen\": [\"127.0.0.1:" + free
          + "\", \"127.0.0.1:" + taken.getLocalPort() + "\"], \"zones\": [ { \"origin\": \"example.net\", "
          + "\"file\": \"example.net.zone\" } ] }"));
      ConfiguredServer s = ConfiguredServer.create(c);
      assertThatThrownBy(s::start).isInstanceOf(IOException.class);
      assertThat(s.server().isRunning()).isFalse();
      try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", free))) {
        assertThat(again.getLocalPort()).isEqualTo(free);
      }
    }
  }

  @Test
  void maxUdpPayload_aboveTheSafeSize_startsWithAWarning_aboveTheCapRefused() throws IOException {
    write("example.net.zone", ZONE);
    try (ConfiguredServer s = ConfiguredServer.create(config("", ", \"maxUdpPayload\": 4096"))) {
      assertThat(s.startupWarnings()).singleElement().asString().contains("/maxUdpPayload: 4096 is above 1232");
    }
    try (ConfiguredServer s = ConfiguredServer.create(config("", ", \"maxUdpPayload\": 1232"))) {
      assertThat(s.startupWarnings()).isEmpty();
    }
    assertThatThrownBy(() -> config("", ", \"maxUdpPayload\": 65535")).isInstanceOfSatisfying(
        ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .endsWith("/maxUdpPayload: must be an integer in [512, 4096] but was 65535"));
  }

  @Test
  void inputsOverTheirLimits_refusedBeforeReading() throws IOException {
    write("example.net.zone", ZONE);
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(dir.resolve("huge.json").toFile(), "rw")) {
      f.setLength(50L << 20);
    }
    ConfigException e = createFails(config(
        "{ \"zone\": \"example.net\", \"name\": \"www.example.net\", \"document\": \"huge.json\" }", ""));
    assertThat(e.problems()).singleElement().asString().contains("/policyRecords/0/document: cannot read",
        "is 52,428,800 bytes, over the limit of 409,600 bytes for a policy document");

    Path config = dir.resolve("huge-config.json");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(config.toFile(), "rw")) {
      f.setLength(12L << 20);
    }
    assertThatThrownBy(() -> ServeConfigReader.read(config)).isInstanceOfSatisfying(ConfigException.class,
        ce -> assertThat(ce.problems()).singleElement().asString().contains(
            "is 12,582,912 bytes, over the limit of 4,194,304 bytes for a configuration"));
  }

  @Test
  void rateLimit_member_limitsIdenticalUdpResponses_badValuesReportedWithPaths() throws IOException {
    write("example.net.zone", ZONE);
    try (ConfiguredServer s = ConfiguredServer.create(config("", ", \"rateLimit\": { \"responsesPerSecond\": 2, "
        + "\"slip\": 0 }"))) {
      QueryHandler h = s.server().handler();
      byte[] q = Message.newQuery(Record.newRecord(Name.fromString("example.net."), Type.SOA, DClass.IN)).toWire();
      int answered = 0;
      for (int i = 0; i < 20; i++) {
        if (h.handle(q, InetAddress.getByName("198.51.100.7"), Transport.UDP).isPresent()) {
          answered++;
        }
      }
      assertThat(answered).as("2 per second (3 if the loop straddled a refill)").isBetween(2, 3);
    }
    assertThatThrownBy(() -> config("", ", \"rateLimit\": { \"responsesPerSecond\": 0, \"slip\": 11, "
        + "\"window\": 5 }")).isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).endsWith("/rateLimit/responsesPerSecond: must be an integer in [1, "
                + "1000000] but was 0"))
            .anySatisfy(p -> assertThat(p).endsWith("/rateLimit/slip: must be an integer in [0, 10] but was 11"))
            .anySatisfy(p -> assertThat(p).contains("/rateLimit/window: unknown key")));
  }

  @Test
  void cookies_member_secretSharedByServers_badSecretReported() throws IOException {
    write("example.net.zone", ZONE);
    String member = ", \"cookies\": { \"secret\": \"e5e973e5a6b2a43f48e7dc849e37bfcf\" }";
    byte[] client = {1, 2, 3, 4, 5, 6, 7, 8};
    byte[] server;
    try (ConfiguredServer a = ConfiguredServer.create(config("", member))) {
      server = cookieOf(a, client, null);
    }
    // Another server with the same secret accepts that cookie: its reply's rate limit is not applied ...
    try (ConfiguredServer b = ConfiguredServer.create(config("", member + ", \"rateLimit\": { "
        + "\"responsesPerSecond\": 1, \"slip\": 0 }"))) {
      for (int i = 0; i < 5; i++) {
        assertThat(cookieOf(b, client, server)).isNotNull();
      }
    }
    try (ConfiguredServer off = ConfiguredServer.create(config("", ", \"cookies\": false"))) {
      assertThat(cookieOf(off, client, null)).isNull();
    }
    assertThatThrownBy(() -> config("", ", \"cookies\": { \"secret\": \"abc\" }")).isInstanceOfSatisfying(
        ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .endsWith("/cookies/secret: must be 32 hexadecimal digits (16 bytes) but was \"abc\""));
  }

  /** The server cookie of the reply to a query with {@code client} (and {@code server}) cookies; null if none. */
  private static byte[] cookieOf(ConfiguredServer s, byte[] client, byte[] server) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("example.net."), Type.SOA, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(server == null ? new org.xbill.DNS.CookieOption(client)
        : new org.xbill.DNS.CookieOption(client, server))), Section.ADDITIONAL);
    java.util.Optional<byte[]> r = s.server().handler().handle(q.toWire(), InetAddress.getByName("198.51.100.7"),
        Transport.UDP);
    if (r.isEmpty()) {
      return null;
    }
    List<org.xbill.DNS.EDNSOption> o = new Message(r.get()).getOPT().getOptions(org.xbill.DNS.EDNSOption.Code.COOKIE);
    return o.isEmpty() ? null : ((org.xbill.DNS.CookieOption) o.get(0)).getServerCookie().orElseThrow();
  }
}
