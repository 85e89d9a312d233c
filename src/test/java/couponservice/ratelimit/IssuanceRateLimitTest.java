package couponservice.ratelimit;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.node.ServiceNode;
import couponservice.kafka.Topics;
import couponservice.metrics.CouponMetrics;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.KafkaProbe;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The issuance endpoints behind the rate limiter, on real Redis (and on a Redis that is not there). */
class IssuanceRateLimitTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();



  private static ServiceNode node(int redisPort) {
    return node(redisPort, 2);
  }

  private static ServiceNode node(int redisPort, int perHour) {
    Config limits = ConfigFactory.parseMap(Map.of(
        "coupon.rate-limit.enabled", true,
        "coupon.rate-limit.backend", "redis",
        "coupon.rate-limit.per-minute", 1000,
        "coupon.rate-limit.per-hour", perHour,
        "coupon.rate-limit.redis.host", "127.0.0.1",
        "coupon.rate-limit.redis.port", redisPort,
        "coupon.rate-limit.redis.key-prefix", "coupon:rl:test:" + System.nanoTime() + ":"));
    return TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), limits));
  }

  private static Response issue(int port, long policyId, long userId) {
    return api.send(port, "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(userId),
        Map.of("userId", userId));
  }

  private static double count(String outcome) {
    return CouponMetrics.RATE_LIMIT.labelValues(outcome).get();
  }

  @Test
  void theHourlyLimitBlocksTheUserWithRetryAfterAndIssuesNothing() {
    try (ServiceNode node = node(6379)) {
      int port = node.httpPort();
      long policyId = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD", "maxIssuePerUser", 10));
      double rejectedBefore = count("rejected");
      assertEquals(201, issue(port, policyId, 11).status());
      assertEquals(201, issue(port, policyId, 11).status());
      Response limited = issue(port, policyId, 11);
      assertErrorBody(limited, 429, "COUPON_ISSUE_LIMIT_EXCEEDED");
      long retryAfter = Long.parseLong(limited.raw().headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter > 86_000 && retryAfter <= 86_400, "blocked for a day: " + retryAfter);
      assertErrorBody(issue(port, policyId, 11), 429, "COUPON_ISSUE_LIMIT_EXCEEDED");
      assertEquals(201, issue(port, policyId, 12).status(), "another user is not limited");
      assertEquals(2, api.send(port, "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null)
          .body().path("currentIssueCount").asLong() - 1, "the limited requests issued nothing");
      assertEquals(2, count("rejected") - rejectedBefore);
    }
  }

  @Test
  void everyRequestCountsWhateverItsOutcomeButDirectAndEventIssuesDoNot() {
    try (ServiceNode node = node(6379, 3); KafkaProbe kafka = new KafkaProbe(database)) {
      int port = node.httpPort();
      long download = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD"));
      long code = api.createPolicy(port, Map.of("distributionType", "CODE", "couponCode", "LIMITED"));
      long direct = api.createPolicy(port, Map.of("distributionType", "DIRECT", "maxIssuePerUser", 10));
      long signup = api.createPolicy(port, Map.of("distributionType", "EVENT", "triggerEventType", "RATE_SIGNUP"));

      long user = 31;
      for (long policyId : List.of(direct, direct, direct, direct)) {
        assertEquals(1, api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
            Map.of("couponPolicyId", policyId, "userIds", List.of(user))).longField("successCount"));
      }
      assertEquals(201, issue(port, download, user).status(), "the direct issues did not count");
      assertErrorBody(issue(port, download, user), 409, "COUPON_ALREADY_ISSUED");
      assertErrorBody(issue(port, code, user), 400, "DISTRIBUTION_TYPE_MISMATCH");
      Response limited = issue(port, download, user);
      assertErrorBody(limited, 429, "COUPON_ISSUE_LIMIT_EXCEEDED");
      assertTrue(limited.raw().headers().firstValue("Retry-After").isPresent());
      assertErrorBody(api.send(port, "POST", "/api/coupons/download", ApiClient.userToken(user),
          Map.of("couponCode", "LIMITED", "userId", user)), 429, "COUPON_ISSUE_LIMIT_EXCEEDED");

      Response directWhileBlocked = api.send(port, "POST", "/api/coupons/direct-issue", ApiClient.adminToken(),
          Map.of("couponPolicyId", direct, "userIds", List.of(user)));
      assertEquals(1, directWhileBlocked.longField("successCount"), directWhileBlocked.body()::toString);
      kafka.produce(Topics.COUPON_TRIGGER, null, ApiClient.json(Map.of("eventId", "RATE-1", "eventType", "RATE_SIGNUP",
          "userId", user, "occurredAt", "2026-01-01T00:00:00Z")));
      Eventually.await(Duration.ofSeconds(30), "the trigger issued to the blocked user", () -> api.send(port, "GET",
          "/api/coupon-policies/" + signup, ApiClient.adminToken(), null).longField("currentIssueCount") == 1);
    }
  }

  @Test
  void withRedisUnreachableIssuanceIsAllowedAndCounted() {
    try (ServiceNode node = node(TestNodes.freePort())) {
      int port = node.httpPort();
      long policyId = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD", "maxIssuePerUser", 10));
      double degradedBefore = count("degraded");
      for (int i = 0; i < 3; i++) {
        assertEquals(201, issue(port, policyId, 21).status(), "fail-open: the limit cannot be checked");
      }
      assertEquals(3, count("degraded") - degradedBefore);
    }
  }
}
