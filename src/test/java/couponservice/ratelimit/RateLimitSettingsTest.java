package couponservice.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitSettingsTest {

  @Test
  void defaultsOfRatelimitConf() {
    assertEquals(
        new RateLimitSettings(true, RateLimitSettings.Backend.REDIS, new RateLimitRule(5, 20, Duration.ofHours(24)), true,
            "localhost", 6379, Duration.ofMillis(200), "coupon:rl:"),
        settings(Map.of()));
  }

  @Test
  void environmentVariablesOverride() {
    RateLimitSettings settings = settings(Map.of(
        "COUPON_RATE_LIMIT_ENABLED", "false",
        "COUPON_RATE_LIMIT_BACKEND", "local",
        "COUPON_RATE_LIMIT_PER_MINUTE", "7",
        "COUPON_RATE_LIMIT_PER_HOUR", "30",
        "COUPON_RATE_LIMIT_BLOCK", "2h",
        "COUPON_RATE_LIMIT_FAIL_OPEN", "false",
        "REDIS_HOST", "redis.internal",
        "REDIS_PORT", "6380"));
    assertEquals(
        new RateLimitSettings(false, RateLimitSettings.Backend.LOCAL, new RateLimitRule(7, 30, Duration.ofHours(2)), false,
            "redis.internal", 6380, Duration.ofMillis(200), "coupon:rl:"),
        settings);
  }

  @Test
  void rejectsAnUnknownBackend() {
    assertThrows(ConfigException.BadValue.class, () -> settings(Map.of("COUPON_RATE_LIMIT_BACKEND", "memcached")));
  }

  @Test
  void createChoosesTheBackend() {
    RateLimitSettings local = settings(Map.of("COUPON_RATE_LIMIT_BACKEND", "local"));
    try (IssueRateLimiter limiter = IssueRateLimiter.create(local, Clock.systemUTC())) {
      assertInstanceOf(LocalIssueRateLimiter.class, limiter);
    }
    RateLimitSettings redis = RedisTestSupport.settings(RedisTestSupport.PORT, 5, 20, true);
    try (IssueRateLimiter limiter = IssueRateLimiter.create(redis, Clock.systemUTC())) {
      assertInstanceOf(RedisIssueRateLimiter.class, limiter);
    }
  }

  @Test
  void disabledAllowsEveryAttempt() {
    RateLimitSettings disabled = settings(Map.of("COUPON_RATE_LIMIT_ENABLED", "off"));
    try (IssueRateLimiter limiter = IssueRateLimiter.create(disabled, Clock.systemUTC())) {
      for (int i = 0; i < 100; i++) {
        assertSame(RateLimitDecision.ALLOWED, limiter.check(42).toCompletableFuture().join());
      }
    }
  }

  /** ratelimit.conf with {@code environment} in place of the process's environment variables. */
  private static RateLimitSettings settings(Map<String, String> environment) {
    Config config = ConfigFactory.parseMap(environment)
        .withFallback(ConfigFactory.parseResources("ratelimit.conf"))
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
    return RateLimitSettings.fromConfig(config);
  }
}
