package couponservice.stats;

import couponservice.metrics.CouponMetrics;
import couponservice.readside.StatisticsReadModel;
import couponservice.readside.StatisticsReadModel.LivePolicy;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.BroadcastHub;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live view's feed on this node: one reading of the read model per interval, shared by every
 * subscriber through a broadcast hub, so the database sees one query per node per interval however many
 * dashboards are open. A failed reading is logged and skipped; the feed goes on.
 */
public final class LiveStatistics {
  private static final Logger log = LoggerFactory.getLogger(LiveStatistics.class);

  private final Source<List<PolicyStats>, NotUsed> changes;
  private volatile List<PolicyStats> latest = List.of();

  private LiveStatistics(Source<List<PolicyStats>, NotUsed> changes) {
    this.changes = changes;
  }

  public static LiveStatistics start(ActorSystem<?> system, StatisticsReadModel readModel, Executor blocking,
      Duration interval) {
    LiveStatsTracker tracker = new LiveStatsTracker();
    Source<List<PolicyStats>, NotUsed> hub = Source.tick(Duration.ZERO, interval, "tick")
        .mapAsync(1, tick -> CompletableFuture.supplyAsync(() -> read(readModel), blocking))
        .mapConcat(reading -> reading.flatMap(policies -> tracker.next(policies, System.nanoTime()))
            .map(List::of).orElse(List.of()))
        .toMat(BroadcastHub.of(listClass(), 2), Keep.right())
        .run(system);
    LiveStatistics live = new LiveStatistics(hub);
    // Keeps the hub draining while no one listens, remembers the latest figures for new subscribers, and gives
    // /metrics each active policy's remaining stock (the sold-out signal).
    hub.runWith(Sink.foreach(stats -> {
      live.latest = stats;
      CouponMetrics.policiesRemaining(remainingByPolicy(stats));
    }), system);
    return live;
  }

  private static Map<Long, Long> remainingByPolicy(List<PolicyStats> stats) {
    Map<Long, Long> remaining = new HashMap<>();
    stats.stream().filter(policy -> policy.remaining() != null)
        .forEach(policy -> remaining.put(policy.policyId(), policy.remaining()));
    return remaining;
  }

  @SuppressWarnings("unchecked")
  private static Class<List<PolicyStats>> listClass() {
    return (Class<List<PolicyStats>>) (Class<?>) List.class;
  }

  private static Optional<List<LivePolicy>> read(StatisticsReadModel readModel) {
    try {
      return Optional.of(readModel.activePolicies());
    } catch (Exception e) {
      log.warn("live statistics reading failed: {}", e.toString());
      return Optional.empty();
    }
  }

  /**
   * The latest figures (when there are any), then each change of them. A subscriber that reads slowly
   * misses intermediate figures instead of holding the hub (and every other subscriber) back.
   */
  public Source<List<PolicyStats>, NotUsed> updates() {
    return Source.lazySingle(() -> latest).filter(stats -> !stats.isEmpty())
        .concat(changes.buffer(1, OverflowStrategy.dropHead()));
  }
}
