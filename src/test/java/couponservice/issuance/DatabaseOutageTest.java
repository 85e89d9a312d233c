package couponservice.issuance;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.node.ServiceNode;
import couponservice.policy.CouponIds;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Cluster3;
import couponservice.testkit.Eventually;
import couponservice.testkit.Hammer;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
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
      assertExactSaleThroughAnOutage(List.of(node.httpPort()));
    }
  }

  @Test
  void aSaleOnThreeNodesInterruptedByAnOutageIssuesExactlyItsStock() throws Exception {
    try (Cluster3 cluster = new Cluster3(database)) {
      assertExactSaleThroughAnOutage(cluster.httpPorts());
    }
  }

  /**
   * 30 buyers at once, the database refusing connections and killing its open ones for 10 s a sixth of the way in;
   * then buyers until the policy says sold out. Every coupon answered 201 exists, the policy's count is the
   * coupons that exist, their sequences have no gap, and sold out means exactly the stock.
   */
  private static void assertExactSaleThroughAnOutage(List<Integer> ports) throws Exception {
    long policyId = api.createPolicy(ports.get(0), Map.of("maxIssueCount", STOCK, "distributionType", "FIRST_COME"));
    Hammer.Results sale = duringAnOutage(6_000, 1_000,
        i -> issue(ports.get(i % ports.size()), policyId, i + 1));
    int port = ports.get(0);
    awaitAnswering(port, "/api/coupon-policies/" + policyId);
    long user = 1_000_000;
    while (true) {
      Response response = api.send(issue(ports.get((int) (user % ports.size())), policyId, user++));
      if (response.status() == 410) {
        break;
      }
      assertTrue(response.status() == 201 || response.status() == 503, () -> "unexpected " + response.body());
    }
    Response policy = api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
    assertEquals(STOCK, policy.longField("currentIssueCount"));
    assertEquals(0, policy.longField("remainingCount"));
    Eventually.await(Duration.ofSeconds(60), "the read model has every coupon", () -> database.queryLong(
        "SELECT count(*) FROM coupon_issues WHERE policy_id = " + policyId) >= STOCK);
    assertEquals(STOCK, database.queryLong("SELECT count(*) FROM coupon_issues WHERE policy_id = " + policyId),
        "as many coupons exist as the policy counts");
    assertEquals(CouponIds.couponId(policyId, STOCK),
        database.queryLong("SELECT max(id) FROM coupon_issues WHERE policy_id = " + policyId), "sequences are gapless");
    Set<Long> acknowledged = sale.responses().stream().filter(r -> r.status() == 201)
        .map(r -> r.longField("couponId")).collect(Collectors.toSet());
    assertEquals(acknowledged.size(), database.queryLong("SELECT count(*) FROM coupon_issues WHERE id IN ("
        + acknowledged.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")"),
        "every coupon answered 201 exists");
  }

  @Test
  void duringAnOutageRequestsAre503WithRetryAfterAndAKeyedRetryAfterItGetsOneCoupon() {
    try (ServiceNode node = TestNodes.startSingle(database)) {
      int port = node.httpPort();
      Map<String, Object> terms = new HashMap<>(Map.of("distributionType", "DOWNLOAD", "maxIssuePerUser", 5));
      terms.put("maxIssueCount", null);
      long policyId = api.createPolicy(port, terms);
      HttpRequest keyedIssue = ApiClient.request(port, "POST", "/api/coupon-policies/" + policyId + "/issue",
          ApiClient.userToken(5), ApiClient.json(Map.of("userId", 5))).header("Idempotency-Key", "outage-5").build();

      database.beginOutage();
      try {
        for (Response refused : List.of(api.send(port, "GET", "/api/coupons/users/5", ApiClient.userToken(5), null),
            api.send(keyedIssue))) {
          assertErrorBody(refused, 503, "SERVICE_UNAVAILABLE");
          assertTrue(refused.raw().headers().firstValue("Retry-After").isPresent(), "Retry-After set");
        }
      } finally {
        database.endOutage();
      }

      Response[] retried = new Response[1];
      Eventually.await(Duration.ofSeconds(60), "the keyed retry answered", () -> {
        retried[0] = api.send(keyedIssue);
        return retried[0].status() != 503;
      });
      assertEquals(201, retried[0].status(), retried[0].body()::toString);
      assertEquals(retried[0].body(), api.send(keyedIssue).body(), "the first outcome again");
      assertEquals(1, api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null)
          .longField("currentIssueCount"), "one coupon for the key, whatever the outage did to the first attempt");
    }
  }

  @Test
  void reservationsInterruptedByAnOutageEndOnceWhenRetried() throws Exception {
    try (ServiceNode node = TestNodes.startSingle(database)) {
      int port = node.httpPort();
      int coupons = 150;
      long policyId = api.createPolicy(port, Map.of("maxIssueCount", coupons, "distributionType", "DIRECT"));
      List<Long> users = LongStream.rangeClosed(1, coupons).boxed().toList();
      Response issued = api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
          Map.of("couponPolicyId", policyId, "userIds", users));
      assertEquals(coupons, issued.longField("successCount"));
      List<Long> couponIds = new ArrayList<>();
      issued.body().path("results").forEach(result -> couponIds.add(result.path("couponId").asLong()));

      Hammer.Results first = duringAnOutage(coupons, 50, i -> reserve(port, couponIds.get(i), i + 1));
      assertTrue(first.responses().stream().allMatch(r -> r.status() == 200 || r.status() == 503),
          () -> "a reserve is done or retried: " + first.responses().stream().map(Response::status).distinct().toList());
      awaitAnswering(port, "/api/coupons/" + couponIds.get(0));
      for (int i = 0; i < coupons; i++) {
        long couponId = couponIds.get(i);
        Response again = retriedWhileUnavailable(reserve(port, couponId, i + 1));
        assertEquals(200, again.status(), again.body()::toString);
        assertEquals("RO-" + couponId, again.body().path("reservationId").asText());
        Response confirmed = retriedWhileUnavailable(ApiClient.request(port, "POST",
            "/api/coupons/reservations/RO-" + couponId + "/confirm", ApiClient.serviceToken(), "{}").build());
        assertEquals("USED", confirmed.body().path("status").asText(), confirmed.body()::toString);
      }
      assertEquals(coupons, database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'Coupon|%'"
          + " AND event_ser_manifest LIKE '%$Used'"), "each coupon used once");
      assertEquals(coupons, database.queryLong("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'Coupon|%'"
          + " AND event_ser_manifest LIKE '%$Reserved'"), "each coupon reserved once, retries included");
    }
  }

  /** {@code count} requests, 30 at a time, with a 10 s database outage starting at request {@code outageAt}. */
  private static Hammer.Results duringAnOutage(int count, int outageAt, IntFunction<HttpRequest> request)
      throws InterruptedException {
    ScheduledExecutorService outage = Executors.newSingleThreadScheduledExecutor();
    try {
      return Hammer.sendTolerating(api, count, 30, i -> {
        if (i == outageAt) {
          database.beginOutage();
          outage.schedule(database::endOutage, 10, TimeUnit.SECONDS);
        }
      }, request);
    } finally {
      outage.shutdown();
      assertTrue(outage.awaitTermination(20, TimeUnit.SECONDS));
    }
  }

  /** As a client does: a 503 (Retry-After) is asked again, the same request, until the service answers. */
  private static Response retriedWhileUnavailable(HttpRequest request) {
    Response[] last = new Response[1];
    Eventually.await(Duration.ofSeconds(60), "an answer other than 503 to " + request.uri(), () -> {
      last[0] = api.send(request);
      return last[0].status() != 503;
    });
    return last[0];
  }

  private static void awaitAnswering(int port, String path) {
    Eventually.await(Duration.ofSeconds(60), "the service answers again",
        () -> api.send(port, "GET", path, ApiClient.adminToken(), null).status() == 200);
  }

  private static HttpRequest reserve(int port, long couponId, long userId) {
    return ApiClient.request(port, "POST", "/api/coupons/reserve", ApiClient.serviceToken(), ApiClient.json(Map.of(
        "reservationId", "RO-" + couponId, "userId", userId, "couponId", couponId, "orderAmount", 50_000,
        "orderId", "O-" + couponId))).build();
  }

  private static HttpRequest issue(int port, long policyId, long userId) {
    return ApiClient.request(port, "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(userId),
        ApiClient.json(Map.of("userId", userId))).build();
  }
}
