package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.net.HostAndPort;
import io.github.trafficpolicy.api.PolicyRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A three-member etcd cluster (real etcd on loopback ports): the leader killed during bulk updates leaves no partial
 * state visible and writes resume after the election; every member stopped leaves the readers answering from their
 * last state; restarted, they catch up.
 */
final class EtcdClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final String a1 = codec.text("{\"a\": 1}", TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"));
  private final String a2 = codec.text("{\"a\": 2}", TestDocuments.weightedA("192.0.2.1", "192.0.2.3", "hc-2"));

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
      Thread.sleep(10);
    }
  }

  /** The member that leads now, asked through etcd's JSON gateway. */
  private static EtcdProcess leader(List<EtcdProcess> members) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    for (EtcdProcess m : members) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://" + m.endpoint() + "/v3/maintenance/status"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode status = JSON.readTree(r.body());
      if (status.path("leader").asText().equals(status.path("header").path("member_id").asText())) {
        return m;
      }
    }
    throw new AssertionError("no member says it leads");
  }

  @Test
  void leaderKilledDuringBulkUpdates_noPartialState_writesResume_allStopped_readersKeepAnswering_thenCatchUp()
      throws Exception {
    EtcdProcess.assumeInstalled();
    List<EtcdProcess> members = EtcdProcess.startCluster(dir, 3);
    try {
      EtcdSettings settings = new EtcdSettings(members.stream().map(m -> HostAndPort.fromString(m.endpoint()))
          .collect(ImmutableList.toImmutableList()), "cluster", Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(20));
      TrafficPolicyRegistry writer = TrafficPolicyRegistry.builder().codec(codec).etcd(settings).build();
      TrafficPolicyRegistry reader = TrafficPolicyRegistry.builder().codec(codec).etcd(settings).build();
      try {
        String id = writer.createPolicy("web", a1, Optional.empty()).id();
        writer.createPolicyVersion(id, a2, Optional.empty());
        List<PolicyRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          records.add(new PolicyRecord("example.com", "r" + i + ".example.com", 60, id, 1));
        }
        writer.putRecords(records);
        Set<String> partial = ConcurrentHashMap.newKeySet();
        reader.addListener(s -> {
          Set<Integer> versions = s.records().stream().map(r -> r.current().version()).collect(Collectors.toSet());
          if (s.records().size() != 100 || versions.size() != 1) {
            partial.add("generation " + s.generation() + ": " + s.records().size() + " records on " + versions);
          }
        });
        reader.watch(Duration.ofMillis(100), r -> { });
        await("the reader to have the records", () -> reader.state().records().size() == 100);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> updates = pool.submit(() -> {
          for (int round = 0; running.get(); round++) {
            try {
              writer.updateAllRecords(id, round % 2 == 0 ? 2 : 1);
              committed.incrementAndGet();
            } catch (RegistryException e) {
              failed.incrementAndGet();
            }
          }
        });
        try {
          await("some bulk updates", () -> committed.get() >= 5);
          EtcdProcess killed = leader(members);
          killed.kill();
          int before = committed.get();
          await("writes to resume after the election", () -> committed.get() >= before + 10);
          killed.start();
        } finally {
          running.set(false);
          updates.get();
          pool.shutdown();
        }
        await("the reader to catch up", () -> reader.state().equals(writer.state()));
        assertThat(partial).isEmpty();

        RegistryState kept = reader.state();
        for (EtcdProcess m : members) {
          m.stop();
        }
        await("the reader to say etcd is unreachable", () -> reader.storeUnavailable().isPresent());
        assertThat(reader.state()).isEqualTo(kept);

        for (EtcdProcess m : members) {
          m.launchForRestart();
        }
        for (EtcdProcess m : members) {
          m.awaitReady();
        }
        await("the reader to say etcd is back", () -> reader.storeUnavailable().isEmpty());
        writer.updateAllRecords(id, 1);
        writer.updateAllRecords(id, 2);
        await("the reader to catch up after the restart", () -> reader.state().equals(writer.state()));
        assertThat(partial).isEmpty();
      } finally {
        writer.close();
        reader.close();
      }
    } finally {
      for (EtcdProcess m : members) {
        m.close();
      }
    }
  }
}
