package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RegistryConcurrencyTest {
  private static final int RECORDS = 12;
  private static final int SWAPS = 150;

  @TempDir Path dir;

  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final String a1 = codec.text("{\"a\": 1}", TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"));
  private final String a2 = codec.text("{\"a\": 2}", TestDocuments.weightedA("192.0.2.1", "192.0.2.3", "hc-2"));

  /** Readers never see a bulk update half applied: in every state they read, all records share one version. */
  private void readersSeeOnlyCompleteStates(TrafficPolicyRegistry registry, int swaps) throws Exception {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, a2, Optional.empty());
    for (int i = 0; i < RECORDS; i++) {
      registry.createRecord("example.com", "r" + i + ".example.com", 60, id, 1);
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    CountDownLatch readersStarted = new CountDownLatch(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<Integer>> readers = new ArrayList<>();
    Set<Long> listened = ConcurrentHashMap.newKeySet();
    registry.addListener(s -> {
      Set<Integer> versions = s.records().stream().map(r -> r.current().version()).collect(Collectors.toSet());
      if (versions.size() == 1) {
        listened.add(s.generation());
      }
    });
    for (int t = 0; t < 2; t++) {
      readers.add(pool.submit(() -> {
        readersStarted.countDown();
        int reads = 0;
        long lastGeneration = -1;
        while (writing.get() || reads == 0) {
          RegistryState s = registry.state();
          Set<Integer> versions = s.records().stream().map(r -> r.current().version()).collect(Collectors.toSet());
          assertThat(versions).as("versions in generation %s", s.generation()).hasSize(1);
          assertThat(s.records()).hasSize(RECORDS);
          assertThat(s.generation()).isGreaterThanOrEqualTo(lastGeneration);
          lastGeneration = s.generation();
          reads++;
        }
        return reads;
      }));
    }
    readersStarted.await(30, TimeUnit.SECONDS);
    long start = registry.state().generation();
    for (int i = 0; i < swaps; i++) {
      registry.updateAllRecords(id, i % 2 == 0 ? 2 : 1);
    }
    writing.set(false);
    for (Future<Integer> r : readers) {
      assertThat(r.get(60, TimeUnit.SECONDS)).isPositive();
    }
    pool.shutdown();
    assertThat(registry.state().generation()).isEqualTo(start + swaps);
    assertThat(listened).hasSize(swaps);
  }

  @Test
  void inMemory_readersDuringBulkUpdates_seeOnlyCompleteStates() throws Exception {
    readersSeeOnlyCompleteStates(TrafficPolicyRegistry.builder().codec(codec).build(), SWAPS);
  }

  @Test
  void persistent_readersDuringBulkUpdates_seeOnlyCompleteStates() throws Exception {
    readersSeeOnlyCompleteStates(TrafficPolicyRegistry.builder().codec(codec).directory(dir).build(), 40);
    assertThat(TrafficPolicyRegistry.builder().codec(codec).directory(dir).build().state().records())
        .allSatisfy(r -> assertThat(r.current().version()).isEqualTo(1));
  }
}
