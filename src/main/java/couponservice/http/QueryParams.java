package couponservice.http;

import couponservice.CouponException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** Query parameters shared by the listings: {@code limit} and the opaque {@code cursor}. */
final class QueryParams {
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  private QueryParams() {}

  static int limit(Optional<String> value, int defaultLimit) {
    return integer("limit", value, defaultLimit, 1, MAX_LIMIT);
  }

  /** An integer parameter from {@code min} to {@code max}, {@code defaultValue} when absent. */
  static int integer(String name, Optional<String> value, int defaultValue, int min, int max) {
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.get());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw CouponException.invalid(name + " must be an integer from " + min + " to " + max);
  }

  /** Cursors are opaque to clients: base64url of what the listing resumes after. */
  static String encodeCursor(String position) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
  }

  static String decodeCursor(String cursor) {
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw CouponException.invalid("cursor is not a cursor returned by this API");
    }
  }

  static Long decodeIdCursor(Optional<String> cursor) {
    if (cursor.isEmpty() || cursor.get().isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(decodeCursor(cursor.get()));
    } catch (NumberFormatException e) {
      throw CouponException.invalid("cursor is not a cursor returned by this API");
    }
  }
}
