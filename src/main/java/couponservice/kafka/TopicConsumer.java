package couponservice.kafka;


import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes topics with a committable source, partitions in parallel and several messages of a partition
 * at once. An offset is committed only after its message was applied — the entity confirmed the durable
 * change — or sent to the dead-letter topic, and in order within each partition. Stopped with the node:
 * in-flight messages finish and their offsets are committed.
 */
public final class TopicConsumer {
  private static final Logger log = LoggerFactory.getLogger(TopicConsumer.class);

  private TopicConsumer() {}

  /** {@code handlers}: by topic name without the prefix. */
  public static Consumer.DrainingControl<Done> start(ActorSystem<?> system, KafkaSettings settings, String name,
      Map<String, MessageHandler> handlers, DeadLetters deadLetters) {
    ConsumerSettings<byte[], byte[]> consumerSettings = ConsumerSettings
        .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
        .withBootstrapServers(settings.bootstrapServers())
        .withGroupId(settings.consumerGroup())
        .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    CommitterSettings committerSettings = CommitterSettings.create(system);
    Executor callbacks = system.executionContext();
    String[] topics = handlers.keySet().stream().map(settings::topic).toArray(String[]::new);

    Consumer.DrainingControl<Done> control = Consumer
        .committablePartitionedSource(consumerSettings, Subscriptions.topics(topics))
        // Unbounded: a partition's stream lasts until the partition is revoked, and a node may hold more
        // partitions than `partitions` (topics created beforehand with more, other nodes gone). A bound would
        // leave the rest unread.
        .mapAsyncUnordered(Integer.MAX_VALUE, partition -> partition.second()
            .mapAsync(settings.parallelismPerPartition(), message -> apply(message, settings, handlers, deadLetters, callbacks)
                .thenApply(done -> message.committableOffset()))
            .runWith(Committer.sink(committerSettings), system))
        .toMat(org.apache.pekko.stream.javadsl.Sink.ignore(), Consumer::createDrainingControl)
        .run(system);

    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "drain-" + name,
        () -> control.drainAndShutdown(callbacks));
    return control;
  }

  private static CompletionStage<Done> apply(CommittableMessage<byte[], byte[]> message, KafkaSettings settings,
      Map<String, MessageHandler> handlers, DeadLetters deadLetters, Executor callbacks) {
    ConsumerRecord<byte[], byte[]> record = message.record();
    MessageHandler handler = handlers.get(record.topic().substring(settings.topicPrefix().length()));
    CompletionStage<Handled> handled;
    try {
      handled = handler.handle(record);
    } catch (RuntimeException e) {
      handled = CompletableFuture.failedFuture(e);
    }
    return handled
        .exceptionally(failure -> Handled.deadLetter("failed after retries: " + rootMessage(failure)))
        .thenComposeAsync(outcome -> {
          if (outcome instanceof Handled.DeadLetter dead) {
            log.warn("{}/{}@{} goes to the dead-letter topic: {}", record.topic(), record.partition(), record.offset(),
                dead.reason());
            return deadLetters.send(record, dead.reason());
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        }, callbacks);
  }

  static String rootMessage(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }

}
