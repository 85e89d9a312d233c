package couponservice.ratelimit;

import io.lettuce.core.RedisCommandExecutionException;
import java.util.regex.Pattern;

/**
 * Redis refused the rate limiter's connection: a wrong user name or password, none where Redis wants one, or an
 * ACL user without the commands it needs. A misconfiguration, not an outage, so it stops startup.
 */
public final class RedisAccessDenied extends RuntimeException {
  /** Redis' error replies to AUTH / HELLO that mean "not these credentials"; its other errors are not about access. */
  private static final Pattern REFUSAL = Pattern.compile("^(WRONGPASS|NOAUTH|NOPERM)\\b|^ERR\\b.*\\b(AUTH|password)\\b");

  RedisAccessDenied(String address, Throwable refusal) {
    super("Redis at " + address + " refused the issuance rate limiter (REDIS_USERNAME / REDIS_PASSWORD): "
        + refusalOf(refusal).getMessage(), refusal);
  }

  /** Whether a failed connection attempt was Redis answering no, rather than Redis not answering. */
  static boolean isRefusal(Throwable failure) {
    return refusalOf(failure) != null;
  }

  private static Throwable refusalOf(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof RedisCommandExecutionException && cause.getMessage() != null
          && REFUSAL.matcher(cause.getMessage()).find()) {
        return cause;
      }
    }
    return null;
  }
}
