package couponservice.policy;

import couponservice.AwaitingRequests;
import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.Request;
import couponservice.UnconfirmedWrite;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A coupon policy: the sharded, event-sourced entity that alone decides stock and per-user limits.
 *
 * <p>Group commit: an accepted issue is not written at once. It joins {@link PendingIssuances} (where it
 * already counts against stock and limits) and a {@link FlushIssues} message to self writes everything
 * pending as one {@link CouponsIssued} event. While that write is in flight, Pekko stashes new commands;
 * when it completes they are decided one after another into the next batch. So a hot policy costs one
 * journal round trip per batch, not per coupon, and a refusal is answered without any write — except the refusal
 * of a request with an {@code Idempotency-Key}: its retry must get the same answer even after a restart, so it is
 * recorded ({@link KeyedRefusalsRecorded}) with the next batch's write and answered once that is durable.
 */
public final class CouponPolicy
    extends EventSourcedBehaviorWithEnforcedReplies<CouponPolicy.Command, CouponPolicy.Event, PolicyState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "CouponPolicy");

  // ---- commands ----

  public interface Command extends CborSerializable {}

  public record Get(ActorRef<Outcome<PolicyView>> replyTo) implements Command, Request<PolicyView> {}

  /**
   * One coupon for one user; {@code idempotencyKey} and {@code correlationId} (the caller's request id) may be null.
   * A request still undecided at {@code respondBy} is dropped: its caller has been answered 503 by then.
   */
  public record Issue(long userId, IssueChannel channel, String idempotencyKey, String correlationId, Instant respondBy,
      ActorRef<Outcome<IssuedCoupon>> replyTo)
      implements Command, Request<IssuedCoupon> {}

  /** Admin batch: one coupon for each of up to 10,000 distinct users; dropped like an issue past {@code respondBy}. */
  public record DirectIssue(List<Long> userIds, String issuedBy, String correlationId, Instant respondBy,
      ActorRef<Outcome<DirectIssueResult>> replyTo)
      implements Command, Request<DirectIssueResult> {}

  public record ChangeActivation(boolean active, String changedBy, ActorRef<Outcome<PolicyView>> replyTo)
      implements Command, Request<PolicyView> {}

  /**
   * Chunk {@code chunk} of bulk job {@code jobId}: one coupon for each user, decided like a direct issue, and
   * applied once — asked again (a retry after a crash), the chunk is answered as it was applied. A job sends its
   * chunks one after another.
   */
  public record IssueJobChunk(String jobId, long chunk, List<Long> userIds, String issuedBy, String correlationId,
      ActorRef<Outcome<DirectIssueResult>> replyTo)
      implements Command, Request<DirectIssueResult> {}

  /** A bulk job of this policy starts: recorded in the policy's history, once (a repeat changes nothing). */
  public record RecordJobStarted(String jobId, String name, String issuedBy, long totalRequested,
      ActorRef<Outcome<PolicyView>> replyTo)
      implements Command, Request<PolicyView> {}

  /** A bulk job of this policy ended (COMPLETED or CANCELLED): recorded in the policy's history, once. */
  public record RecordJobEnded(String jobId, String status, long successCount, long failureCount,
      ActorRef<Outcome<PolicyView>> replyTo)
      implements Command, Request<PolicyView> {}

  public record ChangeMaxIssueCount(
      long newMaxIssueCount, String modifiedBy, String reason, ActorRef<Outcome<QuantityChange>> replyTo)
      implements Command, Request<QuantityChange> {}

  enum FlushIssues implements Command {
    INSTANCE
  }

  record DefinitionLoaded(Outcome<PolicyRegistry.Registration> result) implements Command {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {
    long policyId();
  }

  /** {@code createdBy}: the admin who created it; null in events written before it was recorded. */
  public record PolicyCreated(long policyId, PolicyDefinition definition, Instant createdAt, String createdBy)
      implements Event {}

  /**
   * One origin's coupons of one write: sequences {@code firstSequence .. firstSequence + userIds.size() - 1}, in
   * order, owned by {@code userIds}, each with the batch's {@code terms}. {@code correlationIds} holds each coupon's
   * request id for API callers (null for an origin with one caller, whose id is in {@code origin}).
   * Events written before the batch carried its terms and origin have null there: such a batch was issued to API
   * callers under the terms of the policy's {@link PolicyCreated}.
   */
  public record CouponsIssued(
      long policyId,
      long firstSequence,
      Instant issuedAt,
      List<Long> userIds,
      List<KeyedIssue> keyedIssues,
      IssuedTerms terms,
      List<String> correlationIds,
      IssueOrigin origin,
      List<Refusal> refusals)
      implements Event {

    public long couponIdAt(int index) {
      return CouponIds.couponId(policyId, firstSequence + index);
    }

    /** The request id that caused coupon {@code index}, if one is known. */
    public String correlationIdAt(int index) {
      return correlationIds != null ? correlationIds.get(index) : origin == null ? null : origin.correlationId();
    }

    public IssueOrigin originOrRequests() {
      return origin == null ? IssueOrigin.REQUESTS : origin;
    }
  }

  /** An issue that carried an {@code Idempotency-Key}. */
  public record KeyedIssue(long userId, String key, long sequence) implements CborSerializable {}

  /** A user of a job's chunk that was not issued a coupon, and why. */
  public record Refusal(long userId, ErrorCode code) implements CborSerializable {}

  /**
   * Requests with an {@code Idempotency-Key} refused since the previous write, written with the issues they were
   * decided beside, so that a retry is refused the same way for the idempotency retention. Untagged: no projection
   * or publisher reads it, and the policy's history does not list it.
   */
  public record KeyedRefusalsRecorded(long policyId, Instant refusedAt, List<KeyedRefusal> refusals)
      implements Event {}

  /** The refusal of a request of {@code userId} with Idempotency-Key {@code key}: what its retries are answered. */
  public record KeyedRefusal(long userId, String key, ErrorCode code, String message) implements CborSerializable {}

  public record IssuanceJobStarted(long policyId, String jobId, String name, String issuedBy, long totalRequested,
      Instant at) implements Event {}

  public record IssuanceJobEnded(long policyId, String jobId, String status, long successCount, long failureCount,
      Instant at) implements Event {}

  /** {@code changedBy}: the admin who changed it; null in events written before it was recorded. */
  public record PolicyActivationChanged(long policyId, boolean active, Instant at, String changedBy) implements Event {}

  public record MaxIssueCountChanged(
      long policyId, Long previousMaxIssueCount, long newMaxIssueCount, String modifiedBy, String reason, Instant at)
      implements Event {}

  // ---- setup ----

  public static void init(ClusterSharding sharding, DefinitionSource definitions, Clock clock, PolicySettings settings) {
    sharding.init(Entity.of(ENTITY_KEY,
        ctx -> create(Long.parseLong(ctx.getEntityId()), definitions, clock, settings)));
  }

  public static PersistenceId persistenceId(long policyId) {
    return PersistenceId.of(ENTITY_KEY.name(), Long.toString(policyId));
  }

  public static Behavior<Command> create(
      long policyId, DefinitionSource definitions, Clock clock, PolicySettings settings) {
    return Behaviors.setup(ctx -> new CouponPolicy(ctx, policyId, definitions, clock, settings));
  }

  private final ActorContext<Command> context;
  private final long policyId;
  private final DefinitionSource definitions;
  private final Clock clock;
  private final PolicySettings settings;
  private final PendingIssuances pending = new PendingIssuances();
  /** Requests that arrived before the policy knew its terms; re-sent to self once it does. */
  private final AwaitingRequests<Command, PolicyRegistry.Registration> awaitingDefinition = new AwaitingRequests<>();
  private boolean flushScheduled;
  private final UnconfirmedWrite<PolicyState> unconfirmed = new UnconfirmedWrite<>();

  private CouponPolicy(
      ActorContext<Command> context, long policyId, DefinitionSource definitions, Clock clock, PolicySettings settings) {
    super(persistenceId(policyId), EntitySupervision.ON_JOURNAL_FAILURE);
    this.context = context;
    this.policyId = policyId;
    this.definitions = definitions;
    this.clock = clock;
    this.settings = settings;
  }

  @Override
  public PolicyState emptyState() {
    return PolicyState.empty(policyId, settings);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, PolicyState> commandHandler() {
    var builder = newCommandHandlerWithReplyBuilder();
    builder
        .forState(state -> !state.isCreated())
        .onCommand(DefinitionLoaded.class, this::onDefinitionLoaded)
        .onCommand(FlushIssues.class, (state, cmd) -> Effect().noReply())
        .onAnyCommand(this::awaitDefinition);
    builder
        .forAnyState()
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(state.view())))
        .onCommand(Issue.class, this::onIssue)
        .onCommand(DirectIssue.class, this::onDirectIssue)
        .onCommand(IssueJobChunk.class, this::onIssueJobChunk)
        .onCommand(RecordJobStarted.class, (state, cmd) -> state.isRunning(cmd.jobId())
            ? Effect().reply(cmd.replyTo(), Outcome.ok(state.view()))
            : write(state, List.of(new IssuanceJobStarted(policyId, cmd.jobId(), cmd.name(), cmd.issuedBy(),
                cmd.totalRequested(), clock.instant())),
                waiting(written -> cmd.replyTo().tell(Outcome.ok(written.view())), cmd.replyTo())))
        .onCommand(RecordJobEnded.class, (state, cmd) -> !state.isRunning(cmd.jobId())
            ? Effect().reply(cmd.replyTo(), Outcome.ok(state.view()))
            : write(state, List.of(new IssuanceJobEnded(policyId, cmd.jobId(), cmd.status(), cmd.successCount(),
                cmd.failureCount(), clock.instant())),
                waiting(written -> cmd.replyTo().tell(Outcome.ok(written.view())), cmd.replyTo())))
        .onCommand(FlushIssues.class, this::onFlush)
        .onCommand(ChangeActivation.class, this::onChangeActivation)
        .onCommand(ChangeMaxIssueCount.class, this::onChangeMaxIssueCount)
        .onCommand(DefinitionLoaded.class, (state, cmd) -> Effect().noReply());
    return builder.build();
  }

  // ---- creation on first contact ----

  private ReplyEffect<Event, PolicyState> awaitDefinition(PolicyState state, Command command) {
    if (command instanceof Request<?>) {
      awaitingDefinition.hold(context, command, () -> definitions.lookup(policyId), DefinitionLoaded::new,
          "the policy registry did not answer");
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, PolicyState> onDefinitionLoaded(PolicyState state, DefinitionLoaded loaded) {
    if (loaded.result() instanceof Outcome.Ok<PolicyRegistry.Registration> ok) {
      List<Command> waiting = awaitingDefinition.release();
      PolicyRegistry.Registration registration = ok.value();
      return Effect()
          .persist(new PolicyCreated(policyId, registration.definition(), registration.registeredAt(),
              registration.registeredBy()))
          .thenRun(created -> waiting.forEach(request -> context.getSelf().tell(request)))
          .thenNoReply();
    }
    awaitingDefinition.refuseAll((Outcome.Rejected<?>) loaded.result());
    return Effect().noReply();
  }

  // ---- issuance ----

  private ReplyEffect<Event, PolicyState> onIssue(PolicyState state, Issue cmd) {
    Instant now = clock.instant();
    if (now.isAfter(cmd.respondBy())) {
      return Effect().reply(cmd.replyTo(), tooLate());
    }
    IdempotencyKey key = cmd.idempotencyKey() == null ? null : new IdempotencyKey(cmd.userId(), cmd.idempotencyKey());
    if (key != null) {
      OptionalLong issued = state.sequenceIssuedFor(key);
      if (issued.isPresent()) {
        return Effect().reply(cmd.replyTo(), Outcome.ok(state.issuedCoupon(issued.getAsLong())));
      }
      Optional<Integer> pendingOffset = pending.offsetOf(key);
      if (pendingOffset.isPresent()) {
        answerWhenWritten(pending.requests(), pendingOffset.get(), cmd.replyTo());
        return Effect().noReply();
      }
      Optional<Outcome.Rejected<IssuedCoupon>> pendingRefusal = pending.refusalOf(key);
      if (pendingRefusal.isPresent()) {
        refuseWhenWritten(pendingRefusal.get(), cmd.replyTo());
        return Effect().noReply();
      }
      Optional<Outcome.Rejected<IssuedCoupon>> recorded = state.keyedRefusal(key, now);
      if (recorded.isPresent()) {
        return Effect().reply(cmd.replyTo(), recorded.get());
      }
    }
    Optional<Outcome.Rejected<IssuedCoupon>> refusal = state.<IssuedCoupon>refusalForChannel(cmd.channel(), now)
        .or(() -> state.refusalForUser(cmd.userId(), 0, 0));
    if (refusal.isPresent() && key == null) {
      // The hot path of a sold-out sale: nothing to remember, no write to wait for.
      return Effect().reply(cmd.replyTo(), refusal.get());
    }
    // Else a keyed refusal, or one that stock or the user's limit makes only through issues not yet durable: either
    // holds once the next write is durable (the keyed one is recorded by it).
    Optional<Outcome.Rejected<IssuedCoupon>> refusalOnceWritten = refusal.or(() ->
        state.refusalForUser(cmd.userId(), pending.countFor(cmd.userId()), pending.size()));
    if (refusalOnceWritten.isPresent()) {
      if (key != null) {
        pending.refuse(key, refusalOnceWritten.get());
        scheduleFlush();
      }
      refuseWhenWritten(refusalOnceWritten.get(), cmd.replyTo());
      return Effect().noReply();
    }
    PendingIssuances.Group requests = pending.requests();
    answerWhenWritten(requests, pending.add(requests, cmd.userId(), key, cmd.correlationId()), cmd.replyTo());
    scheduleFlush();
    return Effect().noReply();
  }

  private void refuseWhenWritten(Outcome.Rejected<IssuedCoupon> refusal, ActorRef<Outcome<IssuedCoupon>> replyTo) {
    pending.onWrite(waiting(written -> replyTo.tell(refusal), replyTo));
  }

  private void answerWhenWritten(PendingIssuances.Group group, int offset, ActorRef<Outcome<IssuedCoupon>> replyTo) {
    pending.onWrite(waiting(written -> replyTo.tell(Outcome.ok(written.issuedCoupon(group.sequenceAt(offset)))), replyTo));
  }

  /** A request answered by {@code onWritten} once the next write is durable, and told nothing changed if it failed. */
  private static PendingIssuances.Waiting waiting(Consumer<PolicyState> onWritten, ActorRef<? extends Outcome<?>> replyTo) {
    return new PendingIssuances.Waiting() {
      @Override
      public void written(PolicyState state) {
        onWritten.accept(state);
      }

      @Override
      public void notWritten() {
        @SuppressWarnings("unchecked")
        ActorRef<Outcome<Object>> caller = (ActorRef<Outcome<Object>>) replyTo;
        caller.tell(Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE,
            "the database failed while writing this change; nothing was changed, retry"));
      }
    };
  }

  /** The answer to a request decided after its caller stopped waiting (the caller was answered 503 already). */
  private static <T> Outcome<T> tooLate() {
    return Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE, "the request waited too long; nothing was changed");
  }

  private ReplyEffect<Event, PolicyState> onDirectIssue(PolicyState state, DirectIssue cmd) {
    Instant now = clock.instant();
    if (now.isAfter(cmd.respondBy())) {
      return Effect().reply(cmd.replyTo(), tooLate());
    }
    Optional<Outcome.Rejected<DirectIssueResult>> refusal = state.refusalForChannel(IssueChannel.DIRECT, now);
    if (refusal.isPresent()) {
      return Effect().reply(cmd.replyTo(), refusal.get());
    }
    boolean dependsOnPending = !pending.isEmpty();
    List<Long> users = cmd.userIds();
    PendingIssuances.Group group = pending.newGroup(IssueOrigin.direct(cmd.issuedBy(), cmd.correlationId()));
    int[] offsets = new int[users.size()];
    ErrorCode[] failures = new ErrorCode[users.size()];
    for (int i = 0; i < users.size(); i++) {
      long userId = users.get(i);
      Optional<Outcome.Rejected<Void>> userRefusal =
          state.refusalForUser(userId, pending.countFor(userId), pending.size());
      if (userRefusal.isPresent()) {
        failures[i] = userRefusal.get().code();
      } else {
        offsets[i] = pending.add(group, userId, null, null);
      }
    }
    boolean anyIssued = !group.userIds().isEmpty();
    if (!anyIssued && !dependsOnPending) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(directResult(users, group, offsets, failures)));
    }
    if (anyIssued) {
      context.getLog().info("Direct issue of policy {} to {} users by {}", policyId, group.userIds().size(),
          cmd.issuedBy());
      scheduleFlush();
    }
    pending.onWrite(waiting(written -> cmd.replyTo().tell(Outcome.ok(directResult(users, group, offsets, failures))),
        cmd.replyTo()));
    return Effect().noReply();
  }

  private DirectIssueResult directResult(List<Long> users, PendingIssuances.Group group, int[] offsets,
      ErrorCode[] failures) {
    List<DirectIssueResult.Entry> entries = new ArrayList<>(users.size());
    for (int i = 0; i < users.size(); i++) {
      entries.add(failures[i] != null
          ? DirectIssueResult.Entry.failure(users.get(i), failures[i])
          : DirectIssueResult.Entry.success(users.get(i), CouponIds.couponId(policyId, group.sequenceAt(offsets[i]))));
    }
    return DirectIssueResult.of(entries);
  }

  private ReplyEffect<Event, PolicyState> onIssueJobChunk(PolicyState state, IssueJobChunk cmd) {
    Optional<CouponsIssued> applied = state.lastChunkOf(cmd.jobId());
    if (applied.isPresent() && applied.get().origin().chunk() >= cmd.chunk()) {
      return applied.get().origin().chunk() == cmd.chunk()
          ? Effect().reply(cmd.replyTo(), Outcome.ok(chunkResult(applied.get(), cmd.userIds())))
          : Effect().reply(cmd.replyTo(), Outcome.rejected(ErrorCode.VALIDATION_FAILED, "job " + cmd.jobId()
              + " applied chunk " + applied.get().origin().chunk() + " after chunk " + cmd.chunk()));
    }
    if (pending.jobChunk(cmd.jobId(), cmd.chunk()).isEmpty()) {
      PendingIssuances.Group group =
          pending.newGroup(IssueOrigin.jobChunk(cmd.jobId(), cmd.chunk(), cmd.issuedBy(), cmd.correlationId()));
      Optional<ErrorCode> closed = state.refusalForChannel(IssueChannel.DIRECT, clock.instant()).map(r -> r.code());
      for (long userId : cmd.userIds()) {
        Optional<ErrorCode> refusal = closed.or(() -> state.refusalForUser(userId, pending.countFor(userId),
            pending.size()).map(r -> r.code()));
        if (refusal.isPresent()) {
          group.refusals().add(new Refusal(userId, refusal.get()));
        } else {
          pending.add(group, userId, null, null);
        }
      }
      scheduleFlush();
    }
    pending.onWrite(waiting(written -> cmd.replyTo().tell(Outcome.ok(
        chunkResult(written.lastChunkOf(cmd.jobId()).orElseThrow(), cmd.userIds()))), cmd.replyTo()));
    return Effect().noReply();
  }

  /** What chunk {@code chunk} did for each of {@code userIds}, in their order. */
  private static DirectIssueResult chunkResult(CouponsIssued chunk, List<Long> userIds) {
    Map<Long, DirectIssueResult.Entry> byUser = new HashMap<>(userIds.size() * 2);
    for (int i = 0; i < chunk.userIds().size(); i++) {
      byUser.put(chunk.userIds().get(i), DirectIssueResult.Entry.success(chunk.userIds().get(i), chunk.couponIdAt(i)));
    }
    chunk.refusals().forEach(r -> byUser.put(r.userId(), DirectIssueResult.Entry.failure(r.userId(), r.code())));
    return DirectIssueResult.of(userIds.stream().map(byUser::get).toList());
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      context.getSelf().tell(FlushIssues.INSTANCE);
    }
  }

  private ReplyEffect<Event, PolicyState> onFlush(PolicyState state, FlushIssues cmd) {
    flushScheduled = false;
    if (pending.isEmpty()) {
      return Effect().noReply();
    }
    return write(state, List.of(), null);
  }

  /**
   * Writes the pending issues and keyed refusals and then {@code changes}, in one atomic write, so that what was
   * decided under the old terms (active, stock) is recorded before a change. Everyone waiting on the write is
   * answered once it is durable; if it fails, once recovery has shown whether it happened ({@link UnconfirmedWrite}).
   */
  private ReplyEffect<Event, PolicyState> write(PolicyState state, List<Event> changes, PendingIssuances.Waiting change) {
    if (change != null) {
      pending.onWrite(change);
    }
    Instant issuedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    PendingIssuances.Batch batch = pending.drain(state.issuedCount() + 1);
    List<Event> events = new ArrayList<>(batch.groups().size() + changes.size());
    if (!batch.groups().isEmpty()) {
      IssuedTerms terms = IssuedTerms.of(state.definition(), issuedAt);
      batch.groups().forEach(group -> events.add(issuedEvent(group, issuedAt, terms)));
    }
    if (!batch.keyedRefusals().isEmpty()) {
      events.add(new KeyedRefusalsRecorded(policyId, issuedAt, batch.keyedRefusals()));
    }
    events.addAll(changes);
    unconfirmed.expect(lastSequenceNumber(context) + events.size(), batch::written, batch::notWritten);
    return Effect()
        .persist(events)
        .thenRun(written -> {
          unconfirmed.confirmed();
          batch.written(written);
        })
        .thenNoReply();
  }

  private CouponsIssued issuedEvent(PendingIssuances.Group group, Instant issuedAt, IssuedTerms terms) {
    List<KeyedIssue> keyed = new ArrayList<>(group.keyedOffsets().size());
    group.keyedOffsets().forEach((key, offset) ->
        keyed.add(new KeyedIssue(key.userId(), key.key(), group.sequenceAt(offset))));
    List<String> correlationIds = group.correlationIds();
    return new CouponsIssued(policyId, group.firstSequence(), issuedAt, List.copyOf(group.userIds()), keyed, terms,
        correlationIds == null || correlationIds.stream().allMatch(Objects::isNull) ? null
            : Collections.unmodifiableList(new ArrayList<>(correlationIds)),
        group.origin(), group.origin().kind() == IssueOrigin.Kind.JOB ? List.copyOf(group.refusals()) : null);
  }

  /** After a restart: answers the requests of a write that failed, and flushes what is still pending. */
  private void afterRecovery(PolicyState recovered) {
    unconfirmed.resolve(lastSequenceNumber(context), recovered);
    flushScheduled = false;
    if (!pending.isEmpty()) {
      scheduleFlush();
    }
  }

  // ---- administration ----

  private ReplyEffect<Event, PolicyState> onChangeActivation(PolicyState state, ChangeActivation cmd) {
    if (state.isActive() == cmd.active()) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    return write(state, List.of(new PolicyActivationChanged(policyId, cmd.active(), clock.instant(), cmd.changedBy())),
        waiting(written -> cmd.replyTo().tell(Outcome.ok(written.view())), cmd.replyTo()));
  }

  private ReplyEffect<Event, PolicyState> onChangeMaxIssueCount(PolicyState state, ChangeMaxIssueCount cmd) {
    long issued = state.issuedCount() + pending.size();
    if (cmd.newMaxIssueCount() < issued) {
      return Effect().reply(cmd.replyTo(), Outcome.rejected(ErrorCode.VALIDATION_FAILED,
          "newMaxIssueCount " + cmd.newMaxIssueCount() + " is below the " + issued + " coupons already issued"));
    }
    Long previous = state.maxIssueCount();
    MaxIssueCountChanged change = new MaxIssueCountChanged(
        policyId, previous, cmd.newMaxIssueCount(), cmd.modifiedBy(), cmd.reason(), clock.instant());
    return write(state, List.of(change), waiting(written -> cmd.replyTo().tell(Outcome.ok(new QuantityChange(
        policyId, previous, written.maxIssueCount(), written.issuedCount(),
        written.maxIssueCount() - written.issuedCount(), true))), cmd.replyTo()));
  }

  // ---- events, tags, snapshots ----

  @Override
  public EventHandler<PolicyState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(PolicyCreated.class, PolicyState::onCreated)
        .onEvent(CouponsIssued.class, PolicyState::onIssued)
        .onEvent(PolicyActivationChanged.class, PolicyState::onActivationChanged)
        .onEvent(MaxIssueCountChanged.class, PolicyState::onMaxIssueCountChanged)
        .onEvent(IssuanceJobStarted.class, PolicyState::onJobStarted)
        .onEvent(IssuanceJobEnded.class, PolicyState::onJobEnded)
        .onEvent(KeyedRefusalsRecorded.class, PolicyState::onKeyedRefusals)
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof CouponsIssued issued) {
      return settings.tagsFor(issued);
    }
    return event instanceof KeyedRefusalsRecorded ? Set.of() : Set.of(settings.tagFor(policyId));
  }

  /**
   * Snapshots by journal rows (replay cost is per row; a row holds a whole batch), at a quiet moment.
   * Storing the snapshot of a big ledger stalls the entity for up to a few hundred milliseconds, so
   * while a flash sale is in progress it waits: quiet is a small batch (of coupons or of keyed refusals, once
   * sold out) with no large one during the quiet period before it (a sale paced by its buyers makes many small
   * batches among the large ones).
   * Past five times the interval it is taken anyway, by the retention criteria, which also delete
   * older snapshots.
   */
  @Override
  public boolean shouldSnapshot(PolicyState state, Event event, long sequenceNr) {
    return state.isQuietWith(event, settings.snapshotQuietPeriod())
        && state.rowsSinceSnapshot() >= settings.snapshotEveryEvents();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEveryEvents() * 5, 2);
  }

  @Override
  public SignalHandler<PolicyState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(SnapshotCompleted.class, (state, completed) -> state.snapshotStored())
        .onSignal(RecoveryCompleted.instance(), this::afterRecovery)
        .build();
  }

  @Override
  public SnapshotAdapter<PolicyState> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(PolicyState state) {
        return state.toSnapshot();
      }

      @Override
      public PolicyState fromJournal(Object from) {
        return PolicyState.fromSnapshot((PolicySnapshot) from, settings);
      }
    };
  }
}
