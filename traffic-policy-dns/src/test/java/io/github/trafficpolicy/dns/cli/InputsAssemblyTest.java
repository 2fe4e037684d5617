package io.github.trafficpolicy.dns.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.dns.Transport;
import io.github.trafficpolicy.dns.config.ConfiguredServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
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
 * {@code serve}, {@code evaluate} and {@code test} assemble their evaluator inputs one way (EvaluatorInputs): given
 * the same geo table, latency figures and policy, they give the same answer, also for a client the latency table
 * does not know (estimated from great-circle distance by all three, not left in document order by one).
 */
final class InputsAssemblyTest {
  /** A latency rule whose document order (us-east-1 first) differs from the estimate for European clients. */
  private static final String POLICY = """
      { "AWSPolicyFormatVersion": "2015-10-01", "RecordType": "A", "StartRule": "lat",
        "Endpoints": { "use1": { "Type": "value", "Value": "192.0.2.1" },
                       "euw1": { "Type": "value", "Value": "192.0.2.2" } },
        "Rules": { "lat": { "RuleType": "latency", "Regions": [
          { "Region": "us-east-1", "EndpointReference": "use1" },
          { "Region": "eu-west-1", "EndpointReference": "euw1" } ] } } }
      """;
  /** Dublin: 192.0.2.0/24 and 203.0.113.0/24; Virginia: 198.51.100.0/24. */
  private static final String GEO = """
      network,continent,country,subdivision,latitude,longitude
      192.0.2.0/24,EU,IE,,53.35,-6.26
      203.0.113.0/24,EU,IE,,53.35,-6.26
      198.51.100.0/24,NA,US,VA,38.9,-77.4
      """;
  /** Only 203.0.113.0/24 is measured, and measured against its distance: us-east-1 is nearer in time. */
  private static final String LATENCY = """
      network,region,milliseconds
      203.0.113.0/24,us-east-1,5
      203.0.113.0/24,eu-west-1,50
      """;

  @TempDir static Path dir;
  private static ConfiguredServer server;

  @BeforeAll
  static void files() throws IOException {
    Files.writeString(dir.resolve("lat-policy.json"), POLICY);
    Files.writeString(dir.resolve("geo.csv"), GEO);
    Files.writeString(dir.resolve("lat.csv"), LATENCY);
    Files.writeString(dir.resolve("example.net.zone"), "$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 60\n"
        + "@ IN NS ns1\nns1 IN A 192.0.2.53\n");
    Files.writeString(dir.resolve("serve.json"), """
        { "listen": ["127.0.0.1:0"],
          "zones": [ { "origin": "example.net", "file": "example.net.zone" } ],
          "policyRecords": [ { "zone": "example.net", "name": "www.example.net", "document": "lat-policy.json" } ],
          "geo": { "cidrTable": "geo.csv" }, "latencyTable": "lat.csv" }
        """);
  }

  @Test
  void serveAndEvaluate_sameTables_sameAnswerForClientsInAndMissingFromTheLatencyTable() throws IOException {
    try (ConfiguredServer s = ConfiguredServer.load(dir.resolve("serve.json"))) {
      for (String client : List.of("203.0.113.0", "192.0.2.0", "198.51.100.0")) {
        CliRun evaluate = CliRun.run("evaluate", "--policy", dir.resolve("lat-policy.json").toString(),
            "--record-name", "www.example.net", "--geo-table", dir.resolve("geo.csv").toString(),
            "--latency-table", dir.resolve("lat.csv").toString(), "--client-ip", client + "/24");
        assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();

        assertThat(served(s, client)).as(client).isEqualTo(evaluated(evaluate));
      }
      // The measured client by its table; the unmeasured ones by the estimate (not by document order).
      assertThat(served(s, "203.0.113.0")).isEqualTo("192.0.2.1");
      assertThat(served(s, "192.0.2.0")).isEqualTo("192.0.2.2");
      assertThat(served(s, "198.51.100.0")).isEqualTo("192.0.2.1");
    }
  }

  @Test
  void testAndEvaluate_partialLatencyFigures_theRestEstimatedByBoth() throws IOException {
    // Dublin with a figure for us-east-1 only: eu-west-1 gets the estimate (about 5 ms) in both commands.
    CliRun evaluate = CliRun.run("evaluate", "--policy", dir.resolve("lat-policy.json").toString(),
        "--continent", "EU", "--country", "IE", "--latitude", "53.35", "--longitude", "-6.26",
        "--latency", "us-east-1=40");
    String endpoint = endpoint(evaluate);
    Path expect = Files.writeString(dir.resolve("lat.expect.json"), """
        { "policy": "lat-policy.json", "policyRecordName": "www.example.com",
          "cases": [ { "id": "dublin-partial",
                       "client": { "continent": "EU", "country": "IE", "latitude": 53.35, "longitude": -6.26 },
                       "latencyMs": { "aws:route53:us-east-1": 40 },
                       "expect": { "rcode": "NOERROR", "endpoint": "%s" } } ] }
        """.formatted(endpoint));

    CliRun test = CliRun.run("test", expect.toString());

    assertThat(endpoint).isEqualTo("euw1");
    assertThat(test.exitCode()).as(test.out()).isZero();
    assertThat(test.lastLine()).isEqualTo("1 passed, 0 failed");
  }

  private static String served(ConfiguredServer s, String client) throws IOException {
    Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.net."), Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(24, InetAddress.getByName(client)))),
        Section.ADDITIONAL);
    Message r = new Message(s.server().handler().handle(q.toWire(), InetAddress.getByName("127.0.0.1"),
        Transport.UDP).orElseThrow());
    return r.getSection(Section.ANSWER).get(0).rdataToString();
  }

  private static String evaluated(CliRun r) {
    Matcher m = Pattern.compile("answer: +\\S+ \\d+ IN A (\\S+)").matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    return m.group(1);
  }

  private static String endpoint(CliRun r) {
    Matcher m = Pattern.compile("endpoints: (\\S+)").matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    return m.group(1);
  }
}
