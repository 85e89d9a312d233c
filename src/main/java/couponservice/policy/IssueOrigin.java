package couponservice.policy;

import couponservice.CborSerializable;

/**
 * Who asked for a batch of coupons: API callers, one coupon each (their request ids are kept per coupon), or one
 * caller for the whole batch — an admin's direct issue, or chunk {@code chunk} of bulk job {@code jobId} — with the
 * name it gave and its request id.
 */
public record IssueOrigin(Kind kind, String issuedBy, String correlationId, String jobId, Long chunk)
    implements CborSerializable {

  public enum Kind {
    REQUESTS,
    DIRECT,
    JOB
  }

  public static final IssueOrigin REQUESTS = new IssueOrigin(Kind.REQUESTS, null, null, null, null);

  public static IssueOrigin direct(String issuedBy, String correlationId) {
    return new IssueOrigin(Kind.DIRECT, issuedBy, correlationId, null, null);
  }

  public static IssueOrigin jobChunk(String jobId, long chunk, String issuedBy, String correlationId) {
    return new IssueOrigin(Kind.JOB, issuedBy, correlationId, jobId, chunk);
  }
}
