package io.github.trafficpolicy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.api.EndpointType;
import io.github.trafficpolicy.api.FormatVersion;
import io.github.trafficpolicy.api.GeoproximityEntry;
import io.github.trafficpolicy.api.GeoproximityLocation;
import io.github.trafficpolicy.api.PolicyDocument;
import io.github.trafficpolicy.api.ProblemCode;
import io.github.trafficpolicy.api.RecordData;
import io.github.trafficpolicy.api.RecordType;
import io.github.trafficpolicy.api.Rule;
import io.github.trafficpolicy.api.RuleEntry;
import io.github.trafficpolicy.api.RuleTarget;
import io.github.trafficpolicy.api.RuleType;
import io.github.trafficpolicy.api.WeightedEntry;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class PolicyGeneratorTest {
  private static final long SEED = 0x5EED_2026L;

  @Test
  void document_sameSeed_sameDocument() {
    for (int i = 0; i < 20; i++) {
      PolicyDocument a = new PolicyGenerator(new SplittableRandom(SEED + i)).document();
      PolicyDocument b = new PolicyGenerator(new SplittableRandom(SEED + i)).document();
      assertThat(a).as("seed %s", SEED + i).isEqualTo(b);
    }
  }

  @Test
  void document_anyMaxDepth_staysWithinDepthAndReachesIt() {
    for (int maxDepth = 1; maxDepth <= PolicyGenerator.MAX_DEPTH; maxDepth++) {
      PolicyGenerator g = new PolicyGenerator(new SplittableRandom(SEED),
          PolicyGenerator.Settings.defaults().withMaxDepth(maxDepth).withStartEndpointChance(0));
      int deepest = 0;
      for (int i = 0; i < 150; i++) {
        PolicyDocument d = g.document();
        int depth = PolicyGenerator.depth(d);
        assertThat(depth).as("seed %s, max depth %s, document %s: %s", SEED, maxDepth, i, d)
            .isBetween(1, maxDepth);
        deepest = Math.max(deepest, depth);
      }
      assertThat(deepest).as("deepest of 150 documents at max depth %s", maxDepth).isEqualTo(maxDepth);
    }
  }

  @Test
  void document_manySeeds_coverEveryFeature() {
    PolicyGenerator g = new PolicyGenerator(new SplittableRandom(SEED));
    Set<RuleType> ruleTypes = EnumSet.noneOf(RuleType.class);
    Set<EndpointType> endpointTypes = EnumSet.noneOf(EndpointType.class);
    Set<RecordType> recordTypes = EnumSet.noneOf(RecordType.class);
    Set<FormatVersion> versions = EnumSet.noneOf(FormatVersion.class);
    Set<Class<?>> locationKinds = new HashSet<>();
    boolean shared = false;
    boolean zeroWeight = false;
    boolean healthCheck = false;
    boolean ethAbsent = false;
    boolean ethPresent = false;
    boolean startEndpoint = false;
    for (int i = 0; i < 500; i++) {
      PolicyDocument d = g.document();
      assertThat(d.warnings()).as("document %s: %s", i, d).allSatisfy(w -> assertThat(w.code()).isIn(
          ProblemCode.IMPLICIT_EVALUATE_TARGET_HEALTH, ProblemCode.IGNORED_EVALUATE_TARGET_HEALTH));
      recordTypes.add(d.recordType());
      versions.add(d.formatVersion());
      startEndpoint |= d.rules().isEmpty();
      d.endpoints().values().forEach(e -> endpointTypes.add(e.type()));
      Map<RuleTarget, Integer> references = new HashMap<>();
      for (Rule r : d.rules().values()) {
        ruleTypes.add(r.type());
        for (RuleEntry e : r.entries()) {
          if (e.target() instanceof RuleTarget rt) {
            references.merge(rt, 1, Integer::sum);
          }
          healthCheck |= e.healthCheck().isPresent();
          ethAbsent |= e.evaluateTargetHealth().isEmpty();
          ethPresent |= e.evaluateTargetHealth().isPresent();
          zeroWeight |= e instanceof WeightedEntry w && w.weight() == 0;
          if (e instanceof GeoproximityEntry gp) {
            locationKinds.add(gp.location().getClass());
          }
        }
      }
      shared |= references.values().stream().anyMatch(n -> n > 1);
    }
    assertThat(ruleTypes).containsExactlyInAnyOrder(RuleType.values());
    assertThat(endpointTypes).containsExactlyInAnyOrder(EndpointType.values());
    assertThat(recordTypes).containsExactlyInAnyOrder(RecordType.values());
    assertThat(versions).containsExactlyInAnyOrder(FormatVersion.values());
    assertThat(locationKinds).containsExactlyInAnyOrder(GeoproximityLocation.Region.class,
        GeoproximityLocation.LocalZone.class, GeoproximityLocation.Coordinate.class);
    assertThat(shared).as("some rule is shared by two parents").isTrue();
    assertThat(zeroWeight).as("some weight is 0").isTrue();
    assertThat(healthCheck).isTrue();
    assertThat(ethAbsent).isTrue();
    assertThat(ethPresent).isTrue();
    assertThat(startEndpoint).isTrue();
  }

  @Test
  void random_everyRecordType_parsesAsRecordData() {
    SplittableRandom random = new SplittableRandom(SEED);
    for (RecordType type : RecordType.values()) {
      for (int i = 0; i < 200; i++) {
        String value = RecordValues.random(type, random);
        assertThat(RecordData.parse(type, value).type()).as("%s %s", type, value).isEqualTo(type);
      }
    }
  }

  @Test
  void healthStatuses_coverEveryHealthCheckOfTheDocument() {
    PolicyGenerator g = new PolicyGenerator(new SplittableRandom(SEED));
    for (int i = 0; i < 50; i++) {
      PolicyDocument d = g.document();
      Set<Object> expected = new HashSet<>();
      d.rules().values().forEach(r -> r.entries().forEach(e -> e.healthCheck().ifPresent(expected::add)));
      assertThat(g.healthStatuses(d, 0.5).keySet()).isEqualTo(expected);
    }
  }
}
