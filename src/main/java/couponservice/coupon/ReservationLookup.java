package couponservice.coupon;

import couponservice.ErrorCode;
import couponservice.Outcome;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Finds the coupon of a reservation id, for confirm and release: in the {@link ReservationIndex} (exact
 * for every recent reservation), else in the read model (which by then has the older ones).
 */
public final class ReservationLookup {
  private final ClusterSharding sharding;
  private final CouponQueries readModel;
  private final int slices;
  private final Duration askTimeout;
  private final Executor callbacks;
  private final Executor blocking;

  public ReservationLookup(ClusterSharding sharding, CouponQueries readModel, int slices, Duration askTimeout,
      Executor callbacks, Executor blocking) {
    this.sharding = sharding;
    this.readModel = readModel;
    this.slices = slices;
    this.askTimeout = askTimeout;
    this.callbacks = callbacks;
    this.blocking = blocking;
  }

  public CompletionStage<Outcome<Long>> couponOf(String reservationId) {
    return sharding.entityRefFor(ReservationIndex.ENTITY_KEY, ReservationIndex.sliceOf(reservationId, slices))
        .<Outcome<Long>>ask(replyTo -> new ReservationIndex.Find(reservationId, replyTo), askTimeout)
        .thenComposeAsync(found -> found instanceof Outcome.Ok<Long>
            ? CompletableFuture.completedFuture(found)
            : CompletableFuture.supplyAsync(() -> inReadModel(reservationId), blocking), callbacks);
  }

  private Outcome<Long> inReadModel(String reservationId) {
    try {
      return readModel.couponOfReservation(reservationId)
          .<Outcome<Long>>map(Outcome::ok)
          .orElseGet(() -> Outcome.rejected(ErrorCode.RESERVATION_NOT_FOUND, "reservation " + reservationId + " does not exist"));
    } catch (SQLException e) {
      throw new IllegalStateException("reservation lookup failed", e);
    }
  }
}
