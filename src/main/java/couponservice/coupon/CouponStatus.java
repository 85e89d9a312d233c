package couponservice.coupon;

/** The coupon state machine of API.md (seed 000 §6.1); USED, EXPIRED and CANCELLED are final. */
public enum CouponStatus {
  ISSUED,
  RESERVED,
  USED,
  EXPIRED,
  CANCELLED;

  public boolean isFinal() {
    return this == USED || this == EXPIRED || this == CANCELLED;
  }
}
