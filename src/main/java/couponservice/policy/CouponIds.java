package couponservice.policy;

/**
 * Coupon ids are allocated by their policy: {@code policyId * 1,000,000,000 + sequence}. The id alone
 * names the policy that issued the coupon, replay yields the same ids, and ids stay below 2^53 so that
 * JavaScript clients read them exactly.
 */
public final class CouponIds {
  public static final long SEQUENCE_RANGE = 1_000_000_000L;
  public static final long MAX_SEQUENCE = SEQUENCE_RANGE - 1;
  public static final long MAX_POLICY_ID = ((1L << 53) - 1) / SEQUENCE_RANGE - 1;

  private CouponIds() {}

  public static long couponId(long policyId, long sequence) {
    return policyId * SEQUENCE_RANGE + sequence;
  }

  public static long policyIdOf(long couponId) {
    return couponId / SEQUENCE_RANGE;
  }

  public static long sequenceOf(long couponId) {
    return couponId % SEQUENCE_RANGE;
  }

  /** Whether the id could have been allocated at all (positive policy id and sequence). */
  public static boolean isWellFormed(long couponId) {
    return couponId > 0 && policyIdOf(couponId) >= 1 && policyIdOf(couponId) <= MAX_POLICY_ID && sequenceOf(couponId) >= 1;
  }
}
