package couponservice.stats;

import couponservice.metrics.CouponMetrics;
import couponservice.readside.JobReadModel;
import couponservice.readside.StatisticsReadModel;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
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
 * The live view's feeds on this node — the active policies' figures and the bulk jobs' progress: one reading of the
 * read model per interval each, shared by every subscriber through a broadcast hub, so the database sees one query
 * per node per interval however many dashboards are open. A failed reading is logged and skipped; the feed goes on.
 */
public final class LiveStatistics {
  private static final Logger log = LoggerFactory.getLogger(LiveStatistics.class);
  /** How long a job that ended stays in the feed, so that dashboards see how it ended. */
  private static final Duration ENDED_JOBS_SHOWN = Duration.ofSeconds(10);

  private final Feed<PolicyStats> policies;
  private final Feed<JobProgress> jobs;

  private LiveStatistics(Feed<PolicyStats> policies, Feed<JobProgress> jobs) {
    this.policies = policies;
    this.jobs = jobs;
  }

  public static LiveStatistics start(ActorSystem<?> system, StatisticsReadModel readModel, JobReadModel jobReadModel,
      Executor blocking, Duration interval) {
    return new LiveStatistics(
        // /metrics shows each active policy's remaining stock (the sold-out signal).
        Feed.start(system, interval, blocking, readModel::activePolicies, LiveStatsTracker.policies()::next,
            policies -> CouponMetrics.policiesRemaining(remainingByPolicy(policies))),
        Feed.start(system, interval, blocking, () -> jobReadModel.active(Instant.now().minus(ENDED_JOBS_SHOWN)),
            LiveStatsTracker.jobs()::next, jobs -> { }));
  }

  private static Map<Long, Long> remainingByPolicy(List<PolicyStats> stats) {
    Map<Long, Long> remaining = new HashMap<>();
    stats.stream().filter(policy -> policy.remaining() != null)
        .forEach(policy -> remaining.put(policy.policyId(), policy.remaining()));
    return remaining;
  }

  /**
   * The latest figures of the active policies (when there are any), then each change of them. A subscriber that
   * reads slowly misses intermediate figures instead of holding the hub (and every other subscriber) back.
   */
  public Source<List<PolicyStats>, NotUsed> updates() {
    return policies.updates();
  }

  /** The same for the bulk jobs running now or just ended. */
  public Source<List<JobProgress>, NotUsed> jobUpdates() {
    return jobs.updates();
  }

  /**
   * One feed: readings turned into figures by a tracker ({@code reading, nanos -> figures if they changed}), each
   * change also handed to {@code onChange}.
   */
  private static final class Feed<T> {
    private final Source<List<T>, NotUsed> changes;
    private volatile List<T> latest = List.of();

    private Feed(Source<List<T>, NotUsed> changes) {
      this.changes = changes;
    }

    static <R, T> Feed<T> start(ActorSystem<?> system, Duration interval, Executor blocking, Callable<R> read,
        BiFunction<R, Long, Optional<List<T>>> tracker, Consumer<List<T>> onChange) {
      Source<List<T>, NotUsed> hub = Source.tick(Duration.ZERO, interval, "tick")
          .mapAsync(1, tick -> CompletableFuture.supplyAsync(() -> reading(read), blocking))
          .mapConcat(reading -> reading.flatMap(r -> tracker.apply(r, System.nanoTime())).map(List::of)
              .orElse(List.of()))
          .toMat(BroadcastHub.of(Feed.<T>listClass(), 2), Keep.right())
          .run(system);
      Feed<T> feed = new Feed<>(hub);
      // Keeps the hub draining while no one listens, and remembers the latest figures for new subscribers.
      hub.runWith(Sink.foreach(figures -> {
        feed.latest = figures;
        onChange.accept(figures);
      }), system);
      return feed;
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<List<T>> listClass() {
      return (Class<List<T>>) (Class<?>) List.class;
    }

    private static <R> Optional<R> reading(Callable<R> read) {
      try {
        return Optional.of(read.call());
      } catch (Exception e) {
        log.warn("live statistics reading failed: {}", e.toString());
        return Optional.empty();
      }
    }

    Source<List<T>, NotUsed> updates() {
      return Source.lazySingle(() -> latest).filter(figures -> !figures.isEmpty())
          .concat(changes.buffer(1, OverflowStrategy.dropHead()));
    }
  }
}
