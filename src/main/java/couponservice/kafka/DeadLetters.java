package couponservice.kafka;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pekko.Done;
import org.apache.pekko.kafka.javadsl.SendProducer;

/**
 * Sends a message that cannot be applied to {@code {topic}.DLQ}: the original key and value, and
 * headers {@code dlq-error}, {@code dlq-original-topic}, {@code dlq-original-partition},
 * {@code dlq-original-offset}. The one place a record is dead-lettered, and where its headers are named.
 */
public final class DeadLetters {
  public static final String ERROR_HEADER = "dlq-error";
  public static final String ORIGINAL_TOPIC_HEADER = "dlq-original-topic";
  public static final String ORIGINAL_PARTITION_HEADER = "dlq-original-partition";
  public static final String ORIGINAL_OFFSET_HEADER = "dlq-original-offset";
  /** On a dead letter produced again to its original topic: the id of the dead letter it replays. */
  public static final String REPLAY_OF_HEADER = "dlq-replay-of";

  private final SendProducer<byte[], byte[]> producer;

  public DeadLetters(SendProducer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  public CompletionStage<Done> send(ConsumerRecord<byte[], byte[]> record, String reason) {
    ProducerRecord<byte[], byte[]> dead =
        new ProducerRecord<>(record.topic() + Topics.DLQ_SUFFIX, record.key(), record.value());
    dead.headers()
        .add(ERROR_HEADER, oneLine(reason).getBytes(StandardCharsets.UTF_8))
        .add(ORIGINAL_TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8))
        .add(ORIGINAL_PARTITION_HEADER, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8))
        .add(ORIGINAL_OFFSET_HEADER, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
    return producer.send(dead).thenApply(metadata -> Done.getInstance());
  }

  private static String oneLine(String reason) {
    String line = reason == null ? "unknown" : reason.replaceAll("[\\r\\n]+", " ");
    return line.length() > 500 ? line.substring(0, 500) : line;
  }
}
