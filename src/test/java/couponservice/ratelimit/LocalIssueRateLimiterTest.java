package couponservice.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import couponservice.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalIssueRateLimiterTest {
  private static final RateLimitDecision ALLOWED = new RateLimitDecision(true, 0, false);
  private static final long USER = 42;

  private final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:10Z"));
  private final LocalIssueRateLimiter limiter =
      new LocalIssueRateLimiter(new RateLimitRule(5, 20, Duration.ofHours(24)), clock);

  @AfterEach
  void close() {
    limiter.close();
  }

  @Test
  void sixthInAMinuteWaitsForTheNextMinuteWithoutBeingCounted() {
    allow(5);
    assertEquals(rejected(50), check(USER)); // at 10:00:10, the minute ends in 50 s
    clock.advance(Duration.ofSeconds(20));
    assertEquals(rejected(30), check(USER));
    assertEquals(ALLOWED, check(USER + 1), "other users have windows of their own");

    clock.set(Instant.parse("2025-03-01T10:01:00Z"));
    allow(5); // the rejected attempts did not count: the hour holds 10 now
    assertEquals(rejected(60), check(USER));
  }

  @Test
  void exceedingTheHourBlocksForADay() {
    allowAnHourFullOverFourMinutes();
    assertEquals(rejected(Duration.ofHours(24).toSeconds()), check(USER));

    clock.advance(Duration.ofHours(2)); // new hour and minute windows, still blocked
    assertEquals(rejected(Duration.ofHours(22).toSeconds()), check(USER));

    clock.advance(Duration.ofHours(22));
    allow(5);
  }

  @Test
  void theHourWindowRollsOver() {
    clock.set(Instant.parse("2025-03-01T10:56:00Z"));
    allowAnHourFullOverFourMinutes();
    allow(5); // 11:00: a fresh hour
  }

  @Test
  void forgetsUsersWhoseWindowsAndBlocksAreOver() {
    check(1);
    allowAnHourFullOverFourMinutes();
    check(USER); // blocked for a day
    clock.advance(Duration.ofHours(1));
    check(3);
    assertEquals(2, limiter.trackedUsers(), "user 1 forgotten, the blocked user kept");
    assertEquals(rejected(Duration.ofHours(23).toSeconds()), check(USER));

    clock.advance(Duration.ofHours(24));
    check(3);
    assertEquals(1, limiter.trackedUsers());
  }

  @Test
  void concurrentAttemptsOfOneUserGetExactlyTheLimit() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(16);
    try {
      List<CompletableFuture<RateLimitDecision>> decisions = IntStream.range(0, 200)
          .mapToObj(i -> CompletableFuture.supplyAsync(() -> check(USER), threads))
          .toList();
      assertEquals(5, decisions.stream().map(CompletableFuture::join).filter(RateLimitDecision::allowed).count());
    } finally {
      threads.shutdownNow();
    }
  }

  private void allowAnHourFullOverFourMinutes() {
    for (int minute = 0; minute < 4; minute++) {
      allow(5);
      clock.advance(Duration.ofMinutes(1));
    }
  }

  private void allow(int times) {
    for (int i = 0; i < times; i++) {
      assertEquals(ALLOWED, check(USER), "attempt " + (i + 1) + " at " + clock.instant());
    }
  }

  private RateLimitDecision check(long userId) {
    RateLimitDecision decision = limiter.check(userId).toCompletableFuture().join();
    assertFalse(decision.degraded());
    return decision;
  }

  private static RateLimitDecision rejected(long retryAfterSeconds) {
    return new RateLimitDecision(false, retryAfterSeconds, false);
  }
}
