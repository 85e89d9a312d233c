package couponservice.coupon;

import couponservice.CborSerializable;

/** The answer to a reservation: the coupon as reserved and its reservation. */
public record ReservationReceipt(CouponView coupon, Reservation reservation) implements CborSerializable {}
