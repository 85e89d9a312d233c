package couponservice.jobs;

import couponservice.CborSerializable;
import couponservice.ErrorCode;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** The job representation of API.md, as answered by the job entity and by the read model. */
public record JobView(
    long jobId,
    long couponPolicyId,
    String name,
    String issuedBy,
    JobStatus status,
    long totalRequested,
    long processed,
    long successCount,
    long failureCount,
    Map<String, Long> failuresByCode,
    Instant createdAt,
    Instant startedAt,
    Instant completedAt)
    implements CborSerializable {

  static JobView of(JobState.Header header, JobStatus status, JobCounts counts, Instant completedAt) {
    return new JobView(header.jobId(), header.policyId(), header.name(), header.issuedBy(), status,
        header.totalRequested(), counts.processed(), counts.successCount(), counts.failureCount(),
        byName(counts.failuresByCode()), header.createdAt(), header.startedAt(), completedAt);
  }

  /** Failures keyed by code name, in name order. */
  public static Map<String, Long> byName(Map<ErrorCode, Long> failuresByCode) {
    Map<String, Long> byName = new TreeMap<>();
    failuresByCode.forEach((code, count) -> byName.put(code.name(), count));
    return byName;
  }
}
