package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.json.PolicyDocumentJson;
import io.github.trafficpolicy.engine.Answer;
import io.github.trafficpolicy.engine.ClientSubnet;
import io.github.trafficpolicy.engine.CompiledPolicy;
import io.github.trafficpolicy.engine.Outcome;
import io.github.trafficpolicy.engine.PolicyBinding;
import io.github.trafficpolicy.engine.PolicyEvaluator;
import io.github.trafficpolicy.engine.Query;
import io.github.trafficpolicy.engine.input.CidrGeoLocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The README's embedding examples, run as written (the listen port is 0 here instead of 5300). */
final class EmbeddingExamplesTest {
  private static final String POLICY = """
      {
        "AWSPolicyFormatVersion": "2015-10-01",
        "RecordType": "A",
        "StartRule": "by-continent",
        "Endpoints": {
          "eu": { "Type": "value", "Value": "198.51.100.10" },
          "us": { "Type": "value", "Value": "192.0.2.10" }
        },
        "Rules": {
          "by-continent": {
            "RuleType": "geo",
            "Locations": [
              { "EndpointReference": "eu", "Continent": "EU" },
              { "EndpointReference": "us", "IsDefault": true }
            ]
          }
        }
      }
      """;

  /** README "Embedding the server": zones and policies built in code. */
  @Test
  void embedTheServer() throws Exception {
    PolicyDocument document = PolicyDocumentJson.read(POLICY);
    PolicyEvaluator evaluator = PolicyEvaluator.builder()
        .geoLocator(CidrGeoLocator.parse("198.51.100.0/24,EU,DE\n"))
        .build();
    CompiledPolicy www = evaluator.compile(document, new PolicyBinding("www-policy", 1, "www.example.com", 60));
    Catalog catalog = Catalog.builder()
        .zone(Zone.parse("example.com", """
            $TTL 300
            @    IN SOA ns1 hostmaster 1 7200 900 1209600 60
            @    IN NS  ns1
            ns1  IN A   192.0.2.53
            """))
        .policyRecord(www)
        .build();
    try (AuthoritativeServer server = AuthoritativeServer.builder(catalog)
        .listen(new InetSocketAddress("127.0.0.1", 0))
        .build()
        .start()) {
      // dig @127.0.0.1 -p <port> www.example.com +subnet=198.51.100.0/24  ->  198.51.100.10
      SimpleResolver resolver = new SimpleResolver("127.0.0.1");
      resolver.setPort(server.port());
      Message reply = resolver.send(Message.newQuery(
          Record.newRecord(Name.fromString("www.example.com."), Type.A, DClass.IN)));
      // No ECS: the client is 127.0.0.1, which the table does not know: the default location answers.
      assertThat(reply.getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("192.0.2.10");
      // Swap in new zones or policy versions atomically while serving (here: the zone without the policy record).
      server.handler().replaceCatalog(Catalog.builder()
          .zone(Zone.parse("example.com", "@ IN SOA ns1 h 2 7200 900 1209600 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"))
          .build());
      assertThat(resolver.send(Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), Type.A,
          DClass.IN))).getRcode()).isEqualTo(org.xbill.DNS.Rcode.NXDOMAIN);
    }
  }

  /** README "Answering policy records from another DNS server": ask the engine directly. */
  @Test
  void askTheEngineFromAnotherServer() {
    PolicyEvaluator evaluator = PolicyEvaluator.builder()
        .geoLocator(CidrGeoLocator.parse("198.51.100.0/24,EU,DE\n"))
        .build();
    CompiledPolicy www = evaluator.compile(PolicyDocumentJson.read(POLICY),
        new PolicyBinding("www-policy", 1, "www.example.com", 60));

    // Per query: the client is the ECS subnet when the query has one, else the resolver's address.
    Answer answer = www.evaluate(Query.of(ClientSubnet.parse("198.51.100.0/24")));
    List<String> rdata = new ArrayList<>();
    if (answer.outcome() == Outcome.ANSWER) {
      for (RecordData data : answer.records()) {
        rdata.add(data.presentation());   // "198.51.100.10": render as a record of answer.recordType()
      }
    }
    int ecsScope = answer.ecsScope();     // echo it as the ECS option's SCOPE PREFIX-LENGTH
    long ttl = answer.ttl();

    assertThat(rdata).containsExactly("198.51.100.10");
    assertThat(ecsScope).isBetween(1, 24);
    assertThat(ttl).isEqualTo(60);
  }

  /** README: a server that has the bytes of a query can hand them to the whole DNS logic. */
  @Test
  void handBytesToTheQueryHandler() throws Exception {
    PolicyEvaluator evaluator = PolicyEvaluator.builder()
        .geoLocator(CidrGeoLocator.parse("198.51.100.0/24,EU,DE\n"))
        .build();
    Catalog catalog = Catalog.builder()
        .zone(Zone.parse("example.com", "@ IN SOA ns1 h 1 7200 900 1209600 60\n@ IN NS ns1\nns1 IN A 192.0.2.53\n"))
        .policyRecord(evaluator.compile(PolicyDocumentJson.read(POLICY),
            new PolicyBinding("www-policy", 1, "www.example.com", 60)))
        .build();
    QueryHandler handler = QueryHandler.builder(catalog).build();

    byte[] query = Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), Type.A, DClass.IN))
        .toWire();
    Optional<byte[]> reply = handler.handle(query, InetAddress.getByName("198.51.100.7"), Transport.UDP);

    assertThat(new Message(reply.orElseThrow()).getSection(Section.ANSWER).get(0).rdataToString())
        .isEqualTo("198.51.100.10");
  }
}
