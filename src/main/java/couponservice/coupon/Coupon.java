package couponservice.coupon;

import couponservice.AwaitingRequests;
import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.Request;
import couponservice.policy.CouponTerms;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One issued coupon: the sharded, event-sourced entity that owns its status and its reservation.
 *
 * <p>It learns its terms and owner from the policy that issued it, before its first operation, and
 * records them with its first change — so it never accepts an operation for a coupon the policy did not
 * issue to that user. A reservation first claims its id in the {@link ReservationIndex} (so that confirm
 * and release, which carry only that id, find the coupon), then is recorded, and ends confirmed,
 * released, or timed out: by an entity timer while the entity lives, by the {@link CouponSweeper}
 * otherwise.
 *
 * <p>A coupon leaves memory when it has been idle for {@code passivate-after}, unless it holds a reservation:
 * then it stays until the reservation ends, so that its own timer times it out on time and the confirm of a
 * payment finds it without a recovery. Only a rebalance or a restart loses the timer then. While it holds one,
 * its idle timeout is off: every message would reschedule a timeout that cannot passivate it.
 */
public final class Coupon extends EventSourcedBehaviorWithEnforcedReplies<Coupon.Command, Coupon.Event, CouponState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Coupon");
  private static final String RESERVATION_TIMER = "reservation-timeout";

  /** Where a coupon learns what its policy issued. */
  @FunctionalInterface
  public interface TermsSource {
    CompletionStage<Outcome<CouponTerms>> termsOf(long couponId);
  }

  /** Where a coupon claims a reservation id (the {@link ReservationIndex}). */
  @FunctionalInterface
  public interface ReservationClaims {
    CompletionStage<Outcome<Long>> claim(String reservationId, long couponId);
  }

  // ---- commands ----

  public interface Command extends CborSerializable {}

  public record Get(ActorRef<Outcome<CouponView>> replyTo) implements Command, Request<CouponView> {}

  /**
   * Holds the coupon of {@code userId} for an order. {@code actingUserId} is the calling USER, null for
   * services and admins.
   */
  public record Reserve(
      long userId,
      Long actingUserId,
      String reservationId,
      String orderId,
      BigDecimal orderAmount,
      ActorRef<Outcome<ReservationReceipt>> replyTo)
      implements Command, Request<ReservationReceipt> {}

  /** Ends a reservation without use: RELEASED (the order gave it back) or PAYMENT_FAILED. */
  public record Release(String reservationId, Long actingUserId, EndReason reason, ActorRef<Outcome<CouponView>> replyTo)
      implements Command, Request<CouponView> {}

  /** Payment went through: the reserved coupon is used. */
  public record Confirm(String reservationId, String orderId, String paymentId, ActorRef<Outcome<CouponView>> replyTo)
      implements Command, Request<CouponView> {}

  public record Cancel(String note, ActorRef<Outcome<CouponView>> replyTo) implements Command, Request<CouponView> {}

  /** Sent by the expiry sweep: an ISSUED coupon past its expiry date becomes EXPIRED. */
  public record Expire(ActorRef<Outcome<CouponView>> replyTo) implements Command, Request<CouponView> {}

  /** Sent by the entity's timer and by the reservation sweep. */
  public record TimeOutReservation(String reservationId, ActorRef<Outcome<CouponView>> replyTo)
      implements Command, Request<CouponView> {}

  record TermsLoaded(Outcome<CouponTerms> terms) implements Command {}

  record ClaimAnswered(Reserve reserve, Reservation reservation, Outcome<Long> claim) implements Command {}

  /** Nothing arrived for {@code passivate-after}. */
  enum Idle implements Command {
    INSTANCE
  }

  // ---- events ----

  public interface Event extends CborSerializable {
    long couponId();
  }

  /** The coupon's first event: what its policy issued. */
  public record TermsRecorded(CouponTerms terms) implements Event {
    @Override
    public long couponId() {
      return terms.couponId();
    }
  }

  public record Reserved(long couponId, Reservation reservation) implements Event {}

  public record Used(
      long couponId, String reservationId, String orderId, String paymentId, BigDecimal discountAmount, Instant usedAt)
      implements Event {}

  /** RESERVED → ISSUED: released, payment failed, or timed out. */
  public record Released(long couponId, String reservationId, String orderId, EndReason reason, Instant at)
      implements Event {}

  /** → CANCELLED: ORDER_CANCELLED when it was reserved, ADMIN_CANCELLED when it was not. */
  public record Cancelled(long couponId, EndReason reason, String note, String reservationId, String orderId, Instant at)
      implements Event {}

  public record Expired(long couponId, Instant at) implements Event {}

  // ---- setup ----

  public static void init(ActorSystem<?> system, TermsSource terms, ReservationClaims claims, Clock clock,
      CouponSettings settings) {
    // The coupon passivates itself (see onIdle), so sharding's idle passivation is off.
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(Long.parseLong(ctx.getEntityId()), terms, claims, clock, settings, ctx.getShard()))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /** {@code shard}: where the coupon asks to be passivated. */
  public static Behavior<Command> create(long couponId, TermsSource terms, ReservationClaims claims, Clock clock,
      CouponSettings settings, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.withTimers(timers -> Behaviors.setup(ctx -> {
      ctx.setReceiveTimeout(settings.passivateAfter(), Idle.INSTANCE);
      return new Coupon(ctx, timers, couponId, terms, claims, clock, settings, shard);
    }));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final long couponId;
  private final TermsSource termsSource;
  private final ReservationClaims claims;
  private final Clock clock;
  private final CouponSettings settings;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final AwaitingRequests<Command, CouponTerms> awaitingTerms = new AwaitingRequests<>();
  /** Terms learned from the policy but not yet recorded (nothing has changed yet). */
  private CouponTerms loadedTerms;
  /** A reserve waits for its claim; other commands are stashed meanwhile. */
  private boolean claimInFlight;
  /** The state as journaled when the current command arrived (terms possibly not yet recorded). */
  private CouponState recorded = CouponState.empty();

  private Coupon(ActorContext<Command> context, TimerScheduler<Command> timers, long couponId, TermsSource termsSource,
      ReservationClaims claims, Clock clock, CouponSettings settings, ActorRef<ClusterSharding.ShardCommand> shard) {
    super(PersistenceId.of(ENTITY_KEY.name(), Long.toString(couponId)),
        EntitySupervision.ON_JOURNAL_FAILURE);
    this.shard = shard;
    this.context = context;
    this.timers = timers;
    this.couponId = couponId;
    this.termsSource = termsSource;
    this.claims = claims;
    this.clock = clock;
    this.settings = settings;
  }

  @Override
  public CouponState emptyState() {
    return CouponState.empty();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, CouponState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(TermsLoaded.class, this::onTermsLoaded)
        .onCommand(ClaimAnswered.class, this::onClaimAnswered)
        .onCommand(Idle.class, this::onIdle)
        .onAnyCommand(this::onRequest);
  }

  private ReplyEffect<Event, CouponState> onIdle(CouponState journaled, Idle idle) {
    if (!claimInFlight && journaled.status() != CouponStatus.RESERVED) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, CouponState> onRequest(CouponState journaled, Command command) {
    if (claimInFlight) {
      return Effect().stash();
    }
    recorded = journaled;
    CouponState state = journaled.isRecorded() ? journaled : loadedTerms == null ? null : CouponState.issued(loadedTerms);
    if (state == null) {
      awaitingTerms.hold(context, command, () -> termsSource.termsOf(couponId), TermsLoaded::new,
          "the policy of coupon " + couponId + " did not answer");
      return Effect().noReply();
    }
    if (command instanceof Get get) {
      return Effect().reply(get.replyTo(), Outcome.ok(state.view()));
    }
    if (command instanceof Reserve reserve) {
      return onReserve(state, reserve);
    }
    if (command instanceof Release release) {
      return onRelease(state, release);
    }
    if (command instanceof Confirm confirm) {
      return onConfirm(state, confirm);
    }
    if (command instanceof Cancel cancel) {
      return onCancel(state, cancel);
    }
    if (command instanceof Expire expire) {
      return onExpire(state, expire);
    }
    if (command instanceof TimeOutReservation timeout) {
      return onTimeout(state, timeout);
    }
    throw new IllegalArgumentException("unknown coupon command " + command.getClass().getName());
  }

  private ReplyEffect<Event, CouponState> onTermsLoaded(CouponState state, TermsLoaded loaded) {
    if (loaded.terms() instanceof Outcome.Ok<CouponTerms> ok) {
      loadedTerms = ok.value();
      awaitingTerms.release().forEach(request -> context.getSelf().tell(request));
    } else {
      Outcome.Rejected<CouponTerms> refusal = (Outcome.Rejected<CouponTerms>) loaded.terms();
      awaitingTerms.refuseAll(refusal.code() == ErrorCode.POLICY_NOT_FOUND
          ? new Outcome.Rejected<>(ErrorCode.COUPON_NOT_FOUND, "coupon " + couponId + " does not exist")
          : refusal);
    }
    return Effect().noReply();
  }

  // ---- reserve ----

  private ReplyEffect<Event, CouponState> onReserve(CouponState state, Reserve cmd) {
    CouponTerms terms = state.terms();
    if (cmd.actingUserId() != null && terms.userId() != cmd.actingUserId()) {
      return refuse(cmd, ErrorCode.FORBIDDEN, "coupon " + couponId + " belongs to another user");
    }
    if (terms.userId() != cmd.userId()) {
      return refuse(cmd, ErrorCode.COUPON_NOT_AVAILABLE, "coupon " + couponId + " was not issued to user " + cmd.userId());
    }
    if (state.status() == CouponStatus.RESERVED && state.reservation().isOverdueAt(clock.instant())) {
      // The timer did not survive a passivation: the timeout comes first, then this reserve meets an ISSUED coupon.
      return ending(state.reservation(), EndReason.RESERVATION_TIMEOUT)
          .thenRun(s -> context.getSelf().tell(cmd))
          .thenNoReply();
    }
    switch (state.status()) {
      case RESERVED:
        return state.isReservedBy(cmd.reservationId())
            ? Effect().reply(cmd.replyTo(), Outcome.ok(new ReservationReceipt(state.view(), state.reservation())))
            : refuse(cmd, ErrorCode.CONCURRENT_MODIFICATION, "coupon " + couponId + " is held by another reservation");
      case USED:
        return refuse(cmd, ErrorCode.COUPON_ALREADY_USED, "coupon " + couponId + " is already used");
      case EXPIRED:
        return refuse(cmd, ErrorCode.COUPON_EXPIRED, "coupon " + couponId + " expired at " + terms.expiryDate());
      case CANCELLED:
        return refuse(cmd, ErrorCode.COUPON_NOT_AVAILABLE, "coupon " + couponId + " is cancelled");
      default:
        break;
    }
    Instant now = clock.instant();
    if (terms.isExpiredAt(now)) {
      return refuse(cmd, ErrorCode.COUPON_EXPIRED, "coupon " + couponId + " expired at " + terms.expiryDate());
    }
    Optional<ErrorCode> refusal = Discounts.refusal(terms, cmd.orderAmount());
    if (refusal.isPresent()) {
      return refuse(cmd, refusal.get(),
          "the order amount " + cmd.orderAmount() + " is below the minimum " + terms.minimumOrderAmount());
    }
    Instant reservedAt = now.truncatedTo(ChronoUnit.MILLIS);
    Reservation reservation = new Reservation(cmd.reservationId(), cmd.orderId(), cmd.orderAmount(),
        Discounts.discount(terms, cmd.orderAmount()), reservedAt, reservedAt.plus(settings.reservationTimeout()));
    claimInFlight = true;
    context.pipeToSelf(claims.claim(cmd.reservationId(), couponId), (claim, failure) -> new ClaimAnswered(cmd,
        reservation, failure == null
            ? claim
            : Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE, "the reservation index did not answer")));
    return Effect().noReply();
  }

  private ReplyEffect<Event, CouponState> onClaimAnswered(CouponState journaled, ClaimAnswered answered) {
    claimInFlight = false;
    recorded = journaled;
    Reserve cmd = answered.reserve();
    if (answered.claim() instanceof Outcome.Rejected<Long> rejected) {
      return Effect().reply(cmd.replyTo(), rejected.<ReservationReceipt>cast()).thenUnstashAll();
    }
    Reservation reservation = answered.reservation();
    return Effect()
        .persist(withTerms(recorded, new Reserved(couponId, reservation)))
        .thenRun(state -> startReservationTimer(reservation))
        .thenReply(cmd.replyTo(), state -> Outcome.<ReservationReceipt>ok(new ReservationReceipt(state.view(), reservation)))
        .thenUnstashAll();
  }

  // ---- the ends of a reservation ----

  private ReplyEffect<Event, CouponState> onRelease(CouponState state, Release cmd) {
    if (cmd.actingUserId() != null && state.terms().userId() != cmd.actingUserId()) {
      return refuse(cmd, ErrorCode.FORBIDDEN, "coupon " + couponId + " belongs to another user");
    }
    if (state.wasUsedBy(cmd.reservationId())) {
      return refuse(cmd, ErrorCode.COUPON_ALREADY_USED,
          "reservation " + cmd.reservationId() + " was confirmed: coupon " + couponId + " is used");
    }
    if (state.isReservedBy(cmd.reservationId())) {
      return state.reservation().isOverdueAt(clock.instant())
          ? timedOut(state.reservation(), cmd.replyTo())
          : endReservation(state.reservation(), cmd.reason(), cmd.replyTo());
    }
    if (state.howEnded(cmd.reservationId())
        .filter(reason -> reason == cmd.reason() || reason.givenBack() && cmd.reason().givenBack()).isPresent()) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    return reservationGone(state, cmd.reservationId(), cmd);
  }

  private ReplyEffect<Event, CouponState> onConfirm(CouponState state, Confirm cmd) {
    if (state.wasUsedBy(cmd.reservationId())) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    if (!state.isReservedBy(cmd.reservationId())) {
      return reservationGone(state, cmd.reservationId(), cmd);
    }
    Reservation reservation = state.reservation();
    if (cmd.orderId() != null && reservation.orderId() != null && !cmd.orderId().equals(reservation.orderId())) {
      return refuse(cmd, ErrorCode.COUPON_NOT_AVAILABLE,
          "reservation " + cmd.reservationId() + " is for order " + reservation.orderId() + ", not " + cmd.orderId());
    }
    Instant now = clock.instant();
    if (reservation.isOverdueAt(now)) {
      return timedOut(reservation, cmd.replyTo());
    }
    return Effect()
        .persist(withTerms(recorded, new Used(couponId, reservation.reservationId(), reservation.orderId(), cmd.paymentId(),
            reservation.discountAmount(), now.truncatedTo(ChronoUnit.MILLIS))))
        .thenRun(s -> reservationEnded())
        .thenReply(cmd.replyTo(), s -> Outcome.ok(s.view()));
  }

  /** A reservation this coupon does not hold: why, as precisely as the coupon remembers. */
  private ReplyEffect<Event, CouponState> reservationGone(CouponState state, String reservationId, Request<CouponView> cmd) {
    Optional<EndReason> ended = state.howEnded(reservationId);
    if (ended.filter(reason -> reason == EndReason.RESERVATION_TIMEOUT).isPresent()) {
      return Effect().reply(cmd.replyTo(), expired(reservationId));
    }
    if (ended.filter(reason -> reason == EndReason.ORDER_CANCELLED).isPresent()) {
      return refuse(cmd, ErrorCode.COUPON_NOT_AVAILABLE, "coupon " + couponId + " was cancelled with its order");
    }
    return refuse(cmd, ErrorCode.RESERVATION_NOT_FOUND, "coupon " + couponId + " holds no reservation " + reservationId);
  }

  /** A confirm or release that finds its reservation overdue (its timer lost to a passivation) times it out. */
  private ReplyEffect<Event, CouponState> timedOut(Reservation reservation, ActorRef<Outcome<CouponView>> replyTo) {
    return ending(reservation, EndReason.RESERVATION_TIMEOUT).thenReply(replyTo, s -> expired(reservation.reservationId()));
  }

  private static Outcome<CouponView> expired(String reservationId) {
    return Outcome.rejected(ErrorCode.RESERVATION_EXPIRED, "reservation " + reservationId + " timed out");
  }

  private ReplyEffect<Event, CouponState> onTimeout(CouponState state, TimeOutReservation cmd) {
    if (!state.isReservedBy(cmd.reservationId())) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    if (!state.reservation().isOverdueAt(clock.instant())) {
      startReservationTimer(state.reservation());
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    return endReservation(state.reservation(), EndReason.RESERVATION_TIMEOUT, cmd.replyTo());
  }

  private ReplyEffect<Event, CouponState> endReservation(
      Reservation reservation, EndReason reason, ActorRef<Outcome<CouponView>> replyTo) {
    return ending(reservation, reason).thenReply(replyTo, s -> Outcome.ok(s.view()));
  }

  /** Persists the end of the reservation, stops its timer and lets the idle coupon passivate again. */
  private EffectBuilder<Event, CouponState> ending(Reservation reservation, EndReason reason) {
    return Effect()
        .persist(withTerms(recorded, released(reservation, reason, clock.instant())))
        .thenRun(s -> reservationEnded());
  }

  private Released released(Reservation reservation, EndReason reason, Instant now) {
    return new Released(couponId, reservation.reservationId(), reservation.orderId(), reason,
        now.truncatedTo(ChronoUnit.MILLIS));
  }

  // ---- cancel and expire ----

  private ReplyEffect<Event, CouponState> onCancel(CouponState state, Cancel cmd) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    switch (state.status()) {
      case CANCELLED:
        return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
      case USED:
        return refuse(cmd, ErrorCode.COUPON_ALREADY_USED, "coupon " + couponId + " is already used");
      case EXPIRED:
        return refuse(cmd, ErrorCode.COUPON_EXPIRED, "coupon " + couponId + " has expired");
      case RESERVED: {
        Reservation reservation = state.reservation();
        return Effect()
            .persist(withTerms(recorded, new Cancelled(couponId, EndReason.ORDER_CANCELLED, cmd.note(),
                reservation.reservationId(), reservation.orderId(), now)))
            .thenRun(s -> reservationEnded())
            .thenReply(cmd.replyTo(), s -> Outcome.ok(s.view()));
      }
      default:
        return Effect()
            .persist(withTerms(recorded, new Cancelled(couponId, EndReason.ADMIN_CANCELLED, cmd.note(), null, null, now)))
            .thenReply(cmd.replyTo(), s -> Outcome.ok(s.view()));
    }
  }

  private ReplyEffect<Event, CouponState> onExpire(CouponState state, Expire cmd) {
    Instant now = clock.instant();
    if (state.status() != CouponStatus.ISSUED || !state.terms().isExpiredAt(now)) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    return Effect()
        .persist(withTerms(recorded, new Expired(couponId, now.truncatedTo(ChronoUnit.MILLIS))))
        .thenReply(cmd.replyTo(), s -> Outcome.ok(s.view()));
  }

  // ---- helpers ----

  /** The events to write: the first change of a coupon records its terms before it. */
  private List<Event> withTerms(CouponState recorded, Event event) {
    return recorded.isRecorded() ? List.of(event) : List.of(new TermsRecorded(loadedTerms), event);
  }

  private ReplyEffect<Event, CouponState> refuse(Request<?> cmd, ErrorCode code, String message) {
    cmd.refuse(new Outcome.Rejected<>(code, message));
    return Effect().noReply();
  }

  private void startReservationTimer(Reservation reservation) {
    Duration remaining = Duration.between(clock.instant(), reservation.expiresAt());
    timers.startSingleTimer(RESERVATION_TIMER,
        new TimeOutReservation(reservation.reservationId(), context.getSystem().ignoreRef()),
        remaining.isNegative() ? Duration.ZERO : remaining);
    context.cancelReceiveTimeout();
  }

  private void reservationEnded() {
    timers.cancel(RESERVATION_TIMER);
    context.setReceiveTimeout(settings.passivateAfter(), Idle.INSTANCE);
  }

  @Override
  public EventHandler<CouponState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(CouponState::apply);
  }

  @Override
  public SignalHandler<CouponState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.status() == CouponStatus.RESERVED) {
            startReservationTimer(state.reservation());
          }
        })
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(settings.tagFor(couponId));
  }

  /** A coupon has a handful of events and never snapshots; not asking for one saves a query per start. */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }
}
