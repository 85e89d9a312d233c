package couponservice.stats;

import couponservice.jobs.JobView;
import couponservice.readside.StatisticsReadModel.LivePolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Turns successive readings of the read model into the live view's figures, each with the rate of its count since
 * the previous reading: the active policies with their remaining stock and coupons issued per second, the bulk jobs
 * with the coupons they issued per second. A reading equal to the previous one yields nothing, so the stream is quiet
 * while nothing changes.
 *
 * @param <R> one item of a reading
 * @param <T> its figures
 */
final class LiveStatsTracker<R, T> {
  /** The figures of one item, given the rate of its count (per second, one decimal). */
  interface Figures<R, T> {
    T of(R item, double perSecond);
  }

  private final ToLongFunction<R> id;
  private final ToLongFunction<R> count;
  private final Figures<R, T> figures;
  private List<R> previous = List.of();
  private final Map<Long, Long> previousCounts = new HashMap<>();
  private long previousNanos;

  private LiveStatsTracker(ToLongFunction<R> id, ToLongFunction<R> count, Figures<R, T> figures) {
    this.id = id;
    this.count = count;
    this.figures = figures;
  }

  static LiveStatsTracker<LivePolicy, PolicyStats> policies() {
    return new LiveStatsTracker<>(LivePolicy::policyId, LivePolicy::issued, (p, rate) -> new PolicyStats(p.policyId(),
        p.issued(), p.maxIssueCount() == null ? null : Math.max(0, p.maxIssueCount() - p.issued()), p.reserved(),
        p.used(), rate));
  }

  static LiveStatsTracker<JobView, JobProgress> jobs() {
    return new LiveStatsTracker<>(JobView::jobId, JobView::successCount, (job, rate) -> new JobProgress(job.jobId(),
        job.couponPolicyId(), job.status().name(), job.totalRequested(), job.processed(), job.successCount(),
        job.failureCount(), rate));
  }

  Optional<List<T>> next(List<R> reading, long nanos) {
    if (reading.equals(previous)) {
      return Optional.empty();
    }
    double seconds = previousNanos == 0 ? 0 : (nanos - previousNanos) / 1e9;
    List<T> next = reading.stream().map(item -> {
      Long before = previousCounts.get(id.applyAsLong(item));
      double rate = before == null || seconds <= 0 ? 0 : Math.max(0, count.applyAsLong(item) - before) / seconds;
      return figures.of(item, Math.round(rate * 10) / 10.0);
    }).toList();
    previous = reading;
    previousNanos = nanos;
    previousCounts.clear();
    reading.forEach(item -> previousCounts.put(id.applyAsLong(item), count.applyAsLong(item)));
    return Optional.of(next);
  }
}
