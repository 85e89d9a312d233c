package couponservice.policy;

import couponservice.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Refusals answered to requests that carried an {@code Idempotency-Key}, so that a retry gets the same
 * answer. Refusals are never journaled (they change nothing and must not wait for a write), so this
 * memory is bounded and does not survive a restart; a retry after a restart is decided afresh.
 */
final class RecentRefusals {
  private static final int MAX_ENTRIES = 100_000;

  private record Refusal(Outcome.Rejected<IssuedCoupon> rejection, Instant at) {}

  private final Duration retention;
  private final LinkedHashMap<IdempotencyKey, Refusal> refusals = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<IdempotencyKey, Refusal> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  RecentRefusals(Duration retention) {
    this.retention = retention;
  }

  void remember(IdempotencyKey key, Outcome.Rejected<IssuedCoupon> rejection, Instant now) {
    refusals.put(key, new Refusal(rejection, now));
  }

  Optional<Outcome.Rejected<IssuedCoupon>> find(IdempotencyKey key, Instant now) {
    Refusal refusal = refusals.get(key);
    if (refusal == null) {
      return Optional.empty();
    }
    if (refusal.at().plus(retention).isBefore(now)) {
      refusals.remove(key);
      return Optional.empty();
    }
    return Optional.of(refusal.rejection());
  }
}
