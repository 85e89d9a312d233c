package couponservice.deadletter;

import couponservice.kafka.DeadLetters;
import couponservice.kafka.KafkaSettings;
import couponservice.readside.ReadModelDatabase;
import couponservice.readside.TagSliceProjections;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.kafka.javadsl.SendProducer;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces each recorded replay ({@link DeadLetterReplay.ReplayRequested}) to the letter's original topic: the
 * journal is the outbox. A projection, its offset saved in the database after the broker acknowledged the record:
 * a replay is produced at least once, across crashes, and a second time only if the node crashed between the
 * broker's acknowledgement and the saved offset — the consumer applies payment and trigger events idempotently.
 * The record is read back from the dead-letter topic (key and value as they were) and carries
 * {@code dlq-replay-of}: the dead letter's id.
 */
final class DeadLetterReplayer extends Handler<EventEnvelope<DeadLetterReplay.Event>> {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterReplayer.class);
  private static final String NAME = "dead-letter-replayer";

  private final DeadLetterLog deadLetters;
  private final KafkaSettings kafka;
  private final SendProducer<byte[], byte[]> producer;
  private final Executor blocking;

  private DeadLetterReplayer(DeadLetterLog deadLetters, KafkaSettings kafka, SendProducer<byte[], byte[]> producer,
      Executor blocking) {
    this.deadLetters = deadLetters;
    this.kafka = kafka;
    this.producer = producer;
    this.blocking = blocking;
  }

  static void init(ActorSystem<?> system, ReadModelDatabase database, DeadLetterLog deadLetters, KafkaSettings kafka,
      SendProducer<byte[], byte[]> producer, Executor blocking) {
    TagSliceProjections.run(system, NAME, List.of(DeadLetterReplay.TAG), tag -> JdbcProjection.atLeastOnceAsync(
            ProjectionId.of(NAME, tag),
            EventSourcedProvider.<DeadLetterReplay.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession, () -> new DeadLetterReplayer(deadLetters, kafka, producer, blocking), system)
        // Replays are rare and each is an operator waiting: its offset is saved as soon as it is produced.
        .withSaveOffset(1, Duration.ZERO));
  }

  @Override
  public CompletionStage<Done> process(EventEnvelope<DeadLetterReplay.Event> envelope) {
    if (!(envelope.event() instanceof DeadLetterReplay.ReplayRequested requested)) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    Optional<DeadLetterId> id = DeadLetterId.parse(requested.deadLetterId());
    if (id.isEmpty()) {
      log.warn("A replay names {}, which is not a dead letter id; nothing produced", requested.deadLetterId());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return CompletableFuture.supplyAsync(() -> deadLetters.find(id.get()), blocking)
        .thenCompose(record -> record.isPresent()
            ? produce(id.get(), requested.deadLetterId(), record.get())
            : nothingToProduce(requested.deadLetterId()));
  }

  private CompletionStage<Done> produce(DeadLetterId id, String encodedId, ConsumerRecord<byte[], byte[]> dead) {
    ProducerRecord<byte[], byte[]> replay =
        new ProducerRecord<>(kafka.topic(id.topic()), null, dead.key(), dead.value());
    replay.headers().add(DeadLetters.REPLAY_OF_HEADER, encodedId.getBytes(StandardCharsets.UTF_8));
    return producer.send(replay).thenApply(metadata -> {
      log.info("Dead letter {} replayed to {}/{}@{}", encodedId, metadata.topic(), metadata.partition(),
          metadata.offset());
      return Done.getInstance();
    });
  }

  /** The dead-letter topic no longer holds the record (its retention ran out before the replay was produced). */
  private static CompletionStage<Done> nothingToProduce(String encodedId) {
    log.warn("Dead letter {} was replayed but is no longer in its dead-letter topic; nothing produced", encodedId);
    return CompletableFuture.completedFuture(Done.getInstance());
  }
}
