package couponservice.deadletter;

import couponservice.CouponException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where the listing of one topic's dead letters goes on: per partition of the dead-letter topic, the offset of the
 * next record to list. A partition it does not name is read from its beginning. Opaque to clients (base64url).
 */
public record DeadLetterCursor(String topic, Map<Integer, Long> positions) {
  private static final String NOT_OURS = "cursor is not a cursor returned by this API for this topic";

  public DeadLetterCursor {
    positions = Map.copyOf(positions);
  }

  /** The cursor a client passed for {@code topic}; the first page when there is none. */
  public static DeadLetterCursor parse(String topic, Optional<String> cursor) {
    if (cursor.isEmpty() || cursor.get().isEmpty()) {
      return new DeadLetterCursor(topic, Map.of());
    }
    String decoded;
    try {
      decoded = new String(Base64.getUrlDecoder().decode(cursor.get()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw CouponException.invalid(NOT_OURS);
    }
    int separator = decoded.indexOf('|');
    if (separator < 0 || !decoded.substring(0, separator).equals(topic)) {
      throw CouponException.invalid(NOT_OURS);
    }
    Map<Integer, Long> positions = new TreeMap<>();
    String list = decoded.substring(separator + 1);
    try {
      for (String position : list.isEmpty() ? new String[0] : list.split(",")) {
        String[] parts = position.split(":", 2);
        long offset = Long.parseLong(parts[1]);
        if (offset < 0 || positions.put(Integer.parseInt(parts[0]), offset) != null) {
          throw CouponException.invalid(NOT_OURS);
        }
      }
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw CouponException.invalid(NOT_OURS);
    }
    return new DeadLetterCursor(topic, positions);
  }

  public String encoded() {
    String list = new TreeMap<>(positions).entrySet().stream()
        .map(position -> position.getKey() + ":" + position.getValue())
        .collect(Collectors.joining(","));
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((topic + "|" + list).getBytes(StandardCharsets.UTF_8));
  }

  /** The offset to list {@code partition} from: the cursor's, within what the partition still holds. */
  long start(int partition, long beginning, long end) {
    return Math.min(end, Math.max(beginning, positions.getOrDefault(partition, beginning)));
  }
}
