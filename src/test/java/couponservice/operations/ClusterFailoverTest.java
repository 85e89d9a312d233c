package couponservice.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Cluster3;
import couponservice.testkit.Eventually;
import couponservice.testkit.Hammer;
import couponservice.testkit.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three nodes in one JVM, one of them downed in the middle of a flash sale: the survivors take over its
 * shards, stock and per-user limits stay exact, and reservations its entities held still time out.
 */
class ClusterFailoverTest {
  private static final int REQUESTS = 6_000;
  private static final int STOCK = 2_000;
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();



  @Test
  void aNodeDownedDuringIssuanceLosesNoCouponAndNoReservationStaysHeld() {
    try (Cluster3 cluster = new Cluster3(database, ConfigFactory.parseMap(Map.of(
        "coupon.lifecycle.reservation-timeout", "4s",
        "coupon.lifecycle.reservation-sweep-interval", "1s")))) {
      List<Integer> ports = cluster.httpPorts();
      ServiceNode lost = cluster.nodes().get(2);
      int lostPort = ports.get(2);
      List<Long> reserved = reserveThroughTheNodeToBeLost(ports.get(0), lostPort);

      long policyId = api.createPolicy(ports.get(0), Map.of("maxIssueCount", STOCK, "distributionType", "FIRST_COME"));
      AtomicBoolean downed = new AtomicBoolean();
      // Every user asks twice, on different nodes; node 3 is downed a third of the way through.
      Hammer.Results results = Hammer.sendTolerating(api, REQUESTS, 200, i -> {
        if (i == REQUESTS / 3) {
          Cluster.get(cluster.nodes().get(0).system()).manager()
              .tell(new Down(Cluster.get(lost.system()).selfMember().address()));
          downed.set(true);
        }
      }, i -> {
        long userId = 100_000 + i / 2;
        int port = downed.get() ? ports.get(i % 2) : ports.get(i % 3);
        return ApiClient.request(port, "POST", "/api/coupon-policies/" + policyId + "/issue",
            ApiClient.userToken(userId), ApiClient.json(Map.of("userId", userId))).build();
      });

      List<Response> created = results.responses().stream().filter(r -> r.status() == 201).toList();
      assertTrue(results.responses().stream().allMatch(r -> List.of(201, 409, 410, 503).contains(r.status())),
          "only contract answers");
      Response policy = api.send(ports.get(1), "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
      long issued = policy.longField("currentIssueCount");
      int unknown = results.unanswered() + (int) results.responses().stream().filter(r -> r.status() == 503).count();
      assertTrue(issued >= created.size(), "every acknowledged coupon is durable: " + issued + " < " + created.size());
      assertTrue(issued <= created.size() + unknown, "nothing issued beyond the unanswered requests");
      assertTrue(issued <= STOCK, "never beyond stock");
      assertEquals(created.size(), created.stream().map(r -> r.longField("couponId")).distinct().count());
      Eventually.await(Duration.ofSeconds(30), "the read model holds every issued coupon", () ->
          database.queryLong("SELECT count(*) FROM coupon_issues WHERE policy_id = " + policyId) == issued);
      assertEquals(0, database.queryLong("SELECT count(*) FROM (SELECT user_id FROM coupon_issues WHERE policy_id = "
          + policyId + " GROUP BY user_id HAVING count(*) > 1) twice"), "no user over the limit of one");

      Eventually.await(Duration.ofSeconds(60), "reservations held through the lost node time out", () ->
          reserved.stream().allMatch(coupon -> "ISSUED".equals(api.send(ports.get(0), "GET", "/api/coupons/" + coupon,
              ApiClient.adminToken(), null).body().path("status").asText())));
    }
  }

  /** Coupons reserved through the node that will be lost (their entities live anywhere in the cluster). */
  private static List<Long> reserveThroughTheNodeToBeLost(int port, int lostPort) {
    Map<String, Object> terms = new HashMap<>(Map.of("distributionType", "DOWNLOAD"));
    terms.put("maxIssueCount", null);
    long policyId = api.createPolicy(port, terms);
    List<Long> coupons = new ArrayList<>();
    for (long user = 1; user <= 30; user++) {
      long coupon = api.send(port, "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(user),
          Map.of("userId", user)).longField("couponId");
      Response reserved = api.send(lostPort, "POST", "/api/coupons/reserve", ApiClient.serviceToken(), Map.of(
          "reservationId", "LOST-" + user, "userId", user, "couponId", coupon, "orderAmount", 50_000));
      assertEquals(200, reserved.status(), reserved.body()::toString);
      coupons.add(coupon);
    }
    return coupons;
  }
}
