package couponservice.ratelimit;

import couponservice.StartupException;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Per-user limit on coupon issuance: at most {@code perMinute} issuances per clock minute and {@code perHour}
 * per clock hour; the attempt that would exceed the hourly limit blocks the user for the block duration.
 *
 * <p>Rejected attempts are not counted toward the windows, so a client retrying after a 429 does not push
 * its own Retry-After further out; the one exception is the attempt crossing the hourly limit, which starts
 * the block.
 */
public interface IssueRateLimiter extends AutoCloseable {

  /** Never fails: when the backend cannot answer, the decision is degraded and follows the fail-open setting. */
  CompletionStage<RateLimitDecision> check(long userId);

  @Override
  void close();

  /** The limiter of a node; a Redis that refuses its credentials stops startup. */
  static IssueRateLimiter open(RateLimitSettings settings, Clock clock) throws StartupException {
    try {
      return create(settings, clock);
    } catch (RedisAccessDenied e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  /** Closes {@code limiter} once the node has stopped serving requests. */
  static void closeWith(ActorSystem<?> system, IssueRateLimiter limiter) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-rate-limiter",
        () -> CompletableFuture.supplyAsync(() -> {
          limiter.close();
          return Done.getInstance();
        }));
  }

  /** The limiter the settings ask for; {@code clock} drives the local backend only (Redis uses its own time). */
  static IssueRateLimiter create(RateLimitSettings settings, Clock clock) {
    if (!settings.enabled()) {
      return UnlimitedIssueRateLimiter.INSTANCE;
    }
    return switch (settings.backend()) {
      case REDIS -> new RedisIssueRateLimiter(settings);
      case LOCAL -> new LocalIssueRateLimiter(settings.rule(), clock);
    };
  }
}
