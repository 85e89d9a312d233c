package couponservice.kafka;

import couponservice.RootCause;
import couponservice.metrics.CouponMetrics;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage.CommittableMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes topics with a committable source, partitions in parallel and several messages of a partition
 * at once. An offset is committed only after its message was applied — the entity confirmed the durable
 * change — or sent to the dead-letter topic, and in order within each partition.
 *
 * <p>A failure of the stream (a dead letter that cannot be sent, an offset commit that times out) starts
 * it again with backoff from the committed offsets: the messages after the last commit are delivered
 * again, which the handlers apply at most once. Stopped with the node: in-flight messages finish and
 * their offsets are committed.
 */
public final class TopicConsumer {
  private static final Logger log = LoggerFactory.getLogger(TopicConsumer.class);

  private final ActorSystem<?> system;
  private final KafkaSettings settings;
  private final String name;
  private final Map<String, MessageHandler> handlers;
  private final DeadLetters deadLetters;
  private final Executor callbacks;
  // Sending a dead letter may block on the producer's metadata or buffer, so it runs off the default dispatcher.
  private final Executor deadLetterSends;
  /** The control of the consumer now running: the one to drain when the node stops. */
  private final AtomicReference<Consumer.Control> current = new AtomicReference<>(Consumer.createNoopControl());
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicInteger starts = new AtomicInteger();

  private TopicConsumer(ActorSystem<?> system, KafkaSettings settings, String name,
      Map<String, MessageHandler> handlers, DeadLetters deadLetters) {
    this.system = system;
    this.settings = settings;
    this.name = name;
    this.handlers = handlers;
    this.deadLetters = deadLetters;
    this.callbacks = system.executionContext();
    this.deadLetterSends = system.dispatchers().lookup(DispatcherSelector.fromConfig("pekko.kafka.default-dispatcher"));
  }

  /** {@code handlers}: by topic name without the prefix. */
  public static void start(ActorSystem<?> system, KafkaSettings settings, String name,
      Map<String, MessageHandler> handlers, DeadLetters deadLetters) {
    new TopicConsumer(system, settings, name, handlers, deadLetters).run();
  }

  private void run() {
    // Series from zero on, so that the first restart or dead letter is an increase that alerts can see.
    CouponMetrics.KAFKA_CONSUMER_RESTARTS.initLabelValues(name);
    handlers.keySet().forEach(CouponMetrics.KAFKA_DEAD_LETTERS::initLabelValues);
    RestartSettings restarts = RestartSettings.create(settings.restartMinBackoff(), settings.restartMaxBackoff(), 0.2);
    Pair<UniqueKillSwitch, CompletionStage<Done>> running = RestartSource.onFailuresWithBackoff(restarts, this::consumer)
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.ignore(), Keep.both())
        .run(system);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "drain-" + name, () -> {
      stopping.set(true);
      Consumer.Control control = current.get();
      if (control.isShutdown().toCompletableFuture().isDone()) {
        // Failed and waiting out its backoff: nothing to drain, and no new consumer is to start.
        running.first().shutdown();
      }
      return control.drainAndShutdown(running.second(), callbacks);
    });
  }

  /** A new consumer from the committed offsets, or nothing once the node is stopping. */
  private Source<Done, ?> consumer() {
    if (stopping.get()) {
      return Source.<Done>empty();
    }
    if (starts.getAndIncrement() > 0) {
      CouponMetrics.KAFKA_CONSUMER_RESTARTS.labelValues(name).inc();
      log.warn("the {} consumer starts again from the committed offsets", name);
    }
    // Set by this consumer's first failed partition stream, before the failure cancels the partition's source.
    // The partitioned source then emits that partition again from its current position, past the messages in
    // flight, whose failures nobody would retry: such a partition is not consumed here but left to the next
    // consumer, which starts from the committed offset.
    AtomicBoolean failed = new AtomicBoolean();
    return Consumer.committablePartitionedSource(consumerSettings(), Subscriptions.topics(
            handlers.keySet().stream().map(settings::topic).toArray(String[]::new)))
        .mapMaterializedValue(control -> {
          current.set(control);
          return control;
        })
        // Unbounded: a partition's stream lasts until the partition is revoked, and a node may hold more
        // partitions than `partitions` (topics created beforehand with more, other nodes gone). A bound would
        // leave the rest unread.
        .mapAsyncUnordered(Integer.MAX_VALUE, partition -> failed.get()
            ? CompletableFuture.completedFuture(Done.getInstance())
            : partition.second()
                .watchTermination((control, termination) -> {
                  termination.whenComplete((done, failure) -> {
                    if (failure != null) {
                      failed.set(true);
                    }
                  });
                  return control;
                })
                .mapAsync(settings.parallelismPerPartition(), message -> apply(message)
                    .thenApply(done -> message.committableOffset()))
                .runWith(Committer.sink(CommitterSettings.create(system)), system));
  }

  private ConsumerSettings<byte[], byte[]> consumerSettings() {
    return ConsumerSettings.create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
        .withProperties(settings.clientProperties())
        .withGroupId(settings.consumerGroup())
        .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
  }

  private CompletionStage<Done> apply(CommittableMessage<byte[], byte[]> message) {
    ConsumerRecord<byte[], byte[]> record = message.record();
    MessageHandler handler = handlers.get(record.topic().substring(settings.topicPrefix().length()));
    CompletionStage<Handled> handled;
    try {
      handled = handler.handle(record);
    } catch (RuntimeException e) {
      handled = CompletableFuture.failedFuture(e);
    }
    return handled
        .exceptionally(failure -> Handled.deadLetter("failed after retries: " + RootCause.messageOf(failure)))
        .thenCompose(outcome -> outcome instanceof Handled.DeadLetter dead
            ? CompletableFuture.supplyAsync(() -> deadLetter(record, dead.reason()), deadLetterSends).thenCompose(sent -> sent)
            : CompletableFuture.completedFuture(Done.getInstance()));
  }

  private CompletionStage<Done> deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) {
    log.warn("{}/{}@{} goes to the dead-letter topic: {}", record.topic(), record.partition(), record.offset(), reason);
    return deadLetters.send(record, reason).thenApply(sent -> {
      CouponMetrics.KAFKA_DEAD_LETTERS.labelValues(record.topic().substring(settings.topicPrefix().length())).inc();
      return sent;
    });
  }
}
