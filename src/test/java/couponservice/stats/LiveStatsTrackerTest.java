package couponservice.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.readside.StatisticsReadModel.LivePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveStatsTrackerTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aChangeYieldsEveryActivePolicyWithRemainingStockAndTheIssueRate() {
    LiveStatsTracker tracker = new LiveStatsTracker();
    List<PolicyStats> first = tracker.next(List.of(new LivePolicy(1, 100, 1_000L, 3, 2),
        new LivePolicy(2, 5, null, 0, 0)), SECOND).orElseThrow();
    assertEquals(900, first.get(0).remaining());
    assertEquals(0, first.get(0).issuedPerSecond(), "no rate from a single reading");
    assertNull(first.get(1).remaining(), "unlimited stock");

    List<PolicyStats> second = tracker.next(List.of(new LivePolicy(1, 350, 1_000L, 3, 2),
        new LivePolicy(2, 5, null, 0, 0)), 3 * SECOND).orElseThrow();
    assertEquals(125.0, second.get(0).issuedPerSecond());
    assertEquals(650, second.get(0).remaining());
    assertEquals(0, second.get(1).issuedPerSecond());
  }

  @Test
  void anUnchangedReadingYieldsNothing() {
    LiveStatsTracker tracker = new LiveStatsTracker();
    List<LivePolicy> reading = List.of(new LivePolicy(1, 10, 20L, 1, 1));
    assertTrue(tracker.next(reading, SECOND).isPresent());
    assertTrue(tracker.next(List.copyOf(reading), 2 * SECOND).isEmpty());
  }
}
