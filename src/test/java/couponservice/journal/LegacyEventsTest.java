package couponservice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import couponservice.kafka.Topics;
import couponservice.node.ServiceNode;
import couponservice.policy.CouponIds;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.KafkaProbe;
import couponservice.testkit.LegacyJournal;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Journal rows written by the version before issuance events carried their terms (a policy created, issued by id,
 * by code, with a key and directly, changed, deactivated and activated; coupons used, released, cancelled and
 * expired): today's code recovers every entity from them, rebuilds the read model and publishes them.
 */
class LegacyEventsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long POLICY = 1;

  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static long coupon(long sequence) {
    return CouponIds.couponId(POLICY, sequence);
  }

  private static String status(int port, long couponId) {
    return api.send(port, "GET", "/api/coupons/" + couponId, ApiClient.adminToken(), null).body().path("status").asText();
  }

  /** The coupon slice tags of the policy's latest issuance event. */
  private static List<List<String>> latestIssueCouponTags(long policyId) {
    return database.queryRows("SELECT t.tag FROM event_tag t WHERE t.tag LIKE 'coupon-%' AND t.event_id ="
        + " (SELECT max(j.ordering) FROM event_journal j WHERE j.persistence_id = 'CouponPolicy|" + policyId + "'"
        + " AND j.event_ser_manifest LIKE '%CouponsIssued')");
  }

  @Test
  void eventsOfTheVersionBeforeReplayRebuildAndPublish() {
    var config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.empty());
    TestNodes.start(config).close();
    assertEquals(37, LegacyJournal.load(database, "journal/journal-before-issuance-terms.json"));

    try (ServiceNode node = TestNodes.start(config); KafkaProbe kafka = new KafkaProbe(database)) {
      int port = node.httpPort();
      Response policy = api.send(port, "GET", "/api/coupon-policies/" + POLICY, ApiClient.adminToken(), null);
      assertEquals(9, policy.longField("currentIssueCount"));
      assertEquals(50, policy.longField("maxIssueCount"));
      assertTrue(policy.body().path("isActive").asBoolean());
      assertEquals(Map.of(1L, "USED", 2L, "EXPIRED", 3L, "CANCELLED", 4L, "CANCELLED", 5L, "EXPIRED"),
          Map.of(1L, status(port, coupon(1)), 2L, status(port, coupon(2)), 3L, status(port, coupon(3)),
              4L, status(port, coupon(4)), 5L, status(port, coupon(5))));

      Response replay = api.send(ApiClient.request(port, "POST", "/api/coupon-policies/" + POLICY + "/issue",
          ApiClient.userToken(101), ApiClient.json(Map.of("userId", 101))).header("Idempotency-Key", "legacy-key-1")
          .build());
      assertEquals(201, replay.status(), replay.body()::toString);
      assertEquals(coupon(1), replay.longField("couponId"), "a key of the old journal still answers its coupon");
      Response next = api.send(port, "POST", "/api/coupons/download", ApiClient.userToken(301),
          Map.of("couponCode", "LEGACY2026", "userId", 301));
      assertEquals(coupon(10), next.longField("couponId"), "sequences continue without a gap");
      assertEquals(List.of(List.of("2")), database.queryRows("SELECT first_block_policy_id FROM coupon_tag_blocks"),
          "policies after the old journal's slice their coupons by block");
      assertEquals(List.of(List.of("coupon-" + Math.floorMod(Long.hashCode(coupon(10)), 8))), latestIssueCouponTags(1),
          "the old policy's new coupon keeps the slice of its id, as its earlier coupons");

      Eventually.await(WAIT, "the read model rebuilt from the old journal", () -> database.queryLong(
          "SELECT count(*) FROM coupon_issues WHERE policy_id = " + POLICY) == 10);
      assertEquals(List.of(List.of("CANCELLED", "2"), List.of("EXPIRED", "6"), List.of("ISSUED", "1"),
              List.of("USED", "1")),
          database.queryRows("SELECT status, count(*) FROM coupon_issues GROUP BY status ORDER BY status"));

      for (long sequence = 6; sequence <= 9; sequence++) {
        Response old = api.send(port, "GET", "/api/coupons/" + coupon(sequence), ApiClient.adminToken(), null);
        assertEquals(database.queryLong("SELECT user_id FROM coupon_issues WHERE id = " + coupon(sequence)),
            old.longField("userId"), "an old coupon never used before finds its untagged issuance event");
      }

      Eventually.await(WAIT, "every coupon's issue published", () -> kafka.values(Topics.COUPON_ISSUED).size() == 10);
      Set<Long> published = kafka.values(Topics.COUPON_ISSUED).stream()
          .map(event -> event.path("data").path("couponId").asLong()).collect(Collectors.toSet());
      assertEquals(10, published.size());
      for (JsonNode issued : kafka.values(Topics.COUPON_ISSUED)) {
        assertEquals("LEGACY2026", issued.path("data").path("couponCode").asText(), "terms read from the old events");
      }
      Eventually.await(WAIT, "the old use published", () -> kafka.values(Topics.COUPON_USED).size() == 1);
      assertEquals("LEGACY2026", kafka.values(Topics.COUPON_USED).get(0).path("data").path("couponCode").asText());

      long newPolicy = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD"));
      assertEquals(201, api.send(port, "POST", "/api/coupon-policies/" + newPolicy + "/issue", ApiClient.userToken(7),
          Map.of("userId", 7)).status());
      assertEquals(List.of(List.of("coupon-" + Math.floorMod(newPolicy, 8))), latestIssueCouponTags(newPolicy),
          "a new policy's first coupons are in its first block's slice");
    }
  }
}
