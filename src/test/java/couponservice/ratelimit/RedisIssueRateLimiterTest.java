package couponservice.ratelimit;

import static couponservice.ratelimit.RedisTestSupport.PORT;
import static couponservice.ratelimit.RedisTestSupport.awaitRoomInWindow;
import static couponservice.ratelimit.RedisTestSupport.keys;
import static couponservice.ratelimit.RedisTestSupport.serverMillis;
import static couponservice.ratelimit.RedisTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntToLongFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the Redis on 127.0.0.1:6379; every limiter has a key prefix of its own. */
class RedisIssueRateLimiterTest {
  private static final RateLimitDecision ALLOWED = new RateLimitDecision(true, 0, false);
  private static final long DAY_SECONDS = Duration.ofHours(24).toSeconds();

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(RedisURI.create("127.0.0.1", PORT));
    connection = client.connect();
    redis = connection.sync();
  }

  @AfterAll
  static void removeKeysAndDisconnect() {
    List<String> left = keys(redis, RedisTestSupport.RUN_PREFIX);
    if (!left.isEmpty()) {
      redis.del(left.toArray(String[]::new));
    }
    connection.close();
    client.shutdown();
  }

  @Test
  void sixthInAMinuteIsRejectedUntilTheMinuteEnds() throws Exception {
    RateLimitSettings settings = settings(PORT, 5, 20, true);
    try (RedisIssueRateLimiter limiter = new RedisIssueRateLimiter(settings)) {
      awaitRoomInWindow(redis, RateLimitRule.MINUTE_MILLIS, Duration.ofSeconds(5));
      for (int i = 0; i < 5; i++) {
        assertEquals(ALLOWED, check(limiter, 1));
      }
      assertRejectedWithin(check(limiter, 1), 1, 60);
      assertRejectedWithin(check(limiter, 1), 1, 60);
      assertEquals(ALLOWED, check(limiter, 2), "other users have windows of their own");

      String userKey = settings.keyPrefix() + "{1}";
      assertEquals("5", redis.hget(userKey, "mc"), "rejected attempts are not counted");
      assertEquals("5", redis.hget(userKey, "hc"));
      assertEquals(2, keys(redis, settings.keyPrefix()).size(), "one hash per user");
      for (String key : keys(redis, settings.keyPrefix())) {
        long ttl = redis.pttl(key);
        assertTrue(ttl > 0 && ttl <= RateLimitRule.HOUR_MILLIS, key + " expires with its window, PTTL " + ttl);
      }
    }
  }

  @Test
  void exceedingTheHourBlocksForADay() throws Exception {
    RateLimitSettings settings = settings(PORT, 1000, 20, true);
    try (RedisIssueRateLimiter limiter = new RedisIssueRateLimiter(settings)) {
      awaitRoomInWindow(redis, RateLimitRule.HOUR_MILLIS, Duration.ofSeconds(10));
      for (int i = 0; i < 20; i++) {
        assertEquals(ALLOWED, check(limiter, 7));
      }
      assertRejectedWithin(check(limiter, 7), DAY_SECONDS - 1, DAY_SECONDS);
      assertRejectedWithin(check(limiter, 7), DAY_SECONDS - 1, DAY_SECONDS);

      String userKey = settings.keyPrefix() + "{7}";
      assertEquals("20", redis.hget(userKey, "hc"), "attempts after the limit are not counted");
      long blockTtl = redis.pttl(userKey);
      assertTrue(blockTtl > (DAY_SECONDS - 10) * 1000 && blockTtl <= DAY_SECONDS * 1000, "block PTTL " + blockTtl);
    }
  }

  @Test
  void countsOfEndedWindowsDoNotCount() throws Exception {
    RateLimitSettings settings = settings(PORT, 5, 20, true);
    try (RedisIssueRateLimiter limiter = new RedisIssueRateLimiter(settings)) {
      awaitRoomInWindow(redis, RateLimitRule.MINUTE_MILLIS, Duration.ofSeconds(5));
      long now = serverMillis(redis);
      long hour = now / RateLimitRule.HOUR_MILLIS;
      long minute = now / RateLimitRule.MINUTE_MILLIS;
      String userKey = settings.keyPrefix() + "{3}";
      redis.hset(userKey, Map.of("h", Long.toString(hour - 1), "hc", "20", "m", Long.toString(minute - 1), "mc", "5"));

      assertEquals(ALLOWED, check(limiter, 3), "the full windows are over");
      assertEquals(Map.of("h", Long.toString(hour), "hc", "1", "m", Long.toString(minute), "mc", "1"),
          redis.hgetall(userKey));
    }
  }

  @Test
  void concurrentAttemptsOfOneUserGetExactlyTheLimit() throws Exception {
    try (RedisIssueRateLimiter limiter = new RedisIssueRateLimiter(settings(PORT, 5, 20, true))) {
      awaitRoomInWindow(redis, RateLimitRule.MINUTE_MILLIS, Duration.ofSeconds(10));
      List<RateLimitDecision> decisions = checkAtOnce(limiter, 200, attempt -> 99);

      assertEquals(5, decisions.stream().filter(RateLimitDecision::allowed).count());
      decisions.stream().filter(decision -> !decision.allowed()).forEach(decision -> assertRejectedWithin(decision, 1, 60));
    }
  }

  @Test
  void concurrentChecksOfManyUsersAreDecidedTogetherAndEachUserGetsExactlyTheLimit() throws Exception {
    int users = 300;
    int attemptsPerUser = 8;
    try (RedisIssueRateLimiter limiter = new RedisIssueRateLimiter(settings(PORT, 5, 20, true))) {
      awaitRoomInWindow(redis, RateLimitRule.MINUTE_MILLIS, Duration.ofSeconds(10));
      long scriptCallsBefore = scriptCalls();
      List<RateLimitDecision> decisions = checkAtOnce(limiter, users * attemptsPerUser, attempt -> 1_000 + attempt % users);
      Map<Long, Long> allowedPerUser = new HashMap<>();
      for (int i = 0; i < decisions.size(); i++) {
        if (decisions.get(i).allowed()) {
          allowedPerUser.merge(1_000L + i % users, 1L, Long::sum);
        }
      }

      assertEquals(users, allowedPerUser.size(), "every user was allowed some");
      allowedPerUser.forEach((user, allowed) -> assertEquals(5, allowed, "allowed for user " + user));
      long scriptCalls = scriptCalls() - scriptCallsBefore;
      assertTrue(scriptCalls < users * attemptsPerUser / 4,
          scriptCalls + " script calls for " + users * attemptsPerUser + " checks: checks were not grouped");
    }
  }

  /** {@code attempts} checks from 16 threads released together; attempt {@code i} is by {@code userOf(i)}. */
  private static List<RateLimitDecision> checkAtOnce(IssueRateLimiter limiter, int attempts, IntToLongFunction userOf)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<CompletionStage<RateLimitDecision>>> checks = IntStream.range(0, attempts)
          .mapToObj(i -> threads.submit(() -> {
            start.await();
            return limiter.check(userOf.applyAsLong(i));
          }))
          .toList();
      start.countDown();
      List<RateLimitDecision> decisions = new ArrayList<>();
      for (Future<CompletionStage<RateLimitDecision>> check : checks) {
        decisions.add(check.get().toCompletableFuture().join());
      }
      return decisions;
    } finally {
      threads.shutdownNow();
    }
  }

  /** EVALSHA and EVAL calls Redis has run so far, from INFO commandstats. */
  private static long scriptCalls() {
    return redis.info("commandstats").lines()
        .filter(line -> line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:"))
        .mapToLong(line -> Long.parseLong(line.replaceAll(".*[:,]calls=(\\d+).*", "$1")))
        .sum();
  }

  private static RateLimitDecision check(IssueRateLimiter limiter, long userId) {
    return limiter.check(userId).toCompletableFuture().join();
  }

  private static void assertRejectedWithin(RateLimitDecision decision, long minSeconds, long maxSeconds) {
    assertFalse(decision.allowed(), decision::toString);
    assertFalse(decision.degraded(), decision::toString);
    assertTrue(decision.retryAfterSeconds() >= minSeconds && decision.retryAfterSeconds() <= maxSeconds, decision::toString);
  }
}
