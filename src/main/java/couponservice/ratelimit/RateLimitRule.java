package couponservice.ratelimit;

import java.time.Duration;

/**
 * The issuance limit as plain arithmetic: fixed windows aligned to the epoch minute and hour, and the
 * verdict on an attempt given the issuances already allowed in its windows. {@link LocalIssueRateLimiter}
 * applies it directly; the script of {@link RedisIssueRateLimiter} mirrors {@link #judge} on the server.
 *
 * <p>Fixed windows cost one counter per window and user (a sliding log would keep a timestamp per
 * issuance); the price is that a user may get up to twice a limit across a window boundary.
 *
 * @param blockDuration how long a user exceeding the hourly limit is blocked; the block lasts at least to
 *     the end of the hour window, so that Retry-After never points at a moment still over the limit
 */
public record RateLimitRule(int perMinute, int perHour, Duration blockDuration) {
  static final long MINUTE_MILLIS = 60_000;
  static final long HOUR_MILLIS = 3_600_000;

  public RateLimitRule {
    if (perMinute < 1 || perHour < 1 || blockDuration.isNegative()) {
      throw new IllegalArgumentException(
          "rate limit needs per-minute and per-hour >= 1 and a block duration >= 0, got " + perMinute + ", " + perHour
              + ", " + blockDuration);
    }
  }

  /** The verdict on an attempt at {@code nowMillis} (epoch) after the issuances allowed so far in its windows. */
  Verdict judge(long nowMillis, long minuteCount, long hourCount) {
    // The hourly limit first: the attempt that exceeds it starts the block even when the minute is full too.
    if (hourCount >= perHour) {
      long blockedUntil = Math.max(nowMillis + blockDuration.toMillis(), windowEnd(nowMillis, HOUR_MILLIS));
      return new Verdict(false, blockedUntil - nowMillis, true);
    }
    if (minuteCount >= perMinute) {
      return new Verdict(false, windowEnd(nowMillis, MINUTE_MILLIS) - nowMillis, false);
    }
    return Verdict.ALLOW;
  }

  /** The index of the window of {@code length} milliseconds holding {@code nowMillis}. */
  static long window(long nowMillis, long length) {
    return Math.floorDiv(nowMillis, length);
  }

  static long windowEnd(long nowMillis, long length) {
    return (window(nowMillis, length) + 1) * length;
  }

  /**
   * @param retryAfterMillis when rejected, until the user may try again
   * @param startsBlock the rejection blocks the user for {@code retryAfterMillis}
   */
  record Verdict(boolean allowed, long retryAfterMillis, boolean startsBlock) {
    static final Verdict ALLOW = new Verdict(true, 0, false);
  }
}
