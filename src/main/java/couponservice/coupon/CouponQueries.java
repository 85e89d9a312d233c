package couponservice.coupon;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the coupon lifecycle reads from the read model. The sweeps only trigger commands that each coupon decides
 * for itself; the reservation lookup is the fallback for reservations older than the index remembers.
 */
public interface CouponQueries {

  record OverdueReservation(long couponId, String reservationId) {}

  /** Reservations still pending past their expiry (their coupon's timer died with a passivation or restart). */
  List<OverdueReservation> overdueReservations(Instant now, int limit) throws SQLException;

  /** ISSUED coupons past their expiry date. */
  List<Long> expiredCoupons(Instant now, int limit) throws SQLException;

  Optional<Long> couponOfReservation(String reservationId) throws SQLException;
}
