package couponservice.policy;

import couponservice.AwaitingRequests;
import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.Request;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
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
 * journal round trip per batch, not per coupon, and a refusal is answered without any write.
 */
public final class CouponPolicy
    extends EventSourcedBehaviorWithEnforcedReplies<CouponPolicy.Command, CouponPolicy.Event, PolicyState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "CouponPolicy");

  // ---- commands ----

  public interface Command extends CborSerializable {}

  public record Get(ActorRef<Outcome<PolicyView>> replyTo) implements Command, Request<PolicyView> {}

  /** One coupon for one user; {@code idempotencyKey} may be null. */
  public record Issue(long userId, IssueChannel channel, String idempotencyKey, ActorRef<Outcome<IssuedCoupon>> replyTo)
      implements Command, Request<IssuedCoupon> {}

  /** Admin batch: one coupon for each of up to 10,000 distinct users. */
  public record DirectIssue(List<Long> userIds, String issuedBy, ActorRef<Outcome<DirectIssueResult>> replyTo)
      implements Command, Request<DirectIssueResult> {}

  public record ChangeActivation(boolean active, ActorRef<Outcome<PolicyView>> replyTo) implements Command, Request<PolicyView> {}

  public record ChangeMaxIssueCount(
      long newMaxIssueCount, String modifiedBy, String reason, ActorRef<Outcome<QuantityChange>> replyTo)
      implements Command, Request<QuantityChange> {}

  /** What coupon {@code couponId} is and who owns it: asked by the coupon entity before its first operation. */
  public record GetCouponTerms(long couponId, ActorRef<Outcome<CouponTerms>> replyTo)
      implements Command, Request<CouponTerms> {}

  enum FlushIssues implements Command {
    INSTANCE
  }

  record DefinitionLoaded(Outcome<PolicyRegistry.Registration> result) implements Command {}

  // ---- events ----

  public interface Event extends CborSerializable {
    long policyId();
  }

  public record PolicyCreated(long policyId, PolicyDefinition definition, Instant createdAt) implements Event {}

  /**
   * One write's worth of coupons: sequences {@code firstSequence .. firstSequence + userIds.size() - 1},
   * in order, owned by {@code userIds}.
   */
  public record CouponsIssued(
      long policyId, long firstSequence, Instant issuedAt, List<Long> userIds, List<KeyedIssue> keyedIssues)
      implements Event {}

  /** An issue that carried an {@code Idempotency-Key}. */
  public record KeyedIssue(long userId, String key, long sequence) implements CborSerializable {}

  public record PolicyActivationChanged(long policyId, boolean active, Instant at) implements Event {}

  public record MaxIssueCountChanged(
      long policyId, Long previousMaxIssueCount, long newMaxIssueCount, String modifiedBy, String reason, Instant at)
      implements Event {}

  // ---- setup ----

  public static void init(ClusterSharding sharding, DefinitionSource definitions, Clock clock, PolicySettings settings) {
    sharding.init(Entity.of(ENTITY_KEY,
        ctx -> create(Long.parseLong(ctx.getEntityId()), definitions, clock, settings)));
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
  private final RecentRefusals refusals;
  /** Requests that arrived before the policy knew its terms; re-sent to self once it does. */
  private final AwaitingRequests<Command, PolicyRegistry.Registration> awaitingDefinition = new AwaitingRequests<>();
  private boolean flushScheduled;

  private CouponPolicy(
      ActorContext<Command> context, long policyId, DefinitionSource definitions, Clock clock, PolicySettings settings) {
    super(
        PersistenceId.of(ENTITY_KEY.name(), Long.toString(policyId)),
        EntitySupervision.ON_JOURNAL_FAILURE);
    this.context = context;
    this.policyId = policyId;
    this.definitions = definitions;
    this.clock = clock;
    this.settings = settings;
    this.refusals = new RecentRefusals(settings.idempotencyRetention());
  }

  @Override
  public PolicyState emptyState() {
    return PolicyState.empty(policyId, settings.idempotencyRetention());
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
        .onCommand(GetCouponTerms.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.couponTerms(cmd.couponId())
            .<Outcome<CouponTerms>>map(Outcome::ok)
            .orElseGet(() -> Outcome.rejected(ErrorCode.COUPON_NOT_FOUND, "coupon " + cmd.couponId() + " does not exist"))))
        .onCommand(Issue.class, this::onIssue)
        .onCommand(DirectIssue.class, this::onDirectIssue)
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
          .persist(new PolicyCreated(policyId, registration.definition(), registration.registeredAt()))
          .thenRun(created -> waiting.forEach(request -> context.getSelf().tell(request)))
          .thenNoReply();
    }
    awaitingDefinition.refuseAll((Outcome.Rejected<?>) loaded.result());
    return Effect().noReply();
  }

  // ---- issuance ----

  private ReplyEffect<Event, PolicyState> onIssue(PolicyState state, Issue cmd) {
    Instant now = clock.instant();
    IdempotencyKey key = cmd.idempotencyKey() == null ? null : new IdempotencyKey(cmd.userId(), cmd.idempotencyKey());
    if (key != null) {
      OptionalLong issued = state.sequenceIssuedFor(key);
      if (issued.isPresent()) {
        return Effect().reply(cmd.replyTo(), Outcome.ok(state.issuedCoupon(issued.getAsLong())));
      }
      OptionalInt pendingOffset = pending.offsetOf(key);
      if (pendingOffset.isPresent()) {
        answerWhenWritten(pendingOffset.getAsInt(), cmd.replyTo());
        return Effect().noReply();
      }
      Optional<Outcome.Rejected<IssuedCoupon>> earlier = refusals.find(key, now);
      if (earlier.isPresent()) {
        return Effect().reply(cmd.replyTo(), earlier.get());
      }
    }
    Optional<Outcome.Rejected<IssuedCoupon>> refusal = state.<IssuedCoupon>refusalForChannel(cmd.channel(), now)
        .or(() -> state.refusalForUser(cmd.userId(), pending));
    if (refusal.isPresent()) {
      if (key != null) {
        refusals.remember(key, refusal.get(), now);
      }
      return Effect().reply(cmd.replyTo(), refusal.get());
    }
    answerWhenWritten(pending.add(cmd.userId(), key), cmd.replyTo());
    scheduleFlush();
    return Effect().noReply();
  }

  private void answerWhenWritten(int offset, ActorRef<Outcome<IssuedCoupon>> replyTo) {
    pending.onWritten((state, firstSequence) -> replyTo.tell(Outcome.ok(state.issuedCoupon(firstSequence + offset))));
  }

  private ReplyEffect<Event, PolicyState> onDirectIssue(PolicyState state, DirectIssue cmd) {
    Optional<Outcome.Rejected<DirectIssueResult>> refusal = state.refusalForChannel(IssueChannel.DIRECT, clock.instant());
    if (refusal.isPresent()) {
      return Effect().reply(cmd.replyTo(), refusal.get());
    }
    List<Long> users = cmd.userIds();
    int[] offsets = new int[users.size()];
    ErrorCode[] failures = new ErrorCode[users.size()];
    boolean anyIssued = false;
    for (int i = 0; i < users.size(); i++) {
      long userId = users.get(i);
      Optional<Outcome.Rejected<Void>> userRefusal = state.refusalForUser(userId, pending);
      if (userRefusal.isPresent()) {
        failures[i] = userRefusal.get().code();
      } else {
        offsets[i] = pending.add(userId, null);
        anyIssued = true;
      }
    }
    if (!anyIssued) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(directResult(users, offsets, failures, 0)));
    }
    context.getLog().info("Direct issue of policy {} to {} users by {}", policyId, users.size(), cmd.issuedBy());
    pending.onWritten((written, firstSequence) ->
        cmd.replyTo().tell(Outcome.ok(directResult(users, offsets, failures, firstSequence))));
    scheduleFlush();
    return Effect().noReply();
  }

  private DirectIssueResult directResult(List<Long> users, int[] offsets, ErrorCode[] failures, long firstSequence) {
    List<DirectIssueResult.Entry> entries = new ArrayList<>(users.size());
    for (int i = 0; i < users.size(); i++) {
      entries.add(failures[i] != null
          ? DirectIssueResult.Entry.failure(users.get(i), failures[i])
          : DirectIssueResult.Entry.success(users.get(i), CouponIds.couponId(policyId, firstSequence + offsets[i])));
    }
    return DirectIssueResult.of(entries);
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
    return persistWithPending(state, List.of(), written -> {});
  }

  /**
   * Writes {@code events} after the pending issues, in one atomic write, so that issues decided under
   * the old terms (active, stock) are recorded before the change. Callers of pending issues are
   * answered when the write is durable, then {@code afterWrite} runs.
   */
  private ReplyEffect<Event, PolicyState> persistWithPending(
      PolicyState state, List<Event> events, java.util.function.Consumer<PolicyState> afterWrite) {
    List<Event> toWrite = new ArrayList<>(events.size() + 1);
    PendingIssuances.Batch batch = null;
    long firstSequence = state.issuedCount() + 1;
    if (!pending.isEmpty()) {
      batch = pending.drain();
      toWrite.add(issuedEvent(batch, firstSequence));
    }
    toWrite.addAll(events);
    PendingIssuances.Batch written = batch;
    return Effect()
        .persist(toWrite)
        .thenRun(newState -> {
          if (written != null) {
            written.complete(newState, firstSequence);
          }
          afterWrite.accept(newState);
        })
        .thenNoReply();
  }

  private CouponsIssued issuedEvent(PendingIssuances.Batch batch, long firstSequence) {
    List<KeyedIssue> keyed = new ArrayList<>(batch.keyedOffsets().size());
    for (Map.Entry<IdempotencyKey, Integer> entry : batch.keyedOffsets().entrySet()) {
      keyed.add(new KeyedIssue(entry.getKey().userId(), entry.getKey().key(), firstSequence + entry.getValue()));
    }
    return new CouponsIssued(
        policyId, firstSequence, clock.instant().truncatedTo(ChronoUnit.MILLIS), List.copyOf(batch.userIds()), keyed);
  }

  // ---- administration ----

  private ReplyEffect<Event, PolicyState> onChangeActivation(PolicyState state, ChangeActivation cmd) {
    if (state.isActive() == cmd.active()) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    return persistWithPending(state, List.of(new PolicyActivationChanged(policyId, cmd.active(), clock.instant())),
        newState -> cmd.replyTo().tell(Outcome.ok(newState.view())));
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
    return persistWithPending(state, List.of(change), newState -> cmd.replyTo().tell(Outcome.ok(new QuantityChange(
        policyId, previous, newState.maxIssueCount(), newState.issuedCount(),
        newState.maxIssueCount() - newState.issuedCount(), true))));
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
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(settings.tagFor(policyId));
  }

  /**
   * Snapshots by journal rows (replay cost is per row; a row holds a whole batch), at a quiet moment.
   * Storing the snapshot of a big ledger stalls the entity for up to a few hundred milliseconds, so
   * while a flash sale is in progress it waits: quiet is a small batch with no large one during the
   * quiet period before it (a sale paced by its buyers makes many small batches among the large ones).
   * Past five times the interval it is taken anyway, by the retention criteria, which also delete
   * older snapshots.
   */
  @Override
  public boolean shouldSnapshot(PolicyState state, Event event, long sequenceNr) {
    boolean quiet = !(event instanceof CouponsIssued issued) || state.isQuietWith(issued, settings.snapshotQuietPeriod());
    return quiet && state.rowsSinceSnapshot() >= settings.snapshotEveryEvents();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEveryEvents() * 5, 2);
  }

  @Override
  public SignalHandler<PolicyState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(SnapshotCompleted.class, (state, completed) -> state.snapshotStored()).build();
  }

  @Override
  public SnapshotAdapter<PolicyState> snapshotAdapter() {
    Duration retention = settings.idempotencyRetention();
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(PolicyState state) {
        return state.toSnapshot();
      }

      @Override
      public PolicyState fromJournal(Object from) {
        return PolicyState.fromSnapshot((PolicySnapshot) from, retention);
      }
    };
  }
}
