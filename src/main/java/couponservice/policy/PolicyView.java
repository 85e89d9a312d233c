package couponservice.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import couponservice.CborSerializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/** The policy representation of API.md, as answered by the entity and by the read model. */
public record PolicyView(
    long policyId,
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
    String triggerEventType,
    @JsonProperty("isActive") boolean isActive,
    long currentIssueCount,
    Long remainingCount,
    Instant createdAt,
    Instant updatedAt)
    implements CborSerializable {

  public static PolicyView of(
      long policyId, PolicyDefinition d, boolean active, Long maxIssueCount, long issued, Instant createdAt, Instant updatedAt) {
    return new PolicyView(
        policyId, d.couponName(), d.couponCode(), d.discountType(), d.discountValue(), d.minimumOrderAmount(),
        d.maxDiscountAmount(), d.distributionType(), maxIssueCount, d.maxIssuePerUser(), d.validDays(),
        d.validDuration(), d.validFrom(), d.validUntil(), d.triggerEventType(), active, issued,
        maxIssueCount == null ? null : Math.max(0, maxIssueCount - issued), createdAt, updatedAt);
  }
}
