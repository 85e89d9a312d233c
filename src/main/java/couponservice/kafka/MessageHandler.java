package couponservice.kafka;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Applies one consumed message. It retries transient failures itself; a stage that still fails is
 * treated like a dead letter, so that consumption goes on.
 */
@FunctionalInterface
public interface MessageHandler {
  CompletionStage<Handled> handle(ConsumerRecord<byte[], byte[]> record);
}
