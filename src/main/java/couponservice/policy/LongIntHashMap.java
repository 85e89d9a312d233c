package couponservice.policy;

/**
 * Open-addressing map from positive long keys to int counts. A flash-sale policy holds one entry per
 * user who got a coupon (millions); boxed {@code HashMap<Long, Integer>} would cost five times the memory.
 * A bulk job's user list is checked for repeated ids with one as well.
 */
public final class LongIntHashMap {
  private static final long EMPTY = 0L;

  private long[] keys;
  private int[] values;
  private int size;
  private int mask;

  public LongIntHashMap() {
    this(16);
  }

  public LongIntHashMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[capacity];
    values = new int[capacity];
    mask = capacity - 1;
  }

  public int size() {
    return size;
  }

  /** The count stored for {@code key}, 0 when absent. */
  public int get(long key) {
    int slot = slotOf(key);
    return keys[slot] == key ? values[slot] : 0;
  }

  /** Adds {@code delta} to the count of {@code key} and returns the new count. */
  public int add(long key, int delta) {
    if (key <= 0) {
      throw new IllegalArgumentException("keys are positive ids, got " + key);
    }
    int slot = slotOf(key);
    if (keys[slot] == EMPTY) {
      keys[slot] = key;
      size++;
      values[slot] = delta;
      if (size * 10 > keys.length * 6) {
        grow();
      }
      return delta;
    }
    values[slot] += delta;
    return values[slot];
  }

  private int slotOf(long key) {
    int slot = mix(key) & mask;
    while (keys[slot] != EMPTY && keys[slot] != key) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new int[oldKeys.length * 2];
    mask = keys.length - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        int slot = slotOf(oldKeys[i]);
        keys[slot] = oldKeys[i];
        values[slot] = oldValues[i];
      }
    }
  }

  private static int mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
