package couponservice;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When an entity should stop working on an asked request: a little before the asker gives up, so that what it
 * decides is written and answered while someone still waits. A request decided later is dropped, since its asker
 * has been answered 503 ("nothing changed") by then.
 */
public final class AskDeadline {
  /** Time kept for writing and answering; at most a fifth of the ask timeout. */
  private static final Duration ANSWER_MARGIN = Duration.ofSeconds(1);

  private AskDeadline() {}

  public static Instant respondBy(Clock clock, Duration askTimeout) {
    Duration fifth = askTimeout.dividedBy(5);
    return clock.instant().plus(askTimeout).minus(ANSWER_MARGIN.compareTo(fifth) < 0 ? ANSWER_MARGIN : fifth);
  }
}
