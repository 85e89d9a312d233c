package couponservice.policy;

import couponservice.CborSerializable;
import java.math.BigDecimal;
import java.time.Instant;

/** The answer to a single issuance (API.md "Issuance", 201). */
public record IssuedCoupon(
    long couponId,
    long policyId,
    String couponName,
    DiscountType discountType,
    BigDecimal discountValue,
    String status,
    Instant expiryDate,
    Instant issuedAt)
    implements CborSerializable {}
