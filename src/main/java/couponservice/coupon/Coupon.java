package couponservice.coupon;

import couponservice.CborSerializable;
import couponservice.EntitySupervision;
import couponservice.ErrorCode;
import couponservice.Outcome;
import couponservice.Request;
import couponservice.UnconfirmedWrite;
import couponservice.coupon.CouponState.CancelledState;
import couponservice.coupon.CouponState.ExpiredState;
import couponservice.coupon.CouponState.IssuedState;
import couponservice.coupon.CouponState.Known;
import couponservice.coupon.CouponState.ReservedState;
import couponservice.coupon.CouponState.Unknown;
import couponservice.coupon.CouponState.UsedState;
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
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One issued coupon: the sharded, event-sourced entity that owns its status and its reservation. Its behaviour
 * is written per state ({@link CouponState}): each state has its own command handlers and its own events.
 *
 * <p>A coupon without events ({@link Unknown}) reads its terms and owner from the issuance event that issued it
 * (in the journal, asking nobody), and records them with its first change ({@link TermsRecorded} before that
 * change's event) — so it never accepts an operation for a coupon the policy did not issue to that user. A command
 * that arrives meanwhile reads the terms itself; whichever answer comes first decides, the others are decided
 * again against the state it left.
 * A reservation first claims its id in the {@link ReservationIndex} (so that confirm and release, which carry only
 * that id, find the coupon), then is recorded if the coupon is still as it was, and ends confirmed, released, or
 * timed out: by an entity timer while the entity lives, by the {@link CouponSweeper} otherwise.
 *
 * <p>A coupon leaves memory when it has been idle for {@code passivate-after}, unless it holds a reservation:
 * then it stays until the reservation ends, so that its own timer times it out on time and the confirm of a
 * payment finds it without a recovery. While it holds one, its idle timeout is off: every message would
 * reschedule a timeout that cannot passivate it.
 */
public final class Coupon extends EventSourcedBehaviorWithEnforcedReplies<Coupon.Command, Coupon.Event, CouponState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Coupon");
  private static final String RESERVATION_TIMER = "reservation-timeout";

  /** Where a coupon reads what its policy issued: the issuance event (policy.IssuedCoupons). */
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

  /** A command a caller waits on; {@code correlationId} (the caller's request or event id) may be null. */
  public sealed interface CouponRequest<T> extends Command, Request<T> {
    default String correlationId() {
      return null;
    }
  }

  public record Get(ActorRef<Outcome<CouponView>> replyTo) implements CouponRequest<CouponView> {}

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
      String correlationId,
      ActorRef<Outcome<ReservationReceipt>> replyTo)
      implements CouponRequest<ReservationReceipt> {}

  /** Ends a reservation without use: RELEASED (the order gave it back) or PAYMENT_FAILED. */
  public record Release(String reservationId, Long actingUserId, EndReason reason, String correlationId,
      ActorRef<Outcome<CouponView>> replyTo) implements CouponRequest<CouponView> {}

  /** Payment went through: the reserved coupon is used. */
  public record Confirm(String reservationId, String orderId, String paymentId, String correlationId,
      ActorRef<Outcome<CouponView>> replyTo) implements CouponRequest<CouponView> {}

  public record Cancel(String note, String correlationId, ActorRef<Outcome<CouponView>> replyTo)
      implements CouponRequest<CouponView> {}

  /** Sent by the expiry sweep: an ISSUED coupon past its expiry date becomes EXPIRED. */
  public record Expire(ActorRef<Outcome<CouponView>> replyTo) implements CouponRequest<CouponView> {}

  /** Sent by the entity's timer and by the reservation sweep. */
  public record TimeOutReservation(String reservationId, ActorRef<Outcome<CouponView>> replyTo)
      implements CouponRequest<CouponView> {}

  /** The terms of an unknown coupon, read for the request that needed them. */
  record TermsAnswered(CouponRequest<?> request, Outcome<CouponTerms> terms) implements Command {}

  /**
   * The index's answer to a reservation's claim. {@code unrecordedTerms}: the terms the reserve was decided with,
   * when the coupon had not recorded them yet.
   */
  record ClaimAnswered(Reserve reserve, Reservation reservation, CouponTerms unrecordedTerms, Outcome<Long> claim)
      implements Command {}

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

  /** {@code correlationId} in this and the events below: null in events written before it was recorded. */
  public record Reserved(long couponId, Reservation reservation, String correlationId) implements Event {}

  public record Used(long couponId, String reservationId, String orderId, String paymentId, BigDecimal discountAmount,
      Instant usedAt, String correlationId) implements Event {}

  /** RESERVED → ISSUED: released, payment failed, or timed out. */
  public record Released(long couponId, String reservationId, String orderId, EndReason reason, Instant at,
      String correlationId) implements Event {}

  /** → CANCELLED: ORDER_CANCELLED when it was reserved, ADMIN_CANCELLED when it was not. */
  public record Cancelled(long couponId, EndReason reason, String note, String reservationId, String orderId, Instant at,
      String correlationId) implements Event {}

  public record Expired(long couponId, Instant at, String correlationId) implements Event {}

  // ---- setup ----

  public static void init(ActorSystem<?> system, TermsSource terms, ReservationClaims claims, Clock clock,
      CouponSettings settings) {
    // The coupon passivates itself (see onIdle), so sharding's idle passivation is off.
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            ctx -> create(Long.parseLong(ctx.getEntityId()), terms, claims, clock, settings, ctx.getShard()))
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  public static PersistenceId persistenceId(long couponId) {
    return PersistenceId.of(ENTITY_KEY.name(), Long.toString(couponId));
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
  private final UnconfirmedWrite<CouponState> unconfirmed = new UnconfirmedWrite<>();

  private Coupon(ActorContext<Command> context, TimerScheduler<Command> timers, long couponId, TermsSource termsSource,
      ReservationClaims claims, Clock clock, CouponSettings settings, ActorRef<ClusterSharding.ShardCommand> shard) {
    super(persistenceId(couponId), EntitySupervision.ON_JOURNAL_FAILURE);
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
    return CouponState.UNKNOWN;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, CouponState> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, CouponState> builder = newCommandHandlerWithReplyBuilder();
    builder.forStateType(Unknown.class)
        .onCommand(TermsAnswered.class, this::onTermsAnswered)
        .onCommand(ClaimAnswered.class, (state, answered) -> answered.unrecordedTerms() == null
            ? redecide(answered.reserve())
            : onClaimAnswered(IssuedState.of(answered.unrecordedTerms()), answered, recordingTerms(answered.unrecordedTerms())))
        .onCommand(Idle.class, (state, idle) -> passivate())
        .onAnyCommand((state, command) -> learnTerms((CouponRequest<?>) command));
    builder.forStateType(IssuedState.class)
        .onCommand(ClaimAnswered.class, (state, answered) -> onClaimAnswered(state, answered, List.of()))
        .onCommand(Reserve.class, (state, cmd) -> onReserve(state, cmd, List.of()))
        .onCommand(Confirm.class, (state, cmd) -> reservationGone(state, cmd.reservationId(), cmd))
        .onCommand(Cancel.class, (state, cmd) -> onCancelIssued(state, cmd, List.of()))
        .onCommand(Expire.class, (state, cmd) -> onExpire(state, cmd, List.of()))
        .onCommand(Idle.class, (state, idle) -> passivate());
    builder.forStateType(ReservedState.class)
        .onCommand(Reserve.class, this::onReserveReserved)
        .onCommand(Confirm.class, this::onConfirm)
        .onCommand(Cancel.class, this::onCancelReserved)
        .onCommand(TimeOutReservation.class, this::onTimeout)
        .onCommand(Idle.class, (state, idle) -> Effect().noReply());
    builder.forStateType(UsedState.class)
        .onCommand(Reserve.class, (state, cmd) -> ownershipRefusal(state, cmd).orElseGet(() ->
            refuse(cmd, ErrorCode.COUPON_ALREADY_USED, "coupon " + couponId + " is already used")))
        .onCommand(Confirm.class, (state, cmd) -> state.wasUsedBy(cmd.reservationId())
            ? Effect().reply(cmd.replyTo(), Outcome.ok(state.view()))
            : reservationGone(state, cmd.reservationId(), cmd))
        .onCommand(Cancel.class, (state, cmd) -> refuse(cmd, ErrorCode.COUPON_ALREADY_USED, "coupon " + couponId + " is already used"));
    builder.forStateType(CancelledState.class)
        .onCommand(Reserve.class, (state, cmd) -> ownershipRefusal(state, cmd).orElseGet(() ->
            refuse(cmd, ErrorCode.COUPON_NOT_AVAILABLE, "coupon " + couponId + " is cancelled")))
        .onCommand(Confirm.class, (state, cmd) -> reservationGone(state, cmd.reservationId(), cmd))
        .onCommand(Cancel.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(state.view())));
    builder.forStateType(ExpiredState.class)
        .onCommand(Reserve.class, (state, cmd) -> ownershipRefusal(state, cmd).orElseGet(() ->
            refuse(cmd, ErrorCode.COUPON_EXPIRED, "coupon " + couponId + " expired at " + state.terms().expiryDate())))
        .onCommand(Confirm.class, (state, cmd) -> reservationGone(state, cmd.reservationId(), cmd))
        .onCommand(Cancel.class, (state, cmd) -> refuse(cmd, ErrorCode.COUPON_EXPIRED, "coupon " + couponId + " has expired"));
    builder.forStateType(Known.class)
        .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(state.view())))
        .onCommand(Release.class, this::onRelease)
        .onCommand(Expire.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(state.view())))
        .onCommand(TimeOutReservation.class, (state, cmd) -> Effect().reply(cmd.replyTo(), Outcome.ok(state.view())))
        .onCommand(TermsAnswered.class, (state, answered) -> redecide(answered.request()))
        .onCommand(ClaimAnswered.class, (state, answered) -> redecide(answered.reserve()))
        .onCommand(Idle.class, (state, idle) -> passivate());
    return builder.build();
  }

  // ---- a coupon that has not learned its terms yet ----

  private ReplyEffect<Event, CouponState> learnTerms(CouponRequest<?> request) {
    context.pipeToSelf(termsSource.termsOf(couponId), (terms, failure) -> new TermsAnswered(request, failure == null
        ? terms
        : Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE, "the issue of coupon " + couponId + " could not be read")));
    return Effect().noReply();
  }

  /** Decides the request against the terms its policy issued; the first change records them. */
  private ReplyEffect<Event, CouponState> onTermsAnswered(Unknown unknown, TermsAnswered answered) {
    CouponRequest<?> request = answered.request();
    if (answered.terms() instanceof Outcome.Rejected<CouponTerms> rejected) {
      request.refuse(rejected);
      return Effect().noReply();
    }
    CouponTerms terms = ((Outcome.Ok<CouponTerms>) answered.terms()).value();
    IssuedState issued = IssuedState.of(terms);
    List<Event> record = recordingTerms(terms);
    if (request instanceof Get get) {
      return Effect().reply(get.replyTo(), Outcome.ok(issued.view()));
    }
    if (request instanceof Reserve reserve) {
      return onReserve(issued, reserve, record);
    }
    if (request instanceof Release release) {
      return onRelease(issued, release);
    }
    if (request instanceof Confirm confirm) {
      return reservationGone(issued, confirm.reservationId(), confirm);
    }
    if (request instanceof Cancel cancel) {
      return onCancelIssued(issued, cancel, record);
    }
    if (request instanceof Expire expire) {
      return onExpire(issued, expire, record);
    }
    TimeOutReservation timeout = (TimeOutReservation) request;
    return Effect().reply(timeout.replyTo(), Outcome.ok(issued.view()));
  }

  private static List<Event> recordingTerms(CouponTerms terms) {
    return List.of(new TermsRecorded(terms));
  }

  /** A request decided against a state that has changed since: decided again, against the state it is now. */
  private ReplyEffect<Event, CouponState> redecide(Command request) {
    context.getSelf().tell(request);
    return Effect().noReply();
  }

  // ---- reserve ----

  private ReplyEffect<Event, CouponState> onReserve(IssuedState state, Reserve cmd, List<Event> record) {
    Optional<ReplyEffect<Event, CouponState>> refusal = reserveRefusal(state, cmd);
    if (refusal.isPresent()) {
      return refusal.get();
    }
    CouponTerms terms = state.terms();
    Instant reservedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Reservation reservation = new Reservation(cmd.reservationId(), cmd.orderId(), cmd.orderAmount(),
        Discounts.discount(terms, cmd.orderAmount()), reservedAt, reservedAt.plus(settings.reservationTimeout()));
    CouponTerms unrecorded = record.isEmpty() ? null : terms;
    context.pipeToSelf(claims.claim(cmd.reservationId(), couponId), (claim, failure) -> new ClaimAnswered(cmd,
        reservation, unrecorded, failure == null
            ? claim
            : Outcome.rejected(ErrorCode.SERVICE_UNAVAILABLE, "the reservation index did not answer")));
    return Effect().noReply();
  }

  /** Whether {@code cmd} may reserve this coupon at all: its caller and its user must be the coupon's owner. */
  private Optional<ReplyEffect<Event, CouponState>> ownershipRefusal(Known state, Reserve cmd) {
    long owner = state.terms().userId();
    if (cmd.actingUserId() != null && owner != cmd.actingUserId()) {
      return Optional.of(refuse(cmd, ErrorCode.FORBIDDEN, "coupon " + couponId + " belongs to another user"));
    }
    if (owner != cmd.userId()) {
      return Optional.of(refuse(cmd, ErrorCode.COUPON_NOT_AVAILABLE,
          "coupon " + couponId + " was not issued to user " + cmd.userId()));
    }
    return Optional.empty();
  }

  /** Why an ISSUED coupon cannot be reserved by {@code cmd}: owner, expiry, minimum order. */
  private Optional<ReplyEffect<Event, CouponState>> reserveRefusal(IssuedState state, Reserve cmd) {
    Optional<ReplyEffect<Event, CouponState>> notOwner = ownershipRefusal(state, cmd);
    if (notOwner.isPresent()) {
      return notOwner;
    }
    CouponTerms terms = state.terms();
    if (terms.isExpiredAt(clock.instant())) {
      return Optional.of(refuse(cmd, ErrorCode.COUPON_EXPIRED,
          "coupon " + couponId + " expired at " + terms.expiryDate()));
    }
    Optional<ErrorCode> minimum = Discounts.refusal(terms, cmd.orderAmount());
    return minimum.map(code -> refuse(cmd, code,
        "the order amount " + cmd.orderAmount() + " is below the minimum " + terms.minimumOrderAmount()));
  }

  /** The claim is made: the reservation is recorded if the coupon can still be reserved. */
  private ReplyEffect<Event, CouponState> onClaimAnswered(IssuedState state, ClaimAnswered answered, List<Event> record) {
    Reserve cmd = answered.reserve();
    if (answered.claim() instanceof Outcome.Rejected<Long> rejected) {
      return Effect().reply(cmd.replyTo(), rejected.<ReservationReceipt>cast());
    }
    Optional<ReplyEffect<Event, CouponState>> refusal = reserveRefusal(state, cmd);
    if (refusal.isPresent()) {
      return refusal.get();
    }
    Reservation reservation = answered.reservation();
    return persist(cmd, record, new Reserved(couponId, reservation, cmd.correlationId()))
        .thenRun(reserved -> startReservationTimer(reservation))
        .thenReply(cmd.replyTo(), reserved -> Outcome.ok(new ReservationReceipt(view(reserved), reservation)));
  }

  private ReplyEffect<Event, CouponState> onReserveReserved(ReservedState state, Reserve cmd) {
    Optional<ReplyEffect<Event, CouponState>> notOwner = ownershipRefusal(state, cmd);
    if (notOwner.isPresent()) {
      return notOwner.get();
    }
    if (state.reservation().isOverdueAt(clock.instant())) {
      // The timer did not survive a passivation: the timeout comes first, then this reserve meets an ISSUED coupon.
      return ending(cmd, state.reservation(), EndReason.RESERVATION_TIMEOUT).thenRun(s -> redecide(cmd)).thenNoReply();
    }
    return state.isReservedBy(cmd.reservationId())
        ? Effect().reply(cmd.replyTo(), Outcome.ok(new ReservationReceipt(state.view(), state.reservation())))
        : refuse(cmd, ErrorCode.CONCURRENT_MODIFICATION, "coupon " + couponId + " is held by another reservation");
  }

  // ---- the ends of a reservation ----

  /** A release: the end of the reservation the coupon holds, or the same answer as before for one that ended. */
  private ReplyEffect<Event, CouponState> onRelease(Known state, Release cmd) {
    if (cmd.actingUserId() != null && state.terms().userId() != cmd.actingUserId()) {
      return refuse(cmd, ErrorCode.FORBIDDEN, "coupon " + couponId + " belongs to another user");
    }
    if (state instanceof UsedState used && used.wasUsedBy(cmd.reservationId())) {
      return refuse(cmd, ErrorCode.COUPON_ALREADY_USED,
          "reservation " + cmd.reservationId() + " was confirmed: coupon " + couponId + " is used");
    }
    if (state instanceof ReservedState reserved && reserved.isReservedBy(cmd.reservationId())) {
      return reserved.reservation().isOverdueAt(clock.instant())
          ? timedOut(cmd, reserved.reservation(), cmd.replyTo())
          : ending(cmd, reserved.reservation(), cmd.reason()).thenReply(cmd.replyTo(), s -> Outcome.ok(view(s)));
    }
    if (state.howEnded(cmd.reservationId())
        .filter(reason -> reason == cmd.reason() || reason.givenBack() && cmd.reason().givenBack()).isPresent()) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    return reservationGone(state, cmd.reservationId(), cmd);
  }

  private ReplyEffect<Event, CouponState> onConfirm(ReservedState state, Confirm cmd) {
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
      return timedOut(cmd, reservation, cmd.replyTo());
    }
    return persist(cmd, List.of(), new Used(couponId, reservation.reservationId(), reservation.orderId(),
            cmd.paymentId(), reservation.discountAmount(), now.truncatedTo(ChronoUnit.MILLIS), cmd.correlationId()))
        .thenRun(s -> reservationEnded())
        .thenReply(cmd.replyTo(), s -> Outcome.ok(view(s)));
  }

  /** A reservation this coupon does not hold: why, as precisely as the coupon remembers. */
  private ReplyEffect<Event, CouponState> reservationGone(Known state, String reservationId, Request<CouponView> cmd) {
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
  private ReplyEffect<Event, CouponState> timedOut(CouponRequest<?> cmd, Reservation reservation,
      ActorRef<Outcome<CouponView>> replyTo) {
    return ending(cmd, reservation, EndReason.RESERVATION_TIMEOUT)
        .thenReply(replyTo, s -> expired(reservation.reservationId()));
  }

  private static Outcome<CouponView> expired(String reservationId) {
    return Outcome.rejected(ErrorCode.RESERVATION_EXPIRED, "reservation " + reservationId + " timed out");
  }

  private ReplyEffect<Event, CouponState> onTimeout(ReservedState state, TimeOutReservation cmd) {
    if (!state.isReservedBy(cmd.reservationId())) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    if (!state.reservation().isOverdueAt(clock.instant())) {
      startReservationTimer(state.reservation());
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    return ending(cmd, state.reservation(), EndReason.RESERVATION_TIMEOUT)
        .thenReply(cmd.replyTo(), s -> Outcome.ok(view(s)));
  }

  /** Persists the end of the reservation, stops its timer and lets the idle coupon passivate again. */
  private EffectBuilder<Event, CouponState> ending(CouponRequest<?> cmd, Reservation reservation, EndReason reason) {
    return persist(cmd, List.of(), new Released(couponId, reservation.reservationId(), reservation.orderId(), reason,
            clock.instant().truncatedTo(ChronoUnit.MILLIS), cmd.correlationId()))
        .thenRun(s -> reservationEnded());
  }

  // ---- cancel and expire ----

  private ReplyEffect<Event, CouponState> onCancelIssued(IssuedState state, Cancel cmd, List<Event> record) {
    return persist(cmd, record, new Cancelled(couponId, EndReason.ADMIN_CANCELLED, cmd.note(), null, null,
            clock.instant().truncatedTo(ChronoUnit.MILLIS), cmd.correlationId()))
        .thenReply(cmd.replyTo(), s -> Outcome.ok(view(s)));
  }

  private ReplyEffect<Event, CouponState> onCancelReserved(ReservedState state, Cancel cmd) {
    Reservation reservation = state.reservation();
    return persist(cmd, List.of(), new Cancelled(couponId, EndReason.ORDER_CANCELLED, cmd.note(),
            reservation.reservationId(), reservation.orderId(), clock.instant().truncatedTo(ChronoUnit.MILLIS),
            cmd.correlationId()))
        .thenRun(s -> reservationEnded())
        .thenReply(cmd.replyTo(), s -> Outcome.ok(view(s)));
  }

  private ReplyEffect<Event, CouponState> onExpire(IssuedState state, Expire cmd, List<Event> record) {
    Instant now = clock.instant();
    if (!state.terms().isExpiredAt(now)) {
      return Effect().reply(cmd.replyTo(), Outcome.ok(state.view()));
    }
    return persist(cmd, record, new Expired(couponId, now.truncatedTo(ChronoUnit.MILLIS), null))
        .thenReply(cmd.replyTo(), s -> Outcome.ok(view(s)));
  }

  // ---- helpers ----

  /**
   * Persists {@code record} (the terms, on a coupon's first change) and then {@code event}. Should the write fail,
   * {@code cmd} is decided again once the coupon has recovered: every coupon command is idempotent, so its caller
   * then learns whether the change happened.
   */
  private EffectBuilder<Event, CouponState> persist(CouponRequest<?> cmd, List<Event> record, Event event) {
    List<Event> events = new ArrayList<>(record.size() + 1);
    events.addAll(record);
    events.add(event);
    unconfirmed.expect(lastSequenceNumber(context) + events.size(), recovered -> redecide(cmd), () -> redecide(cmd));
    return Effect().persist(events).thenRun(written -> unconfirmed.confirmed());
  }

  private static CouponView view(CouponState state) {
    return ((Known) state).view();
  }

  private ReplyEffect<Event, CouponState> refuse(Request<?> cmd, ErrorCode code, String message) {
    cmd.refuse(new Outcome.Rejected<>(code, message));
    return Effect().noReply();
  }

  private ReplyEffect<Event, CouponState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
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
    var builder = newEventHandlerBuilder();
    builder.forStateType(Unknown.class)
        .onEvent(TermsRecorded.class, (state, event) -> IssuedState.of(event.terms()));
    builder.forStateType(IssuedState.class)
        .onEvent(Reserved.class, IssuedState::reserved)
        .onEvent(Cancelled.class, IssuedState::cancelled)
        .onEvent(Expired.class, IssuedState::expired);
    builder.forStateType(ReservedState.class)
        .onEvent(Used.class, ReservedState::used)
        .onEvent(Released.class, ReservedState::released)
        .onEvent(Cancelled.class, ReservedState::cancelled);
    return builder.build();
  }

  @Override
  public SignalHandler<CouponState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof ReservedState reserved) {
            startReservationTimer(reserved.reservation());
          }
          unconfirmed.resolve(lastSequenceNumber(context), state);
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
