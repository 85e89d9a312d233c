package couponservice.coupon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import couponservice.ErrorCode;
import couponservice.policy.CouponTerms;
import couponservice.policy.DiscountType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiscountsTest {

  private static CouponTerms terms(DiscountType type, String value, String minimum, String cap) {
    return new CouponTerms(1_000_000_001L, 1, 7, "c", null, type, new BigDecimal(value),
        minimum == null ? null : new BigDecimal(minimum), cap == null ? null : new BigDecimal(cap),
        Instant.EPOCH, Instant.EPOCH.plusSeconds(3600));
  }

  @ParameterizedTest(name = "{0} {1} of {4} (cap {3}) = {5}")
  @CsvSource(nullValues = "-", value = {
      "FIXED_AMOUNT, 10000, -, -, 100000, 10000",
      "FIXED_AMOUNT, 10000, -, -, 8000.5, 8000.5",
      "FIXED_AMOUNT, 0.01, -, -, 0.01, 0.01",
      "PERCENTAGE, 10, -, -, 100000, 10000",
      "PERCENTAGE, 10, -, 5000, 100000, 5000",
      "PERCENTAGE, 10, -, 5000, 30000, 3000",
      "PERCENTAGE, 15, -, -, 99.99, 14.99",
      "PERCENTAGE, 33.33, -, -, 10, 3.33",
      "PERCENTAGE, 12.5, -, -, 0.07, 0",
      "PERCENTAGE, 100, -, -, 1234.56, 1234.56",
      "PERCENTAGE, 10, -, 0.5, 100, 0.5"})
  void roundsDownToTwoDecimalsAndCaps(DiscountType type, String value, String minimum, String cap, String order,
      String expected) {
    assertEquals(new BigDecimal(expected), Discounts.discount(terms(type, value, minimum, cap), new BigDecimal(order)));
  }

  @ParameterizedTest(name = "order {0} against minimum {1}")
  @CsvSource(nullValues = "-", value = {"29999.99, 30000, MINIMUM_ORDER_NOT_MET", "30000, 30000, -", "1, 0, -", "1, -, -"})
  void anOrderBelowTheMinimumIsRefused(String order, String minimum, ErrorCode expected) {
    assertEquals(Optional.ofNullable(expected),
        Discounts.refusal(terms(DiscountType.FIXED_AMOUNT, "1000", minimum, null), new BigDecimal(order)));
  }
}
