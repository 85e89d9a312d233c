package couponservice.policy;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Policy entity settings ({@code coupon.policy} in coupon.conf). {@code maxKeyedRefusals}: the refusals of requests
 * with an {@code Idempotency-Key} a policy remembers at most; past it the oldest are forgotten first.
 */
public record PolicySettings(int tagSlices, Duration idempotencyRetention, int maxKeyedRefusals,
    int snapshotEveryEvents, Duration snapshotQuietPeriod, CouponTagSlices couponTags) {

  public static PolicySettings fromConfig(Config config) {
    Config policy = config.getConfig("coupon.policy");
    return new PolicySettings(policy.getInt("tag-slices"), policy.getDuration("idempotency-retention"),
        policy.getInt("max-keyed-refusals"), policy.getInt("snapshot-every-events"),
        policy.getDuration("snapshot-quiet-period"),
        CouponTagSlices.byCouponId(config.getInt("coupon.lifecycle.tag-slices")));
  }

  /** The same with the coupon slicing the database recorded. */
  public PolicySettings withCouponTags(CouponTagSlices tags) {
    return new PolicySettings(tagSlices, idempotencyRetention, maxKeyedRefusals, snapshotEveryEvents,
        snapshotQuietPeriod, tags);
  }

  public PolicySettings {
    if (idempotencyRetention.compareTo(Duration.ofHours(24)) < 0) {
      throw new IllegalArgumentException(
          "coupon.policy.idempotency-retention must be at least 24 hours (API.md), got " + idempotencyRetention);
    }
    if (maxKeyedRefusals < 1) {
      throw new IllegalArgumentException("coupon.policy.max-keyed-refusals must be positive, got " + maxKeyedRefusals);
    }
  }

  /**
   * The tags of an issuance event: its policy's; the coupon slice of each coupon it issued, so that each coupon's
   * projection and publisher meet the coupon's issue in the stream before the coupon's own events; and its batch's,
   * by which a coupon finds the event that issued it ({@link IssuedCoupons}).
   */
  public Set<String> tagsFor(CouponPolicy.CouponsIssued issued) {
    Set<String> tags = new HashSet<>();
    tags.add(tagFor(issued.policyId()));
    for (int i = 0; i < issued.userIds().size() && tags.size() <= couponTags.slices(); i++) {
      tags.add(couponTags.tagOf(issued.couponIdAt(i)));
    }
    if (!issued.userIds().isEmpty()) {
      tags.add(IssuedCoupons.batchTag(issued.policyId(), issued.firstSequence()));
    }
    return tags;
  }

  /** The tag of a policy's events; projections run one instance per tag. */
  public String tagFor(long policyId) {
    return "policy-" + (policyId % tagSlices);
  }

  public List<String> tags() {
    return IntStream.range(0, tagSlices).mapToObj(i -> "policy-" + i).toList();
  }
}
