package couponservice.policy;

import couponservice.policy.CouponPolicy.KeyedIssue;
import java.time.Instant;
import java.util.List;

/**
 * A policy's state as stored in the snapshot store: the ledger as two parallel arrays (owner and issue
 * time by coupon sequence), per-user counts derived on load; the keyed refusals oldest first. Written by {@link PolicySnapshotSerializer}.
 */
public record PolicySnapshot(
    long policyId,
    PolicyDefinition definition,
    Instant createdAt,
    Instant updatedAt,
    boolean active,
    Long maxIssueCount,
    long[] owners,
    long[] issuedAtMillis,
    List<KeyedIssue> keyedIssues,
    List<String> runningJobs,
    List<CouponPolicy.CouponsIssued> lastJobChunks,
    List<RememberedRefusal> keyedRefusals) {}
