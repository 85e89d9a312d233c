package couponservice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.CborSerializable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The order {@code eventsByTag} depends on, through the prod profile's journal on PostgreSQL: many entities write
 * at once, several events per atomic write with random tags, so that the journal joins many entities' writes into
 * one statement. Then every tag's events, read back by {@code currentEventsByTag}, are exactly the events written
 * with that tag, in {@code ordering} order; and each entity's orderings increase with its sequence numbers, each
 * atomic write being one transaction.
 */
class PostgresJournalDaoTest {
  private static final int WRITERS = 50;
  private static final int WRITES_PER_WRITER = 6;
  private static final int MAX_EVENTS_PER_WRITE = 5;
  private static final List<String> TAGS = List.of("tag-a", "tag-b", "tag-c", "tag-d");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static ProfileJournal journal;
  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    journal = ProfileJournal.postgres();
    system = ActorSystem.create(Behaviors.empty(), "journal-order", journal.config());
    journal.create(system);
  }

  @AfterAll
  static void stop() {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
    journal.close();
  }

  /** An event: the write of its writer it belongs to, its place in that write, and the tags it was given. */
  record Written(int write, int position, List<String> tags) implements CborSerializable {}

  /** Persist these events, one list of tags each, as one atomic write. */
  record Write(List<List<String>> tagsPerEvent, ActorRef<Done> replyTo) {}

  private static Behavior<Write> writer(String persistenceId) {
    return new EventSourcedBehavior<Write, Written, Integer>(PersistenceId.ofUniqueId(persistenceId)) {
      @Override
      public Integer emptyState() {
        return 0;
      }

      @Override
      public CommandHandler<Write, Written, Integer> commandHandler() {
        return newCommandHandlerBuilder().forAnyState().onCommand(Write.class, (writes, command) -> {
          List<Written> events = new ArrayList<>();
          for (int position = 0; position < command.tagsPerEvent().size(); position++) {
            events.add(new Written(writes, position, command.tagsPerEvent().get(position)));
          }
          return Effect().persist(events).thenReply(command.replyTo(), after -> Done.getInstance());
        }).build();
      }

      @Override
      public EventHandler<Integer, Written> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
            .onEvent(Written.class, (writes, event) -> event.position() == 0 ? writes + 1 : writes).build();
      }

      @Override
      public Set<String> tagsFor(Written event) {
        return Set.copyOf(event.tags());
      }
    };
  }

  /** One journal row: the entity and sequence number, the ordering, and the transaction that wrote it. */
  private record JournalRow(String persistenceId, long sequenceNumber, long ordering, String transaction) {}

  private static String key(String persistenceId, long sequenceNumber) {
    return persistenceId + "#" + sequenceNumber;
  }

  @Test
  void theTagTableIsTheLibrarysWithItsForeignKeyAndATagIndex() throws SQLException {
    assertEquals(List.of("fk_event_journal"), strings(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'event_tag'::regclass AND contype = 'f'"));
    assertEquals(List.of("event_tag_tag_event_idx"), strings(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'event_tag' AND indexname = 'event_tag_tag_event_idx'"));
  }

  @Test
  void concurrentWritersKeepTheOrderEventsByTagReads() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String context = " (random seed " + seed + ")";
    // What each writer is told to write, and so each event by entity and sequence number.
    Map<String, Written> planned = new HashMap<>();
    Map<String, ActorRef<Write>> writers = new HashMap<>();
    Map<String, Integer> eventsOf = new HashMap<>();
    for (int w = 0; w < WRITERS; w++) {
      String persistenceId = "writer-" + w;
      writers.put(persistenceId, system.systemActorOf(writer(persistenceId), persistenceId, Props.empty()));
      eventsOf.put(persistenceId, 0);
    }
    for (int write = 0; write < WRITES_PER_WRITER; write++) {
      List<CompletableFuture<Done>> replies = new ArrayList<>();
      for (Map.Entry<String, ActorRef<Write>> writer : writers.entrySet()) {
        List<List<String>> tagsPerEvent = new ArrayList<>();
        for (int position = 0, events = 1 + random.nextInt(MAX_EVENTS_PER_WRITE); position < events; position++) {
          List<String> tags = TAGS.stream().filter(tag -> random.nextInt(3) == 0).toList();
          tagsPerEvent.add(tags);
          int sequenceNumber = eventsOf.merge(writer.getKey(), 1, Integer::sum);
          planned.put(key(writer.getKey(), sequenceNumber), new Written(write, position, tags));
        }
        replies.add(AskPattern.<Write, Done>ask(writer.getValue(), replyTo -> new Write(tagsPerEvent, replyTo),
            TIMEOUT, system.scheduler()).toCompletableFuture());
      }
      CompletableFuture.allOf(replies.toArray(new CompletableFuture[0])).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    List<JournalRow> rows = journalRows();
    Map<String, JournalRow> rowOf = rows.stream()
        .collect(Collectors.toMap(row -> key(row.persistenceId(), row.sequenceNumber()), row -> row));
    assertEquals(planned.keySet(), rowOf.keySet(), "every event written once" + context);
    assertEquals(rows.size(), rowOf.size(), "no event written twice" + context);
    assertEquals(rows.size(), rows.stream().mapToLong(JournalRow::ordering).max().orElseThrow(),
        "each event took one ordering, and no ordering was drawn and left unused" + context);
    for (String persistenceId : writers.keySet()) {
      long previous = 0;
      for (int sequenceNumber = 1; sequenceNumber <= eventsOf.get(persistenceId); sequenceNumber++) {
        long ordering = rowOf.get(key(persistenceId, sequenceNumber)).ordering();
        assertTrue(ordering > previous, persistenceId + "'s orderings follow its sequence numbers" + context);
        previous = ordering;
      }
    }
    Map<String, Set<String>> transactionsOfWrites = new HashMap<>();
    Map<String, Set<String>> writersOfTransactions = new HashMap<>();
    for (JournalRow row : rows) {
      Written event = planned.get(key(row.persistenceId(), row.sequenceNumber()));
      transactionsOfWrites.computeIfAbsent(row.persistenceId() + "/" + event.write(), write -> new HashSet<>())
          .add(row.transaction());
      writersOfTransactions.computeIfAbsent(row.transaction(), transaction -> new HashSet<>()).add(row.persistenceId());
    }
    transactionsOfWrites.forEach((write, transactions) ->
        assertEquals(1, transactions.size(), "atomic write " + write + " is one transaction" + context));
    assertTrue(writersOfTransactions.values().stream().anyMatch(entities -> entities.size() > 1),
        "the journal joined several entities' writes into one statement, as the checks above mean to cover");

    JdbcReadJournal queries = PersistenceQuery.get(Adapter.toClassic(system))
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    for (String tag : TAGS) {
      List<EventEnvelope> envelopes = queries.currentEventsByTag(tag, Offset.noOffset())
          .runWith(Sink.seq(), system).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      List<JournalRow> expected = rows.stream()
          .filter(row -> planned.get(key(row.persistenceId(), row.sequenceNumber())).tags().contains(tag))
          .toList();
      assertEquals(expected.stream().map(row -> key(row.persistenceId(), row.sequenceNumber())).toList(),
          envelopes.stream().map(envelope -> key(envelope.persistenceId(), envelope.sequenceNr())).toList(),
          "currentEventsByTag(" + tag + ") is every event of the tag once, in ordering order" + context);
      assertEquals(expected.stream().map(JournalRow::ordering).toList(),
          envelopes.stream().map(envelope -> ((Sequence) envelope.offset()).value()).toList(),
          "the offsets of " + tag + " are the events' orderings" + context);
      Map<String, Long> lastSequenceNumber = new HashMap<>();
      for (EventEnvelope envelope : envelopes) {
        assertEquals(planned.get(key(envelope.persistenceId(), envelope.sequenceNr())), envelope.event(),
            "the event read back is the one written at that sequence number" + context);
        Long previous = lastSequenceNumber.put(envelope.persistenceId(), envelope.sequenceNr());
        assertTrue(previous == null || previous < envelope.sequenceNr(),
            envelope.persistenceId() + "'s events of " + tag + " come in sequence order" + context);
      }
    }
  }

  /** The journal in ordering order, with the id of the transaction that wrote each row. */
  private static List<JournalRow> journalRows() throws SQLException {
    try (Connection connection = journal.connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(
            "SELECT persistence_id, sequence_number, ordering, xmin::text FROM event_journal ORDER BY ordering")) {
      List<JournalRow> rows = new ArrayList<>();
      while (result.next()) {
        rows.add(new JournalRow(result.getString(1), result.getLong(2), result.getLong(3), result.getString(4)));
      }
      return rows;
    }
  }

  private static List<String> strings(String sql) throws SQLException {
    try (Connection connection = journal.connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (result.next()) {
        values.add(result.getString(1));
      }
      return values;
    }
  }
}
