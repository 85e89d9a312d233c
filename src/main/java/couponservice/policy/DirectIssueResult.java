package couponservice.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import couponservice.CborSerializable;
import couponservice.ErrorCode;
import java.util.List;

/** The answer to an admin batch issuance: one entry per requested user, in request order. */
public record DirectIssueResult(int totalRequested, int successCount, int failureCount, List<Entry> results)
    implements CborSerializable {

  static DirectIssueResult of(List<Entry> results) {
    int successes = (int) results.stream().filter(e -> e.couponId() != null).count();
    return new DirectIssueResult(results.size(), successes, results.size() - successes, results);
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(long userId, Long couponId, String status, ErrorCode errorCode) {
    static Entry success(long userId, long couponId) {
      return new Entry(userId, couponId, "SUCCESS", null);
    }

    static Entry failure(long userId, ErrorCode errorCode) {
      return new Entry(userId, null, "FAILED", errorCode);
    }
  }
}
