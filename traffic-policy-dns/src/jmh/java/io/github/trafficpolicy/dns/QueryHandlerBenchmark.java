package io.github.trafficpolicy.dns;

import io.github.trafficpolicy.dns.config.ConfiguredServer;
import io.github.trafficpolicy.dns.config.ServeConfigReader;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The DNS logic without sockets, on the bundled example (zone example.com, policy record www with the CIDR geo
 * table): a policy query with an ECS option (256 different /24s), a static answer and an NXDOMAIN.
 *
 * <pre>
 * ./mvnw -q -Pbench -pl traffic-policy-dns -am test -DskipTests -Djmh.args="-prof gc"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class QueryHandlerBenchmark {
  private ConfiguredServer server;
  private QueryHandler handler;
  private final List<byte[]> policyQueries = new ArrayList<>();
  private byte[] staticQuery;
  private byte[] missingQuery;
  private final byte[] out = new byte[QueryHandler.MAX_MESSAGE + 2];
  private InetAddress source;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    server = ConfiguredServer.create(ServeConfigReader.bundledExample());
    handler = server.server().handler();
    source = InetAddress.getByName("127.0.0.1");
    String[] nets = {"192.0.2.0", "198.51.100.0", "203.0.113.0", "10.%d.%d.0"};
    for (int i = 0; i < 256; i++) {
      String net = i < 3 ? nets[i] : String.format(nets[3], i / 16, i % 16);
      Message q = Message.newQuery(Record.newRecord(Name.fromString("www.example.com."), Type.A, DClass.IN));
      q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(new ClientSubnetOption(24, InetAddress.getByName(net)))),
          Section.ADDITIONAL);
      policyQueries.add(q.toWire());
    }
    staticQuery = Message.newQuery(Record.newRecord(Name.fromString("static.example.com."), Type.A, DClass.IN))
        .toWire();
    missingQuery = Message.newQuery(Record.newRecord(Name.fromString("nope.example.com."), Type.A, DClass.IN))
        .toWire();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.close();
  }

  @Benchmark
  public int policyAnswerWithEcs() {
    byte[] q = policyQueries.get(next++ & 255);
    return handler.handle(q, q.length, source, false, out, 0);
  }

  @Benchmark
  public int staticAnswer() {
    return handler.handle(staticQuery, staticQuery.length, source, false, out, 0);
  }

  @Benchmark
  public int nxdomain() {
    return handler.handle(missingQuery, missingQuery.length, source, false, out, 0);
  }
}
