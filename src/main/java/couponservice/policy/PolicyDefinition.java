package couponservice.policy;

import couponservice.CborSerializable;
import couponservice.CouponException;
import couponservice.Money;
import couponservice.TextRules;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The terms an admin gives a policy when creating it. Immutable afterwards, except the stock
 * ({@code maxIssueCount}) and the active flag, which live in {@link PolicyState}.
 */
public record PolicyDefinition(
    String couponName,
    String couponCode,
    DiscountType discountType,
    BigDecimal discountValue,
    BigDecimal minimumOrderAmount,
    BigDecimal maxDiscountAmount,
    DistributionType distributionType,
    Long maxIssueCount,
    int maxIssuePerUser,
    Integer validDays,
    Duration validDuration,
    Instant validFrom,
    Instant validUntil,
    String triggerEventType)
    implements CborSerializable {

  public static final int MAX_ISSUE_PER_USER = 1_000_000;
  public static final int MAX_VALID_DAYS = 36_500;
  private static final Pattern COUPON_CODE = Pattern.compile("[A-Za-z0-9_-]{1,50}");
  private static final Pattern TRIGGER_EVENT_TYPE = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  /**
   * Checks every rule of API.md "Coupon policies" and returns the definition with money normalized.
   *
   * @throws CouponException VALIDATION_FAILED naming the first offending field
   */
  public PolicyDefinition validated() {
    TextRules.requireText("couponName", couponName, 100);
    if (couponCode != null && !isWellFormedCode(couponCode)) {
      throw CouponException.invalid("couponCode must be 1-50 characters of A-Z a-z 0-9 _ -");
    }
    if (discountType == null) {
      throw CouponException.invalid("discountType is required (FIXED_AMOUNT or PERCENTAGE)");
    }
    BigDecimal value = Money.requirePositive("discountValue", discountValue);
    if (discountType == DiscountType.PERCENTAGE && value.compareTo(HUNDRED) > 0) {
      throw CouponException.invalid("discountValue of a PERCENTAGE discount must be at most 100");
    }
    BigDecimal minimumOrder = Money.requireNonNegativeOrNull("minimumOrderAmount", minimumOrderAmount);
    BigDecimal cap = maxDiscountAmount == null ? null : Money.requirePositive("maxDiscountAmount", maxDiscountAmount);
    if (distributionType == null) {
      throw CouponException.invalid("distributionType is required (CODE, DOWNLOAD, FIRST_COME, EVENT or DIRECT)");
    }
    if (distributionType == DistributionType.CODE && couponCode == null) {
      throw CouponException.invalid("couponCode is required for a CODE policy");
    }
    if (maxIssueCount != null && (maxIssueCount < 1 || maxIssueCount > CouponIds.MAX_SEQUENCE)) {
      throw CouponException.invalid("maxIssueCount must be between 1 and " + CouponIds.MAX_SEQUENCE);
    }
    if (distributionType == DistributionType.FIRST_COME && maxIssueCount == null) {
      throw CouponException.invalid("maxIssueCount is required for a FIRST_COME policy");
    }
    if (maxIssuePerUser < 1 || maxIssuePerUser > MAX_ISSUE_PER_USER) {
      throw CouponException.invalid("maxIssuePerUser must be between 1 and " + MAX_ISSUE_PER_USER);
    }
    if ((validDays == null) == (validDuration == null)) {
      throw CouponException.invalid("validDays: exactly one of validDays and validDuration must be given");
    }
    if (validDays != null && (validDays < 1 || validDays > MAX_VALID_DAYS)) {
      throw CouponException.invalid("validDays must be between 1 and " + MAX_VALID_DAYS);
    }
    if (validDuration != null
        && (validDuration.compareTo(Duration.ofMinutes(1)) < 0
            || validDuration.compareTo(Duration.ofDays(MAX_VALID_DAYS)) > 0)) {
      throw CouponException.invalid("validDuration must be an ISO-8601 duration between PT1M and " + MAX_VALID_DAYS + " days");
    }
    if (validFrom == null) {
      throw CouponException.invalid("validFrom is required");
    }
    if (validUntil == null) {
      throw CouponException.invalid("validUntil is required");
    }
    if (!validFrom.isBefore(validUntil)) {
      throw CouponException.invalid("validFrom must be before validUntil");
    }
    if (distributionType == DistributionType.EVENT) {
      if (triggerEventType == null) {
        throw CouponException.invalid("triggerEventType is required for an EVENT policy");
      }
    }
    if (triggerEventType != null && !TRIGGER_EVENT_TYPE.matcher(triggerEventType).matches()) {
      throw CouponException.invalid("triggerEventType must be 1-100 characters of A-Z a-z 0-9 _ . : -");
    }
    return new PolicyDefinition(
        couponName, couponCode, discountType, value, minimumOrder, cap, distributionType, maxIssueCount,
        maxIssuePerUser, validDays, validDuration, validFrom, validUntil, triggerEventType);
  }

  /** How long an issued coupon stays usable. */
  public Duration couponValidity() {
    return validDays != null ? Duration.ofDays(validDays) : validDuration;
  }

  /** The code as it is compared for uniqueness: case-insensitive. */
  public Optional<String> normalizedCode() {
    return Optional.ofNullable(couponCode).map(PolicyDefinition::normalizeCode);
  }

  /** Whether {@code code} could be a coupon code at all: 1-50 of A-Z a-z 0-9 _ -. */
  public static boolean isWellFormedCode(String code) {
    return COUPON_CODE.matcher(code).matches();
  }

  public static String normalizeCode(String code) {
    return code.toUpperCase(Locale.ROOT);
  }
}
