package couponservice.jobs;

/**
 * What a client asks of a new bulk job: one coupon of policy {@code policyId} for each of {@code userIds} (checked by
 * {@link UserIdList}). {@code name} and {@code issuedBy} may be null.
 */
public record JobSubmission(long policyId, String name, String issuedBy, long[] userIds) {
  /** The longest job name. */
  public static final int MAX_NAME = 200;
  /** The longest {@code issuedBy}, as for a direct issue. */
  public static final int MAX_ISSUED_BY = 100;
}
