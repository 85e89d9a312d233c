package couponservice.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.jobs.JobStatus;
import couponservice.jobs.JobView;
import couponservice.readside.StatisticsReadModel.LivePolicy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveStatsTrackerTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aChangeYieldsEveryActivePolicyWithRemainingStockAndTheIssueRate() {
    LiveStatsTracker<LivePolicy, PolicyStats> tracker = LiveStatsTracker.policies();
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
    LiveStatsTracker<LivePolicy, PolicyStats> tracker = LiveStatsTracker.policies();
    List<LivePolicy> reading = List.of(new LivePolicy(1, 10, 20L, 1, 1));
    assertTrue(tracker.next(reading, SECOND).isPresent());
    assertTrue(tracker.next(List.copyOf(reading), 2 * SECOND).isEmpty());
  }

  @Test
  void aJobsProgressCarriesTheCouponsItIssuedPerSecond() {
    LiveStatsTracker<JobView, JobProgress> tracker = LiveStatsTracker.jobs();
    Instant at = Instant.parse("2026-06-01T12:00:00Z");
    JobView started = new JobView(9, 4, "VIP", "crm", JobStatus.RUNNING, 10_000, 2_000, 1_990, 10,
        Map.of("COUPON_ALREADY_ISSUED", 10L), at, at, null);
    assertEquals(0, tracker.next(List.of(started), SECOND).orElseThrow().get(0).issuedPerSecond());
    JobView ended = new JobView(9, 4, "VIP", "crm", JobStatus.COMPLETED, 10_000, 10_000, 9_990, 10,
        Map.of("COUPON_ALREADY_ISSUED", 10L), at, at, at.plusSeconds(4));
    JobProgress progress = tracker.next(List.of(ended), 5 * SECOND).orElseThrow().get(0);
    assertEquals(new JobProgress(9, 4, "COMPLETED", 10_000, 10_000, 9_990, 10, 2_000.0), progress);
    assertTrue(tracker.next(List.of(ended), 6 * SECOND).isEmpty());
  }
}
