package couponservice.readside;

import java.util.List;

/** One page of a newest-first listing; {@code hasMore} when a row beyond {@code limit} exists. */
public record Page<T>(List<T> items, boolean hasMore) {

  /** From a query that fetched {@code limit + 1} rows. */
  static <T> Page<T> of(List<T> fetched, int limit) {
    return fetched.size() > limit ? new Page<>(List.copyOf(fetched.subList(0, limit)), true) : new Page<>(fetched, false);
  }

  public T last() {
    return items.get(items.size() - 1);
  }
}
