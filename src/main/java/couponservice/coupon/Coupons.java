package couponservice.coupon;

import couponservice.EntityAnswers;
import couponservice.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The coupon feature on a node: the coupon entities and the reservation index, sharded, and the sweeps that end
 * reservations and coupons whose timers died; and what other features need — finding a reservation's coupon.
 */
public final class Coupons {
  private final ClusterSharding sharding;
  private final ReservationLookup reservations;

  private Coupons(ClusterSharding sharding, ReservationLookup reservations) {
    this.sharding = sharding;
    this.reservations = reservations;
  }

  /** {@code terms}: where a coupon reads what its policy issued; {@code readModel}: what the sweeps search. */
  public static Coupons start(ActorSystem<?> system, CouponSettings settings, Clock clock, Coupon.TermsSource terms,
      CouponQueries readModel, Duration askTimeout, Executor blocking) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Executor dispatcher = system.executionContext();
    ReservationIndex.init(sharding, clock, settings.reservationIndexRetention());
    Coupon.ReservationClaims claims = (reservationId, couponId) -> EntityAnswers.onDispatcher(sharding
        .entityRefFor(ReservationIndex.ENTITY_KEY, ReservationIndex.sliceOf(reservationId, settings.reservationIndexSlices()))
        .<Outcome<Long>>ask(replyTo -> new ReservationIndex.Claim(reservationId, couponId, replyTo), askTimeout),
        dispatcher);
    Coupon.init(system, terms, claims, clock, settings);
    CouponSweeper.init(system, readModel, clock, settings, blocking);
    return new Coupons(sharding, new ReservationLookup(sharding, readModel, settings.reservationIndexSlices(), askTimeout,
        dispatcher, blocking));
  }

  /** The coupon a reservation id belongs to. */
  public CompletionStage<Outcome<Long>> couponOf(String reservationId) {
    return reservations.couponOf(reservationId);
  }

  public ReservationLookup reservations() {
    return reservations;
  }

  public EntityRef<Coupon.Command> coupon(long couponId) {
    return sharding.entityRefFor(Coupon.ENTITY_KEY, Long.toString(couponId));
  }
}
