package couponservice.policy;

import couponservice.CborSerializable;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The terms every coupon of one issuance batch carries, as its policy issued them: what the coupon is worth and
 * until when. Written into the issuance event so that its consumers never ask the policy again.
 */
public record IssuedTerms(
    String couponName,
    String couponCode,
    DiscountType discountType,
    BigDecimal discountValue,
    BigDecimal minimumOrderAmount,
    BigDecimal maxDiscountAmount,
    Instant expiryDate)
    implements CborSerializable {

  /** The terms of coupons issued under {@code definition} at {@code issuedAt}. */
  public static IssuedTerms of(PolicyDefinition definition, Instant issuedAt) {
    return new IssuedTerms(definition.couponName(), definition.couponCode(), definition.discountType(),
        definition.discountValue(), definition.minimumOrderAmount(), definition.maxDiscountAmount(),
        issuedAt.plus(definition.couponValidity()));
  }

  /** One coupon of the batch, owned by {@code userId}. */
  public CouponTerms coupon(long couponId, long policyId, long userId, Instant issuedAt) {
    return new CouponTerms(couponId, policyId, userId, couponName, couponCode, discountType, discountValue,
        minimumOrderAmount, maxDiscountAmount, issuedAt, expiryDate);
  }
}
