package couponservice;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money rules of the contract: positive, at most 10,000,000,000, at most two decimals. */
public final class Money {
  public static final BigDecimal MAX = new BigDecimal("10000000000");

  private Money() {}

  /** Checks a required amount; {@code field} names it in the refusal. */
  public static BigDecimal requirePositive(String field, BigDecimal value) {
    if (value == null) {
      throw CouponException.invalid(field + " is required");
    }
    if (value.signum() <= 0 || value.compareTo(MAX) > 0) {
      throw CouponException.invalid(field + " must be greater than 0 and at most 10000000000");
    }
    return requireCents(field, value);
  }

  /** Checks an optional amount that may also be 0 (e.g. no minimum order). */
  public static BigDecimal requireNonNegativeOrNull(String field, BigDecimal value) {
    if (value == null) {
      return null;
    }
    if (value.signum() < 0 || value.compareTo(MAX) > 0) {
      throw CouponException.invalid(field + " must be between 0 and 10000000000");
    }
    return requireCents(field, value);
  }

  private static BigDecimal requireCents(String field, BigDecimal value) {
    BigDecimal normalized = value.stripTrailingZeros();
    if (normalized.scale() > 2) {
      throw CouponException.invalid(field + " must have at most 2 decimals");
    }
    return normalized.scale() < 0 ? normalized.setScale(0, RoundingMode.UNNECESSARY) : normalized;
  }
}
