package couponservice.ratelimit;

/**
 * The answer to one issuance attempt.
 *
 * @param allowed whether the coupon may be issued
 * @param retryAfterSeconds when rejected, whole seconds until the user may try again (at least 1; the
 *     Retry-After header); 0 when allowed
 * @param degraded the limiter's backend could not answer and the fail-open / fail-closed setting decided
 */
public record RateLimitDecision(boolean allowed, long retryAfterSeconds, boolean degraded) {
  static final RateLimitDecision ALLOWED = new RateLimitDecision(true, 0, false);
  private static final RateLimitDecision DEGRADED_OPEN = new RateLimitDecision(true, 0, true);
  private static final RateLimitDecision DEGRADED_CLOSED = new RateLimitDecision(false, 1, true);

  /** Rejected until {@code millis} from now, rounded up so that a client honouring Retry-After is never early. */
  static RateLimitDecision rejectedFor(long millis) {
    return new RateLimitDecision(false, Math.max(1, (millis + 999) / 1000), false);
  }

  static RateLimitDecision degraded(boolean failOpen) {
    return failOpen ? DEGRADED_OPEN : DEGRADED_CLOSED;
  }
}
