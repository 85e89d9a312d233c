package couponservice.jobs;

import couponservice.CouponException;
import couponservice.policy.LongIntHashMap;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * A bulk job's users as a request lists them: 1 to {@value #MAX_USERS} distinct positive ids, kept in request order.
 * Each id is added with where the request has it (an index in a JSON array, a line of a CSV file), so that a refusal
 * names the place: the rule is written once for both formats.
 */
public final class UserIdList {
  public static final int MAX_USERS = 1_000_000;

  private final IntFunction<String> place;
  private final String emptyMessage;
  private final LongIntHashMap placeOf = new LongIntHashMap(1024);
  private long[] ids = new long[1024];
  private int size;

  /**
   * {@code place} describes where an id is ({@code i -> "userIds[" + i + "]"}); {@code emptyMessage} refuses a
   * request that lists no id.
   */
  public UserIdList(IntFunction<String> place, String emptyMessage) {
    this.place = place;
    this.emptyMessage = emptyMessage;
  }

  /** Adds the id found at {@code at}; 400 when it is not positive, repeats an earlier one or is one too many. */
  public void add(long userId, int at) {
    if (userId <= 0) {
      throw invalidAt(at);
    }
    if (size == MAX_USERS) {
      throw CouponException.invalid(place.apply(at) + ": a job takes at most " + MAX_USERS + " user ids");
    }
    int earlier = placeOf.get(userId);
    if (earlier != 0) {
      throw CouponException.invalid(place.apply(at) + ": the user id " + userId + " is already at "
          + place.apply(earlier - 1));
    }
    placeOf.add(userId, at + 1);
    if (size == ids.length) {
      ids = Arrays.copyOf(ids, Math.min(MAX_USERS, ids.length * 2));
    }
    ids[size++] = userId;
  }

  /** The refusal of what is at {@code at}: not a positive integer user id. */
  public CouponException invalidAt(int at) {
    return CouponException.invalid(place.apply(at) + " must be a positive integer user id");
  }

  /** The ids in request order; 400 when there is none. */
  public long[] ids() {
    if (size == 0) {
      throw CouponException.invalid(emptyMessage);
    }
    return Arrays.copyOf(ids, size);
  }
}
