package couponservice.policy;

import couponservice.ErrorCode;
import couponservice.Outcome;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** The ways a coupon is issued, and which distribution types each may issue (API.md "Issuance"). */
public enum IssueChannel {
  /** {@code POST /api/coupons/download}: by coupon code. */
  BY_CODE(EnumSet.of(DistributionType.CODE, DistributionType.DOWNLOAD)),
  /** {@code POST /api/coupon-policies/{id}/issue}: by policy id. */
  BY_POLICY(EnumSet.of(DistributionType.DOWNLOAD, DistributionType.FIRST_COME)),
  /** Admin batches: every type. */
  DIRECT(EnumSet.allOf(DistributionType.class)),
  /** {@code coupon.trigger.v1}. */
  EVENT(EnumSet.of(DistributionType.EVENT));

  private final Set<DistributionType> issues;

  IssueChannel(Set<DistributionType> issues) {
    this.issues = issues;
  }

  public boolean issues(DistributionType type) {
    return issues.contains(type);
  }

  /**
   * Why policy {@code policyId} cannot issue through this channel at {@code now}, whoever asks: its distribution type
   * is not issued this way, it is deactivated, or {@code now} is outside its window (both ends included). The policy
   * asks before it issues, and the code validation asks too, so that it never calls valid a code download refuses.
   */
  public <T> Optional<Outcome.Rejected<T>> refusal(long policyId, DistributionType type, boolean active,
      Instant validFrom, Instant validUntil, Instant now) {
    if (!issues(type)) {
      return refuse(ErrorCode.DISTRIBUTION_TYPE_MISMATCH,
          "policy " + policyId + " is a " + type + " policy and is not issued this way");
    }
    if (!active) {
      return refuse(ErrorCode.POLICY_INACTIVE, "policy " + policyId + " is deactivated");
    }
    if (now.isBefore(validFrom) || now.isAfter(validUntil)) {
      return refuse(ErrorCode.POLICY_INACTIVE, "policy " + policyId + " issues from " + validFrom + " until " + validUntil);
    }
    return Optional.empty();
  }

  private static <T> Optional<Outcome.Rejected<T>> refuse(ErrorCode code, String message) {
    return Optional.of(new Outcome.Rejected<>(code, message));
  }
}
