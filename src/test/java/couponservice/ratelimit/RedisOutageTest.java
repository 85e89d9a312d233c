package couponservice.ratelimit;

import static couponservice.ratelimit.RedisTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Redis going away and coming back, on a redis-server of the test's own. */
class RedisOutageTest {
  private static final RateLimitDecision ALLOWED = new RateLimitDecision(true, 0, false);
  private static final RateLimitDecision DEGRADED_OPEN = new RateLimitDecision(true, 0, true);
  private static final RateLimitDecision DEGRADED_CLOSED = new RateLimitDecision(false, 1, true);
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void anOutageIsDecidedByTheFailPolicyAndLimitingResumesAfterRestart() throws Exception {
    try (RedisServerProcess server = new RedisServerProcess()) {
      server.start();
      try (IssueRateLimiter open = new RedisIssueRateLimiter(settings(server.port(), 2, 20, true));
          IssueRateLimiter closed = new RedisIssueRateLimiter(settings(server.port(), 2, 20, false))) {
        assertEquals(ALLOWED, check(open, 1));
        assertEquals(ALLOWED, check(closed, 1));

        server.stop();
        assertEquals(DEGRADED_OPEN, check(open, 1));
        assertEquals(DEGRADED_CLOSED, check(closed, 1));

        // The restarted server has lost the script too: EVALSHA fails with NOSCRIPT and the script is sent again.
        server.start();
        awaitLimiting(open, 2);
        awaitLimiting(closed, 2);
      }
    }
  }

  @Test
  void aLimiterCreatedDuringAnOutageConnectsOnceRedisIsUp() throws Exception {
    try (RedisServerProcess server = new RedisServerProcess();
        IssueRateLimiter limiter = new RedisIssueRateLimiter(settings(server.port(), 2, 20, false))) {
      assertEquals(DEGRADED_CLOSED, check(limiter, 1));
      server.start();
      awaitLimiting(limiter, 1);
    }
  }

  /** Polls until Redis answers the limiter, then checks that the per-minute limit of 2 holds again. */
  private static void awaitLimiting(IssueRateLimiter limiter, long userId) throws InterruptedException {
    Instant deadline = Instant.now().plus(RECOVERY_TIMEOUT);
    while (check(limiter, userId).degraded()) {
      assertTrue(Instant.now().isBefore(deadline), "Redis not answering again within " + RECOVERY_TIMEOUT);
      Thread.sleep(50);
    }
    // Ten attempts span at most one minute boundary, so at most four are allowed.
    long allowed = IntStream.range(0, 10)
        .mapToObj(i -> check(limiter, userId))
        .peek(decision -> assertFalse(decision.degraded(), decision::toString))
        .filter(RateLimitDecision::allowed)
        .count();
    assertTrue(allowed <= 4, allowed + " of 10 allowed with a limit of 2 a minute");
  }

  private static RateLimitDecision check(IssueRateLimiter limiter, long userId) {
    return limiter.check(userId).toCompletableFuture().join();
  }
}
