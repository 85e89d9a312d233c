package couponservice.policy;

import java.util.EnumSet;
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
}
