package couponservice.policy;

import couponservice.ErrorCode;
import java.time.Instant;

/** A refusal answered to a request with an Idempotency-Key, as its policy remembers it for the request's retries. */
public record RememberedRefusal(IdempotencyKey key, ErrorCode code, String message, long refusedAtMillis) {
  public Instant refusedAt() {
    return Instant.ofEpochMilli(refusedAtMillis);
  }
}
