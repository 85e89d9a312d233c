package couponservice.deadletter;

import couponservice.kafka.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A dead letter as operators see it: where the message was consumed from ({@code topic}, {@code partition},
 * {@code offset} of the original record), its key and value, why it could not be applied, when it was
 * dead-lettered, and when it was replayed (null if never).
 *
 * <p>Key and value are given as text when they are UTF-8 (the JSON of the events), otherwise base64, as
 * {@code keyEncoding} / {@code valueEncoding} say, so that no byte of a poison message is lost in the listing.
 */
public record DeadLetter(
    String id,
    String topic,
    Integer partition,
    Long offset,
    String key,
    Encoding keyEncoding,
    String value,
    Encoding valueEncoding,
    String error,
    Instant deadLetteredAt,
    Instant replayedAt) {

  public enum Encoding {
    /** The bytes are UTF-8 text, given as they are. */
    TEXT,
    /** The bytes are not UTF-8 text; they are given in base64. */
    BASE64
  }

  /** Record {@code record} of the dead-letter topic of {@code topic} (a consumed topic's name, without prefix). */
  static DeadLetter of(String topic, ConsumerRecord<byte[], byte[]> record) {
    Payload key = Payload.of(record.key());
    Payload value = Payload.of(record.value());
    return new DeadLetter(
        new DeadLetterId(topic, record.partition(), record.offset(), record.timestamp()).encoded(),
        topic,
        number(header(record, DeadLetters.ORIGINAL_PARTITION_HEADER), Integer::valueOf),
        number(header(record, DeadLetters.ORIGINAL_OFFSET_HEADER), Long::valueOf),
        key.text(), key.encoding(),
        value.text(), value.encoding(),
        header(record, DeadLetters.ERROR_HEADER),
        record.timestamp() < 0 ? null : Instant.ofEpochMilli(record.timestamp()),
        null);
  }

  DeadLetter withReplayedAt(Instant at) {
    return new DeadLetter(id, topic, partition, offset, key, keyEncoding, value, valueEncoding, error, deadLetteredAt,
        at);
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static <T> T number(String text, Function<String, T> parse) {
    try {
      return text == null ? null : parse.apply(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Key or value as given to clients. */
  private record Payload(String text, Encoding encoding) {
    static Payload of(byte[] bytes) {
      if (bytes == null) {
        return new Payload(null, null);
      }
      String utf8 = utf8(bytes);
      return utf8 != null ? new Payload(utf8, Encoding.TEXT)
          : new Payload(Base64.getEncoder().encodeToString(bytes), Encoding.BASE64);
    }
  }

  /** The text of {@code bytes}, or null when they are not valid UTF-8. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
