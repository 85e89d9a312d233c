package couponservice.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.policy.CouponPolicy.CouponsIssued;
import couponservice.policy.CouponPolicy.KeyedRefusal;
import couponservice.policy.CouponPolicy.KeyedRefusalsRecorded;
import couponservice.policy.CouponPolicy.PolicyCreated;
import couponservice.testkit.EntityTestConfig;
import couponservice.testkit.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;

import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The policy's rules, one command at a time, on the in-memory journal of the persistence testkit. */
class CouponPolicyTest {
  private static final ActorTestKit testKit = ActorTestKit.create(EntityTestConfig.inMemoryPersistence());
  private static final long POLICY_ID = 7;
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static final PolicySettings SETTINGS = new PolicySettings(4, Duration.ofHours(25), 100, 4, Duration.ofSeconds(1),
      new CouponTagSlices(4, 1));

  private final TestClock clock = new TestClock(NOW);
  private PolicyDefinition definition;
  private EventSourcedBehaviorTestKit<CouponPolicy.Command, CouponPolicy.Event, PolicyState> policy;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void reset() {
    definition = definition(DistributionType.FIRST_COME, 3L, 1);
  }

  private static PolicyDefinition definition(DistributionType type, Long stock, int perUser) {
    return new PolicyDefinition("Flash", type == DistributionType.CODE ? "FLASH" : null, DiscountType.PERCENTAGE,
        BigDecimal.TEN, null, BigDecimal.valueOf(5000), type, stock, perUser, 7, null,
        Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-12-31T23:59:59Z"), null).validated();
  }

  private void start() {
    start(SETTINGS);
  }

  private void start(PolicySettings settings) {
    DefinitionSource registry = id -> CompletableFuture.completedFuture(
        Outcome.ok(new PolicyRegistry.Registration(id, definition, NOW.minusSeconds(60), "admin")));
    policy = EventSourcedBehaviorTestKit.create(testKit.system(),
        CouponPolicy.create(POLICY_ID, registry, clock, settings),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  private CommandResultWithReply<CouponPolicy.Command, CouponPolicy.Event, PolicyState, Outcome<IssuedCoupon>> issue(
      long userId, IssueChannel channel, String key) {
    return policy.runCommand(replyTo -> new CouponPolicy.Issue(userId, channel, key, null, clock.instant().plusSeconds(5), replyTo));
  }

  private IssuedCoupon issued(long userId) {
    return issuedVia(IssueChannel.BY_POLICY, userId, null);
  }

  private IssuedCoupon issuedVia(IssueChannel channel, long userId, String idempotencyKey) {
    Outcome<IssuedCoupon> reply = issue(userId, channel, idempotencyKey).reply();
    if (reply instanceof Outcome.Ok<IssuedCoupon> ok) {
      return ok.value();
    }
    throw new AssertionError("expected a coupon, got " + reply);
  }

  /**
   * Policy {@code policyId} of {@link #definition} as an actor of its own (so that a test can fail its journal writes),
   * after it issued user 1 a coupon, answered to {@code caller}.
   */
  private ActorRef<CouponPolicy.Command> spawnedAfterIssuingUserOne(long policyId,
      TestProbe<Outcome<IssuedCoupon>> caller) {
    ActorRef<CouponPolicy.Command> entity = testKit.spawn(CouponPolicy.create(policyId,
        id -> CompletableFuture.completedFuture(Outcome.ok(new PolicyRegistry.Registration(id, definition, NOW, "admin"))),
        clock, SETTINGS));
    entity.tell(new CouponPolicy.Issue(1, IssueChannel.BY_POLICY, null, null, clock.instant().plusSeconds(5), caller.ref()));
    assertInstanceOf(Outcome.Ok.class, caller.receiveMessage());
    return entity;
  }

  private static ErrorCode refusal(Outcome<?> reply) {
    return assertInstanceOf(Outcome.Rejected.class, reply, () -> "expected a refusal, got " + reply).code();
  }

  @Test
  void learnsItsTermsFromTheRegistryOnFirstContactAndRecordsItsCreation() {
    start();
    var result = policy.<Outcome<PolicyView>>runCommand(CouponPolicy.Get::new);
    PolicyView view = ((Outcome.Ok<PolicyView>) result.reply()).value();
    assertEquals(POLICY_ID, view.policyId());
    assertEquals(3L, view.remainingCount());
    assertTrue(view.isActive());
    assertEquals(List.of(new PolicyCreated(POLICY_ID, definition, NOW.minusSeconds(60), "admin")), result.events());
  }

  @Test
  void aPolicyTheRegistryDoesNotKnowIsNotFoundAndWritesNothing() {
    policy = EventSourcedBehaviorTestKit.create(testKit.system(),
        CouponPolicy.create(POLICY_ID, id -> CompletableFuture.completedFuture(
            Outcome.rejected(ErrorCode.POLICY_NOT_FOUND, "no policy " + id)), clock, SETTINGS),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
    var result = policy.<Outcome<PolicyView>>runCommand(CouponPolicy.Get::new);
    assertEquals(ErrorCode.POLICY_NOT_FOUND, refusal(result.reply()));
    assertTrue(result.hasNoEvents());
  }

  @Test
  void issuesExactlyTheStockWithDeterministicIdsThenRefusesWithoutWriting() {
    start();
    assertEquals(CouponIds.couponId(POLICY_ID, 1), issued(1).couponId());
    assertEquals(CouponIds.couponId(POLICY_ID, 2), issued(2).couponId());
    IssuedCoupon third = issued(3);
    assertEquals(CouponIds.couponId(POLICY_ID, 3), third.couponId());
    assertEquals(third.issuedAt().plus(Duration.ofDays(7)), third.expiryDate());

    var soldOut = issue(4, IssueChannel.BY_POLICY, null);
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(soldOut.reply()));
    assertTrue(soldOut.hasNoEvents());
    assertEquals(3, policy.getState().issuedCount());
  }

  @Test
  void aUserGetsAtMostMaxIssuePerUser() {
    definition = definition(DistributionType.DOWNLOAD, null, 2);
    start();
    issued(1);
    issued(1);
    var third = issue(1, IssueChannel.BY_POLICY, null);
    assertEquals(ErrorCode.COUPON_ALREADY_ISSUED, refusal(third.reply()));
    assertTrue(third.hasNoEvents());
    issued(2);
  }

  @Test
  void eachIssuanceEndpointIssuesOnlyItsDistributionTypes() {
    start();
    assertEquals(ErrorCode.DISTRIBUTION_TYPE_MISMATCH, refusal(issue(1, IssueChannel.BY_CODE, null).reply()));
    assertEquals(ErrorCode.DISTRIBUTION_TYPE_MISMATCH, refusal(issue(1, IssueChannel.EVENT, null).reply()));
    assertInstanceOf(Outcome.Ok.class, issue(1, IssueChannel.DIRECT, null).reply());
  }

  @Test
  void aDeactivatedPolicyOrOneOutsideItsWindowDoesNotIssue() {
    start();
    var deactivated = policy.<Outcome<PolicyView>>runCommand(replyTo -> new CouponPolicy.ChangeActivation(false, "admin", replyTo));
    assertEquals(false, ((Outcome.Ok<PolicyView>) deactivated.reply()).value().isActive());
    assertEquals(ErrorCode.POLICY_INACTIVE, refusal(issue(1, IssueChannel.BY_POLICY, null).reply()));

    policy.<Outcome<PolicyView>>runCommand(replyTo -> new CouponPolicy.ChangeActivation(true, "admin", replyTo));
    clock.set(Instant.parse("2025-12-31T23:59:59Z"));
    assertEquals(ErrorCode.POLICY_INACTIVE, refusal(issue(1, IssueChannel.BY_POLICY, null).reply()));
    clock.set(Instant.parse("2027-01-01T00:00:00Z"));
    assertEquals(ErrorCode.POLICY_INACTIVE, refusal(issue(1, IssueChannel.BY_POLICY, null).reply()));
    clock.set(Instant.parse("2026-12-31T23:59:59Z"));
    issued(1);
  }

  @Test
  void aRetryWithTheSameIdempotencyKeyGetsTheFirstOutcome() {
    definition = definition(DistributionType.FIRST_COME, 1L, 1);
    start();
    var first = issue(1, IssueChannel.BY_POLICY, "key-1");
    var retry = issue(1, IssueChannel.BY_POLICY, "key-1");
    assertEquals(first.reply(), retry.reply());
    assertTrue(retry.hasNoEvents());
    assertEquals(ErrorCode.COUPON_ALREADY_ISSUED, refusal(issue(1, IssueChannel.BY_POLICY, "key-2").reply()));

    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(issue(2, IssueChannel.BY_POLICY, "key-1").reply()));
    policy.<Outcome<QuantityChange>>runCommand(replyTo -> new CouponPolicy.ChangeMaxIssueCount(2, "admin", "more", replyTo));
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(issue(2, IssueChannel.BY_POLICY, "key-1").reply()),
        "the retry of a refused request is refused the same way");
    assertInstanceOf(Outcome.Ok.class, issue(2, IssueChannel.BY_POLICY, "key-3").reply());
  }

  private Outcome<QuantityChange> changeStock(long newMaxIssueCount) {
    return policy.<Outcome<QuantityChange>>runCommand(
        replyTo -> new CouponPolicy.ChangeMaxIssueCount(newMaxIssueCount, "admin", "more", replyTo)).reply();
  }

  @Test
  void aKeyedRefusalIsJournaledAndAnsweredTheSameAfterARestartEvenWhenThePolicyWouldNowIssue() {
    definition = definition(DistributionType.FIRST_COME, 1L, 1);
    start();
    issued(1);
    var keyed = issue(2, IssueChannel.BY_POLICY, "k-2");
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(keyed.reply()));
    assertEquals(List.of(new KeyedRefusalsRecorded(POLICY_ID, NOW,
        List.of(new KeyedRefusal(2, "k-2", ErrorCode.COUPON_SOLD_OUT, "all 1 coupons of policy 7 are issued")))),
        keyed.events());
    assertTrue(issue(3, IssueChannel.BY_POLICY, null).hasNoEvents(), "a refusal without a key is not journaled");

    assertInstanceOf(Outcome.Ok.class, changeStock(5));
    policy.restart();
    var retry = issue(2, IssueChannel.BY_POLICY, "k-2");
    assertEquals(keyed.reply(), retry.reply(), "the first outcome, though stock is left now");
    assertTrue(retry.hasNoEvents());
    assertInstanceOf(Outcome.Ok.class, issue(2, IssueChannel.BY_POLICY, "k-2b").reply(), "another key is decided");
    assertInstanceOf(Outcome.Ok.class, issue(4, IssueChannel.BY_POLICY, "k-2").reply(), "another user's key too");
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(issue(2, IssueChannel.BY_POLICY, "k-2").reply()));
  }

  @Test
  void keyedRefusalsArePartOfTheBatchWriteAndAnsweredOnceItIsDurable() {
    definition = definition(DistributionType.FIRST_COME, 2L, 1);
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    List<List<Object>> writes = new CopyOnWriteArrayList<>();
    journal.withPolicy((persistenceId, operation) -> {
      if (persistenceId.equals("CouponPolicy|103") && operation instanceof WriteEvents write) {
        writes.add(write.getBatch());
      }
      return ProcessingSuccess.getInstance();
    });
    try {
      // Held until the policy knows its terms, the requests are then decided one after another into one batch.
      CompletableFuture<Outcome<PolicyRegistry.Registration>> registryAnswer = new CompletableFuture<>();
      ActorRef<CouponPolicy.Command> entity = testKit.spawn(CouponPolicy.create(103, id -> registryAnswer, clock, SETTINGS));
      List<TestProbe<Outcome<IssuedCoupon>>> callers = new ArrayList<>();
      for (Object[] request : List.<Object[]>of(new Object[] {1L, "a"}, new Object[] {2L, null}, new Object[] {3L, "c"},
          new Object[] {1L, "d"}, new Object[] {4L, null}, new Object[] {3L, "c"})) {
        TestProbe<Outcome<IssuedCoupon>> caller = testKit.createTestProbe();
        callers.add(caller);
        entity.tell(new CouponPolicy.Issue((Long) request[0], IssueChannel.BY_POLICY, (String) request[1], null,
            clock.instant().plusSeconds(5), caller.ref()));
      }
      registryAnswer.complete(Outcome.ok(new PolicyRegistry.Registration(103, definition, NOW, "admin")));

      assertInstanceOf(Outcome.Ok.class, callers.get(0).receiveMessage());
      assertInstanceOf(Outcome.Ok.class, callers.get(1).receiveMessage());
      assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(callers.get(2).receiveMessage()));
      assertEquals(ErrorCode.COUPON_ALREADY_ISSUED, refusal(callers.get(3).receiveMessage()));
      assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(callers.get(4).receiveMessage()));
      assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(callers.get(5).receiveMessage()), "the same key while pending");
      assertEquals(2, writes.size(), "the creation, then one write for the whole batch: " + writes);
      List<Object> batch = writes.get(1);
      assertEquals(List.of(1L, 2L), ((CouponsIssued) batch.get(0)).userIds());
      assertEquals(new KeyedRefusalsRecorded(103, NOW, List.of(
              new KeyedRefusal(3, "c", ErrorCode.COUPON_SOLD_OUT, "all 2 coupons of policy 103 are issued"),
              new KeyedRefusal(1, "d", ErrorCode.COUPON_ALREADY_ISSUED, "user 1 already holds 1 coupon(s) of policy 103"))),
          batch.get(1),
          "keyed refusals only, each once, in the same write as the issues they depend on");
      assertEquals(2, batch.size());
    } finally {
      journal.resetPolicy();
    }
  }

  @Test
  void aKeyedRefusalWhoseWriteFailedIsNotRemembered() {
    definition = definition(DistributionType.FIRST_COME, 1L, 1);
    TestProbe<Outcome<IssuedCoupon>> caller = testKit.createTestProbe();
    ActorRef<CouponPolicy.Command> entity = spawnedAfterIssuingUserOne(104, caller);

    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    journal.failNextPersisted("CouponPolicy|104");
    entity.tell(new CouponPolicy.Issue(2, IssueChannel.BY_POLICY, "k", null, clock.instant().plusSeconds(5), caller.ref()));
    assertEquals(ErrorCode.SERVICE_UNAVAILABLE, refusal(caller.receiveMessage(Duration.ofSeconds(5))),
        "not answered COUPON_SOLD_OUT: the refusal is not durable, so its retry could not be answered the same");

    TestProbe<Outcome<QuantityChange>> admin = testKit.createTestProbe();
    entity.tell(new CouponPolicy.ChangeMaxIssueCount(2, "admin", "more", admin.ref()));
    assertInstanceOf(Outcome.Ok.class, admin.receiveMessage());
    entity.tell(new CouponPolicy.Issue(2, IssueChannel.BY_POLICY, "k", null, clock.instant().plusSeconds(5), caller.ref()));
    assertEquals(CouponIds.couponId(104, 2), ((Outcome.Ok<IssuedCoupon>) caller.receiveMessage()).value().couponId(),
        "the retry is decided afresh");
    assertTrue(journal.persistedInStorage("CouponPolicy|104").stream().noneMatch(KeyedRefusalsRecorded.class::isInstance));
  }

  @Test
  void aKeyedRefusalIsRememberedForTheRetentionThenDecidedAfresh() {
    definition = definition(DistributionType.FIRST_COME, 1L, 1);
    start();
    issued(1);
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(issue(2, IssueChannel.BY_POLICY, "k").reply()));
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(issue(3, IssueChannel.BY_POLICY, "x").reply()));
    assertInstanceOf(Outcome.Ok.class, changeStock(3));

    clock.advance(SETTINGS.idempotencyRetention());
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(issue(2, IssueChannel.BY_POLICY, "k").reply()), "at the retention");
    clock.advance(Duration.ofSeconds(1));
    assertInstanceOf(Outcome.Ok.class, issue(2, IssueChannel.BY_POLICY, "k").reply(), "past it");
    assertEquals(List.of(), policy.getState().toSnapshot().keyedRefusals(),
        "the issue forgot both: k is answered by its coupon now, x is past the retention");
  }

  @Test
  void atMostMaxKeyedRefusalsAreRememberedTheOldestForgottenFirst() {
    definition = definition(DistributionType.FIRST_COME, 1L, 1);
    start(new PolicySettings(4, Duration.ofHours(25), 2, 4, Duration.ofSeconds(1), new CouponTagSlices(4, 1)));
    issued(1);
    for (long user = 2; user <= 4; user++) {
      assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(issue(user, IssueChannel.BY_POLICY, "k").reply()));
    }
    assertEquals(List.of(3L, 4L),
        policy.getState().toSnapshot().keyedRefusals().stream().map(r -> r.key().userId()).toList());
    assertInstanceOf(Outcome.Ok.class, changeStock(2));
    assertInstanceOf(Outcome.Ok.class, issue(2, IssueChannel.BY_POLICY, "k").reply(), "the oldest was forgotten");
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(issue(3, IssueChannel.BY_POLICY, "k").reply()));
  }

  @Test
  void theStockCanBeRaisedButNotBelowWhatWasIssued() {
    start();
    issued(1);
    issued(2);
    var tooLow = policy.<Outcome<QuantityChange>>runCommand(
        replyTo -> new CouponPolicy.ChangeMaxIssueCount(1, "admin", "oops", replyTo));
    assertEquals(ErrorCode.VALIDATION_FAILED, refusal(tooLow.reply()));
    assertTrue(tooLow.hasNoEvents());

    var raised = policy.<Outcome<QuantityChange>>runCommand(
        replyTo -> new CouponPolicy.ChangeMaxIssueCount(10, "admin", "more", replyTo));
    assertEquals(new QuantityChange(POLICY_ID, 3L, 10, 2, 8, true), ((Outcome.Ok<QuantityChange>) raised.reply()).value());
  }

  @Test
  void aDirectIssueDecidesEveryUserAndWritesOneEvent() {
    start();
    issued(2);
    var result = policy.<Outcome<DirectIssueResult>>runCommand(
        replyTo -> new CouponPolicy.DirectIssue(List.of(1L, 2L, 3L, 4L), "admin", null, clock.instant().plusSeconds(5), replyTo));
    DirectIssueResult direct = ((Outcome.Ok<DirectIssueResult>) result.reply()).value();
    assertEquals(4, direct.totalRequested());
    assertEquals(2, direct.successCount());
    assertEquals(List.of(
            DirectIssueResult.Entry.success(1, CouponIds.couponId(POLICY_ID, 2)),
            DirectIssueResult.Entry.failure(2, ErrorCode.COUPON_ALREADY_ISSUED),
            DirectIssueResult.Entry.success(3, CouponIds.couponId(POLICY_ID, 3)),
            DirectIssueResult.Entry.failure(4, ErrorCode.COUPON_SOLD_OUT)),
        direct.results());
    assertEquals(1, result.events().size());
    assertEquals(List.of(1L, 3L), ((CouponsIssued) result.event()).userIds());
  }

  @Test
  void issuesDecidedWhileTheWriteIsPendingAreWrittenTogether() {
    CompletableFuture<Outcome<PolicyRegistry.Registration>> registryAnswer = new CompletableFuture<>();
    ActorRef<CouponPolicy.Command> entity = testKit.spawn(CouponPolicy.create(99, id -> registryAnswer, clock, SETTINGS));
    TestProbe<Outcome<IssuedCoupon>> callers = testKit.createTestProbe();
    for (long user = 1; user <= 3; user++) {
      entity.tell(new CouponPolicy.Issue(user, IssueChannel.BY_POLICY, null, null, clock.instant().plusSeconds(5), callers.ref()));
    }
    entity.tell(new CouponPolicy.Issue(1, IssueChannel.BY_POLICY, null, null, clock.instant().plusSeconds(5), callers.ref()));
    registryAnswer.complete(Outcome.ok(new PolicyRegistry.Registration(99, definition, NOW, "admin")));

    List<Outcome<IssuedCoupon>> replies = callers.receiveSeveralMessages(4);
    assertEquals(3, replies.stream().filter(r -> r instanceof Outcome.Ok).count());
    assertEquals(ErrorCode.COUPON_ALREADY_ISSUED,
        refusal(replies.stream().filter(r -> r instanceof Outcome.Rejected).findFirst().orElseThrow()));
    List<CouponPolicy.Event> written = PersistenceTestKit.create(testKit.system())
        .<CouponPolicy.Event>receivePersisted("CouponPolicy|99", 2, CouponPolicy.Event.class);
    assertInstanceOf(PolicyCreated.class, written.get(0));
    assertEquals(List.of(1L, 2L, 3L), ((CouponsIssued) written.get(1)).userIds());
  }

  @Test
  void restartReplaysTheJournalSoCountsLimitsIdsAndKeysContinue() {
    definition = definition(DistributionType.FIRST_COME, 10L, 1);
    start();
    IssuedCoupon keyed = issuedVia(IssueChannel.BY_POLICY, 1, "k");
    issued(2);
    policy.restart();

    assertEquals(2, policy.getState().issuedCount());
    assertEquals(ErrorCode.COUPON_ALREADY_ISSUED, refusal(issue(2, IssueChannel.BY_POLICY, null).reply()));
    assertEquals(Outcome.ok(keyed), issue(1, IssueChannel.BY_POLICY, "k").reply());
    assertEquals(CouponIds.couponId(POLICY_ID, 3), issued(3).couponId());
  }

  @Test
  void snapshotsOnceQuietAfterEnoughJournalRowsAndRecoversFromTheSnapshot() {
    definition = definition(DistributionType.DIRECT, null, 1);
    start();
    int batchIssued = 20_000;
    for (long from = 1; from <= batchIssued; from += 5_000) {
      List<Long> batch = new ArrayList<>(LongStream.range(from, from + 5_000).boxed().toList());
      policy.<Outcome<DirectIssueResult>>runCommand(replyTo -> new CouponPolicy.DirectIssue(batch, "admin", null, clock.instant().plusSeconds(5), replyTo));
    }
    var snapshots = policy.snapshotTestKit().orElseThrow();
    snapshots.expectNothingPersisted("CouponPolicy|" + POLICY_ID);
    issuedVia(IssueChannel.DIRECT, batchIssued + 1, null);
    snapshots.expectNothingPersisted("CouponPolicy|" + POLICY_ID);
    clock.advance(Duration.ofMillis(999));
    issuedVia(IssueChannel.DIRECT, batchIssued + 2, null);
    snapshots.expectNothingPersisted("CouponPolicy|" + POLICY_ID);
    clock.advance(Duration.ofMillis(1));
    long quietUser = batchIssued + 3;
    issuedVia(IssueChannel.DIRECT, quietUser, null);
    PolicySnapshot snapshot = snapshots.expectNextPersistedClass("CouponPolicy|" + POLICY_ID, PolicySnapshot.class);
    assertEquals(quietUser, snapshot.owners().length,
        "small writes within a second of the large batches did not count as quiet; the first one after it did");

    policy.restart();
    PolicyState recovered = policy.getState();
    assertEquals(quietUser, recovered.issuedCount());
    assertEquals(0, recovered.rowsSinceSnapshot(), "recovered from the snapshot, nothing replayed");
    assertEquals(1, recovered.couponsHeldBy(12_345));
    assertEquals(0, recovered.couponsHeldBy(quietUser + 1));
    var more = policy.<Outcome<DirectIssueResult>>runCommand(
        replyTo -> new CouponPolicy.DirectIssue(List.of(12_345L, quietUser + 1), "admin", null, clock.instant().plusSeconds(5), replyTo));
    assertEquals(List.of(DirectIssueResult.Entry.failure(12_345, ErrorCode.COUPON_ALREADY_ISSUED),
            DirectIssueResult.Entry.success(quietUser + 1, CouponIds.couponId(POLICY_ID, quietUser + 1))),
        ((Outcome.Ok<DirectIssueResult>) more.reply()).value().results());
  }

  @Test
  void aFailedWriteLeavesNoTraceAndItsCallerLearnsNothingWasIssued() {
    definition = definition(DistributionType.FIRST_COME, 3L, 1);
    TestProbe<Outcome<IssuedCoupon>> caller = testKit.createTestProbe();
    ActorRef<CouponPolicy.Command> entity = spawnedAfterIssuingUserOne(101, caller);

    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    journal.failNextPersisted("CouponPolicy|101");
    entity.tell(new CouponPolicy.Issue(2, IssueChannel.BY_POLICY, null, null, clock.instant().plusSeconds(5), caller.ref()));
    assertEquals(ErrorCode.SERVICE_UNAVAILABLE, refusal(caller.receiveMessage(Duration.ofSeconds(5))));

    TestProbe<Outcome<PolicyView>> views = testKit.createTestProbe();
    entity.tell(new CouponPolicy.Get(views.ref()));
    assertEquals(1, ((Outcome.Ok<PolicyView>) views.receiveMessage()).value().currentIssueCount(),
        "the failed batch is not counted");
    for (long user = 2; user <= 3; user++) {
      entity.tell(new CouponPolicy.Issue(user, IssueChannel.BY_POLICY, null, null, clock.instant().plusSeconds(5),
          caller.ref()));
      assertEquals(CouponIds.couponId(101, user), ((Outcome.Ok<IssuedCoupon>) caller.receiveMessage()).value().couponId(),
          "sequences go on without a gap");
    }
    entity.tell(new CouponPolicy.Issue(4, IssueChannel.BY_POLICY, null, null, clock.instant().plusSeconds(5), caller.ref()));
    assertEquals(ErrorCode.COUPON_SOLD_OUT, refusal(caller.receiveMessage()), "sold out after exactly the stock");
  }

  @Test
  void aRequestDecidedAfterItsCallerGaveUpChangesNothing() {
    start();
    var late = policy.<Outcome<IssuedCoupon>>runCommand(replyTo ->
        new CouponPolicy.Issue(1, IssueChannel.BY_POLICY, null, null, clock.instant().minusMillis(1), replyTo));
    assertEquals(ErrorCode.SERVICE_UNAVAILABLE, refusal(late.reply()));
    assertTrue(late.events().stream().noneMatch(CouponsIssued.class::isInstance));
  }

  private Outcome<DirectIssueResult> chunk(long chunk, List<Long> users) {
    return policy.<Outcome<DirectIssueResult>>runCommand(replyTo ->
        new CouponPolicy.IssueJobChunk("job-1", chunk, users, "crm", "req-1", replyTo)).reply();
  }

  @Test
  void aJobsChunkIsAppliedOnceAndARetryIsAnsweredAsItWas() {
    definition = definition(DistributionType.DIRECT, 3L, 1);
    start();
    DirectIssueResult first = ((Outcome.Ok<DirectIssueResult>) chunk(1, List.of(1L, 2L))).value();
    assertEquals(2, first.successCount());
    var second = policy.<Outcome<DirectIssueResult>>runCommand(replyTo ->
        new CouponPolicy.IssueJobChunk("job-1", 2, List.of(3L, 4L, 2L), "crm", "req-1", replyTo));
    List<DirectIssueResult.Entry> expected = List.of(
        DirectIssueResult.Entry.success(3, CouponIds.couponId(POLICY_ID, 3)),
        DirectIssueResult.Entry.failure(4, ErrorCode.COUPON_SOLD_OUT),
        DirectIssueResult.Entry.failure(2, ErrorCode.COUPON_ALREADY_ISSUED));
    assertEquals(expected, ((Outcome.Ok<DirectIssueResult>) second.reply()).value().results());
    CouponsIssued written = (CouponsIssued) second.event();
    assertEquals(IssueOrigin.jobChunk("job-1", 2, "crm", "req-1"), written.origin());

    var retried = policy.<Outcome<DirectIssueResult>>runCommand(replyTo ->
        new CouponPolicy.IssueJobChunk("job-1", 2, List.of(3L, 4L, 2L), "crm", "req-1", replyTo));
    assertEquals(expected, ((Outcome.Ok<DirectIssueResult>) retried.reply()).value().results());
    assertTrue(retried.hasNoEvents(), "a retried chunk issues nobody again");
    policy.restart();
    assertEquals(expected, ((Outcome.Ok<DirectIssueResult>) chunk(2, List.of(3L, 4L, 2L))).value().results(),
        "remembered across a restart");
    assertEquals(ErrorCode.VALIDATION_FAILED, refusal(chunk(1, List.of(1L, 2L))), "an older chunk is not applied again");
    assertEquals(3, policy.getState().issuedCount());
  }
}
