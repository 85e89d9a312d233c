package couponservice.policy;

import java.util.List;
import java.util.stream.IntStream;

/**
 * How coupons' events are spread over the coupon tag slices, each served by one coupon projection and one publisher.
 * A coupon of a policy numbered {@code firstBlockPolicyId} or higher is in the slice of its block of
 * {@value #BLOCK} sequences: an issuance batch, consecutive sequences, then goes to one slice (two where it crosses a
 * block's end) instead of to every slice, and is read only by the projection and publisher of its coupons. Older
 * policies, created when a coupon's slice followed its id alone, keep that slicing: their coupons' earlier events
 * were tagged by it, and a coupon's events must stay in one slice, in order.
 *
 * @param firstBlockPolicyId the first policy created with block slicing; recorded once per database
 *     ({@code coupon_tag_blocks}), when the version that brought it first started there
 */
public record CouponTagSlices(int slices, long firstBlockPolicyId) {
  public static final long BLOCK = 1024;
  private static final String PREFIX = "coupon-";

  public CouponTagSlices {
    if (slices < 1) {
      throw new IllegalArgumentException("coupon.lifecycle.tag-slices must be positive, got " + slices);
    }
  }

  /** Every policy's coupons sliced by id: what the settings say until the database has told the first block policy. */
  public static CouponTagSlices byCouponId(int slices) {
    return new CouponTagSlices(slices, Long.MAX_VALUE);
  }

  public CouponTagSlices withFirstBlockPolicyId(long policyId) {
    return new CouponTagSlices(slices, policyId);
  }

  /** The tag of a coupon's events, and of the issuance events that issued it. */
  public String tagOf(long couponId) {
    long policyId = CouponIds.policyIdOf(couponId);
    long slice = policyId >= firstBlockPolicyId
        ? Math.floorMod(policyId + CouponIds.sequenceOf(couponId) / BLOCK, slices)
        : Math.floorMod(Long.hashCode(couponId), slices);
    return PREFIX + slice;
  }

  public List<String> tags() {
    return IntStream.range(0, slices).mapToObj(i -> PREFIX + i).toList();
  }
}
