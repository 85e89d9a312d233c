package couponservice.jobs;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Job ids: positive, at most 53 bits (exact as a JavaScript number, for the console), ordered by creation time —
 * milliseconds since 2020 above 10 random bits — so that newest first is highest id first. Two nodes may draw the
 * same id in the same millisecond; the job entity refuses a second submission under an id, and the submitter draws
 * again ({@link IssuanceJobs}), so no lock or registry is needed.
 */
final class JobIds {
  private static final long EPOCH_MILLIS = Instant.parse("2020-01-01T00:00:00Z").toEpochMilli();
  private static final int RANDOM_BITS = 10;
  private static final long MAX_ID = (1L << 53) - 1;

  private JobIds() {}

  static long next(Clock clock) {
    long millis = Math.max(0, clock.millis() - EPOCH_MILLIS);
    long id = (millis << RANDOM_BITS) | ThreadLocalRandom.current().nextLong(1L << RANDOM_BITS);
    return Math.max(1, id & MAX_ID);
  }

  /** When {@code jobId} was drawn, by the clock of the node that drew it. */
  static Instant drawnAt(long jobId) {
    return Instant.ofEpochMilli(EPOCH_MILLIS + (jobId >>> RANDOM_BITS));
  }
}
