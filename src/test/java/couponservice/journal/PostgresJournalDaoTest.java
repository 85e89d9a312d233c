package couponservice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import couponservice.CborSerializable;
import couponservice.node.ServiceNode;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The prod journal writes many entities' events in one statement: each event's tags land with it, untagged
 * events have none, and within an entity the orderings (which the tag queries read by) follow the sequence.
 * The tag table is adjusted at startup: indexed by tag, and without the foreign key nothing could violate.
 */
class PostgresJournalDaoTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();

  private static final int ENTITIES = 60;
  private static final int WRITES_PER_ENTITY = 5;
  private static ServiceNode node;

  @BeforeAll
  static void start() {
    node = TestNodes.start(TestNodes.nodeConfig(database, TestNodes.freePort(), List.of(), ConfigFactory.empty()));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Three events per write: tagged twice, untagged, tagged once. */
  record Noted(int index) implements CborSerializable {}

  record Note(ActorRef<Done> replyTo) implements CborSerializable {}

  private static Behavior<Note> recorder(String id) {
    return new EventSourcedBehavior<Note, Noted, Integer>(PersistenceId.ofUniqueId(id)) {
      @Override
      public Integer emptyState() {
        return 0;
      }

      @Override
      public CommandHandler<Note, Noted, Integer> commandHandler() {
        return newCommandHandlerBuilder().forAnyState().onCommand(Note.class, (count, note) -> Effect()
            .persist(List.of(new Noted(count), new Noted(count + 1), new Noted(count + 2)))
            .thenReply(note.replyTo(), after -> Done.getInstance())).build();
      }

      @Override
      public EventHandler<Integer, Noted> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onEvent(Noted.class, (count, noted) -> count + 1).build();
      }

      @Override
      public Set<String> tagsFor(Noted event) {
        return switch (event.index() % 3) {
          case 0 -> Set.of("recorder-a", "recorder-b");
          case 1 -> Set.of();
          default -> Set.of("recorder-a");
        };
      }
    };
  }

  @Test
  void theTagTableIsReadByTagAndHasNoForeignKeyToCheckPerTag() {
    assertEquals(1, database.queryLong(
        "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'event_tag' AND indexname = 'event_tag_tag_event_idx'"));
    assertEquals(0, database.queryLong(
        "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'event_tag'::regclass AND contype = 'f'"));
  }

  @Test
  void concurrentWritesKeepEachEntitysOrderAndTheirTags() {
    List<ActorRef<Note>> recorders = new ArrayList<>();
    for (int i = 0; i < ENTITIES; i++) {
      recorders.add(node.system().systemActorOf(recorder("recorder-" + i), "recorder-" + i, Props.empty()));
    }
    for (int round = 0; round < WRITES_PER_ENTITY; round++) {
      List<CompletableFuture<Done>> writes = new ArrayList<>();
      for (ActorRef<Note> recorder : recorders) {
        CompletionStage<Done> write = AskPattern.ask(recorder, Note::new, Duration.ofSeconds(20), node.system().scheduler());
        writes.add(write.toCompletableFuture());
      }
      CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).join();
    }

    int events = ENTITIES * WRITES_PER_ENTITY * 3;
    assertEquals(events, database.queryLong("SELECT COUNT(*) FROM event_journal WHERE persistence_id LIKE 'recorder-%'"));
    assertEquals(0, database.queryLong("""
        SELECT COUNT(*) FROM (SELECT ordering, sequence_number,
          LAG(ordering) OVER (PARTITION BY persistence_id ORDER BY sequence_number) AS previous
          FROM event_journal WHERE persistence_id LIKE 'recorder-%') e WHERE e.previous > e.ordering"""));
    List<List<String>> tagsPerEventKind = database.queryRows("""
        SELECT (j.sequence_number - 1) % 3, t.tag, COUNT(*) FROM event_journal j JOIN event_tag t ON t.event_id = j.ordering
        WHERE j.persistence_id LIKE 'recorder-%' GROUP BY 1, 2 ORDER BY 1, 2""");
    String perKind = Integer.toString(events / 3);
    assertEquals(List.of(List.of("0", "recorder-a", perKind), List.of("0", "recorder-b", perKind),
        List.of("2", "recorder-a", perKind)), tagsPerEventKind);
  }
}
