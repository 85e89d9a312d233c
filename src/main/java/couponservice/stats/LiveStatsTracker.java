package couponservice.stats;

import couponservice.readside.StatisticsReadModel.LivePolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns successive readings of the active policies into the live view's figures: remaining stock and
 * the issue rate since the previous reading. A reading equal to the previous one yields nothing, so the
 * stream is quiet while nothing changes.
 */
final class LiveStatsTracker {
  private List<LivePolicy> previous = List.of();
  private final Map<Long, Long> previousIssued = new HashMap<>();
  private long previousNanos;

  Optional<List<PolicyStats>> next(List<LivePolicy> reading, long nanos) {
    if (reading.equals(previous)) {
      return Optional.empty();
    }
    double seconds = previousNanos == 0 ? 0 : (nanos - previousNanos) / 1e9;
    List<PolicyStats> stats = reading.stream().map(p -> {
      Long before = previousIssued.get(p.policyId());
      double rate = before == null || seconds <= 0 ? 0 : Math.max(0, p.issued() - before) / seconds;
      Long remaining = p.maxIssueCount() == null ? null : Math.max(0, p.maxIssueCount() - p.issued());
      return new PolicyStats(p.policyId(), p.issued(), remaining, p.reserved(), p.used(), Math.round(rate * 10) / 10.0);
    }).toList();
    previous = reading;
    previousNanos = nanos;
    previousIssued.clear();
    reading.forEach(p -> previousIssued.put(p.policyId(), p.issued()));
    return Optional.of(stats);
  }
}
