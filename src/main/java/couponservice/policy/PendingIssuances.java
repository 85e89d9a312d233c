package couponservice.policy;

import couponservice.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issues decided since the last journal write started (group commit). They count against stock and
 * per-user limits at once and are written together; the requests that wait on them are answered when the
 * write is durable, or told that nothing was issued when it is known to have failed. Each origin's coupons
 * form a {@link Group} of contiguous sequences: the single issues of API callers share one group, each direct
 * issue has its own. The refusals of requests with an {@code Idempotency-Key} are written with them, so that a
 * retry is refused the same way after a restart too.
 */
final class PendingIssuances {

  /** A request waiting for the next write. */
  interface Waiting {
    /** The write is durable; {@code state} holds it. */
    void written(PolicyState state);

    /** The write is known not to have happened: nothing of it was issued. */
    void notWritten();
  }

  /** One origin's coupons in the next write. */
  static final class Group {
    private final IssueOrigin origin;
    private final List<Long> userIds = new ArrayList<>();
    private final List<String> correlationIds = new ArrayList<>();
    private final Map<IdempotencyKey, Integer> keyedOffsets = new HashMap<>();
    private final List<CouponPolicy.Refusal> refusals = new ArrayList<>();
    private long firstSequence;

    private Group(IssueOrigin origin) {
      this.origin = origin;
    }

    /** The sequence of the coupon at {@code offset}; known once the group is drained for writing. */
    long sequenceAt(int offset) {
      return firstSequence + offset;
    }

    IssueOrigin origin() {
      return origin;
    }

    List<Long> userIds() {
      return userIds;
    }

    /** One per coupon for requests (null where a caller sent none); none for an origin with one caller. */
    List<String> correlationIds() {
      return origin.kind() == IssueOrigin.Kind.REQUESTS ? correlationIds : null;
    }

    Map<IdempotencyKey, Integer> keyedOffsets() {
      return keyedOffsets;
    }

    /** Users of a bulk job's chunk that it could not issue to: recorded with the chunk, so a retry answers the same. */
    List<CouponPolicy.Refusal> refusals() {
      return refusals;
    }

    /** Whether the group is written even without a coupon: a job's chunk is recorded as applied either way. */
    boolean isRecorded() {
      return !userIds.isEmpty() || origin.kind() == IssueOrigin.Kind.JOB;
    }

    long firstSequence() {
      return firstSequence;
    }
  }

  /** The groups taken out for one write, in sequence order, the keyed refusals, and the requests waiting on it. */
  record Batch(List<Group> groups, List<CouponPolicy.KeyedRefusal> keyedRefusals, List<Waiting> waiting) {
    void written(PolicyState state) {
      waiting.forEach(w -> w.written(state));
    }

    void notWritten() {
      waiting.forEach(Waiting::notWritten);
    }
  }

  private List<Group> groups = new ArrayList<>();
  private Group requests;
  private Map<Long, Integer> perUser = new HashMap<>();
  private Map<IdempotencyKey, Outcome.Rejected<IssuedCoupon>> keyedRefusals = new LinkedHashMap<>();
  private List<Waiting> waiting = new ArrayList<>();
  private int size;

  /** Nothing to write: no coupon, no job chunk and no keyed refusal to record. */
  boolean isEmpty() {
    return size == 0 && keyedRefusals.isEmpty() && groups.stream().noneMatch(Group::isRecorded);
  }

  int size() {
    return size;
  }

  int countFor(long userId) {
    return perUser.getOrDefault(userId, 0);
  }

  /** The group the single issues of API callers join. */
  Group requests() {
    if (requests == null) {
      requests = newGroup(IssueOrigin.REQUESTS);
    }
    return requests;
  }

  /** A group of its own, for a batch with one origin (a direct issue). */
  Group newGroup(IssueOrigin origin) {
    Group group = new Group(origin);
    groups.add(group);
    return group;
  }

  /** Adds one coupon for {@code userId} to {@code group}; returns its offset there. */
  int add(Group group, long userId, IdempotencyKey key, String correlationId) {
    int offset = group.userIds.size();
    group.userIds.add(userId);
    group.correlationIds.add(correlationId);
    if (key != null) {
      group.keyedOffsets.put(key, offset);
    }
    perUser.merge(userId, 1, Integer::sum);
    size++;
    return offset;
  }

  /** The pending chunk {@code chunk} of job {@code jobId}, if it is pending. */
  Optional<Group> jobChunk(String jobId, long chunk) {
    return groups.stream()
        .filter(g -> g.origin.kind() == IssueOrigin.Kind.JOB && g.origin.jobId().equals(jobId) && g.origin.chunk() == chunk)
        .findFirst();
  }

  /** Where the pending coupon issued with {@code key} sits, if one is pending. */
  Optional<Integer> offsetOf(IdempotencyKey key) {
    return requests == null ? Optional.empty() : Optional.ofNullable(requests.keyedOffsets.get(key));
  }

  /** The request with {@code key} is refused: recorded with the next write. */
  void refuse(IdempotencyKey key, Outcome.Rejected<IssuedCoupon> refusal) {
    keyedRefusals.put(key, refusal);
  }

  /** The pending refusal of the request with {@code key}, if one is pending. */
  Optional<Outcome.Rejected<IssuedCoupon>> refusalOf(IdempotencyKey key) {
    return Optional.ofNullable(keyedRefusals.get(key));
  }

  void onWrite(Waiting request) {
    waiting.add(request);
  }

  /** Takes everything out for one write whose first coupon has sequence {@code firstSequence}. */
  Batch drain(long firstSequence) {
    long next = firstSequence;
    List<Group> nonEmpty = new ArrayList<>(groups.size());
    for (Group group : groups) {
      if (group.isRecorded()) {
        group.firstSequence = next;
        next += group.userIds.size();
        nonEmpty.add(group);
      }
    }
    List<CouponPolicy.KeyedRefusal> refused = new ArrayList<>(keyedRefusals.size());
    keyedRefusals.forEach((key, refusal) ->
        refused.add(new CouponPolicy.KeyedRefusal(key.userId(), key.key(), refusal.code(), refusal.message())));
    Batch batch = new Batch(nonEmpty, refused, waiting);
    groups = new ArrayList<>();
    requests = null;
    perUser = new HashMap<>();
    keyedRefusals = new LinkedHashMap<>();
    waiting = new ArrayList<>();
    size = 0;
    return batch;
  }
}
