package io.github.trafficpolicy.dns.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.dns.Transport;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.TrafficPolicyInstance;

/**
 * Eight writers at once, each creating versions of one policy and moving one policy record to the version it made
 * (with a TTL derived from that version), while readers ask DNS and the API: no version is lost or given twice, and
 * every answer shows a record whose TTL and policy version changed together.
 */
final class ApiConcurrencyTest {
  private static final int WRITERS = 8;
  private static final int ROUNDS = 12;

  @TempDir Path dir;

  /** Version {@code v}'s single answer: 10.0.v/256.v%256, answered with TTL 1000 + v. */
  private static String document(int v) {
    return ApiSdkTest.single("A", "10.0." + (v / 256) + "." + (v % 256));
  }

  private static int versionOf(String address) {
    String[] p = address.split("\\.");
    return Integer.parseInt(p[2]) * 256 + Integer.parseInt(p[3]);
  }

  @Test
  void eightWriters_noLostOrDuplicatedVersion_everyAnswerFromOneCompleteState() throws Exception {
    try (ApiFixture api = ApiFixture.inDirectory(dir)) {
      Route53Client setup = api.admin();
      String id = setup.createTrafficPolicy(b -> b.name("busy").document(document(1))).trafficPolicy().id();
      String instance = setup.createTrafficPolicyInstance(b -> b.hostedZoneId(HostedZones.zoneId("example.com"))
          .name("www.example.com").ttl(1001L).trafficPolicyId(id).trafficPolicyVersion(1))
          .trafficPolicyInstance().id();

      AtomicBoolean writing = new AtomicBoolean(true);
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      AtomicLong dnsAnswers = new AtomicLong();
      AtomicLong apiReads = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
      CountDownLatch go = new CountDownLatch(1);
      pool.submit(() -> {
        Name name = Name.fromString("www.example.com.");
        InetAddress client = InetAddress.getByName("127.0.0.1");
        while (writing.get()) {
          byte[] reply = api.handler.handle(Message.newQuery(Record.newRecord(name, Type.A, DClass.IN)).toWire(),
              client, Transport.UDP).orElseThrow();
          List<Record> answers = new Message(reply).getSection(Section.ANSWER);
          if (answers.size() != 1 || answers.get(0).getTTL() != 1000 + versionOf(answers.get(0).rdataToString())) {
            failures.add("DNS answer from no complete state: " + answers);
          }
          dnsAnswers.incrementAndGet();
        }
        return null;
      });
      Route53Client reader = api.admin();
      pool.submit(() -> {
        while (writing.get()) {
          TrafficPolicyInstance i = reader.getTrafficPolicyInstance(b -> b.id(instance)).trafficPolicyInstance();
          if (i.ttl() != 1000 + i.trafficPolicyVersion()) {
            failures.add("API read a half-applied instance: " + i);
          }
          apiReads.incrementAndGet();
        }
        return null;
      });
      List<Future<List<Integer>>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        Route53Client client = api.admin();
        writers.add(pool.submit(() -> {
          go.await();
          List<Integer> made = new ArrayList<>();
          for (int round = 0; round < ROUNDS; round++) {
            int next = api.registry.getPolicy(id).version() + 1;
            // The document names the version it expects to become; the version number the API gives decides.
            int v = client.createTrafficPolicyVersion(b -> b.id(id).document(document(next))).trafficPolicy()
                .version();
            made.add(v);
            if (v == next) {
              client.updateTrafficPolicyInstance(b -> b.id(instance).ttl(1000L + v).trafficPolicyId(id)
                  .trafficPolicyVersion(v));
            }
          }
          return made;
        }));
      }
      go.countDown();
      List<Integer> versions = new ArrayList<>();
      for (Future<List<Integer>> f : writers) {
        versions.addAll(f.get(5, TimeUnit.MINUTES));
      }
      writing.set(false);
      pool.shutdown();
      assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();

      int total = WRITERS * ROUNDS;
      assertThat(versions).as("every version number given once, none skipped").doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(2, total + 1).boxed().toList());
      assertThat(setup.listTrafficPolicyVersions(b -> b.id(id)).trafficPolicies()).hasSize(total + 1);
      TrafficPolicyInstance last = setup.getTrafficPolicyInstance(b -> b.id(instance)).trafficPolicyInstance();
      assertThat(last.ttl()).isEqualTo(1000L + last.trafficPolicyVersion());
      assertThat(failures).isEmpty();
      assertThat(dnsAnswers.get()).isPositive();
      assertThat(apiReads.get()).isPositive();
      long updates = api.audit.stream().filter(l -> l.contains("\"UpdateTrafficPolicyInstance\"")).count();
      long created = api.audit.stream().filter(l -> l.contains("\"CreateTrafficPolicyVersion\"")).count();
      assertThat(created).isEqualTo(total);
      assertThat(updates).isPositive().isLessThanOrEqualTo(total);
    }
  }
}
