package couponservice.policy;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.coupon.Coupon;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A coupon reads what its policy issued from the issuance event, found by the event's batch tag, on PostgreSQL:
 * owners and terms of batches of several sizes, of policies whose ids share leading digits (1 and 10, whose tags
 * must not mix), an event written without the batch tag (by an older version, during a rolling upgrade) after
 * tagged ones, and coupons that were never issued. On a restarted node no policy entity is started by any of it.
 */
class IssuedCouponsTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static Response get(int port, long couponId) {
    return api.send(port, "GET", "/api/coupons/" + couponId, ApiClient.adminToken(), null);
  }

  /** Issues one coupon to each of {@code users} in one request, and answers coupon id → owner. */
  private static Map<Long, Long> directIssue(int port, long policyId, long... users) {
    Response issued = api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
        Map.of("couponPolicyId", policyId, "userIds", LongStream.of(users).boxed().toList()));
    assertEquals(201, issued.status(), issued.body()::toString);
    Map<Long, Long> owners = new LinkedHashMap<>();
    issued.body().path("results").forEach(result -> owners.put(result.path("couponId").asLong(),
        result.path("userId").asLong()));
    assertEquals(users.length, owners.size(), issued.body()::toString);
    return owners;
  }

  private static void assertIssued(int port, Map<Long, Long> owners, String couponName) {
    owners.forEach((couponId, owner) -> {
      Response coupon = get(port, couponId);
      assertEquals(200, coupon.status(), coupon.body()::toString);
      assertEquals(owner, coupon.longField("userId"), "owner of " + couponId);
      assertEquals(couponName, coupon.body().path("couponName").asText(), "terms of " + couponId);
      assertEquals("ISSUED", coupon.body().path("status").asText());
    });
  }

  private static void assertNotIssued(int port, long couponId) {
    assertErrorBody(get(port, couponId), 404, "COUPON_NOT_FOUND");
  }

  @Test
  void couponsReadTheirIssueFromTheJournalAndAskNoPolicy() {
    Config config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.empty());
    List<Long> policies = new ArrayList<>();
    Map<Long, Long> first = new LinkedHashMap<>();
    Map<Long, Long> upgradeBatch;
    Map<Long, Long> tenth;
    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      for (int i = 1; i <= 10; i++) {
        policies.add(api.createPolicy(port, Map.of("distributionType", "DIRECT", "couponName", "Policy " + i,
            "maxIssueCount", 1000)));
      }
      assertEquals(1, policies.get(0));
      assertEquals(10, policies.get(9));
      first.putAll(directIssue(port, 1, 11, 12, 13));
      tenth = directIssue(port, 10, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32);
      first.putAll(directIssue(port, 1, 14));
      upgradeBatch = directIssue(port, 1, 15, 16, 17, 18, 19);
      assertIssued(port, first, "Policy 1");
      assertIssued(port, upgradeBatch, "Policy 1");
      assertIssued(port, tenth, "Policy 10");
    }
    assertEquals(1, database.queryLong("SELECT count(*) FROM event_tag WHERE tag = '"
        + IssuedCoupons.batchTag(1, 5) + "'"), "the last batch of policy 1 is tagged by its first coupon");
    // As if an older version had written the last batch of policy 1: after tagged batches, without a batch tag.
    database.execute("DELETE FROM event_tag WHERE tag = '" + IssuedCoupons.batchTag(1, 5) + "'");

    try (ServiceNode node = TestNodes.start(config)) {
      int port = node.httpPort();
      assertIssued(port, upgradeBatch, "Policy 1");
      assertIssued(port, first, "Policy 1");
      assertIssued(port, tenth, "Policy 10");
      assertNotIssued(port, CouponIds.couponId(1, 10));
      assertNotIssued(port, CouponIds.couponId(10, 13));
      assertNotIssued(port, CouponIds.couponId(2, 1));
      assertNotIssued(port, CouponIds.couponId(11, 1));

      long coupon = first.keySet().iterator().next();
      Response reserved = api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(), Map.of(
          "reservationId", "R-1", "userId", first.get(coupon), "couponId", coupon, "orderAmount", 50_000,
          "orderId", "ORDER-1"));
      assertEquals(200, reserved.status(), reserved.body()::toString);
      Response stranger = api.send(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(), Map.of(
          "reservationId", "R-2", "userId", 99, "couponId", CouponIds.couponId(10, 1), "orderAmount", 50_000,
          "orderId", "ORDER-2"));
      assertErrorBody(stranger, 400, "COUPON_NOT_AVAILABLE");

      assertTrue(TestNodes.entitiesInMemory(node, Coupon.ENTITY_KEY).size() >= first.size() + tenth.size());
      assertEquals(List.of(), List.copyOf(TestNodes.entitiesInMemory(node, CouponPolicy.ENTITY_KEY)),
          "no policy was asked");
    }
  }
}
