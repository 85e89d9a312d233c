package couponservice;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JacksonStdImpl;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * Writes an instant exactly as {@link DateTimeFormatter#ISO_INSTANT} does (seconds always, the fraction in groups
 * of three digits as needed, then Z), without the formatter. A wallet page holds a dozen instants, and going
 * through the formatter's print context was over a third of the CPU its JSON took. Marked as a standard
 * serializer because Blackbird reads a property whose serializer is custom through reflection instead of its
 * generated accessor.
 */
@JacksonStdImpl
final class IsoInstantSerializer extends StdSerializer<Instant> {
  private static final long SECONDS_PER_DAY = 86_400;

  IsoInstantSerializer() {
    super(Instant.class);
  }

  @Override
  public void serialize(Instant instant, JsonGenerator generator, SerializerProvider provider) throws IOException {
    char[] text = new char[30];
    int length = format(instant, text);
    if (length < 0) {
      generator.writeString(DateTimeFormatter.ISO_INSTANT.format(instant));
    } else {
      generator.writeString(text, 0, length);
    }
  }

  /** The ISO-8601 text of {@code instant} in {@code text}, and its length; -1 outside the years 0000-9999. */
  static int format(Instant instant, char[] text) {
    long seconds = instant.getEpochSecond();
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, SECONDS_PER_DAY));
    int year = date.getYear();
    if (year < 0 || year > 9999) {
      return -1;
    }
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    int at = digits(text, 0, year, 4);
    text[at++] = '-';
    at = digits(text, at, date.getMonthValue(), 2);
    text[at++] = '-';
    at = digits(text, at, date.getDayOfMonth(), 2);
    text[at++] = 'T';
    at = digits(text, at, secondOfDay / 3600, 2);
    text[at++] = ':';
    at = digits(text, at, secondOfDay / 60 % 60, 2);
    text[at++] = ':';
    at = digits(text, at, secondOfDay % 60, 2);
    int nanos = instant.getNano();
    if (nanos > 0) {
      text[at++] = '.';
      if (nanos % 1_000_000 == 0) {
        at = digits(text, at, nanos / 1_000_000, 3);
      } else if (nanos % 1_000 == 0) {
        at = digits(text, at, nanos / 1_000, 6);
      } else {
        at = digits(text, at, nanos, 9);
      }
    }
    text[at++] = 'Z';
    return at;
  }

  /** {@code value} as exactly {@code width} decimal digits (zero-padded) at {@code at}; the position after them. */
  private static int digits(char[] text, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }
}
