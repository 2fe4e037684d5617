package io.github.trafficpolicy.engine.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.common.collect.ImmutableList;
import io.github.trafficpolicy.api.ProblemCode;
import io.github.trafficpolicy.api.RecordType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

final class TrafficPolicyRegistryTest {
  private final TestDocuments.Codec codec = new TestDocuments.Codec();
  private final String a1 = codec.text("{\"a\": 1}", TestDocuments.weightedA("192.0.2.1", "192.0.2.2", "hc-1"));
  private final String a2 = codec.text("{\"a\": 2}", TestDocuments.weightedA("192.0.2.1", "192.0.2.3", "hc-2"));
  private final String a3 = codec.text("{\"a\": 3}", TestDocuments.singleA("192.0.2.9"));
  private final String aaaa = codec.text("{\"aaaa\": 1}", TestDocuments.failoverAaaa("2001:db8::1", "2001:db8::2"));
  private final AtomicInteger ids = new AtomicInteger();
  private final TrafficPolicyRegistry registry = TrafficPolicyRegistry.builder()
      .codec(codec)
      .idGenerator(() -> "p" + ids.incrementAndGet())
      .build();

  private static void assertError(ThrowingCallable call, RegistryError error) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.error()).isEqualTo(error))
        .hasMessageStartingWith(error.awsName() + ": ");
  }

  @Test
  void createPolicy_newName_isVersionOneWithTextAsGiven() {
    PolicyVersion v = registry.createPolicy("web", a1, Optional.of("first"));

    assertThat(v.id()).isEqualTo("p1");
    assertThat(v.version()).isEqualTo(1);
    assertThat(v.name()).isEqualTo("web");
    assertThat(v.comment()).contains("first");
    assertThat(v.documentText()).isEqualTo(a1);
    assertThat(v.document()).isEqualTo(codec.read(a1));
    assertThat(v.type()).isEqualTo(RecordType.A);
    assertThat(registry.getPolicy("p1", 1)).isEqualTo(v);
  }

  @Test
  void createPolicy_defaultIds_areDistinctUuids() {
    TrafficPolicyRegistry r = TrafficPolicyRegistry.builder().codec(codec).build();

    String first = r.createPolicy("one", a1, Optional.empty()).id();
    String second = r.createPolicy("two", a1, Optional.empty()).id();

    assertThat(first).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(second).isNotEqualTo(first).hasSize(36);
  }

  @Test
  void createPolicy_idGeneratorRepeatsAnIdInUse_skipsIt() {
    List<String> given = new ArrayList<>(List.of("x", "x", "y"));
    TrafficPolicyRegistry r = TrafficPolicyRegistry.builder().codec(codec).idGenerator(() -> given.remove(0)).build();

    r.createPolicy("one", a1, Optional.empty());

    assertThat(r.createPolicy("two", a1, Optional.empty()).id()).isEqualTo("y");
  }

  @Test
  void createPolicy_nameTaken_throwsTrafficPolicyAlreadyExists() {
    registry.createPolicy("web", a1, Optional.empty());

    assertError(() -> registry.createPolicy("web", a2, Optional.empty()), RegistryError.TRAFFIC_POLICY_ALREADY_EXISTS);
    assertThat(registry.listPolicies()).hasSize(1);
  }

  @Test
  void createPolicy_invalidDocument_listsProblems() {
    assertThatThrownBy(() -> registry.createPolicy("web", "{not json", Optional.empty()))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.error()).isEqualTo(RegistryError.INVALID_TRAFFIC_POLICY_DOCUMENT);
          assertThat(e.problems()).singleElement()
              .satisfies(p -> assertThat(p.code()).isEqualTo(ProblemCode.MALFORMED_JSON));
        })
        .hasMessageContaining("InvalidTrafficPolicyDocument")
        .hasMessageContaining("not a known test document");
    assertThat(registry.state().generation()).isZero();
  }

  @Test
  void createPolicy_badNameOrComment_throwsInvalidInput() {
    assertError(() -> registry.createPolicy(" ", a1, Optional.empty()), RegistryError.INVALID_INPUT);
    assertError(() -> registry.createPolicy("x".repeat(513), a1, Optional.empty()), RegistryError.INVALID_INPUT);
    assertError(() -> registry.createPolicy("web", a1, Optional.of("c".repeat(1025))), RegistryError.INVALID_INPUT);
    assertError(() -> registry.createPolicy("web", "", Optional.empty()), RegistryError.INVALID_INPUT);
  }

  @Test
  void createPolicy_fromBuiltDocument_storesCodecText() {
    PolicyVersion v = registry.createPolicy("web", TestDocuments.singleA("192.0.2.7"), Optional.empty());

    assertThat(codec.read(v.documentText())).isEqualTo(TestDocuments.singleA("192.0.2.7"));
  }

  @Test
  void createPolicyVersion_numbersFromOneUp_andDocumentsStayImmutable() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();

    PolicyVersion v2 = registry.createPolicyVersion(id, a2, Optional.of("second"));
    PolicyVersion v3 = registry.createPolicyVersion(id, aaaa, Optional.empty());

    assertThat(v2.version()).isEqualTo(2);
    assertThat(v3.version()).isEqualTo(3);
    assertThat(v3.type()).isEqualTo(RecordType.AAAA);
    assertThat(registry.getPolicy(id, 1).documentText()).isEqualTo(a1);
    assertThat(registry.listPolicyVersions(id)).extracting(PolicyVersion::version).containsExactly(1, 2, 3);
    assertThat(registry.getPolicy(id)).isEqualTo(v3);
  }

  @Test
  void createPolicyVersion_afterDeletingLatest_neverReusesNumbers() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, a2, Optional.empty());
    registry.createPolicyVersion(id, a3, Optional.empty());
    registry.deletePolicyVersion(id, 3);
    registry.deletePolicyVersion(id, 2);

    PolicyVersion next = registry.createPolicyVersion(id, a2, Optional.empty());

    assertThat(next.version()).isEqualTo(4);
    assertThat(registry.listPolicyVersions(id)).extracting(PolicyVersion::version).containsExactly(1, 4);
    assertThat(registry.state().policy(id).orElseThrow().lastVersion()).isEqualTo(4);
  }

  @Test
  void createPolicyVersion_after1000Versions_throwsTooMany() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    for (int i = 2; i <= 1000; i++) {
      registry.createPolicyVersion(id, a1, Optional.empty());
      if (i % 2 == 0) {
        registry.deletePolicyVersion(id, i);
      }
    }

    assertError(() -> registry.createPolicyVersion(id, a2, Optional.empty()),
        RegistryError.TOO_MANY_TRAFFIC_POLICY_VERSIONS_FOR_CURRENT_POLICY);
    assertThat(registry.getPolicy(id).version()).isEqualTo(999);
  }

  @Test
  void createPolicyVersion_unknownPolicy_throwsNoSuchTrafficPolicy() {
    assertError(() -> registry.createPolicyVersion("nope", a1, Optional.empty()), RegistryError.NO_SUCH_TRAFFIC_POLICY);
  }

  @Test
  void getPolicy_unknownVersionOrPolicy_throwsNoSuchTrafficPolicy() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();

    assertError(() -> registry.getPolicy(id, 2), RegistryError.NO_SUCH_TRAFFIC_POLICY);
    assertError(() -> registry.getPolicy("nope"), RegistryError.NO_SUCH_TRAFFIC_POLICY);
    assertError(() -> registry.getPolicy(id, 0), RegistryError.INVALID_INPUT);
    assertError(() -> registry.getPolicy(id, 1001), RegistryError.INVALID_INPUT);
  }

  @Test
  void listPolicies_latestVersionOfEach_inCreationOrder() {
    String web = registry.createPolicy("web", a1, Optional.empty()).id();
    String api = registry.createPolicy("api", aaaa, Optional.empty()).id();
    String mail = registry.createPolicy("mail", a3, Optional.empty()).id();
    registry.createPolicyVersion(web, a2, Optional.empty());

    assertThat(registry.listPolicies()).extracting(PolicyVersion::id, PolicyVersion::version)
        .containsExactly(
            tuple(web, 2),
            tuple(api, 1),
            tuple(mail, 1));
  }

  @Test
  void updatePolicyComment_changesOnlyTheComment() {
    String id = registry.createPolicy("web", a1, Optional.of("old")).id();

    PolicyVersion v = registry.updatePolicyComment(id, 1, Optional.of("new"));

    assertThat(v.comment()).contains("new");
    assertThat(v.documentText()).isEqualTo(a1);
    assertThat(registry.updatePolicyComment(id, 1, Optional.empty()).comment()).isEmpty();
    assertError(() -> registry.updatePolicyComment(id, 2, Optional.of("x")), RegistryError.NO_SUCH_TRAFFIC_POLICY);
  }

  @Test
  void deletePolicyVersion_usedByRecord_throwsTrafficPolicyInUse() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, a2, Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 2);

    assertThatThrownBy(() -> registry.deletePolicyVersion(id, 2))
        .isInstanceOfSatisfying(RegistryException.class,
            e -> assertThat(e.error()).isEqualTo(RegistryError.TRAFFIC_POLICY_IN_USE))
        .hasMessageContaining("www.example.com.");
    registry.deletePolicyVersion(id, 1);
    assertThat(registry.listPolicyVersions(id)).extracting(PolicyVersion::version).containsExactly(2);
  }

  @Test
  void deletePolicyVersion_lastOne_removesPolicy() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();

    registry.deletePolicyVersion(id, 1);

    assertThat(registry.listPolicies()).isEmpty();
    assertError(() -> registry.getPolicy(id), RegistryError.NO_SUCH_TRAFFIC_POLICY);
    assertError(() -> registry.deletePolicyVersion(id, 1), RegistryError.NO_SUCH_TRAFFIC_POLICY);
  }

  @Test
  void deletePolicy_whole_unlessARecordUsesAnyVersion() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, a2, Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);

    assertError(() -> registry.deletePolicy(id), RegistryError.TRAFFIC_POLICY_IN_USE);
    registry.deleteRecord("www.example.com");
    registry.deletePolicy(id);

    assertThat(registry.state().policies()).isEmpty();
    assertError(() -> registry.deletePolicy(id), RegistryError.NO_SUCH_TRAFFIC_POLICY);
  }

  @Test
  void createRecord_boundToVersion_normalizesNames() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();

    ManagedRecord r = registry.createRecord("Example.COM", "WWW.example.com", 300, id, 1);

    assertThat(r.name()).isEqualTo("www.example.com.");
    assertThat(r.zone()).isEqualTo("example.com.");
    assertThat(r.ttl()).isEqualTo(300);
    assertThat(r.current()).isEqualTo(PolicyRef.of(id, 1));
    assertThat(r.type()).isEqualTo(RecordType.A);
    assertThat(r.history()).isEmpty();
    assertThat(registry.getRecord("www.example.com.")).isEqualTo(r);
  }

  @Test
  void createRecord_errors() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);

    assertError(() -> registry.createRecord("example.com", "www.example.com.", 60, id, 1),
        RegistryError.TRAFFIC_POLICY_INSTANCE_ALREADY_EXISTS);
    assertError(() -> registry.createRecord("example.com", "api.example.com", 60, id, 2),
        RegistryError.NO_SUCH_TRAFFIC_POLICY);
    assertError(() -> registry.createRecord("example.com", "api.example.com", 60, "nope", 1),
        RegistryError.NO_SUCH_TRAFFIC_POLICY);
    assertError(() -> registry.createRecord("example.com", "www.example.org", 60, id, 1), RegistryError.INVALID_INPUT);
    assertError(() -> registry.createRecord("example.com", "api.example.com", -1, id, 1), RegistryError.INVALID_INPUT);
    assertError(() -> registry.createRecord("example.com", "api.example.com", 2_147_483_648L, id, 1),
        RegistryError.INVALID_INPUT);
    assertThat(registry.listRecords()).hasSize(1);
  }

  @Test
  void updateRecord_versionAndTtl_rollsForwardAndRemembersHistory() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, a2, Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);

    ManagedRecord r = registry.updateRecord("www.example.com", Optional.of(2), OptionalLong.of(30));

    assertThat(r.current()).isEqualTo(PolicyRef.of(id, 2));
    assertThat(r.ttl()).isEqualTo(30);
    assertThat(r.history()).containsExactly(PolicyRef.of(id, 1));
  }

  @Test
  void updateRecord_ttlOnly_keepsVersionAndHistory() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);

    ManagedRecord r = registry.updateRecord("www.example.com", Optional.empty(), OptionalLong.of(5));

    assertThat(r.current()).isEqualTo(PolicyRef.of(id, 1));
    assertThat(r.ttl()).isEqualTo(5);
    assertThat(r.history()).isEmpty();
  }

  @Test
  void updateRecord_versionWithOtherRecordType_throwsConflictingTypes() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, aaaa, Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);

    assertError(() -> registry.updateRecord("www.example.com", Optional.of(2), OptionalLong.empty()),
        RegistryError.CONFLICTING_TYPES);
    assertThat(registry.getRecord("www.example.com").current()).isEqualTo(PolicyRef.of(id, 1));
  }

  @Test
  void updateRecord_errors() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);

    assertError(() -> registry.updateRecord("api.example.com", Optional.of(1), OptionalLong.empty()),
        RegistryError.NO_SUCH_TRAFFIC_POLICY_INSTANCE);
    assertError(() -> registry.updateRecord("www.example.com", Optional.of(7), OptionalLong.empty()),
        RegistryError.NO_SUCH_TRAFFIC_POLICY);
    assertError(() -> registry.updateRecord("www.example.com", Optional.empty(), OptionalLong.of(-5)),
        RegistryError.INVALID_INPUT);
  }

  @Test
  void updateRecord_toAnotherPolicyOfSameType_switchesPolicy() {
    String web = registry.createPolicy("web", a1, Optional.empty()).id();
    String other = registry.createPolicy("other", a3, Optional.empty()).id();
    String v6 = registry.createPolicy("v6", aaaa, Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, web, 1);

    ManagedRecord r = registry.updateRecord("www.example.com", PolicyRef.of(other, 1), OptionalLong.empty());

    assertThat(r.current()).isEqualTo(PolicyRef.of(other, 1));
    assertThat(r.history()).containsExactly(PolicyRef.of(web, 1));
    assertError(() -> registry.updateRecord("www.example.com", PolicyRef.of(v6, 1), OptionalLong.empty()),
        RegistryError.CONFLICTING_TYPES);
  }

  @Test
  void rollbackRecord_returnsToEarlierVersionsInTurn() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, a2, Optional.empty());
    registry.createPolicyVersion(id, a3, Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    registry.updateRecord("www.example.com", Optional.of(3), OptionalLong.empty());
    registry.updateRecord("www.example.com", Optional.of(2), OptionalLong.of(20));

    ManagedRecord once = registry.rollbackRecord("www.example.com");
    ManagedRecord twice = registry.rollbackRecord("www.example.com");

    assertThat(once.current().version()).isEqualTo(3);
    assertThat(once.ttl()).isEqualTo(20);
    assertThat(once.history()).containsExactly(PolicyRef.of(id, 1));
    assertThat(twice.current().version()).isEqualTo(1);
    assertThat(twice.history()).isEmpty();
    assertError(() -> registry.rollbackRecord("www.example.com"), RegistryError.INVALID_INPUT);
  }

  @Test
  void rollbackRecord_previousVersionDeleted_throwsNoSuchTrafficPolicy() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, a2, Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    registry.updateRecord("www.example.com", Optional.of(2), OptionalLong.empty());
    registry.deletePolicyVersion(id, 1);

    assertError(() -> registry.rollbackRecord("www.example.com"), RegistryError.NO_SUCH_TRAFFIC_POLICY);
    assertThat(registry.getRecord("www.example.com").current().version()).isEqualTo(2);
  }

  @Test
  void history_keepsTheLastHundredVersions() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(id, a2, Optional.empty());
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    for (int i = 0; i < 150; i++) {
      registry.updateRecord("www.example.com", Optional.of(i % 2 == 0 ? 2 : 1), OptionalLong.empty());
    }

    assertThat(registry.getRecord("www.example.com").history()).hasSize(ManagedRecord.MAX_HISTORY);
  }

  @Test
  void deleteRecord_removesIt() {
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);

    registry.deleteRecord("WWW.example.com.");

    assertThat(registry.listRecords()).isEmpty();
    assertError(() -> registry.deleteRecord("www.example.com"), RegistryError.NO_SUCH_TRAFFIC_POLICY_INSTANCE);
    assertError(() -> registry.getRecord("www.example.com"), RegistryError.NO_SUCH_TRAFFIC_POLICY_INSTANCE);
  }

  @Test
  void listRecords_byZoneAndByPolicy() {
    String web = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(web, a2, Optional.empty());
    String v6 = registry.createPolicy("v6", aaaa, Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, web, 1);
    registry.createRecord("example.org", "www.example.org", 60, web, 2);
    registry.createRecord("example.com", "v6.example.com", 60, v6, 1);

    assertThat(registry.listRecordsByZone("example.com")).extracting(ManagedRecord::name)
        .containsExactly("www.example.com.", "v6.example.com.");
    assertThat(registry.listRecordsByPolicy(web)).extracting(ManagedRecord::name)
        .containsExactly("www.example.com.", "www.example.org.");
    assertThat(registry.listRecordsByPolicy(web, 2)).extracting(ManagedRecord::name)
        .containsExactly("www.example.org.");
    assertError(() -> registry.listRecordsByPolicy("nope"), RegistryError.NO_SUCH_TRAFFIC_POLICY);
    assertError(() -> registry.listRecordsByPolicy(web, 3), RegistryError.NO_SUCH_TRAFFIC_POLICY);
  }

  @Test
  void updateAllRecords_movesEveryRecordOfThePolicy() {
    String web = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(web, a2, Optional.empty());
    registry.createPolicyVersion(web, a3, Optional.empty());
    String other = registry.createPolicy("other", a3, Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, web, 1);
    registry.createRecord("example.org", "www.example.org", 90, web, 2);
    registry.createRecord("example.net", "www.example.net", 60, other, 1);

    ImmutableList<ManagedRecord> moved = registry.updateAllRecords(web, 3);

    assertThat(moved).extracting(ManagedRecord::name).containsExactly("www.example.com.", "www.example.org.");
    assertThat(registry.getRecord("www.example.com").current()).isEqualTo(PolicyRef.of(web, 3));
    assertThat(registry.getRecord("www.example.org").current()).isEqualTo(PolicyRef.of(web, 3));
    assertThat(registry.getRecord("www.example.org").ttl()).isEqualTo(90);
    assertThat(registry.getRecord("www.example.net").current()).isEqualTo(PolicyRef.of(other, 1));
    assertThat(registry.getRecord("www.example.org").history()).containsExactly(PolicyRef.of(web, 2));
  }

  @Test
  void updateAllRecords_oneRecordConflicts_changesNone() {
    String web = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(web, aaaa, Optional.empty());
    registry.createPolicyVersion(web, a2, Optional.empty());
    registry.createRecord("example.com", "a.example.com", 60, web, 1);
    registry.createRecord("example.com", "b.example.com", 60, web, 2);
    registry.createRecord("example.com", "c.example.com", 60, web, 1);
    RegistryState before = registry.state();

    assertError(() -> registry.updateAllRecords(web, 3), RegistryError.CONFLICTING_TYPES);

    assertThat(registry.state()).isSameAs(before);
  }

  @Test
  void updateRecords_unknownNameAmongMany_changesNone() {
    String web = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createPolicyVersion(web, a2, Optional.empty());
    registry.createRecord("example.com", "a.example.com", 60, web, 1);
    registry.createRecord("example.com", "b.example.com", 60, web, 1);
    RegistryState before = registry.state();

    assertError(() -> registry.updateRecords(List.of("a.example.com", "zzz.example.com", "b.example.com"),
        PolicyRef.of(web, 2)), RegistryError.NO_SUCH_TRAFFIC_POLICY_INSTANCE);
    assertThat(registry.state()).isSameAs(before);

    assertThat(registry.updateRecords(List.of("a.example.com", "B.example.com."), PolicyRef.of(web, 2)))
        .extracting(r -> r.current().version()).containsExactly(2, 2);
    assertThat(registry.state().generation()).isEqualTo(before.generation() + 1);
  }

  @Test
  void listeners_receiveEveryNewStateInOrder_untilClosed() {
    List<Long> seen = new ArrayList<>();
    TrafficPolicyRegistry.Subscription sub = registry.addListener(s -> seen.add(s.generation()));
    String id = registry.createPolicy("web", a1, Optional.empty()).id();
    registry.createRecord("example.com", "www.example.com", 60, id, 1);
    assertError(() -> registry.createRecord("example.com", "www.example.com", 60, id, 1),
        RegistryError.TRAFFIC_POLICY_INSTANCE_ALREADY_EXISTS);

    sub.close();
    registry.deleteRecord("www.example.com");

    assertThat(seen).containsExactly(1L, 2L);
  }

  @Test
  void listener_thatThrows_doesNotBreakTheChange() {
    registry.addListener(s -> {
      throw new IllegalStateException("boom");
    });

    registry.createPolicy("web", a1, Optional.empty());

    assertThat(registry.state().policies()).hasSize(1);
  }
}
