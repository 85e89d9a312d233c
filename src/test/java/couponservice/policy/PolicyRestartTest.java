package couponservice.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.OffsetClock;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A node stopped and started again on the same PostgreSQL database continues exactly where it was. */
class PolicyRestartTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  @Test
  void countsLimitsIdsAndIdempotencyKeysContinueAfterARestart() {
    Config config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.empty());
    Set<Long> couponIds = new HashSet<>();
    long policyId;
    long keyedCouponId;
    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      policyId = api.createPolicy(port, Map.of("maxIssueCount", 30, "maxIssuePerUser", 2));
      for (long user = 1; user <= 10; user++) {
        couponIds.add(api.issue(port, policyId, user, null).longField("couponId"));
      }
      couponIds.add(api.issue(port, policyId, 1, null).longField("couponId"));
      Response keyed = api.issue(port, policyId, 20, "retry-1");
      assertEquals(201, keyed.status());
      keyedCouponId = keyed.longField("couponId");
      couponIds.add(keyedCouponId);
      assertEquals(12, couponIds.size());
    }

    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      Response policy = api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
      assertEquals(12, policy.longField("currentIssueCount"));
      assertEquals("COUPON_ALREADY_ISSUED", api.issue(port, policyId, 1, null).code());
      Response retry = api.issue(port, policyId, 20, "retry-1");
      assertEquals(201, retry.status());
      assertEquals(keyedCouponId, retry.longField("couponId"));

      for (long user = 100; user < 118; user++) {
        Response more = api.issue(port, policyId, user, null);
        assertEquals(201, more.status());
        assertTrue(couponIds.add(more.longField("couponId")), "coupon id reused after restart");
      }
      assertEquals(Set.copyOf(LongStream.rangeClosed(1, 30).map(seq -> CouponIds.couponId(policyId, seq)).boxed().toList()),
          couponIds, "ids are the policy's sequences 1..30");
      assertEquals("COUPON_SOLD_OUT", api.issue(port, policyId, 500, null).code());
    }
  }

  private static Response admin(int port, String method, String path, Object body) {
    return api.send(port, method, path, ApiClient.adminToken(), body);
  }

  private static void raiseStock(int port, long policyId, int maxIssueCount) {
    assertEquals(200, admin(port, "PATCH", "/api/coupon-policies/" + policyId + "/remaining-quantity",
        Map.of("newMaxIssueCount", maxIssueCount, "modifiedBy", "ADMIN", "reason", "more stock")).status());
  }

  /** The status and error code of an issue, or its status alone when it is a 201. */
  private static String outcome(Response response) {
    return response.status() == 201 ? "201" : response.status() + " " + response.code();
  }

  /**
   * Each policy is snapshotted with its first keyed refusal (its third event): that one is recovered from the
   * snapshot, the sold-out policy's second one from the journal after it.
   */
  @Test
  void keyedRefusalsAreAnsweredTheSameAfterARestartAndAPassivationThoughThePolicyWouldNowIssue() {
    Config config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.parseString("""
        pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = 2s
        coupon.policy.snapshot-every-events = 2
        """));
    long soldOut;
    long inactive;
    Response firstRefusal;
    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      soldOut = api.createPolicy(port, Map.of("maxIssueCount", 1, "maxIssuePerUser", 1));
      inactive = api.createPolicy(port, Map.of());
      assertEquals(200, admin(port, "POST", "/api/coupon-policies/" + inactive + "/deactivate", null).status());
      assertEquals("201", outcome(api.issue(port, soldOut, 1, null)));
      firstRefusal = api.issue(port, soldOut, 2, "refused-1");
      assertEquals("410 COUPON_SOLD_OUT", outcome(firstRefusal));
      assertEquals("409 COUPON_ALREADY_ISSUED", outcome(api.issue(port, soldOut, 1, "refused-2")));
      assertEquals("400 POLICY_INACTIVE", outcome(api.issue(port, inactive, 3, "refused-3")));
      assertEquals("410 COUPON_SOLD_OUT", outcome(api.issue(port, soldOut, 4, null)));
    }
    assertEquals(3, database.queryLong("SELECT count(*) FROM event_journal WHERE event_ser_manifest LIKE '%KeyedRefusalsRecorded'"),
        "each keyed refusal journaled, the one without a key not");
    assertEquals(0, database.queryLong("SELECT count(*) FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id"
        + " WHERE j.event_ser_manifest LIKE '%KeyedRefusalsRecorded'"), "untagged: no projection or publisher reads them");
    assertEquals(2, database.queryLong("SELECT count(*) FROM snapshot WHERE sequence_number = 3"
        + " AND snapshot_ser_manifest = 'PolicySnapshot.v2' AND persistence_id IN ('CouponPolicy|" + soldOut + "', "
        + "'CouponPolicy|" + inactive + "')"), "each policy snapshotted after its first keyed refusal");

    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      raiseStock(port, soldOut, 10);
      assertEquals(200, admin(port, "POST", "/api/coupon-policies/" + inactive + "/activate", null).status());
      Response retry = api.issue(port, soldOut, 2, "refused-1");
      assertEquals("410 COUPON_SOLD_OUT", outcome(retry));
      assertEquals(firstRefusal.body().path("message"), retry.body().path("message"), "the first answer, word for word");
      assertEquals("409 COUPON_ALREADY_ISSUED", outcome(api.issue(port, soldOut, 1, "refused-2")));
      assertEquals("400 POLICY_INACTIVE", outcome(api.issue(port, inactive, 3, "refused-3")));

      assertEquals("201", outcome(api.issue(port, soldOut, 3, "refused-1")), "another user's request with the key");
      assertEquals("201", outcome(api.issue(port, soldOut, 2, "fresh-1")), "the user's request with another key");
      assertEquals("201", outcome(api.issue(port, inactive, 3, "fresh-3")));

      Eventually.await(Duration.ofSeconds(30), "the policies passivated", () -> {
        Set<String> alive = TestNodes.entitiesInMemory(node, CouponPolicy.ENTITY_KEY);
        return !alive.contains(Long.toString(soldOut)) && !alive.contains(Long.toString(inactive));
      });
      assertEquals("410 COUPON_SOLD_OUT", outcome(api.issue(port, soldOut, 2, "refused-1")));
      assertEquals("400 POLICY_INACTIVE", outcome(api.issue(port, inactive, 3, "refused-3")));

      Response history = admin(port, "GET", "/api/coupon-policies/" + soldOut + "/history", null);
      assertEquals(List.of("CREATED", "MAX_ISSUE_COUNT_CHANGED"), history.body().path("entries").findValuesAsText("type"),
          "refusals are not in the history");
    }
  }

  @Test
  void aKeyedRefusalPastTheIdempotencyRetentionIsDecidedAfresh() {
    OffsetClock clock = new OffsetClock();
    Config config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.empty());
    try (ServiceNode node = TestNodes.start(config, clock)) {
      int port = node.httpPort();
      long policyId = api.createPolicy(port, Map.of("maxIssueCount", 1, "maxIssuePerUser", 1));
      assertEquals("201", outcome(api.issue(port, policyId, 1, null)));
      assertEquals("410 COUPON_SOLD_OUT", outcome(api.issue(port, policyId, 2, "late-1")));
      raiseStock(port, policyId, 5);

      clock.advance(Duration.ofHours(24));
      assertEquals("410 COUPON_SOLD_OUT", outcome(api.issue(port, policyId, 2, "late-1")), "remembered for 24 hours");
      clock.advance(PolicySettings.fromConfig(node.system().settings().config()).idempotencyRetention());
      assertEquals("201", outcome(api.issue(port, policyId, 2, "late-1")), "past the retention, decided afresh");
    }
  }

  @Test
  void aPolicyWithTensOfThousandsOfCouponsRecoversFromItsSnapshot() {
    Config config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(),
        ConfigFactory.parseString("""
            coupon.policy.snapshot-every-events = 2
            coupon.policy.snapshot-quiet-period = 0s
            """));
    long policyId;
    int users = 25_000;
    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      policyId = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssueCount", 1_000_000));
      for (long from = 1; from <= users; from += 10_000) {
        List<Long> batch = LongStream.range(from, Math.min(from + 10_000, users + 1)).boxed().toList();
        Response direct = api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
            Map.of("couponPolicyId", policyId, "userIds", batch, "issuedBy", "test"));
        assertEquals(201, direct.status(), () -> direct.body().toString());
        assertEquals(batch.size(), direct.longField("successCount"));
      }
      assertEquals(201, api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
          Map.of("couponPolicyId", policyId, "userIds", List.of(users + 1))).status(), "a quiet write takes the snapshot");
    }
    assertTrue(database.queryLong(
        "SELECT count(*) FROM snapshot WHERE persistence_id = 'CouponPolicy|" + policyId + "'") >= 1);

    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      Response policy = api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
      assertEquals(users + 1, policy.longField("currentIssueCount"));
      Response direct = api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
          Map.of("couponPolicyId", policyId, "userIds", List.of(7, users + 2)));
      assertEquals("COUPON_ALREADY_ISSUED", direct.body().path("results").get(0).path("errorCode").asText());
      assertEquals(CouponIds.couponId(policyId, users + 2), direct.body().path("results").get(1).path("couponId").asLong());
    }
  }
}
