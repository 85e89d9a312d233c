package couponservice.coupon;

import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.Request;
import couponservice.UnconfirmedWrite;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Which coupon a reservation id belongs to. Confirm and release arrive with the reservation id alone
 * and must find the coupon exactly, right after the reserve was answered — a read model would lag. A
 * coupon claims the id here before it records the reservation; a reservation id names one coupon.
 *
 * <p>The index is split into slices by a hash of the id, each a sharded event-sourced entity that writes
 * the claims arriving during a write as one event (like the policy's group commit). Claims are kept
 * for {@code retention}; older reservations are found through the read model, which has them by then.
 */
public final class ReservationIndex
    extends EventSourcedBehaviorWithEnforcedReplies<ReservationIndex.Command, ReservationIndex.Event, ReservationIndex.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ReservationIndex");

  public interface Command extends CborSerializable {}

  /** Claims {@code reservationId} for {@code couponId}; answers the coupon id, or CONCURRENT_MODIFICATION. */
  public record Claim(String reservationId, long couponId, ActorRef<Outcome<Long>> replyTo)
      implements Command, Request<Long> {}

  /** The coupon a (durably claimed, recent) reservation id belongs to, or RESERVATION_NOT_FOUND. */
  public record Find(String reservationId, ActorRef<Outcome<Long>> replyTo) implements Command, Request<Long> {}

  enum WriteClaims implements Command {
    INSTANCE
  }

  public interface Event extends CborSerializable {}

  public record ReservationsClaimed(Instant at, List<ClaimedReservation> claims) implements Event {}

  public record ClaimedReservation(String reservationId, long couponId) implements CborSerializable {}

  /**
   * Claims in the order they were made, so that expired ones are dropped from the head. Mutated in place, except
   * {@link #EMPTY}: Pekko recovers from that one instance every time, the recovery after a failed write included.
   */
  public static final class State {
    static final State EMPTY = new State();

    private final LinkedHashMap<String, Claimed> claims = new LinkedHashMap<>();

    private record Claimed(long couponId, Instant at) {}

    State apply(ReservationsClaimed event, Duration retention) {
      State state = this == EMPTY ? new State() : this;
      event.claims().forEach(c -> state.claims.putIfAbsent(c.reservationId(), new Claimed(c.couponId(), event.at())));
      Instant cutoff = event.at().minus(retention);
      Iterator<Claimed> oldestFirst = state.claims.values().iterator();
      while (oldestFirst.hasNext() && oldestFirst.next().at().isBefore(cutoff)) {
        oldestFirst.remove();
      }
      return state;
    }

    Long couponOf(String reservationId) {
      Claimed claimed = claims.get(reservationId);
      return claimed == null ? null : claimed.couponId();
    }
  }

  public record Snapshot(List<ReservationsClaimed> claims) implements CborSerializable {}

  public static String sliceOf(String reservationId, int slices) {
    return Integer.toString(Math.floorMod(reservationId.hashCode(), slices));
  }

  public static void init(ClusterSharding sharding, Clock clock, Duration retention) {
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), clock, retention)));
  }

  public static Behavior<Command> create(String slice, Clock clock, Duration retention) {
    return Behaviors.setup(ctx -> new ReservationIndex(ctx, slice, clock, retention));
  }

  private final ActorContext<Command> context;
  private final Clock clock;
  private final Duration retention;
  /** Claims decided since the last write started, with the callers to answer once written. */
  private Map<String, Long> pending = new HashMap<>();
  private List<Claim> pendingCallers = new ArrayList<>();
  private final UnconfirmedWrite<State> unconfirmed = new UnconfirmedWrite<>();

  private ReservationIndex(ActorContext<Command> context, String slice, Clock clock, Duration retention) {
    super(PersistenceId.of(ENTITY_KEY.name(), slice),
        EntitySupervision.ON_JOURNAL_FAILURE);
    this.context = context;
    this.clock = clock;
    this.retention = retention;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Claim.class, this::onClaim)
        .onCommand(Find.class, (state, find) -> Effect().reply(find.replyTo(), found(state.couponOf(find.reservationId()),
            find.reservationId())))
        .onCommand(WriteClaims.class, this::onWrite)
        .build();
  }

  private static Outcome<Long> found(Long couponId, String reservationId) {
    return couponId == null
        ? Outcome.rejected(ErrorCode.RESERVATION_NOT_FOUND, "reservation " + reservationId + " does not exist")
        : Outcome.ok(couponId);
  }

  private ReplyEffect<Event, State> onClaim(State state, Claim claim) {
    Long owner = state.couponOf(claim.reservationId());
    if (owner == null) {
      owner = pending.get(claim.reservationId());
    }
    if (owner != null && owner != claim.couponId()) {
      return Effect().reply(claim.replyTo(), Outcome.rejected(ErrorCode.CONCURRENT_MODIFICATION,
          "reservation " + claim.reservationId() + " is already used for another coupon"));
    }
    if (owner != null && !pending.containsKey(claim.reservationId())) {
      return Effect().reply(claim.replyTo(), Outcome.ok(owner));
    }
    if (pending.isEmpty()) {
      context.getSelf().tell(WriteClaims.INSTANCE);
    }
    pending.put(claim.reservationId(), claim.couponId());
    pendingCallers.add(claim);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onWrite(State state, WriteClaims write) {
    if (pending.isEmpty()) {
      return Effect().noReply();
    }
    List<ClaimedReservation> claims = new ArrayList<>(pending.size());
    pending.forEach((reservationId, couponId) -> claims.add(new ClaimedReservation(reservationId, couponId)));
    List<Claim> callers = pendingCallers;
    pending = new HashMap<>();
    pendingCallers = new ArrayList<>();
    Runnable claimed = () -> callers.forEach(claim -> claim.replyTo().tell(Outcome.ok(claim.couponId())));
    unconfirmed.expect(lastSequenceNumber(context) + 1, recovered -> claimed.run(),
        () -> callers.forEach(claim -> claim.replyTo().tell(Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE,
            "the database failed while recording the reservation; nothing was changed, retry"))));
    return Effect()
        .persist(new ReservationsClaimed(clock.instant().truncatedTo(ChronoUnit.MILLIS), claims))
        .thenRun(written -> {
          unconfirmed.confirmed();
          claimed.run();
        })
        .thenNoReply();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(ReservationsClaimed.class, (state, event) -> state.apply(event, retention))
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
        Map<Instant, List<ClaimedReservation>> byTime = new LinkedHashMap<>();
        state.claims.forEach((reservationId, claimed) -> byTime
            .computeIfAbsent(claimed.at(), at -> new ArrayList<>())
            .add(new ClaimedReservation(reservationId, claimed.couponId())));
        List<ReservationsClaimed> events = new ArrayList<>(byTime.size());
        byTime.forEach((at, claims) -> events.add(new ReservationsClaimed(at, claims)));
        return new Snapshot(events);
      }

      @Override
      public State fromJournal(Object from) {
        State state = State.EMPTY;
        for (ReservationsClaimed claims : ((Snapshot) from).claims()) {
          state = state.apply(claims, retention);
        }
        return state;
      }
    };
  }
}
