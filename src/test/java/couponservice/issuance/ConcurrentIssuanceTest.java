package couponservice.issuance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Cluster3;
import couponservice.testkit.Hammer;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Exact stock and per-user limits under concurrent HTTP requests, on one node and on three. */
class ConcurrentIssuanceTest {
  private static final int USERS = 10_000;
  private static final int STOCK = 100;

  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();



  @Test
  void tenThousandUsersRacingForAHundredCouponsOnOneNode() {
    try (ServiceNode node = TestNodes.startSingle(database)) {
      assertExactFlashSale(List.of(node.httpPort()));
    }
  }

  @Test
  void tenThousandUsersRacingForAHundredCouponsAcrossThreeNodes() {
    try (Cluster3 cluster = new Cluster3(database)) {
      assertExactFlashSale(cluster.httpPorts());
      assertPerUserLimit(cluster.httpPorts());
    }
  }

  @Test
  void oneUserRacingForMoreThanItsLimitOnOneNode() {
    try (ServiceNode node = TestNodes.startSingle(database)) {
      assertPerUserLimit(List.of(node.httpPort()));
    }
  }

  private void assertExactFlashSale(List<Integer> ports) {
    long policyId = api.createPolicy(ports.get(0), Map.of("maxIssueCount", STOCK, "distributionType", "FIRST_COME"));
    List<Response> responses = Hammer.send(api, USERS, 500, i -> {
      long userId = i + 1;
      return ApiClient.request(ports.get(i % ports.size()), "POST", "/api/coupon-policies/" + policyId + "/issue",
          ApiClient.userToken(userId), ApiClient.json(Map.of("userId", userId))).build();
    });

    Map<Integer, List<Response>> byStatus = responses.stream().collect(Collectors.groupingBy(Response::status));
    assertEquals(USERS, responses.size());
    assertEquals(Set.of(201, 410), byStatus.keySet(), () -> "unexpected statuses " + byStatus.keySet());
    List<Response> created = byStatus.get(201);
    assertEquals(STOCK, created.size());
    assertTrue(byStatus.get(410).stream().allMatch(r -> "COUPON_SOLD_OUT".equals(r.code())));
    assertEquals(STOCK, distinct(created, r -> r.longField("couponId")), "coupon ids are unique");
    assertEquals(STOCK, distinct(created, r -> r.raw().request().headers().firstValue("Authorization").orElseThrow()),
        "no user got two coupons");

    Response policy = api.send(ports.get(ports.size() - 1), "GET", "/api/coupon-policies/" + policyId,
        ApiClient.adminToken(), null);
    assertEquals(STOCK, policy.longField("currentIssueCount"));
    assertEquals(0, policy.longField("remainingCount"));
    long journalRows = database.queryLong(
        "SELECT count(*) FROM event_journal WHERE persistence_id = 'CouponPolicy|" + policyId + "'");
    assertTrue(journalRows < STOCK, "group commit wrote " + journalRows + " rows for " + STOCK + " coupons");
  }

  private void assertPerUserLimit(List<Integer> ports) {
    int limit = 3;
    Map<String, Object> terms = new HashMap<>();
    terms.put("distributionType", "DOWNLOAD");
    terms.put("maxIssueCount", null);
    terms.put("maxIssuePerUser", limit);
    long policyId = api.createPolicy(ports.get(0), terms);
    long userId = 4242;
    List<Response> responses = Hammer.send(api, 300, 300, i -> ApiClient.request(ports.get(i % ports.size()), "POST",
        "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(userId),
        ApiClient.json(Map.of("userId", userId))).build());

    List<Response> created = responses.stream().filter(r -> r.status() == 201).toList();
    assertEquals(limit, created.size());
    assertEquals(limit, distinct(created, r -> r.longField("couponId")));
    assertTrue(responses.stream().filter(r -> r.status() != 201)
        .allMatch(r -> r.status() == 409 && "COUPON_ALREADY_ISSUED".equals(r.code())));
  }

  private static <T> long distinct(List<Response> responses, Function<Response, T> key) {
    return responses.stream().map(key).distinct().count();
  }
}
