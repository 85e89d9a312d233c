package couponservice.coupon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.coupon.Coupon.Cancelled;
import couponservice.coupon.Coupon.Expired;
import couponservice.coupon.Coupon.Released;
import couponservice.coupon.Coupon.Reserved;
import couponservice.coupon.Coupon.TermsRecorded;
import couponservice.coupon.Coupon.Used;
import couponservice.policy.CouponTagSlices;
import couponservice.policy.CouponTerms;
import couponservice.policy.DiscountType;
import couponservice.testkit.EntityTestConfig;
import couponservice.testkit.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The coupon state machine, one command at a time, on the persistence testkit's in-memory journal. */
class CouponTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestConfig.inMemoryPersistence());
  private static final long COUPON = 3_000_000_007L;
  private static final long OWNER = 42;
  private static final Instant ISSUED_AT = Instant.parse("2026-06-01T00:00:00Z");
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final CouponTerms TERMS = new CouponTerms(COUPON, 3, OWNER, "Ten percent", "TEN", DiscountType.PERCENTAGE,
      BigDecimal.TEN, new BigDecimal("10000"), new BigDecimal("5000"), ISSUED_AT, ISSUED_AT.plus(Duration.ofDays(7)));

  private final TestClock clock = new TestClock(ISSUED_AT.plus(Duration.ofHours(1)));
  private Outcome<Long> claimAnswer = Outcome.ok(COUPON);
  private final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
  private final EventSourcedBehaviorTestKit<Coupon.Command, Coupon.Event, CouponState> coupon = start(TIMEOUT, TERMS);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A coupon valid until 2099, for tests that run on real time (entity timers). */
  private static final CouponTerms LONG_LIVED = new CouponTerms(COUPON + 1, 3, OWNER, "Ten percent", "TEN",
      DiscountType.PERCENTAGE, BigDecimal.TEN, null, null, ISSUED_AT, Instant.parse("2099-01-01T00:00:00Z"));

  private EventSourcedBehaviorTestKit<Coupon.Command, Coupon.Event, CouponState> start(Duration timeout, CouponTerms terms) {
    CouponSettings settings = new CouponSettings(timeout, Duration.ofSeconds(30), Duration.ofHours(1), 100, 4,
        Duration.ofHours(1), new CouponTagSlices(4, 1), Duration.ofMinutes(1));
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        Coupon.create(terms.couponId(), id -> CompletableFuture.completedFuture(Outcome.ok(terms)),
            (reservationId, couponId) -> CompletableFuture.completedFuture(claimAnswer), clock, settings, shard.ref()),
        // The state is never serialized (coupons take no snapshots); commands and events are.
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  private CommandResultWithReply<Coupon.Command, Coupon.Event, CouponState, Outcome<ReservationReceipt>> reserve(
      String reservationId, String orderAmount) {
    return coupon.runCommand(replyTo -> new Coupon.Reserve(OWNER, OWNER, reservationId, "ORDER-" + reservationId,
        new BigDecimal(orderAmount), null, replyTo));
  }

  private CommandResultWithReply<Coupon.Command, Coupon.Event, CouponState, Outcome<CouponView>> confirm(String reservationId) {
    return coupon.runCommand(replyTo -> new Coupon.Confirm(reservationId, "ORDER-" + reservationId, "PAY-1", null, replyTo));
  }

  private CommandResultWithReply<Coupon.Command, Coupon.Event, CouponState, Outcome<CouponView>> release(
      String reservationId, EndReason reason) {
    return coupon.runCommand(replyTo -> new Coupon.Release(reservationId, null, reason, null, replyTo));
  }

  private CommandResultWithReply<Coupon.Command, Coupon.Event, CouponState, Outcome<CouponView>> cancel() {
    return coupon.runCommand(replyTo -> new Coupon.Cancel("operator", null, replyTo));
  }

  private CommandResultWithReply<Coupon.Command, Coupon.Event, CouponState, Outcome<CouponView>> expire() {
    return coupon.runCommand(Coupon.Expire::new);
  }

  private static <T> T ok(Outcome<T> outcome) {
    if (outcome instanceof Outcome.Ok<T> ok) {
      return ok.value();
    }
    throw new AssertionError("expected success, got " + outcome);
  }

  private static void assertRefused(ErrorCode code, CommandResultWithReply<?, ?, ?, ? extends Outcome<?>> result) {
    assertEquals(code, assertInstanceOf(Outcome.Rejected.class, result.reply()).code());
    assertTrue(result.hasNoEvents(), "a refusal writes nothing");
  }

  @Test
  void readingAnUntouchedCouponReadsItsIssueAndWritesNothing() {
    var read = coupon.<Outcome<CouponView>>runCommand(Coupon.Get::new);
    CouponView view = ok(read.reply());
    assertEquals(CouponStatus.ISSUED, view.status());
    assertEquals(OWNER, view.userId());
    assertTrue(read.hasNoEvents());
  }

  @Test
  void aCouponNeverIssuedIsNotFound() {
    var unknown = EventSourcedBehaviorTestKit.<Coupon.Command, Coupon.Event, CouponState>create(testKit.system(),
        Coupon.create(COUPON, id -> CompletableFuture.completedFuture(
                Outcome.rejected(ErrorCode.COUPON_NOT_FOUND, "no issue")),
            (r, c) -> CompletableFuture.completedFuture(Outcome.ok(c)), clock, new CouponSettings(TIMEOUT,
                Duration.ofSeconds(30), Duration.ofHours(1), 100, 4, Duration.ofHours(1), new CouponTagSlices(4, 1),
                Duration.ofMinutes(1)),
            shard.ref()),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    assertRefused(ErrorCode.COUPON_NOT_FOUND, unknown.runCommand(Coupon.Get::new));
  }

  @Test
  void aReservationRecordsTheTermsFirstAndHoldsTheDiscount() {
    var reserved = reserve("R1", "100000");
    ReservationReceipt receipt = ok(reserved.reply());
    assertEquals(new BigDecimal("5000"), receipt.reservation().discountAmount(), "10% of 100000 capped at 5000");
    assertEquals(clock.instant().plus(TIMEOUT), receipt.reservation().expiresAt());
    assertEquals(CouponStatus.RESERVED, receipt.coupon().status());
    assertEquals(List.of(TermsRecorded.class, Reserved.class), reserved.events().stream().map(Object::getClass).toList());

    var again = reserve("R1", "100000");
    assertEquals(reserved.reply(), again.reply(), "repeating the same reservation answers the same");
    assertTrue(again.hasNoEvents());
  }

  @Test
  void aCouponHeldByOneReservationRefusesAnother() {
    ok(reserve("R1", "100000").reply());
    assertRefused(ErrorCode.CONCURRENT_MODIFICATION, reserve("R2", "100000"));
  }

  @Test
  void aReservationIdClaimedForAnotherCouponIsRefused() {
    claimAnswer = Outcome.rejected(ErrorCode.CONCURRENT_MODIFICATION, "R1 belongs to another coupon");
    assertRefused(ErrorCode.CONCURRENT_MODIFICATION, reserve("R1", "100000"));
    assertEquals(CouponStatus.ISSUED, ok(coupon.<Outcome<CouponView>>runCommand(Coupon.Get::new).reply()).status());
  }

  @Test
  void onlyTheOwnerReservesForAnOrderAboveTheMinimum() {
    assertRefused(ErrorCode.COUPON_NOT_AVAILABLE, coupon.<Outcome<ReservationReceipt>>runCommand(replyTo ->
        new Coupon.Reserve(OWNER + 1, null, "R1", "O", new BigDecimal("100000"), null, replyTo)));
    assertRefused(ErrorCode.FORBIDDEN, coupon.<Outcome<ReservationReceipt>>runCommand(replyTo ->
        new Coupon.Reserve(OWNER, OWNER + 1, "R1", "O", new BigDecimal("100000"), null, replyTo)));
    assertRefused(ErrorCode.MINIMUM_ORDER_NOT_MET, reserve("R1", "9999.99"));
    ok(reserve("R1", "10000").reply());
  }

  @Test
  void confirmingUsesTheCouponOnceAndRepeatsAreAnsweredTheSame() {
    ok(reserve("R1", "30000").reply());
    var used = confirm("R1");
    CouponView view = ok(used.reply());
    assertEquals(CouponStatus.USED, view.status());
    assertEquals(new BigDecimal("3000"), view.discountAmount());
    assertEquals(List.of(Used.class), used.events().stream().map(Object::getClass).toList());

    var again = confirm("R1");
    assertEquals(used.reply(), again.reply());
    assertTrue(again.hasNoEvents());
    assertRefused(ErrorCode.COUPON_ALREADY_USED, reserve("R2", "30000"));
    assertRefused(ErrorCode.COUPON_ALREADY_USED, cancel());
    assertRefused(ErrorCode.COUPON_ALREADY_USED, release("R1", EndReason.RELEASED));
    assertRefused(ErrorCode.COUPON_ALREADY_USED, release("R1", EndReason.PAYMENT_FAILED));
    assertRefused(ErrorCode.RESERVATION_NOT_FOUND, release("R9", EndReason.RELEASED));
    assertRefused(ErrorCode.RESERVATION_NOT_FOUND, confirm("R9"));
  }

  @Test
  void aReleasedOrFailedReservationReturnsTheCouponForAnotherOrder() {
    ok(reserve("R1", "30000").reply());
    var released = release("R1", EndReason.RELEASED);
    assertEquals(CouponStatus.ISSUED, ok(released.reply()).status());
    assertEquals(EndReason.RELEASED, ((Released) released.event()).reason());
    assertTrue(release("R1", EndReason.RELEASED).hasNoEvents(), "releasing twice is answered, not written");
    assertRefused(ErrorCode.RESERVATION_NOT_FOUND, confirm("R1"));

    ok(reserve("R2", "30000").reply());
    assertEquals(EndReason.PAYMENT_FAILED, ((Released) release("R2", EndReason.PAYMENT_FAILED).event()).reason());
    ok(reserve("R3", "30000").reply());
    assertEquals(CouponStatus.USED, ok(confirm("R3").reply()).status());
  }

  @Test
  void aFailedPaymentAndAReleaseOfOneReservationAreOneRelease() {
    ok(reserve("R1", "30000").reply());
    assertEquals(EndReason.PAYMENT_FAILED, ((Released) release("R1", EndReason.PAYMENT_FAILED).event()).reason());
    var repeated = release("R1", EndReason.RELEASED);
    assertEquals(CouponStatus.ISSUED, ok(repeated.reply()).status());
    assertTrue(repeated.hasNoEvents(), "the order service's release after the failed payment changes nothing");

    ok(reserve("R2", "30000").reply());
    ok(release("R2", EndReason.RELEASED).reply());
    assertTrue(release("R2", EndReason.PAYMENT_FAILED).hasNoEvents(), "a failed payment after the release changes nothing");
  }

  @Test
  void anIdleCouponAsksToBePassivatedUnlessItHoldsAReservation() {
    ok(reserve("R1", "100000").reply());
    coupon.runCommand(Coupon.Idle.INSTANCE);
    shard.expectNoMessage(Duration.ofMillis(300));

    ok(release("R1", EndReason.RELEASED).reply());
    coupon.runCommand(Coupon.Idle.INSTANCE);
    assertInstanceOf(ClusterSharding.Passivate.class, shard.receiveMessage());
  }

  @Test
  void aReleaseArrivingAfterTheTimeoutTimesTheReservationOut() {
    ok(reserve("R1", "30000").reply());
    clock.advance(TIMEOUT);
    var late = release("R1", EndReason.PAYMENT_FAILED);
    assertEquals(ErrorCode.RESERVATION_EXPIRED, assertInstanceOf(Outcome.Rejected.class, late.reply()).code());
    assertEquals(EndReason.RESERVATION_TIMEOUT, ((Released) late.event()).reason());
    assertRefused(ErrorCode.RESERVATION_EXPIRED, release("R1", EndReason.RELEASED));
  }

  @Test
  void aReserveMeetingAnOverdueReservationTimesItOutFirst() {
    ok(reserve("R1", "30000").reply());
    clock.advance(TIMEOUT);
    ReservationReceipt receipt = ok(reserve("R2", "40000").reply());
    assertEquals("R2", receipt.reservation().reservationId());
    assertEquals(clock.instant().plus(TIMEOUT), receipt.reservation().expiresAt());
    assertTrue(((CouponState.ReservedState) coupon.getState()).isReservedBy("R2"));
    assertEquals(Optional.of(EndReason.RESERVATION_TIMEOUT), ((CouponState.Known) coupon.getState()).howEnded("R1"));
    assertRefused(ErrorCode.RESERVATION_EXPIRED, confirm("R1"));

    clock.advance(TIMEOUT);
    ReservationReceipt again = ok(reserve("R2", "40000").reply());
    assertEquals(clock.instant().plus(TIMEOUT), again.reservation().expiresAt(),
        "the same reserve after its timeout is a new reservation, not the overdue one");
  }

  @Test
  void aReservationPastItsTimeoutIsReleasedAndItsConfirmExpires() {
    ok(reserve("R1", "30000").reply());
    clock.advance(TIMEOUT.minusSeconds(1));
    assertTrue(coupon.<Outcome<CouponView>>runCommand(replyTo -> new Coupon.TimeOutReservation("R1", replyTo)).hasNoEvents(),
        "not yet due");
    clock.advance(Duration.ofSeconds(1));
    var timedOut = coupon.<Outcome<CouponView>>runCommand(replyTo -> new Coupon.TimeOutReservation("R1", replyTo));
    assertEquals(EndReason.RESERVATION_TIMEOUT, ((Released) timedOut.event()).reason());
    assertEquals(CouponStatus.ISSUED, ok(timedOut.reply()).status());
    assertRefused(ErrorCode.RESERVATION_EXPIRED, confirm("R1"));
  }

  @Test
  void aConfirmArrivingAfterTheTimeoutReleasesTheCouponAndExpires() {
    ok(reserve("R1", "30000").reply());
    clock.advance(TIMEOUT);
    var late = confirm("R1");
    assertEquals(ErrorCode.RESERVATION_EXPIRED, assertInstanceOf(Outcome.Rejected.class, late.reply()).code());
    assertEquals(EndReason.RESERVATION_TIMEOUT, ((Released) late.event()).reason());
  }

  @Test
  void theEntityTimerReleasesAReservationByItself() {
    var shortTimeout = start(Duration.ofMillis(300), LONG_LIVED);
    clock.set(Instant.now());
    ok(shortTimeout.<Outcome<ReservationReceipt>>runCommand(replyTo ->
        new Coupon.Reserve(OWNER, null, "R1", "O", new BigDecimal("30000"), null, replyTo)).reply());
    clock.set(Instant.now().plusSeconds(1));
    List<Coupon.Event> written = shortTimeout.persistenceTestKit()
        .receivePersisted("Coupon|" + LONG_LIVED.couponId(), 3, Coupon.Event.class, Duration.ofSeconds(5));
    assertEquals(EndReason.RESERVATION_TIMEOUT, ((Released) written.get(2)).reason());
  }

  @Test
  void aRestartedEntityReplaysItsReservationAndStillTimesItOut() {
    var shortTimeout = start(Duration.ofMillis(500), LONG_LIVED);
    clock.set(Instant.now());
    ok(shortTimeout.<Outcome<ReservationReceipt>>runCommand(replyTo ->
        new Coupon.Reserve(OWNER, null, "R1", "O", new BigDecimal("30000"), null, replyTo)).reply());
    shortTimeout.restart();
    assertEquals(CouponStatus.RESERVED, ((CouponState.Known) shortTimeout.getState()).status());
    clock.set(Instant.now().plusSeconds(1));
    List<Coupon.Event> written = shortTimeout.persistenceTestKit()
        .receivePersisted("Coupon|" + LONG_LIVED.couponId(), 3, Coupon.Event.class, Duration.ofSeconds(5));
    assertEquals(EndReason.RESERVATION_TIMEOUT, ((Released) written.get(2)).reason());
  }

  @Test
  void cancellingEndsTheCouponForGood() {
    ok(reserve("R1", "30000").reply());
    var cancelled = cancel();
    assertEquals(EndReason.ORDER_CANCELLED, ((Cancelled) cancelled.event()).reason());
    assertEquals(CouponStatus.CANCELLED, ok(cancelled.reply()).status());
    assertTrue(cancel().hasNoEvents(), "cancelling twice is answered, not written");
    assertRefused(ErrorCode.COUPON_NOT_AVAILABLE, reserve("R2", "30000"));
    assertRefused(ErrorCode.COUPON_NOT_AVAILABLE, confirm("R1"));
  }

  @Test
  void anIssuedCouponCancelledByAnAdminIsAdminCancelled() {
    var cancelled = cancel();
    assertEquals(List.of(TermsRecorded.class, Cancelled.class), cancelled.events().stream().map(Object::getClass).toList());
    assertEquals(EndReason.ADMIN_CANCELLED, ((Cancelled) cancelled.events().get(1)).reason());
    assertNull(((Cancelled) cancelled.events().get(1)).reservationId());
  }

  @Test
  void aCouponPastItsExpiryIsRefusedAndExpiredOnce() {
    assertTrue(expire().hasNoEvents(), "not yet expired");
    clock.set(TERMS.expiryDate());
    assertRefused(ErrorCode.COUPON_EXPIRED, reserve("R1", "30000"));
    var expired = expire();
    assertEquals(List.of(TermsRecorded.class, Expired.class), expired.events().stream().map(Object::getClass).toList());
    assertTrue(expire().hasNoEvents(), "expired exactly once");
    assertRefused(ErrorCode.COUPON_EXPIRED, reserve("R1", "30000"));
    assertRefused(ErrorCode.COUPON_EXPIRED, cancel());
  }

  @Test
  void aReservedCouponWhoseExpiryPassesCanStillBeConfirmed() {
    clock.set(TERMS.expiryDate().minusSeconds(60));
    ok(reserve("R1", "30000").reply());
    clock.set(TERMS.expiryDate().plusSeconds(30));
    assertTrue(expire().hasNoEvents(), "a reserved coupon is not expired under its reservation");
    assertEquals(CouponStatus.USED, ok(confirm("R1").reply()).status());
  }

  @Test
  void theStateReplaysFromTheJournal() {
    ok(reserve("R1", "30000").reply());
    ok(release("R1", EndReason.RELEASED).reply());
    ok(reserve("R2", "50000").reply());
    CouponState before = coupon.getState();
    coupon.restart();
    assertEquals(before, coupon.getState());
    assertEquals(CouponStatus.USED, ok(confirm("R2").reply()).status());
  }
}
