package couponservice.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.node.ServiceNode;
import couponservice.policy.CouponIds;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.Hammer;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A database outage in the middle of a flash sale leaves stock, counts and coupon sequences exact. */
class DatabaseOutageTest {
  private static final int STOCK = 3_000;

  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  @Test
  void aSaleInterruptedByAnOutageIssuesExactlyItsStock() throws Exception {
    try (ServiceNode node = TestNodes.startSingle(database)) {
      int port = node.httpPort();
      long policyId = api.createPolicy(port, Map.of("maxIssueCount", STOCK, "distributionType", "FIRST_COME"));
      ScheduledExecutorService outage = Executors.newSingleThreadScheduledExecutor();
      Hammer.Results first = Hammer.sendTolerating(api, 6_000, 30, i -> {
        if (i == 1_000) {
          database.beginOutage();
          outage.schedule(database::endOutage, 10, TimeUnit.SECONDS);
        }
      }, i -> issue(port, policyId, i + 1));
      outage.shutdown();
      outage.awaitTermination(20, TimeUnit.SECONDS);
      Map<Integer, Long> statuses = first.responses().stream().collect(Collectors.groupingBy(Response::status, Collectors.counting()));

      Eventually.await(Duration.ofSeconds(60), "the policy answers again",
          () -> api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null).status() == 200);
      long user = 1_000_000;
      while (true) {
        Response response = api.send(issue(port, policyId, user++));
        if (response.status() == 410) {
          break;
        }
        assertTrue(response.status() == 201 || response.status() == 503, () -> "unexpected " + response.body());
      }
      Response policy = api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
      assertEquals(STOCK, policy.longField("currentIssueCount"));
      Eventually.await(Duration.ofSeconds(30), "the read model has every coupon", () -> database.queryLong(
          "SELECT count(*) FROM coupon_issues WHERE policy_id = " + policyId) >= STOCK);
      assertEquals(STOCK, database.queryLong("SELECT count(*) FROM coupon_issues WHERE policy_id = " + policyId));
      assertEquals(CouponIds.couponId(policyId, STOCK),
          database.queryLong("SELECT max(id) FROM coupon_issues WHERE policy_id = " + policyId), "sequences are gapless");
      Set<Long> created = first.responses().stream().filter(r -> r.status() == 201).map(r -> r.longField("couponId"))
          .collect(Collectors.toSet());
      for (long couponId : created) {
        assertTrue(couponId <= CouponIds.couponId(policyId, STOCK));
      }
    }
  }

  private static java.net.http.HttpRequest issue(int port, long policyId, long userId) {
    return ApiClient.request(port, "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(userId),
        ApiClient.json(Map.of("userId", userId))).build();
  }
}
