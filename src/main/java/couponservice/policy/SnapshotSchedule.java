package couponservice.policy;

/**
 * When a policy snapshots. A snapshot costs the whole ledger (tens of MB for millions of coupons) and
 * replay costs the coupons issued since the last one, so snapshots come at issued counts that grow
 * geometrically: each snapshot is paid for by at least half as many new coupons, and a recovery replays
 * at most a third of the ledger. Every {@link #EVENT_INTERVAL}-th event snapshots too, which bounds the
 * number of journal rows replayed when batches are small.
 */
final class SnapshotSchedule {
  static final long FIRST_THRESHOLD = 20_000;
  static final long EVENT_INTERVAL = 5_000;

  private SnapshotSchedule() {}

  /** Whether a batch that took the issued count from {@code before} to {@code after} passed a threshold. */
  static boolean crossesThreshold(long before, long after) {
    long threshold = FIRST_THRESHOLD;
    while (threshold <= before) {
      threshold = next(threshold);
    }
    return threshold <= after;
  }

  static boolean dueAtSequenceNr(long sequenceNr) {
    return sequenceNr % EVENT_INTERVAL == 0;
  }

  static long next(long threshold) {
    return threshold + Math.max(FIRST_THRESHOLD, threshold / 2);
  }
}
