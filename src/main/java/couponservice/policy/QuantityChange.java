package couponservice.policy;

import couponservice.CborSerializable;

/** The answer to {@code PATCH /api/coupon-policies/{id}/remaining-quantity}. */
public record QuantityChange(
    long couponPolicyId,
    Long previousMaxIssueCount,
    long newMaxIssueCount,
    long currentIssuedCount,
    long remainingCount,
    boolean success)
    implements CborSerializable {}
