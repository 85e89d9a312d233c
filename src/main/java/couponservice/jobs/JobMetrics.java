package couponservice.jobs;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A running job's progress on {@code /metrics}: coupons it issued on this node, so that {@code rate()} gives its
 * issued per second. A job's series goes when the job ends or leaves the node, so finished jobs do not pile up.
 */
final class JobMetrics {
  private static final Counter ISSUED = Counter.builder()
      .name("coupon_job_issued_total")
      .help("Coupons issued by a running bulk issuance job on this node, by job id")
      .labelNames("job")
      .register(PrometheusRegistry.defaultRegistry);

  private JobMetrics() {}

  static void issued(long jobId, long coupons) {
    ISSUED.labelValues(Long.toString(jobId)).inc(coupons);
  }

  static void forget(long jobId) {
    ISSUED.remove(Long.toString(jobId));
  }
}
