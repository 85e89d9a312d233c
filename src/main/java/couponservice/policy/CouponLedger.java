package couponservice.policy;

import java.util.Arrays;

/**
 * Every coupon a policy issued, by sequence: its owner and issue time, plus how many coupons each user
 * holds. Coupon entities ask it who owns a coupon before their first operation, so the policy alone
 * decides which coupons exist. Mutable on purpose: it grows to millions of entries.
 */
final class CouponLedger {
  private long[] owners;
  private long[] issuedAtMillis;
  private int size;
  private final LongIntHashMap perUser;

  CouponLedger() {
    this(new long[16], new long[16], 0);
  }

  private CouponLedger(long[] owners, long[] issuedAtMillis, int size) {
    this.owners = owners;
    this.issuedAtMillis = issuedAtMillis;
    this.size = size;
    this.perUser = new LongIntHashMap(size);
    for (int i = 0; i < size; i++) {
      perUser.add(owners[i], 1);
    }
  }

  /** Rebuilds a ledger from a snapshot's arrays; per-user counts are derived, not stored. */
  static CouponLedger restore(long[] owners, long[] issuedAtMillis) {
    if (owners.length != issuedAtMillis.length) {
      throw new IllegalArgumentException("snapshot arrays differ in length");
    }
    int capacity = Math.max(16, owners.length);
    return new CouponLedger(Arrays.copyOf(owners, capacity), Arrays.copyOf(issuedAtMillis, capacity), owners.length);
  }

  int size() {
    return size;
  }

  int countFor(long userId) {
    return perUser.get(userId);
  }

  /** Appends the next coupon; its sequence is the new size. */
  void append(long userId, long issuedAt) {
    if (size == owners.length) {
      owners = Arrays.copyOf(owners, size * 2);
      issuedAtMillis = Arrays.copyOf(issuedAtMillis, size * 2);
    }
    owners[size] = userId;
    issuedAtMillis[size] = issuedAt;
    size++;
    perUser.add(userId, 1);
  }

  long issuedAtMillisOf(long sequence) {
    return issuedAtMillis[(int) sequence - 1];
  }

  long[] ownersCopy() {
    return Arrays.copyOf(owners, size);
  }

  long[] issuedAtCopy() {
    return Arrays.copyOf(issuedAtMillis, size);
  }
}
