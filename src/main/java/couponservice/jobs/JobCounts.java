package couponservice.jobs;

import couponservice.CborSerializable;
import couponservice.ErrorCode;
import java.util.EnumMap;
import java.util.Map;

/** What a job has done so far: users issued a coupon, users refused, and the refusals by error code. */
public record JobCounts(long successCount, long failureCount, Map<ErrorCode, Long> failuresByCode)
    implements CborSerializable {

  public static final JobCounts NONE = new JobCounts(0, 0, Map.of());

  public long processed() {
    return successCount + failureCount;
  }

  /** These counts and one chunk's outcome: {@code errorCodes} has the refusal of each user, null where issued. */
  JobCounts plus(ErrorCode[] errorCodes) {
    Map<ErrorCode, Long> failures = failuresByCode.isEmpty() ? new EnumMap<>(ErrorCode.class) : new EnumMap<>(failuresByCode);
    long refused = 0;
    for (ErrorCode code : errorCodes) {
      if (code != null) {
        refused++;
        failures.merge(code, 1L, Long::sum);
      }
    }
    return new JobCounts(successCount + errorCodes.length - refused, failureCount + refused, Map.copyOf(failures));
  }
}
