package couponservice.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
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

  @Test
  void aPolicyWithTensOfThousandsOfCouponsRecoversFromItsSnapshot() {
    Config config = TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(),
        ConfigFactory.parseString("""
            coupon.policy.snapshot-every-events = 3
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
