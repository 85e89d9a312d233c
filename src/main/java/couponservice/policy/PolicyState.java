package couponservice.policy;

import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.policy.CouponPolicy.CouponsIssued;
import couponservice.policy.CouponPolicy.IssuanceJobEnded;
import couponservice.policy.CouponPolicy.IssuanceJobStarted;
import couponservice.policy.CouponPolicy.KeyedIssue;
import couponservice.policy.CouponPolicy.KeyedRefusal;
import couponservice.policy.CouponPolicy.KeyedRefusalsRecorded;
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
 * issues and refusals. Mutated in place by the event handler (a copy per event would cost the whole ledger);
 * snapshots go through {@link #toSnapshot()}, an immutable copy.
 *
 * <p>The empty state is never mutated: Pekko keeps the one instance for every recovery of the entity, including
 * the recovery after a failed write, which must start from nothing but the journal. The policy's first event
 * creates the state that later events mutate.
 */
public final class PolicyState {
  private final long policyId;
  private final Duration idempotencyRetention;
  private final int maxKeyedRefusals;
  private PolicyDefinition definition;
  private Instant createdAt;
  private Instant updatedAt;
  private boolean active;
  private Long maxIssueCount;
  private final CouponLedger ledger;
  /** Insertion order is issue order, so expired keys are pruned from the head. */
  private final LinkedHashMap<IdempotencyKey, Long> keyedIssues = new LinkedHashMap<>();
  /**
   * The same for refusals, oldest first. Unlike issues, which the stock bounds, refusals of a sold-out sale have
   * no bound but time, so at most {@code maxKeyedRefusals} are kept: past it the oldest are forgotten first (a retry
   * comes soon after its request, if at all), and their retries are decided afresh.
   */
  private final LinkedHashMap<IdempotencyKey, RememberedRefusal> keyedRefusals = new LinkedHashMap<>();
  /** The message of the last refusal remembered: a sold-out sale's refusals share one instance instead of a copy each. */
  private String lastRefusalMessage;
  /** The bulk jobs that started and have not ended, and the last chunk each applied (what a retry is answered). */
  private final Set<String> runningJobs = new HashSet<>();
  private final Map<String, CouponsIssued> lastJobChunks = new HashMap<>();
  /** A write of at most this many coupons means the policy is not under a rush. */
  private static final int QUIET_BATCH_SIZE = 10;

  /** Journal rows applied since the last stored snapshot (what a recovery would replay). */
  private long rowsSinceSnapshot;
  /**
   * When the policy last wrote a batch (coupons or keyed refusals) larger than a quiet one; not in snapshots (a
   * recovered policy is quiet).
   */
  private Instant lastLargeBatchAt;

  private PolicyState(long policyId, Duration idempotencyRetention, int maxKeyedRefusals, CouponLedger ledger) {
    this.policyId = policyId;
    this.idempotencyRetention = idempotencyRetention;
    this.maxKeyedRefusals = maxKeyedRefusals;
    this.ledger = ledger;
  }

  static PolicyState empty(long policyId, PolicySettings settings) {
    return new PolicyState(policyId, settings.idempotencyRetention(), settings.maxKeyedRefusals(), new CouponLedger());
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
    PolicyState created = new PolicyState(policyId, idempotencyRetention, maxKeyedRefusals, new CouponLedger());
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
      IdempotencyKey key = new IdempotencyKey(keyed.userId(), keyed.key());
      keyedIssues.put(key, keyed.sequence());
      // A key refused long enough ago is decided afresh: its new outcome is the one to answer.
      keyedRefusals.remove(key);
    }
    forgetKeysBefore(event.issuedAt().minus(idempotencyRetention));
    if (event.origin() != null && event.origin().kind() == IssueOrigin.Kind.JOB) {
      lastJobChunks.put(event.origin().jobId(), event);
    }
    updatedAt = event.issuedAt();
    wroteBatch(event.userIds().size(), event.issuedAt());
    return counted();
  }

  PolicyState onKeyedRefusals(KeyedRefusalsRecorded event) {
    long refusedAt = event.refusedAt().toEpochMilli();
    for (KeyedRefusal refusal : event.refusals()) {
      IdempotencyKey key = new IdempotencyKey(refusal.userId(), refusal.key());
      // Removed first, so that the map stays in order of time when a key past retention is refused again.
      keyedRefusals.remove(key);
      if (!refusal.message().equals(lastRefusalMessage)) {
        lastRefusalMessage = refusal.message();
      }
      keyedRefusals.put(key, new RememberedRefusal(key, refusal.code(), lastRefusalMessage, refusedAt));
    }
    forgetKeysBefore(event.refusedAt().minus(idempotencyRetention));
    forgetRefusalsBeyondLimit();
    wroteBatch(event.refusals().size(), event.refusedAt());
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

  /**
   * Whether {@code event} leaves the policy quiet: an event that is no batch does, and a batch of coupons or keyed
   * refusals does when it is small and no large one was written during {@code period} before it.
   */
  boolean isQuietWith(CouponPolicy.Event event, Duration period) {
    if (event instanceof CouponsIssued issued) {
      return isQuietWith(issued.userIds().size(), issued.issuedAt(), period);
    }
    if (event instanceof KeyedRefusalsRecorded refused) {
      return isQuietWith(refused.refusals().size(), refused.refusedAt(), period);
    }
    return true;
  }

  private boolean isQuietWith(int batchSize, Instant writtenAt, Duration period) {
    return batchSize <= QUIET_BATCH_SIZE
        && (lastLargeBatchAt == null || !writtenAt.isBefore(lastLargeBatchAt.plus(period)));
  }

  private void wroteBatch(int batchSize, Instant writtenAt) {
    if (batchSize > QUIET_BATCH_SIZE) {
      lastLargeBatchAt = writtenAt;
    }
  }

  private void forgetKeysBefore(Instant cutoff) {
    long cutoffMillis = cutoff.toEpochMilli();
    Iterator<Map.Entry<IdempotencyKey, Long>> oldestIssues = keyedIssues.entrySet().iterator();
    while (oldestIssues.hasNext() && ledger.issuedAtMillisOf(oldestIssues.next().getValue()) < cutoffMillis) {
      oldestIssues.remove();
    }
    Iterator<RememberedRefusal> oldestRefusals = keyedRefusals.values().iterator();
    while (oldestRefusals.hasNext() && oldestRefusals.next().refusedAtMillis() < cutoffMillis) {
      oldestRefusals.remove();
    }
  }

  private void forgetRefusalsBeyondLimit() {
    Iterator<RememberedRefusal> oldestFirst = keyedRefusals.values().iterator();
    for (int excess = keyedRefusals.size() - maxKeyedRefusals; excess > 0; excess--) {
      oldestFirst.next();
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

  /** The refusal answered to the request with {@code key}, unless it is past the idempotency retention at {@code now}. */
  <T> Optional<Outcome.Rejected<T>> keyedRefusal(IdempotencyKey key, Instant now) {
    RememberedRefusal refusal = keyedRefusals.get(key);
    if (refusal == null || refusal.refusedAt().plus(idempotencyRetention).isBefore(now)) {
      return Optional.empty();
    }
    return refuse(refusal.code(), refusal.message());
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

  // ---- snapshots ----

  PolicySnapshot toSnapshot() {
    List<KeyedIssue> keys = new ArrayList<>(keyedIssues.size());
    keyedIssues.forEach((key, sequence) -> keys.add(new KeyedIssue(key.userId(), key.key(), sequence)));
    return new PolicySnapshot(policyId, definition, createdAt, updatedAt, active, maxIssueCount, ledger.ownersCopy(),
        ledger.issuedAtCopy(), keys, List.copyOf(runningJobs), List.copyOf(lastJobChunks.values()),
        List.copyOf(keyedRefusals.values()));
  }

  static PolicyState fromSnapshot(PolicySnapshot snapshot, PolicySettings settings) {
    PolicyState state = new PolicyState(snapshot.policyId(), settings.idempotencyRetention(), settings.maxKeyedRefusals(),
        CouponLedger.restore(snapshot.owners(), snapshot.issuedAtMillis()));
    state.definition = snapshot.definition();
    state.createdAt = snapshot.createdAt();
    state.updatedAt = snapshot.updatedAt();
    state.active = snapshot.active();
    state.maxIssueCount = snapshot.maxIssueCount();
    snapshot.keyedIssues().forEach(k -> state.keyedIssues.put(new IdempotencyKey(k.userId(), k.key()), k.sequence()));
    state.runningJobs.addAll(snapshot.runningJobs());
    snapshot.lastJobChunks().forEach(chunk -> state.lastJobChunks.put(chunk.origin().jobId(), chunk));
    snapshot.keyedRefusals().forEach(refusal -> state.keyedRefusals.put(refusal.key(), refusal));
    state.forgetRefusalsBeyondLimit();
    return state;
  }
}
