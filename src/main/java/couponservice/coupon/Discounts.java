package couponservice.coupon;

import couponservice.ErrorCode;
import couponservice.policy.CouponTerms;
import couponservice.policy.DiscountType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * Discount math of API.md: FIXED_AMOUNT is {@code min(value, orderAmount)}; PERCENTAGE is
 * {@code orderAmount × value / 100}, capped at {@code maxDiscountAmount}; both rounded down to two
 * decimals. An order below {@code minimumOrderAmount} gets no discount.
 */
public final class Discounts {
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private Discounts() {}

  /** Why the order cannot use the coupon, if it cannot. */
  public static Optional<ErrorCode> refusal(CouponTerms terms, BigDecimal orderAmount) {
    BigDecimal minimum = terms.minimumOrderAmount();
    return minimum != null && orderAmount.compareTo(minimum) < 0
        ? Optional.of(ErrorCode.MINIMUM_ORDER_NOT_MET)
        : Optional.empty();
  }

  public static BigDecimal discount(CouponTerms terms, BigDecimal orderAmount) {
    BigDecimal discount = terms.discountType() == DiscountType.FIXED_AMOUNT
        ? terms.discountValue().min(orderAmount)
        : orderAmount.multiply(terms.discountValue()).divide(HUNDRED, 2, RoundingMode.DOWN);
    if (terms.discountType() == DiscountType.PERCENTAGE && terms.maxDiscountAmount() != null) {
      discount = discount.min(terms.maxDiscountAmount());
    }
    return plain(discount.setScale(2, RoundingMode.DOWN));
  }

  /** 10000.00 as 10000, 12.50 as 12.5: the JSON numbers of the contract. */
  static BigDecimal plain(BigDecimal amount) {
    BigDecimal stripped = amount.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0, RoundingMode.UNNECESSARY) : stripped;
  }
}
