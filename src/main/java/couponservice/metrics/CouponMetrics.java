package couponservice.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The service's Prometheus metrics, one set per JVM (the client library's usual static registration),
 * served by {@code GET /metrics}. Coupon counts are counted where the read model applies the events, so
 * every event is counted once in the cluster, on the node running its projection slice.
 */
public final class CouponMetrics {
  private CouponMetrics() {}

  private static final PrometheusRegistry REGISTRY = PrometheusRegistry.defaultRegistry;
  private static final double[] LATENCY_BUCKETS =
      {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  public static final Histogram HTTP_REQUESTS = Histogram.builder()
      .classicOnly()
      .name("http_server_requests_seconds")
      .help("HTTP requests by route template, method and status: count and latency")
      .labelNames("route", "method", "status")
      .classicUpperBounds(LATENCY_BUCKETS)
      .register(REGISTRY);

  /** One answered request, started at {@code startedNanos} ({@link System#nanoTime}). */
  public static void observeRequest(String route, String method, int status, long startedNanos) {
    HTTP_REQUESTS.labelValues(route, method, Integer.toString(status)).observe((System.nanoTime() - startedNanos) / 1e9);
  }

  public static final Counter COUPONS = Counter.builder()
      .name("coupons_total")
      .help("Coupon transitions applied to the read model, by event: issued, reserved, released, used, expired, cancelled")
      .labelNames("event")
      .register(REGISTRY);

  public static final Histogram JOURNAL_WRITES = Histogram.builder()
      .classicOnly()
      .name("journal_write_seconds")
      .help("Latency of one journal write (a batch of events in one statement)")
      .classicUpperBounds(LATENCY_BUCKETS)
      .register(REGISTRY);

  public static final Histogram JOURNAL_WRITE_EVENTS = Histogram.builder()
      .classicOnly()
      .name("journal_write_events")
      .help("Events per journal write")
      .classicUpperBounds(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
      .register(REGISTRY);

  public static final Histogram PROJECTION_LAG = Histogram.builder()
      .classicOnly()
      .name("projection_lag_seconds")
      .help("Time from an event's write to its projection into the read model or onto Kafka, per group of events")
      .labelNames("projection")
      .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60)
      .register(REGISTRY);

  public static final Gauge KAFKA_CONSUMER_LAG = Gauge.builder()
      .name("kafka_consumer_lag_records")
      .help("Records not yet consumed by this node's consumer, by topic (from the consumer's own records-lag)")
      .labelNames("topic")
      .register(REGISTRY);

  public static final Counter KAFKA_CONSUMER_RESTARTS = Counter.builder()
      .name("kafka_consumer_restarts_total")
      .help("Consumer streams started again from the committed offsets after a failure, by consumer")
      .labelNames("consumer")
      .register(REGISTRY);

  public static final Counter RATE_LIMIT = Counter.builder()
      .name("issue_rate_limit_total")
      .help("Issuance rate-limit decisions that were not a plain allow: rejected, degraded (limiter unavailable)")
      .labelNames("outcome")
      .register(REGISTRY);

  /** Every metric of this JVM in the Prometheus text format. */
  public static byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      PrometheusTextFormatWriter.create().write(out, REGISTRY.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
