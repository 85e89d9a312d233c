package couponservice.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The service's Prometheus metrics, one set per JVM (the client library's usual static registration),
 * served by {@code GET /metrics}. Coupon counts are counted where the read model applies the events, so
 * every event is counted once in the cluster, on the node running its projection slice. Operators' dashboards and
 * alerts ({@code monitoring/}) use these names; a test checks that every name they use is served.
 *
 * <p>Sections: requests, coupons, journal and projections, Kafka, rate limit, policies' stock, connection pools,
 * cluster, JVM. A running bulk job's progress is registered by its own package ({@code jobs.JobMetrics}).
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

  public static final Counter KAFKA_DEAD_LETTERS = Counter.builder()
      .name("kafka_dead_letters_total")
      .help("Consumed records sent to their dead-letter topic ({topic}.DLQ), by the topic they were consumed from")
      .labelNames("topic")
      .register(REGISTRY);

  public static final Counter RATE_LIMIT = Counter.builder()
      .name("issue_rate_limit_total")
      .help("Issuance rate-limit decisions that were not a plain allow: rejected, degraded (limiter unavailable)")
      .labelNames("outcome")
      .register(REGISTRY);

  static {
    // From zero on, so that the first refusal or outage is an increase that alerts can see.
    RATE_LIMIT.initLabelValues("rejected");
    RATE_LIMIT.initLabelValues("degraded");
  }

  public static final Counter RESERVATION_TIMEOUTS = Counter.builder()
      .name("coupon_reservation_timeouts_total")
      .help("Reservations released because they were not confirmed in time, as applied to the read model")
      .register(REGISTRY);

  // Policies' stock, as the live statistics read it from the read model once a second.

  public static final Gauge POLICY_REMAINING = Gauge.builder()
      .name("coupon_policy_remaining")
      .help("Coupons an active policy with a maxIssueCount can still issue (0: sold out), from the read model")
      .labelNames("policy")
      .register(REGISTRY);

  private static final Set<String> policiesWithStock = new HashSet<>();

  /**
   * The remaining stock of every active policy that has a limit, by policy id. Policies missing from
   * {@code remainingByPolicy} (deactivated, or unlimited) lose their series, so the label set stays that of the
   * active policies.
   */
  public static synchronized void policiesRemaining(Map<Long, Long> remainingByPolicy) {
    Set<String> current = new HashSet<>();
    remainingByPolicy.forEach((policy, remaining) -> {
      String label = Long.toString(policy);
      current.add(label);
      POLICY_REMAINING.labelValues(label).set(remaining);
    });
    policiesWithStock.removeAll(current);
    policiesWithStock.forEach(POLICY_REMAINING::remove);
    policiesWithStock.clear();
    policiesWithStock.addAll(current);
  }

  // Connection pools: the journal's and the read model's (ConnectionPools), read at each scrape.

  static {
    GaugeWithCallback.builder()
        .name("hikaricp_connections_active")
        .help("Connections in use, by pool (journal, read-model)")
        .labelNames("pool")
        .callback(callback -> ConnectionPools.each((pool, bean) -> callback.call(bean.getActiveConnections(), pool)))
        .register(REGISTRY);
    GaugeWithCallback.builder()
        .name("hikaricp_connections_idle")
        .help("Connections open and not in use, by pool")
        .labelNames("pool")
        .callback(callback -> ConnectionPools.each((pool, bean) -> callback.call(bean.getIdleConnections(), pool)))
        .register(REGISTRY);
    GaugeWithCallback.builder()
        .name("hikaricp_connections_pending")
        .help("Threads waiting for a connection, by pool")
        .labelNames("pool")
        .callback(callback -> ConnectionPools.each((pool, bean) -> callback.call(bean.getThreadsAwaitingConnection(), pool)))
        .register(REGISTRY);
    GaugeWithCallback.builder()
        .name("hikaricp_connections_max")
        .help("The most connections the pool opens, by pool")
        .labelNames("pool")
        .callback(callback -> ConnectionPools.eachMaximum((pool, max) -> callback.call(max, pool)))
        .register(REGISTRY);
  }

  // Cluster membership and sharding as this node sees them (ClusterMetrics polls them).

  public static final Gauge CLUSTER_MEMBERS = Gauge.builder()
      .name("pekko_cluster_members")
      .help("Cluster members by status (joining, weakly_up, up, leaving, exiting, down, removed, ...), as this node sees them")
      .labelNames("status")
      .register(REGISTRY);

  public static final Gauge CLUSTER_UNREACHABLE_MEMBERS = Gauge.builder()
      .name("pekko_cluster_unreachable_members")
      .help("Members this node's failure detector (or another member's) marks unreachable")
      .register(REGISTRY);

  public static final Gauge SHARDING_SHARDS = Gauge.builder()
      .name("pekko_sharding_region_shards")
      .help("Shards hosted by this node's region, by entity type")
      .labelNames("entity_type")
      .register(REGISTRY);

  public static final Gauge SHARDING_ENTITIES = Gauge.builder()
      .name("pekko_sharding_region_entities")
      .help("Entities alive in this node's region, by entity type")
      .labelNames("entity_type")
      .register(REGISTRY);

  // The JVM: memory pools, GC pauses (jvm_gc_collection_seconds), threads, class loading, buffer pools.

  static {
    JvmMetrics.builder().register(REGISTRY);
  }

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
