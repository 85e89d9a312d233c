package couponservice.ratelimit;

import static couponservice.ratelimit.RateLimitRule.HOUR_MILLIS;
import static couponservice.ratelimit.RateLimitRule.MINUTE_MILLIS;
import static couponservice.ratelimit.RateLimitRule.window;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The issuance limit kept in this process, for the single-node dev profile (no Redis). Each user's windows
 * are replaced whole inside {@link ConcurrentHashMap#compute}, which serializes that user's attempts; users
 * whose windows and block are over are dropped once a minute, so memory follows the users of the last hour
 * plus the blocked ones.
 */
public final class LocalIssueRateLimiter implements IssueRateLimiter {
  private final ConcurrentHashMap<Long, UserWindows> users = new ConcurrentHashMap<>();
  private final RateLimitRule rule;
  private final Clock clock;
  private final AtomicLong nextSweepMillis;

  public LocalIssueRateLimiter(RateLimitRule rule, Clock clock) {
    this.rule = rule;
    this.clock = clock;
    this.nextSweepMillis = new AtomicLong(clock.millis() + MINUTE_MILLIS);
  }

  @Override
  public CompletionStage<RateLimitDecision> check(long userId) {
    long now = clock.millis();
    sweepIfDue(now);
    UserWindows after =
        users.compute(userId, (id, before) -> (before == null ? UserWindows.NONE : before).attempt(now, rule));
    return CompletableFuture.completedStage(after.decision());
  }

  @Override
  public void close() {
    users.clear();
  }

  /** Users currently remembered (for tests of the memory bound). */
  int trackedUsers() {
    return users.size();
  }

  private void sweepIfDue(long now) {
    long due = nextSweepMillis.get();
    if (now >= due && nextSweepMillis.compareAndSet(due, now + MINUTE_MILLIS)) {
      // computeIfPresent, not an iterator's remove: a user attempting meanwhile must not lose the update.
      users.keySet().forEach(id -> users.computeIfPresent(id, (key, windows) -> windows.expired(now) ? null : windows));
    }
  }

  /** A user's counts in the windows of their last attempt, with the decision on that attempt. */
  private record UserWindows(
      long minute, int minuteCount, long hour, int hourCount, long blockedUntil, RateLimitDecision decision) {
    static final UserWindows NONE = new UserWindows(Long.MIN_VALUE, 0, Long.MIN_VALUE, 0, 0, null);

    UserWindows attempt(long now, RateLimitRule rule) {
      if (blockedUntil > now) {
        RateLimitDecision blocked = RateLimitDecision.rejectedFor(blockedUntil - now);
        return new UserWindows(minute, minuteCount, hour, hourCount, blockedUntil, blocked);
      }
      long currentMinute = window(now, MINUTE_MILLIS);
      long currentHour = window(now, HOUR_MILLIS);
      int minuteSoFar = minute == currentMinute ? minuteCount : 0;
      int hourSoFar = hour == currentHour ? hourCount : 0;
      RateLimitRule.Verdict verdict = rule.judge(now, minuteSoFar, hourSoFar);
      if (verdict.allowed()) {
        return new UserWindows(
            currentMinute, minuteSoFar + 1, currentHour, hourSoFar + 1, 0, RateLimitDecision.ALLOWED);
      }
      long blockEnd = verdict.startsBlock() ? now + verdict.retryAfterMillis() : 0;
      return new UserWindows(currentMinute, minuteSoFar, currentHour, hourSoFar, blockEnd,
          RateLimitDecision.rejectedFor(verdict.retryAfterMillis()));
    }

    boolean expired(long now) {
      return blockedUntil <= now && hour < window(now, HOUR_MILLIS);
    }
  }
}
