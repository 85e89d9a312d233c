package couponservice.policy;

import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.UnconfirmedWrite;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/**
 * The one place that allocates policy ids and keeps coupon codes unique (case-insensitive). It holds
 * every policy's definition, so a policy entity that was never told it exists (a crash between
 * registration and creation) learns its terms from here on first contact.
 */
public final class PolicyRegistry
    extends EventSourcedBehaviorWithEnforcedReplies<PolicyRegistry.Command, PolicyRegistry.Event, PolicyRegistry.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "PolicyRegistry");
  public static final String ENTITY_ID = "registry";

  public interface Command extends CborSerializable {}

  /** {@code registeredBy}: the admin creating the policy. */
  public record Register(PolicyDefinition definition, String registeredBy, ActorRef<Outcome<Registration>> replyTo)
      implements Command {}

  public record Lookup(long policyId, ActorRef<Outcome<Registration>> replyTo) implements Command {}

  /** Resolves a coupon code (any case) to its policy. */
  public record ResolveCode(String couponCode, ActorRef<Outcome<Registration>> replyTo) implements Command {}

  /** The EVENT policies issued by events of {@code eventType} ({@code coupon.trigger.v1}). */
  public record FindTriggered(String eventType, ActorRef<Outcome<TriggeredPolicies>> replyTo) implements Command {}

  public record TriggeredPolicies(List<Long> policyIds) implements CborSerializable {}

  public interface Event extends CborSerializable {}

  public record PolicyRegistered(Registration registration) implements Event {}

  /** {@code registeredBy} is null in registrations written before it was recorded. */
  public record Registration(long policyId, PolicyDefinition definition, Instant registeredAt, String registeredBy)
      implements CborSerializable {}

  /**
   * Registrations by id and by normalized code; mutated in place, snapshotted as a list. {@link #EMPTY} is never
   * mutated: Pekko recovers from that one instance every time, the recovery after a failed write included.
   */
  public static final class State {
    static final State EMPTY = new State();

    private final Map<Long, Registration> byId = new HashMap<>();
    private final Map<String, Long> byCode = new HashMap<>();
    private final Map<String, List<Long>> byTrigger = new HashMap<>();
    private long lastPolicyId;

    State add(Registration registration) {
      State state = this == EMPTY ? new State() : this;
      state.byId.put(registration.policyId(), registration);
      PolicyDefinition definition = registration.definition();
      definition.normalizedCode().ifPresent(code -> state.byCode.put(code, registration.policyId()));
      if (definition.distributionType() == DistributionType.EVENT) {
        state.byTrigger.computeIfAbsent(definition.triggerEventType(), type -> new ArrayList<>())
            .add(registration.policyId());
      }
      state.lastPolicyId = Math.max(state.lastPolicyId, registration.policyId());
      return state;
    }
  }

  public record Snapshot(List<Registration> registrations) implements CborSerializable {}

  public static void init(ClusterSharding sharding, Clock clock) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(clock)));
  }

  public static Behavior<Command> create(Clock clock) {
    return Behaviors.setup(context -> new PolicyRegistry(context, clock));
  }

  private final ActorContext<Command> context;
  private final Clock clock;
  private final UnconfirmedWrite<State> unconfirmed = new UnconfirmedWrite<>();

  private PolicyRegistry(ActorContext<Command> context, Clock clock) {
    super(
        PersistenceId.ofUniqueId("PolicyRegistry"),
        EntitySupervision.ON_JOURNAL_FAILURE);
    this.context = context;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Register.class, this::onRegister)
        .onCommand(Lookup.class, (state, cmd) -> Effect().reply(cmd.replyTo(), found(state.byId.get(cmd.policyId()),
            ErrorCode.POLICY_NOT_FOUND, "policy " + cmd.policyId() + " does not exist")))
        .onCommand(FindTriggered.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(new TriggeredPolicies(
            List.copyOf(state.byTrigger.getOrDefault(cmd.eventType(), List.of()))))))
        .onCommand(ResolveCode.class, (state, cmd) -> Effect().reply(cmd.replyTo(), found(
            state.byId.get(state.byCode.get(PolicyDefinition.normalizeCode(cmd.couponCode()))),
            ErrorCode.COUPON_CODE_NOT_FOUND, "no policy has the coupon code " + cmd.couponCode())))
        .build();
  }

  private ReplyEffect<Event, State> onRegister(State state, Register cmd) {
    String code = cmd.definition().normalizedCode().orElse(null);
    if (code != null && state.byCode.containsKey(code)) {
      return Effect().reply(cmd.replyTo(), Outcome.rejected(ErrorCode.DUPLICATE_COUPON_CODE,
          "couponCode " + cmd.definition().couponCode() + " is already used by policy " + state.byCode.get(code)));
    }
    if (state.lastPolicyId >= CouponIds.MAX_POLICY_ID) {
      return Effect().reply(cmd.replyTo(), Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE, "no policy ids are left"));
    }
    Registration registration = new Registration(state.lastPolicyId + 1, cmd.definition(), clock.instant(),
        cmd.registeredBy());
    unconfirmed.expect(lastSequenceNumber(context) + 1, written -> cmd.replyTo().tell(Outcome.ok(registration)),
        () -> cmd.replyTo().tell(Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE,
            "the database failed while creating the policy; nothing was created, retry")));
    return Effect()
        .persist(new PolicyRegistered(registration))
        .thenRun(written -> unconfirmed.confirmed())
        .thenReply(cmd.replyTo(), written -> Outcome.ok(registration));
  }

  private static Outcome<Registration> found(Registration registration, ErrorCode code, String message) {
    return registration == null ? Outcome.rejected(code, message) : Outcome.ok(registration);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(PolicyRegistered.class, (state, event) -> state.add(event.registration()))
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), recovered -> unconfirmed.resolve(lastSequenceNumber(context), recovered))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 2);
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return new Snapshot(new ArrayList<>(state.byId.values()));
      }

      @Override
      public State fromJournal(Object from) {
        State state = State.EMPTY;
        for (Registration registration : ((Snapshot) from).registrations()) {
          state = state.add(registration);
        }
        return state;
      }
    };
  }
}
