package couponservice.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import couponservice.ErrorCode;
import couponservice.policy.CouponPolicy.KeyedIssue;
import couponservice.testkit.EntityTestConfig;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PolicySnapshotSerializerTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestConfig.serialization());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aLedgerOfAMillionCouponsRoundTripsCompactly() {
    Random random = new Random(7);
    int coupons = 1_000_000;
    long[] owners = new long[coupons];
    long[] issuedAt = new long[coupons];
    long time = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
    for (int i = 0; i < coupons; i++) {
      owners[i] = 1 + (random.nextLong() & Long.MAX_VALUE) % 50_000_000L;
      time += random.nextInt(3);
      issuedAt[i] = i % 1000 == 0 ? time - 5 : time;
    }
    PolicyDefinition definition = new PolicyDefinition("Flash", null, DiscountType.FIXED_AMOUNT, BigDecimal.valueOf(1500),
        BigDecimal.ZERO, null, DistributionType.FIRST_COME, 2_000_000L, 1, null, java.time.Duration.ofHours(2),
        Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-12-31T00:00:00Z"), null);
    PolicySnapshot snapshot = new PolicySnapshot(3, definition, Instant.parse("2026-01-01T00:00:00Z"),
        Instant.parse("2026-06-01T00:00:00Z"), true, 2_000_000L, owners, issuedAt, List.of(new KeyedIssue(5, "k-1", 17)),
        List.of("job-9"),
        List.of(new CouponPolicy.CouponsIssued(3, 41, Instant.parse("2026-06-01T00:00:00Z"), List.of(7L), List.of(),
            IssuedTerms.of(definition, Instant.parse("2026-06-01T00:00:00Z")), null,
            IssueOrigin.jobChunk("job-9", 4, "crm", "req-9"), List.of(new CouponPolicy.Refusal(8, ErrorCode.COUPON_ALREADY_ISSUED)))),
        refusals(100_000, time));

    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    var serializer = serialization.findSerializerFor(snapshot);
    assertEquals(PolicySnapshotSerializer.class, serializer.getClass());
    byte[] bytes = serialization.serialize(snapshot).get();
    PolicySnapshot back = (PolicySnapshot) serialization
        .deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, snapshot)).get();

    assertArrayEquals(owners, back.owners());
    assertArrayEquals(issuedAt, back.issuedAtMillis());
    assertEquals(definition, back.definition());
    assertEquals(snapshot.keyedIssues(), back.keyedIssues());
    assertEquals(List.of("job-9"), back.runningJobs());
    assertEquals(snapshot.lastJobChunks(), back.lastJobChunks(), "a running job's last chunk survives the snapshot");
    assertEquals(snapshot.keyedRefusals(), back.keyedRefusals(), "keyed refusals survive it, in their order");
    assertEquals(2_000_000L, back.maxIssueCount());
    assertTrue(bytes.length < coupons * 7 + snapshot.keyedRefusals().size() * 48,
        "snapshot took " + bytes.length + " bytes");
  }

  /** A sold-out sale's keyed refusals: random users, times a few milliseconds apart, UUID keys, three answers. */
  private static List<RememberedRefusal> refusals(int count, long from) {
    Random random = new Random(11);
    ErrorCode[] codes = {ErrorCode.COUPON_SOLD_OUT, ErrorCode.COUPON_ALREADY_ISSUED, ErrorCode.POLICY_INACTIVE};
    String[] messages = {"all 2000000 coupons of policy 3 are issued", "user holds one", "policy 3 is deactivated"};
    List<RememberedRefusal> refusals = new ArrayList<>(count);
    long time = from;
    for (int i = 0; i < count; i++) {
      time += random.nextInt(5);
      int answer = random.nextInt(codes.length);
      refusals.add(new RememberedRefusal(new IdempotencyKey(1 + random.nextInt(50_000_000), UUID.randomUUID().toString()),
          codes[answer], messages[answer], time));
    }
    return refusals;
  }

  @Test
  void aSnapshotOfTheVersionBeforeKeyedRefusalsReadsWithNone() throws Exception {
    JsonNode stored = new ObjectMapper().readTree(
        getClass().getClassLoader().getResource("journal/policy-snapshot-v1.json")).get(0);
    assertEquals("PolicySnapshot.v1", stored.path("manifest").asText());
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    PolicySnapshot old = (PolicySnapshot) serialization.deserialize(Base64.getDecoder().decode(
        stored.path("payload").asText()), stored.path("serializerId").asInt(), "PolicySnapshot.v1").get();

    assertEquals(1, old.policyId());
    assertEquals("Test coupon", old.definition().couponName());
    assertEquals(5L, old.maxIssueCount());
    assertArrayEquals(new long[] {1, 2}, old.owners());
    assertEquals(List.of(new KeyedIssue(1, "legacy-key-1", 1)), old.keyedIssues());
    assertEquals(List.of(), old.keyedRefusals());
    assertEquals(List.of(), old.runningJobs());
  }
}
