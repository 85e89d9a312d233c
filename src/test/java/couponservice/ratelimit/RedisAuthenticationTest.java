package couponservice.ratelimit;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import couponservice.Secret;
import couponservice.node.ServiceConfig;
import couponservice.node.ServiceNode;
import couponservice.StartupException;
import couponservice.metrics.CouponMetrics;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.Eventually;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rate limiter against a redis-server of the test's own that wants credentials: an ACL user allowed only the
 * keys of this run and the commands the limiter sends, and {@code requirepass} for the default user. Credentials Redis refuses stop startup; Redis
 * going away after a good start is decided by the fail-open setting.
 */
class RedisAuthenticationTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static final String ACL_USER = "coupon-rate-limiter";
  private static final String ACL_PASSWORD = "acl-Pa55:word!";
  private static final String DEFAULT_PASSWORD = "requirepass-Pa55";
  private static final RateLimitDecision ALLOWED = new RateLimitDecision(true, 0, false);
  private static final RateLimitDecision DEGRADED_OPEN = new RateLimitDecision(true, 0, true);

  private static RedisServerProcess server;

  @BeforeAll
  static void startRedisWithCredentials() throws Exception {
    server = securedRedis();
    server.start();
  }

  @AfterAll
  static void stopRedis() throws InterruptedException {
    server.close();
  }

  /** The ACL user has only what docs/deploying.md grants it: the handshake, the script and the script's commands. */
  private static RedisServerProcess securedRedis() throws Exception {
    return new RedisServerProcess("--requirepass", DEFAULT_PASSWORD,
        "--user", ACL_USER, "on", ">" + ACL_PASSWORD, "~" + RedisTestSupport.RUN_PREFIX + "*",
        "+@connection", "+evalsha", "+eval", "+time", "+hmget", "+hset", "+pexpireat");
  }

  /** Limits of 2 an hour, so that the third attempt is rejected whatever minute it falls in. */
  private static RateLimitSettings settings(int port, String username, String password) {
    RateLimitSettings plain = RedisTestSupport.settings(port, 100, 2, true);
    return new RateLimitSettings(true, RateLimitSettings.Backend.REDIS, plain.rule(), plain.failOpen(),
        plain.redisHost(), port, username, new Secret(password), false, plain.commandTimeout(), plain.keyPrefix());
  }

  private static RateLimitDecision check(IssueRateLimiter limiter, long userId) {
    return limiter.check(userId).toCompletableFuture().join();
  }

  private static void assertLimitedAfterTwo(IssueRateLimiter limiter, long userId) {
    assertEquals(ALLOWED, check(limiter, userId));
    assertEquals(ALLOWED, check(limiter, userId));
    RateLimitDecision third = check(limiter, userId);
    assertFalse(third.allowed() || third.degraded(), "the third of 2 an hour is decided by Redis: " + third);
  }

  @Test
  void anAclUserWithItsPasswordIsLimited() {
    try (IssueRateLimiter limiter = new RedisIssueRateLimiter(settings(server.port(), ACL_USER, ACL_PASSWORD))) {
      assertLimitedAfterTwo(limiter, 1);
    }
  }

  @Test
  void theRequirepassPasswordAloneAuthenticatesTheDefaultUser() {
    try (IssueRateLimiter limiter = new RedisIssueRateLimiter(settings(server.port(), "", DEFAULT_PASSWORD))) {
      assertLimitedAfterTwo(limiter, 2);
    }
  }

  @Test
  void credentialsRedisRefusesAreAnErrorNamingRedisWithoutThePassword() {
    String wrong = "not-" + ACL_PASSWORD;
    RedisAccessDenied wrongPassword = assertThrows(RedisAccessDenied.class,
        () -> new RedisIssueRateLimiter(settings(server.port(), ACL_USER, wrong)));
    assertTrue(wrongPassword.getMessage().startsWith("Redis at 127.0.0.1:" + server.port() + " refused"),
        wrongPassword.getMessage());
    assertTrue(wrongPassword.getMessage().contains("WRONGPASS"), wrongPassword.getMessage());
    assertFalse(wrongPassword.getMessage().contains(wrong));

    RedisAccessDenied noPassword = assertThrows(RedisAccessDenied.class,
        () -> new RedisIssueRateLimiter(settings(server.port(), "", "")));
    assertTrue(noPassword.getMessage().contains("NOAUTH"), noPassword.getMessage());
  }

  @Test
  void redisGoingAwayAfterAnAuthenticatedStartIsFailOpenAndLimitingResumesAfterItsRestart() throws Exception {
    try (RedisServerProcess restarting = securedRedis()) {
      restarting.start();
      try (IssueRateLimiter limiter = new RedisIssueRateLimiter(settings(restarting.port(), ACL_USER, ACL_PASSWORD))) {
        assertEquals(ALLOWED, check(limiter, 3));
        restarting.stop();
        assertEquals(DEGRADED_OPEN, check(limiter, 3));
        restarting.start();
        // Lettuce reconnects with the same credentials; the restarted server has forgotten the counts, so the
        // first check Redis answers again is the user's first.
        Eventually.await(Duration.ofSeconds(30), "Redis answering again", () -> !check(limiter, 4).degraded());
        assertEquals(ALLOWED, check(limiter, 4));
        assertFalse(check(limiter, 4).allowed(), "the third of 2 an hour");
      }
    }
  }

  private static Config nodeLimits(String username, String password) {
    return ConfigFactory.parseMap(Map.of(
        "coupon.rate-limit.enabled", true,
        "coupon.rate-limit.backend", "redis",
        "coupon.rate-limit.per-minute", 1000,
        "coupon.rate-limit.per-hour", 2,
        "coupon.rate-limit.redis.host", "127.0.0.1",
        "coupon.rate-limit.redis.port", server.port(),
        "coupon.rate-limit.redis.username", username,
        "coupon.rate-limit.redis.password", password,
        "coupon.rate-limit.redis.key-prefix", RedisTestSupport.RUN_PREFIX + "node:"));
  }

  private static Response issue(int port, long policyId, long userId) {
    return api.send(port, "POST", "/api/coupon-policies/" + policyId + "/issue", ApiClient.userToken(userId),
        Map.of("userId", userId));
  }

  @Test
  void aNodeWithTheAclCredentialsLimitsIssuance() {
    try (ServiceNode node = TestNodes.start(
        TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), nodeLimits(ACL_USER, ACL_PASSWORD)))) {
      int port = node.httpPort();
      long policyId = api.createPolicy(port, Map.of("distributionType", "DOWNLOAD", "maxIssuePerUser", 10));
      double degradedBefore = CouponMetrics.RATE_LIMIT.labelValues("degraded").get();
      assertEquals(201, issue(port, policyId, 31).status());
      assertEquals(201, issue(port, policyId, 31).status());
      assertErrorBody(issue(port, policyId, 31), 429, "COUPON_ISSUE_LIMIT_EXCEEDED");
      assertEquals(degradedBefore, CouponMetrics.RATE_LIMIT.labelValues("degraded").get(), "Redis decided each one");
    }
  }

  @Test
  void aWrongRedisPasswordStopsStartupWithOneLineNamingRedis() {
    String wrong = "wrong-" + ACL_PASSWORD;
    Config config = ServiceConfig.load("prod",
        TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), nodeLimits(ACL_USER, wrong)), Map.of());
    long started = System.nanoTime();
    StartupException refused = assertThrows(StartupException.class, () -> ServiceNode.start(config, Clock.systemUTC()));
    assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(30)) < 0);
    assertTrue(refused.getMessage().startsWith("Redis at 127.0.0.1:" + server.port() + " refused"),
        refused.getMessage());
    assertFalse(refused.getMessage().contains("\n"), "one line");
    assertFalse(refused.getMessage().contains(wrong), "the password is not echoed");
  }
}
