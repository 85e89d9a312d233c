package couponservice.coupon;

import couponservice.Outcome;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The durable safety net of the coupon lifecycle, one per cluster (a cluster singleton). It searches
 * the read model for reservations pending past their expiry — whose entity timer died with a
 * passivation, a rebalance or a restart — and for ISSUED coupons past their expiry date, and sends each
 * coupon the command. It only triggers: every coupon decides for itself, so a row the read model still
 * shows, or a sweep that runs twice, changes nothing twice.
 */
public final class CouponSweeper {
  private static final int PARALLELISM = 16;

  public enum Sweep {
    RESERVATIONS,
    EXPIRY
  }

  interface Message {}

  private record Run(Sweep sweep) implements Message {}

  private record Finished(Sweep sweep, int commanded, Throwable failure) implements Message {}

  public static ActorRef<Message> init(ActorSystem<?> system, CouponQueries readModel, Clock clock,
      CouponSettings settings, Executor blocking) {
    Behavior<Message> sweeper = Behaviors.<Message>supervise(Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Sweep.RESERVATIONS, new Run(Sweep.RESERVATIONS), settings.reservationSweepInterval());
      timers.startTimerWithFixedDelay(Sweep.EXPIRY, new Run(Sweep.EXPIRY), settings.expirySweepInterval());
      return new CouponSweeper(ctx, ClusterSharding.get(system), readModel, clock, settings, blocking).idle(false, false);
    }))).onFailure(SupervisorStrategy.restart());
    return ClusterSingleton.get(system).init(SingletonActor.of(sweeper, "coupon-sweeper"));
  }

  private final ActorContext<Message> context;
  private final ClusterSharding sharding;
  private final CouponQueries readModel;
  private final Clock clock;
  private final CouponSettings settings;
  private final Executor blocking;

  private CouponSweeper(ActorContext<Message> context, ClusterSharding sharding, CouponQueries readModel, Clock clock,
      CouponSettings settings, Executor blocking) {
    this.context = context;
    this.sharding = sharding;
    this.readModel = readModel;
    this.clock = clock;
    this.settings = settings;
    this.blocking = blocking;
  }

  /** {@code reservationsRunning}/{@code expiryRunning}: a pass of that sweep is under way. */
  private Behavior<Message> idle(boolean reservationsRunning, boolean expiryRunning) {
    return Behaviors.receive(Message.class)
        .onMessage(Run.class, run -> {
          boolean running = run.sweep() == Sweep.RESERVATIONS ? reservationsRunning : expiryRunning;
          if (running) {
            return Behaviors.same();
          }
          context.pipeToSelf(pass(run.sweep()), (count, failure) -> new Finished(run.sweep(), count == null ? 0 : count, failure));
          return run.sweep() == Sweep.RESERVATIONS ? idle(true, expiryRunning) : idle(reservationsRunning, true);
        })
        .onMessage(Finished.class, finished -> {
          if (finished.failure() != null) {
            context.getLog().warn("{} sweep failed: {}", finished.sweep(), finished.failure().toString());
          } else if (finished.commanded() > 0) {
            context.getLog().info("{} sweep sent {} coupons their command", finished.sweep(), finished.commanded());
          }
          if (finished.failure() == null && finished.commanded() >= settings.sweepBatchSize()) {
            context.getSelf().tell(new Run(finished.sweep()));
          }
          return finished.sweep() == Sweep.RESERVATIONS ? idle(false, expiryRunning) : idle(reservationsRunning, false);
        })
        .build();
  }

  /** One pass: a batch of rows from the read model, a command to each coupon; answers how many. */
  private CompletionStage<Integer> pass(Sweep sweep) {
    return sweep == Sweep.RESERVATIONS
        ? command(query(() -> readModel.overdueReservations(clock.instant(), settings.sweepBatchSize())),
            overdue -> coupon(overdue.couponId()).ask(
                replyTo -> new Coupon.TimeOutReservation(overdue.reservationId(), replyTo), Duration.ofSeconds(10)))
        : command(query(() -> readModel.expiredCoupons(clock.instant(), settings.sweepBatchSize())),
            couponId -> coupon(couponId).<Outcome<CouponView>>ask(Coupon.Expire::new, Duration.ofSeconds(10)));
  }

  private interface Query<T> {
    List<T> run() throws SQLException;
  }

  private <T> CompletionStage<List<T>> query(Query<T> query) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return query.run();
      } catch (SQLException e) {
        throw new IllegalStateException("sweep query failed", e);
      }
    }, blocking);
  }

  private <T> CompletionStage<Integer> command(CompletionStage<List<T>> rows,
      Function<T, CompletionStage<Outcome<CouponView>>> send) {
    Executor callbacks = context.getExecutionContext();
    return rows.thenComposeAsync(list -> Source.from(list)
        .mapAsyncUnordered(PARALLELISM, send::apply)
        .runWith(Sink.ignore(), context.getSystem())
        .thenApplyAsync((Done done) -> list.size(), callbacks), callbacks);
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Coupon.Command> coupon(long couponId) {
    return sharding.entityRefFor(Coupon.ENTITY_KEY, Long.toString(couponId));
  }
}
