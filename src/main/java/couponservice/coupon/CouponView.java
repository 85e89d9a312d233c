package couponservice.coupon;

import couponservice.CborSerializable;
import couponservice.policy.DiscountType;
import java.math.BigDecimal;
import java.time.Instant;

/** A coupon as {@code GET /api/coupons/{couponId}} answers it. */
public record CouponView(
    long couponId,
    long policyId,
    long userId,
    String couponName,
    DiscountType discountType,
    BigDecimal discountValue,
    BigDecimal minimumOrderAmount,
    BigDecimal maxDiscountAmount,
    CouponStatus status,
    Instant issuedAt,
    Instant expiryDate,
    String reservationId,
    String orderId,
    Instant reservedAt,
    Instant usedAt,
    BigDecimal discountAmount)
    implements CborSerializable {}
