package couponservice.policy;

import couponservice.CborSerializable;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * What a policy issued: the coupon, its owner and its terms, as a coupon entity reads them from the issuance
 * event on its first operation. Never changes after issuance.
 */
public record CouponTerms(
    long couponId,
    long policyId,
    long userId,
    String couponName,
    String couponCode,
    DiscountType discountType,
    BigDecimal discountValue,
    BigDecimal minimumOrderAmount,
    BigDecimal maxDiscountAmount,
    Instant issuedAt,
    Instant expiryDate)
    implements CborSerializable {

  public boolean isExpiredAt(Instant now) {
    return !now.isBefore(expiryDate);
  }
}
