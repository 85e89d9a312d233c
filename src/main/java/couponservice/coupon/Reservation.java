package couponservice.coupon;

import couponservice.CborSerializable;
import java.math.BigDecimal;
import java.time.Instant;

/** A coupon held for an order until payment confirms it, it is released, or it times out. */
public record Reservation(
    String reservationId,
    String orderId,
    BigDecimal orderAmount,
    BigDecimal discountAmount,
    Instant reservedAt,
    Instant expiresAt)
    implements CborSerializable {

  public boolean isOverdueAt(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
