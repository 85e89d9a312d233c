package couponservice;

import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;

/** How every event-sourced entity meets a failing journal: restart, with backoff, and recover. */
public final class EntitySupervision {
  private EntitySupervision() {}

  public static final BackoffSupervisorStrategy ON_JOURNAL_FAILURE =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);
}
