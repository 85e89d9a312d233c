package couponservice.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import couponservice.Secret;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitSettingsTest {

  @Test
  void defaultsOfRatelimitConf() {
    assertEquals(
        new RateLimitSettings(true, RateLimitSettings.Backend.REDIS, new RateLimitRule(5, 20, Duration.ofHours(24)), true,
            "localhost", 6379, "", Secret.NONE, false, Duration.ofMillis(200), "coupon:rl:"),
        settings(Map.of()));
  }

  @Test
  void environmentVariablesOverride() {
    RateLimitSettings settings = settings(Map.ofEntries(
        Map.entry("COUPON_RATE_LIMIT_ENABLED", "false"),
        Map.entry("COUPON_RATE_LIMIT_BACKEND", "local"),
        Map.entry("COUPON_RATE_LIMIT_PER_MINUTE", "7"),
        Map.entry("COUPON_RATE_LIMIT_PER_HOUR", "30"),
        Map.entry("COUPON_RATE_LIMIT_BLOCK", "2h"),
        Map.entry("COUPON_RATE_LIMIT_FAIL_OPEN", "false"),
        Map.entry("REDIS_HOST", "redis.internal"),
        Map.entry("REDIS_PORT", "6380"),
        Map.entry("REDIS_USERNAME", "rate-limiter"),
        Map.entry("REDIS_PASSWORD", "s3cret"),
        Map.entry("REDIS_TLS", "true")));
    assertEquals(
        new RateLimitSettings(false, RateLimitSettings.Backend.LOCAL, new RateLimitRule(7, 30, Duration.ofHours(2)), false,
            "redis.internal", 6380, "rate-limiter", new Secret("s3cret"), true, Duration.ofMillis(200), "coupon:rl:"),
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
