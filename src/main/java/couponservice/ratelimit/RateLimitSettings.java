package couponservice.ratelimit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Locale;

/**
 * Issuance rate limit settings ({@code coupon.rate-limit} in ratelimit.conf).
 *
 * @param failOpen when Redis cannot answer: {@code true} allows the attempt, {@code false} rejects it (both
 *     degraded)
 * @param keyPrefix prepended to every Redis key, so that environments can share a Redis
 */
public record RateLimitSettings(
    boolean enabled,
    Backend backend,
    RateLimitRule rule,
    boolean failOpen,
    String redisHost,
    int redisPort,
    Duration commandTimeout,
    String keyPrefix) {

  public enum Backend {
    /** Shared by every node of the cluster. */
    REDIS,
    /** In-process, per node: for the single-node dev profile. */
    LOCAL
  }

  public static RateLimitSettings fromConfig(Config config) {
    Config limit = config.getConfig("coupon.rate-limit");
    Config redis = limit.getConfig("redis");
    return new RateLimitSettings(
        limit.getBoolean("enabled"),
        backend(limit),
        new RateLimitRule(limit.getInt("per-minute"), limit.getInt("per-hour"), limit.getDuration("block-duration")),
        limit.getBoolean("fail-open"),
        redis.getString("host"),
        redis.getInt("port"),
        redis.getDuration("command-timeout"),
        redis.getString("key-prefix"));
  }

  private static Backend backend(Config limit) {
    String name = limit.getString("backend").trim();
    try {
      return Backend.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(limit.origin(), "backend", "expected redis or local, got '" + name + "'");
    }
  }
}
