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
 * {@code dlq-original-offset}.
 */
public final class DeadLetters {
  private final SendProducer<byte[], byte[]> producer;

  public DeadLetters(SendProducer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  public CompletionStage<Done> send(ConsumerRecord<byte[], byte[]> record, String reason) {
    ProducerRecord<byte[], byte[]> dead =
        new ProducerRecord<>(record.topic() + Topics.DLQ_SUFFIX, record.key(), record.value());
    dead.headers()
        .add("dlq-error", oneLine(reason).getBytes(StandardCharsets.UTF_8))
        .add("dlq-original-topic", record.topic().getBytes(StandardCharsets.UTF_8))
        .add("dlq-original-partition", Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8))
        .add("dlq-original-offset", Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
    return producer.send(dead).thenApply(metadata -> Done.getInstance());
  }

  private static String oneLine(String reason) {
    String line = reason == null ? "unknown" : reason.replaceAll("[\\r\\n]+", " ");
    return line.length() > 500 ? line.substring(0, 500) : line;
  }
}
