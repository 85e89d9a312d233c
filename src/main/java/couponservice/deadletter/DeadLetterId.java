package couponservice.deadletter;

import couponservice.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names one record of a dead-letter topic: the consumed topic it came from, and the record's partition, offset and
 * timestamp in that topic's {@code .DLQ}. The timestamp tells a record from another at the same offset after the
 * dead-letter topic was deleted and created again. Clients see it as an opaque base64url string.
 */
public record DeadLetterId(String topic, int partition, long offset, long timestamp) {
  /** Far longer than any id this service gives out; anything longer is not decoded at all. */
  private static final int MAX_ENCODED_LENGTH = 200;
  private static final Pattern DECODED = Pattern.compile("([a-z0-9.]+)/(\\d{1,9})/(\\d{1,18})/(-1|\\d{1,18})");

  public String encoded() {
    String decoded = topic + "/" + partition + "/" + offset + "/" + timestamp;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded.getBytes(StandardCharsets.UTF_8));
  }

  /** The id {@code encoded} stands for, or empty when it is not one this service gives out. */
  public static Optional<DeadLetterId> parse(String encoded) {
    if (encoded == null || encoded.isEmpty() || encoded.length() > MAX_ENCODED_LENGTH) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Matcher parts = DECODED.matcher(decoded);
    if (!parts.matches() || !Topics.CONSUMED.contains(parts.group(1))) {
      return Optional.empty();
    }
    return Optional.of(new DeadLetterId(parts.group(1), Integer.parseInt(parts.group(2)),
        Long.parseLong(parts.group(3)), Long.parseLong(parts.group(4))));
  }
}
