package couponservice.ratelimit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import couponservice.Secret;
import java.time.Duration;
import java.util.Locale;

/**
 * Issuance rate limit settings ({@code coupon.rate-limit} in ratelimit.conf).
 *
 * @param failOpen when Redis cannot answer: {@code true} allows the attempt, {@code false} rejects it (both
 *     degraded)
 * @param redisUsername the ACL user; empty: the default user (a {@code requirepass} password, or none)
 * @param redisPassword empty: no AUTH
 * @param redisTls TLS to Redis, the server verified against the JVM's trust store
 * @param keyPrefix prepended to every Redis key, so that environments can share a Redis
 */
public record RateLimitSettings(
    boolean enabled,
    Backend backend,
    RateLimitRule rule,
    boolean failOpen,
    String redisHost,
    int redisPort,
    String redisUsername,
    Secret redisPassword,
    boolean redisTls,
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
        redis.getString("username"),
        new Secret(redis.getString("password")),
        redis.getBoolean("tls"),
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
