package couponservice.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Issues decided since the last journal write started (group commit). They count against stock and
 * per-user limits at once, are written together as one {@link CouponPolicy.CouponsIssued} event, and their
 * callers are answered when that write is durable.
 */
final class PendingIssuances {

  /** Answers callers once the batch is written; {@code firstSequence} is the batch's first coupon. */
  interface Completion {
    void written(PolicyState state, long firstSequence);
  }

  /** A batch taken out for writing. */
  record Batch(List<Long> userIds, Map<IdempotencyKey, Integer> keyedOffsets, List<Completion> completions) {
    void complete(PolicyState state, long firstSequence) {
      completions.forEach(c -> c.written(state, firstSequence));
    }
  }

  private List<Long> userIds = new ArrayList<>();
  private Map<Long, Integer> perUser = new HashMap<>();
  private Map<IdempotencyKey, Integer> keyedOffsets = new HashMap<>();
  private List<Completion> completions = new ArrayList<>();

  boolean isEmpty() {
    return userIds.isEmpty();
  }

  int size() {
    return userIds.size();
  }

  int countFor(long userId) {
    return perUser.getOrDefault(userId, 0);
  }

  /** Adds one coupon for {@code userId}; returns its offset in the batch. */
  int add(long userId, IdempotencyKey key) {
    int offset = userIds.size();
    userIds.add(userId);
    perUser.merge(userId, 1, Integer::sum);
    if (key != null) {
      keyedOffsets.put(key, offset);
    }
    return offset;
  }

  OptionalInt offsetOf(IdempotencyKey key) {
    Integer offset = keyedOffsets.get(key);
    return offset == null ? OptionalInt.empty() : OptionalInt.of(offset);
  }

  void onWritten(Completion completion) {
    completions.add(completion);
  }

  Batch drain() {
    Batch batch = new Batch(userIds, keyedOffsets, completions);
    userIds = new ArrayList<>();
    perUser = new HashMap<>();
    keyedOffsets = new HashMap<>();
    completions = new ArrayList<>();
    return batch;
  }
}
