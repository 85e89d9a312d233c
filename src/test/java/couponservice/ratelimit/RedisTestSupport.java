package couponservice.ratelimit;

import couponservice.Secret;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Settings and helpers for tests against a real Redis; each limiter gets a key prefix of its own. */
final class RedisTestSupport {
  static final int PORT = 6379;
  /** All keys of this run start with it, so that runs never collide and the run can remove its keys. */
  static final String RUN_PREFIX = "coupon:rl-test:" + UUID.randomUUID() + ":";
  private static final AtomicInteger limiters = new AtomicInteger();

  private RedisTestSupport() {}

  /** A generous command timeout: these tests are about the rule, not about a slow machine. */
  static RateLimitSettings settings(int port, int perMinute, int perHour, boolean failOpen) {
    RateLimitRule rule = new RateLimitRule(perMinute, perHour, Duration.ofHours(24));
    return new RateLimitSettings(true, RateLimitSettings.Backend.REDIS, rule, failOpen, "127.0.0.1", port,
        "", Secret.NONE, false, Duration.ofSeconds(1), RUN_PREFIX + limiters.incrementAndGet() + ":");
  }

  /**
   * Waits, if need be, until the current window of {@code windowMillis} on the Redis server's clock has
   * {@code room} left, so that a test's attempts all land in one window.
   */
  static void awaitRoomInWindow(RedisCommands<String, String> redis, long windowMillis, Duration room)
      throws InterruptedException {
    long now = serverMillis(redis);
    long left = RateLimitRule.windowEnd(now, windowMillis) - now;
    if (left < room.toMillis()) {
      Thread.sleep(left + 10);
    }
  }

  /** The Redis server's clock, in epoch milliseconds: the clock the limiter's windows follow. */
  static long serverMillis(RedisCommands<String, String> redis) {
    List<String> time = redis.time();
    return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
  }

  /** The keys starting with {@code prefix}. */
  static List<String> keys(RedisCommands<String, String> redis, String prefix) {
    ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
    List<String> keys = new ArrayList<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = redis.scan(cursor, match);
      keys.addAll(page.getKeys());
      cursor = page;
    } while (!cursor.isFinished());
    return keys;
  }
}
