package couponservice.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.Outcome;
import couponservice.testkit.EntityTestConfig;
import couponservice.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DeadLetterReplayTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestConfig.inMemoryPersistence());
  private static final String ID = new DeadLetterId("payment.completed.v1", 0, 4, 1_790_000_000_000L).encoded();

  private final TestClock clock = new TestClock(Instant.parse("2026-06-01T00:00:00Z"));
  // Serialization checked for commands, events, state and replies: the entity is asked across nodes.
  private final EventSourcedBehaviorTestKit<DeadLetterReplay.Command, DeadLetterReplay.Event, DeadLetterReplay.State>
      replay = EventSourcedBehaviorTestKit.create(testKit.system(), DeadLetterReplay.create(ID, clock));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<DeadLetterReplay.Command, DeadLetterReplay.Event,
      DeadLetterReplay.State, Outcome<Instant>> replay(String by) {
    return replay.runCommand(replyTo -> new DeadLetterReplay.Replay(by, replyTo));
  }

  @Test
  void onlyTheFirstReplayIsRecordedAndEveryReplayAnswersItsTime() {
    Instant first = clock.instant();
    var recorded = replay("alice");
    assertEquals(Outcome.ok(first), recorded.reply());
    assertEquals(List.of(new DeadLetterReplay.ReplayRequested(ID, first, "alice")), recorded.events());

    clock.advance(Duration.ofMinutes(5));
    var again = replay("bob");
    assertEquals(Outcome.ok(first), again.reply(), "the time of the replay that happened");
    assertTrue(again.hasNoEvents(), "nothing recorded, so nothing produced again");

    replay.restart();
    assertTrue(replay("bob").hasNoEvents(), "remembered across a restart");
  }
}
