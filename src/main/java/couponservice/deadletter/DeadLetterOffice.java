package couponservice.deadletter;

import couponservice.CouponException;
import couponservice.EntityAnswers;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.journal.JournalEvents;
import couponservice.kafka.KafkaSettings;
import couponservice.kafka.KafkaStreams;
import couponservice.kafka.Topics;
import couponservice.readside.ReadModelDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The dead letters of the consumed topics, for operators: listed from the dead-letter topics themselves, and
 * replayed — produced again to their original topic — at most once each, as recorded by {@link DeadLetterReplay}
 * and carried out by {@link DeadLetterReplayer}.
 */
public final class DeadLetterOffice {
  /** Journal queries at once while a page's replay times are looked up. */
  private static final int REPLAY_LOOKUPS = 4;

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final DeadLetterLog log;
  private final JournalEvents journal;
  private final Duration askTimeout;
  private final Executor blocking;

  private DeadLetterOffice(ActorSystem<?> system, DeadLetterLog log, Duration askTimeout, Executor blocking) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.log = log;
    this.journal = new JournalEvents(system);
    this.askTimeout = askTimeout;
    this.blocking = blocking;
  }

  /** {@code askTimeout}: how long a request waits for Kafka or the replay entity. */
  public static DeadLetterOffice start(ActorSystem<?> system, KafkaSettings kafka, ReadModelDatabase database,
      Duration askTimeout, Clock clock) {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("coupon.blocking-dispatcher"));
    DeadLetterLog log = new DeadLetterLog(kafka, askTimeout);
    DeadLetterReplay.init(ClusterSharding.get(system), clock);
    DeadLetterReplayer.init(system, database, log, kafka, KafkaStreams.producer(system, kafka, new ByteArraySerializer()),
        blocking);
    return new DeadLetterOffice(system, log, askTimeout, blocking);
  }

  /** {@code topic} when it is a consumed topic, whose messages may be dead letters; 400 naming {@code topic} if not. */
  public static String consumedTopic(String topic) {
    if (!Topics.CONSUMED.contains(topic)) {
      throw CouponException.invalid("topic must be one of " + String.join(", ", Topics.CONSUMED));
    }
    return topic;
  }

  /** The body of {@code GET /api/dead-letters}. */
  public record Page(List<DeadLetter> deadLetters, String nextCursor, boolean hasMore) {}

  /** Up to {@code limit} dead letters of {@code cursor}'s topic after it, oldest first, with their replay times. */
  public CompletionStage<Page> page(DeadLetterCursor cursor, int limit) {
    return reading(() -> log.page(cursor, limit)).thenCompose(selection -> Source.from(selection.records())
        .map(record -> DeadLetter.of(cursor.topic(), record))
        .mapAsync(REPLAY_LOOKUPS, letter -> replayedAt(letter.id()).thenApply(letter::withReplayedAt))
        .runWith(Sink.seq(), system)
        .thenApply(letters -> new Page(letters,
            selection.hasMore() ? new DeadLetterCursor(cursor.topic(), selection.next()).encoded() : null,
            selection.hasMore())));
  }

  /**
   * Replays dead letter {@code id} unless it was replayed before; the letter with the time it was (first) replayed,
   * or DEAD_LETTER_NOT_FOUND.
   */
  public CompletionStage<Outcome<DeadLetter>> replay(String id, String requestedBy) {
    Optional<DeadLetterId> parsed = DeadLetterId.parse(id);
    if (parsed.isEmpty()) {
      return CompletableFuture.completedFuture(
          Outcome.rejected(ErrorCode.DEAD_LETTER_NOT_FOUND, "no dead letter has this id"));
    }
    DeadLetterId letterId = parsed.get();
    return reading(() -> log.find(letterId)).thenCompose(record -> {
      if (record.isEmpty()) {
        return CompletableFuture.completedFuture(Outcome.rejected(ErrorCode.DEAD_LETTER_NOT_FOUND,
            "dead letter " + letterId.encoded() + " is not in " + letterId.topic() + Topics.DLQ_SUFFIX));
      }
      DeadLetter letter = DeadLetter.of(letterId.topic(), record.get());
      // The entity of the canonical id: another spelling of the same id must not replay the letter again.
      return EntityAnswers.onDispatcher(sharding.entityRefFor(DeadLetterReplay.ENTITY_KEY, letter.id())
              .<Outcome<Instant>>ask(replyTo -> new DeadLetterReplay.Replay(requestedBy, replyTo), askTimeout),
              system.executionContext())
          .thenApply(replayed -> replayed instanceof Outcome.Ok<Instant> ok
              ? Outcome.ok(letter.withReplayedAt(ok.value()))
              : ((Outcome.Rejected<Instant>) replayed).cast());
    });
  }

  private CompletionStage<Instant> replayedAt(String id) {
    return journal.first(DeadLetterReplay.persistenceId(id)).thenApply(first -> first
        .map(event -> ((DeadLetterReplay.ReplayRequested) event).at())
        .orElse(null));
  }

  /** Reads Kafka on the blocking dispatcher; Kafka not answering in time is 503. */
  private <T> CompletionStage<T> reading(Supplier<T> read) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return read.get();
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        throw DeadLetterLog.kafkaTooSlow();
      }
    }, blocking);
  }
}
