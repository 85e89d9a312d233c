package couponservice.kafka;

import couponservice.ErrorCode;
import couponservice.Outcome;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;

/**
 * Retries an entity command with backoff while it fails for a transient reason: the ask timed out
 * (a node or the database unavailable) or the entity answered SERVICE_UNAVAILABLE. Any other answer,
 * success or refusal, is final.
 */
final class Retries {
  private final ActorSystem<?> system;
  private final KafkaSettings settings;

  Retries(ActorSystem<?> system, KafkaSettings settings) {
    this.system = system;
    this.settings = settings;
  }

  <T> CompletionStage<Outcome<T>> untilFinal(Callable<CompletionStage<Outcome<T>>> attempt) {
    return Patterns.retry(attempt,
        (outcome, failure) -> failure != null
            || outcome instanceof Outcome.Rejected<T> rejected && rejected.code() == ErrorCode.SERVICE_UNAVAILABLE,
        settings.retryAttempts(), settings.retryMinBackoff(), settings.retryMaxBackoff(), 0.2, system);
  }
}
