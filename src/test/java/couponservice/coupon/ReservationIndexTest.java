package couponservice.coupon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.testkit.EntityTestConfig;
import couponservice.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ReservationIndexTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestConfig.inMemoryPersistence());
  private static final Duration RETENTION = Duration.ofMinutes(30);

  private final TestClock clock = new TestClock(Instant.parse("2026-06-01T00:00:00Z"));
  private final EventSourcedBehaviorTestKit<ReservationIndex.Command, ReservationIndex.Event, ReservationIndex.State> index =
      EventSourcedBehaviorTestKit.create(testKit.system(), ReservationIndex.create("3", clock, RETENTION),
          EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private Outcome<Long> claim(String reservationId, long couponId) {
    return index.<Outcome<Long>>runCommand(replyTo -> new ReservationIndex.Claim(reservationId, couponId, replyTo)).reply();
  }

  private Outcome<Long> find(String reservationId) {
    return index.<Outcome<Long>>runCommand(replyTo -> new ReservationIndex.Find(reservationId, replyTo)).reply();
  }

  @Test
  void aReservationIdBelongsToOneCoupon() {
    assertEquals(Outcome.ok(11L), claim("R1", 11));
    assertEquals(Outcome.ok(11L), claim("R1", 11), "claiming again for the same coupon is fine");
    assertEquals(ErrorCode.CONCURRENT_MODIFICATION, ((Outcome.Rejected<Long>) claim("R1", 12)).code());
    assertEquals(Outcome.ok(11L), find("R1"));
    assertEquals(ErrorCode.RESERVATION_NOT_FOUND, ((Outcome.Rejected<Long>) find("R2")).code());
  }

  @Test
  void claimsArrivingTogetherAreWrittenTogether() {
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    CountDownLatch allSent = new CountDownLatch(1);
    // The first write waits until every claim has been sent, so that the others arrive while it is in flight.
    journal.withPolicy((persistenceId, operation) -> {
      if (persistenceId.equals("ReservationIndex|9") && operation instanceof WriteEvents) {
        awaitQuietly(allSent);
      }
      return ProcessingSuccess.getInstance();
    });
    try {
      ActorRef<ReservationIndex.Command> slice = testKit.spawn(ReservationIndex.create("9", clock, RETENTION));
      TestProbe<Outcome<Long>> callers = testKit.createTestProbe();
      for (int i = 0; i < 50; i++) {
        slice.tell(new ReservationIndex.Claim("R" + i, 100 + i, callers.ref()));
      }
      allSent.countDown();
      assertEquals(50, callers.receiveSeveralMessages(50).stream().filter(r -> r instanceof Outcome.Ok).count());
    } finally {
      journal.resetPolicy();
    }
    // The first write may carry only the first claim; every claim that arrived while it was in flight shares the next.
    List<Object> writes = journal.persistedInStorage("ReservationIndex|9");
    assertEquals(50, writes.stream().mapToInt(w -> ((ReservationIndex.ReservationsClaimed) w).claims().size()).sum());
    assertTrue(writes.size() <= 2, "50 claims arriving together took " + writes.size() + " writes");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the claims were not all sent within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void claimsAreForgottenAfterTheRetentionAndSurviveARestart() {
    claim("OLD", 1);
    clock.advance(RETENTION.plusMinutes(1));
    claim("NEW", 2);
    index.restart();
    assertEquals(ErrorCode.RESERVATION_NOT_FOUND, ((Outcome.Rejected<Long>) find("OLD")).code());
    assertEquals(Outcome.ok(2L), find("NEW"));
  }
}
