package couponservice.policy;

import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.policy.CouponPolicy.CouponsIssued;
import couponservice.policy.CouponPolicy.IssuanceJobEnded;
import couponservice.policy.CouponPolicy.IssuanceJobStarted;
import couponservice.policy.CouponPolicy.KeyedIssue;
import couponservice.policy.CouponPolicy.MaxIssueCountChanged;
import couponservice.policy.CouponPolicy.PolicyActivationChanged;
import couponservice.policy.CouponPolicy.PolicyCreated;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a policy knows: its terms, stock, who holds which coupon, and the idempotency keys of recent
 * issues. Mutated in place by the event handler (a copy per event would cost the whole ledger);
 * snapshots go through {@link #toSnapshot()}, an immutable copy.
 *
 * <p>The empty state is never mutated: Pekko keeps the one instance for every recovery of the entity, including
 * the recovery after a failed write, which must start from nothing but the journal. The policy's first event
 * creates the state that later events mutate.
 */
public final class PolicyState {
  private final long policyId;
  private final Duration idempotencyRetention;
  private PolicyDefinition definition;
  private Instant createdAt;
  private Instant updatedAt;
  private boolean active;
  private Long maxIssueCount;
  private final CouponLedger ledger;
  /** Insertion order is issue order, so expired keys are pruned from the head. */
  private final LinkedHashMap<IdempotencyKey, Long> keyedIssues = new LinkedHashMap<>();
  /** The bulk jobs that started and have not ended, and the last chunk each applied (what a retry is answered). */
  private final Set<String> runningJobs = new HashSet<>();
  private final Map<String, CouponsIssued> lastJobChunks = new HashMap<>();
  /** A write of at most this many coupons means the policy is not under a rush. */
  private static final int QUIET_BATCH_SIZE = 10;

  /** Journal rows applied since the last stored snapshot (what a recovery would replay). */
  private long rowsSinceSnapshot;
  /** When the policy last issued a batch larger than a quiet one; not in snapshots (a recovered policy is quiet). */
  private Instant lastLargeBatchAt;

  private PolicyState(long policyId, Duration idempotencyRetention, CouponLedger ledger) {
    this.policyId = policyId;
    this.idempotencyRetention = idempotencyRetention;
    this.ledger = ledger;
  }

  static PolicyState empty(long policyId, Duration idempotencyRetention) {
    return new PolicyState(policyId, idempotencyRetention, new CouponLedger());
  }

  public boolean isCreated() {
    return definition != null;
  }

  public long policyId() {
    return policyId;
  }

  public PolicyDefinition definition() {
    return definition;
  }

  public boolean isActive() {
    return active;
  }

  public Long maxIssueCount() {
    return maxIssueCount;
  }

  public long issuedCount() {
    return ledger.size();
  }

  public int couponsHeldBy(long userId) {
    return ledger.countFor(userId);
  }

  // ---- event application ----

  PolicyState onCreated(PolicyCreated event) {
    PolicyState created = new PolicyState(policyId, idempotencyRetention, new CouponLedger());
    created.definition = event.definition();
    created.createdAt = event.createdAt();
    created.updatedAt = event.createdAt();
    created.active = true;
    created.maxIssueCount = event.definition().maxIssueCount();
    return created.counted();
  }

  PolicyState onIssued(CouponsIssued event) {
    long issuedAt = event.issuedAt().toEpochMilli();
    for (Long userId : event.userIds()) {
      ledger.append(userId, issuedAt);
    }
    for (KeyedIssue keyed : event.keyedIssues()) {
      keyedIssues.put(new IdempotencyKey(keyed.userId(), keyed.key()), keyed.sequence());
    }
    pruneKeysIssuedBefore(event.issuedAt().minus(idempotencyRetention));
    if (event.origin() != null && event.origin().kind() == IssueOrigin.Kind.JOB) {
      lastJobChunks.put(event.origin().jobId(), event);
    }
    updatedAt = event.issuedAt();
    if (isLarge(event)) {
      lastLargeBatchAt = event.issuedAt();
    }
    return counted();
  }

  PolicyState onActivationChanged(PolicyActivationChanged event) {
    active = event.active();
    updatedAt = event.at();
    return counted();
  }

  PolicyState onJobStarted(IssuanceJobStarted event) {
    runningJobs.add(event.jobId());
    return counted();
  }

  /** A job that ended sends no more chunks: its last one need not be remembered. */
  PolicyState onJobEnded(IssuanceJobEnded event) {
    runningJobs.remove(event.jobId());
    lastJobChunks.remove(event.jobId());
    return counted();
  }

  boolean isRunning(String jobId) {
    return runningJobs.contains(jobId);
  }

  PolicyState onMaxIssueCountChanged(MaxIssueCountChanged event) {
    maxIssueCount = event.newMaxIssueCount();
    updatedAt = event.at();
    return counted();
  }

  private PolicyState counted() {
    rowsSinceSnapshot++;
    return this;
  }

  long rowsSinceSnapshot() {
    return rowsSinceSnapshot;
  }

  void snapshotStored() {
    rowsSinceSnapshot = 0;
  }

  /** Whether {@code issued} is a small batch with no large one during {@code period} before it. */
  boolean isQuietWith(CouponsIssued issued, Duration period) {
    return !isLarge(issued) && (lastLargeBatchAt == null || !issued.issuedAt().isBefore(lastLargeBatchAt.plus(period)));
  }

  private static boolean isLarge(CouponsIssued issued) {
    return issued.userIds().size() > QUIET_BATCH_SIZE;
  }

  private void pruneKeysIssuedBefore(Instant cutoff) {
    long cutoffMillis = cutoff.toEpochMilli();
    Iterator<Map.Entry<IdempotencyKey, Long>> oldestFirst = keyedIssues.entrySet().iterator();
    while (oldestFirst.hasNext() && ledger.issuedAtMillisOf(oldestFirst.next().getValue()) < cutoffMillis) {
      oldestFirst.remove();
    }
  }

  // ---- decisions ----

  /** The most coupons this policy may ever issue. */
  long stockLimit() {
    return maxIssueCount == null ? CouponIds.MAX_SEQUENCE : maxIssueCount;
  }

  /** Why the policy cannot issue through {@code channel} right now, whoever asks. */
  <T> Optional<Outcome.Rejected<T>> refusalForChannel(IssueChannel channel, Instant now) {
    return channel.refusal(policyId, definition.distributionType(), active, definition.validFrom(),
        definition.validUntil(), now);
  }

  /**
   * Why {@code userId} cannot get one more coupon, counting {@code pendingForUser} of the user's and
   * {@code pendingTotal} coupons decided but not yet written.
   */
  <T> Optional<Outcome.Rejected<T>> refusalForUser(long userId, int pendingForUser, int pendingTotal) {
    int held = ledger.countFor(userId) + pendingForUser;
    if (held >= definition.maxIssuePerUser()) {
      return refuse(ErrorCode.COUPON_ALREADY_ISSUED,
          "user " + userId + " already holds " + held + " coupon(s) of policy " + policyId);
    }
    if (ledger.size() + pendingTotal >= stockLimit()) {
      return refuse(ErrorCode.COUPON_SOLD_OUT, "all " + stockLimit() + " coupons of policy " + policyId + " are issued");
    }
    return Optional.empty();
  }

  private static <T> Optional<Outcome.Rejected<T>> refuse(ErrorCode code, String message) {
    return Optional.of(new Outcome.Rejected<>(code, message));
  }

  Optional<CouponsIssued> lastChunkOf(String jobId) {
    return Optional.ofNullable(lastJobChunks.get(jobId));
  }

  OptionalLong sequenceIssuedFor(IdempotencyKey key) {
    Long sequence = keyedIssues.get(key);
    return sequence == null ? OptionalLong.empty() : OptionalLong.of(sequence);
  }

  // ---- views ----

  public PolicyView view() {
    return PolicyView.of(policyId, definition, active, maxIssueCount, ledger.size(), createdAt, updatedAt);
  }

  IssuedCoupon issuedCoupon(long sequence) {
    Instant issuedAt = Instant.ofEpochMilli(ledger.issuedAtMillisOf(sequence));
    return new IssuedCoupon(
        CouponIds.couponId(policyId, sequence), policyId, definition.couponName(), definition.discountType(),
        definition.discountValue(), "ISSUED", issuedAt.plus(definition.couponValidity()), issuedAt);
  }

  /** The terms of an issued coupon, if this policy issued it (and the issue is durable). */
  Optional<CouponTerms> couponTerms(long couponId) {
    long sequence = CouponIds.sequenceOf(couponId);
    if (CouponIds.policyIdOf(couponId) != policyId || !ledger.contains(sequence)) {
      return Optional.empty();
    }
    Instant issuedAt = Instant.ofEpochMilli(ledger.issuedAtMillisOf(sequence));
    return Optional.of(new CouponTerms(couponId, policyId, ledger.ownerOf(sequence), definition.couponName(),
        definition.couponCode(), definition.discountType(), definition.discountValue(), definition.minimumOrderAmount(),
        definition.maxDiscountAmount(), issuedAt, issuedAt.plus(definition.couponValidity())));
  }

  // ---- snapshots ----

  PolicySnapshot toSnapshot() {
    List<KeyedIssue> keys = new ArrayList<>(keyedIssues.size());
    keyedIssues.forEach((key, sequence) -> keys.add(new KeyedIssue(key.userId(), key.key(), sequence)));
    return new PolicySnapshot(policyId, definition, createdAt, updatedAt, active, maxIssueCount, ledger.ownersCopy(),
        ledger.issuedAtCopy(), keys, List.copyOf(runningJobs), List.copyOf(lastJobChunks.values()));
  }

  static PolicyState fromSnapshot(PolicySnapshot snapshot, Duration idempotencyRetention) {
    PolicyState state = new PolicyState(
        snapshot.policyId(), idempotencyRetention, CouponLedger.restore(snapshot.owners(), snapshot.issuedAtMillis()));
    state.definition = snapshot.definition();
    state.createdAt = snapshot.createdAt();
    state.updatedAt = snapshot.updatedAt();
    state.active = snapshot.active();
    state.maxIssueCount = snapshot.maxIssueCount();
    snapshot.keyedIssues().forEach(k -> state.keyedIssues.put(new IdempotencyKey(k.userId(), k.key()), k.sequence()));
    state.runningJobs.addAll(snapshot.runningJobs());
    snapshot.lastJobChunks().forEach(chunk -> state.lastJobChunks.put(chunk.origin().jobId(), chunk));
    return state;
  }
}
