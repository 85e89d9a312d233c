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

  /** The same job, issued by {@code caller} unless the request named who issues. */
  public JobSubmission issuedByDefault(String caller) {
    return issuedBy != null ? this : new JobSubmission(policyId, name, caller, userIds);
  }

  /**
   * A digest of everything the job is asked to do (policy, name, issuedBy, the users in order): what tells a retry of
   * a submission from another submission under the same Idempotency-Key. Tens of milliseconds for a million users.
   */
  String fingerprint() {
    Sha256 digest = new Sha256().add(policyId).add(name).add(issuedBy).add(userIds.length);
    for (long userId : userIds) {
      digest.add(userId);
    }
    return digest.base64();
  }
}
