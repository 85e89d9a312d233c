package couponservice.stats;

import couponservice.jobs.JobView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns successive readings of the live jobs into their progress events, with the coupons each issued per second
 * since the previous reading. A reading equal to the previous one yields nothing, so the stream is quiet while no job
 * moves.
 */
final class JobProgressTracker {
  private List<JobView> previous = List.of();
  private final Map<Long, Long> previousIssued = new HashMap<>();
  private long previousNanos;

  Optional<List<JobProgress>> next(List<JobView> reading, long nanos) {
    if (reading.equals(previous)) {
      return Optional.empty();
    }
    double seconds = previousNanos == 0 ? 0 : (nanos - previousNanos) / 1e9;
    List<JobProgress> progress = reading.stream().map(job -> {
      Long before = previousIssued.get(job.jobId());
      double rate = before == null || seconds <= 0 ? 0 : Math.max(0, job.successCount() - before) / seconds;
      return new JobProgress(job.jobId(), job.couponPolicyId(), job.status().name(), job.totalRequested(),
          job.processed(), job.successCount(), job.failureCount(), Math.round(rate * 10) / 10.0);
    }).toList();
    previous = reading;
    previousNanos = nanos;
    previousIssued.clear();
    reading.forEach(job -> previousIssued.put(job.jobId(), job.successCount()));
    return Optional.of(progress);
  }
}
