package couponservice.coupon;

/**
 * Why a reservation or a coupon ended without use; the {@code data.reason} of {@code coupon.cancelled}.
 * The first three return a reserved coupon to ISSUED; the last two cancel the coupon for good.
 */
public enum EndReason {
  RESERVATION_TIMEOUT,
  PAYMENT_FAILED,
  RELEASED,
  ORDER_CANCELLED,
  ADMIN_CANCELLED;

  /** The order side gave the coupon back: a release repeated as the other of the two changes nothing. */
  public boolean givenBack() {
    return this == PAYMENT_FAILED || this == RELEASED;
  }
}
