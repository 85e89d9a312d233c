package couponservice.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The limiter when rate limiting is disabled: every attempt is allowed. */
enum UnlimitedIssueRateLimiter implements IssueRateLimiter {
  INSTANCE;

  // A completed stage that callers cannot complete, so one instance serves every check.
  private static final CompletionStage<RateLimitDecision> ALLOWED =
      CompletableFuture.completedStage(RateLimitDecision.ALLOWED);

  @Override
  public CompletionStage<RateLimitDecision> check(long userId) {
    return ALLOWED;
  }

  @Override
  public void close() {}
}
