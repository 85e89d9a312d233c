package couponservice.http;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.Money;
import couponservice.Outcome;
import couponservice.TextRules;
import couponservice.auth.Caller;
import couponservice.coupon.Coupon;
import couponservice.coupon.CouponView;
import couponservice.coupon.EndReason;
import couponservice.coupon.Reservation;
import couponservice.coupon.ReservationLookup;
import couponservice.coupon.ReservationReceipt;
import couponservice.policy.CouponIds;
import couponservice.policy.DiscountType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** Using a coupon: reserve, apply, release, confirm, cancel, and reading one coupon. */
public final class CouponRoutes extends ApiDirectives {
  private static final int MAX_ID_LENGTH = 64;

  private final ReservationLookup reservations;

  public CouponRoutes(HttpContext http, ReservationLookup reservations) {
    super(http);
    this.reservations = reservations;
  }

  /** The body of {@code POST /api/coupons/reserve}. */
  record ReservationResponse(String reservationId, long couponId, boolean success, String message, Instant reservedAt,
      Instant expiresAt, BigDecimal discountAmount) {
    static ReservationResponse of(ReservationReceipt receipt) {
      Reservation r = receipt.reservation();
      return new ReservationResponse(r.reservationId(), receipt.coupon().couponId(), true, "the coupon is reserved",
          r.reservedAt(), r.expiresAt(), r.discountAmount());
    }
  }

  /** The body of {@code POST /api/coupons/apply}. */
  record AppliedCoupon(long couponId, String couponName, DiscountType discountType, BigDecimal discountValue,
      BigDecimal maxDiscountAmount, BigDecimal discountAmount, String reservationId) {
    static AppliedCoupon of(ReservationReceipt receipt) {
      CouponView c = receipt.coupon();
      return new AppliedCoupon(c.couponId(), c.couponName(), c.discountType(), c.discountValue(), c.maxDiscountAmount(),
          receipt.reservation().discountAmount(), receipt.reservation().reservationId());
    }
  }

  public Route route() {
    return pathPrefix("coupons", () -> concat(
        path("reserve", () -> post(() -> authenticated(caller -> jsonBody(body ->
            reserve(caller, body, ReservationResponse::of))))),
        pathPrefix("apply", () -> concat(
            pathEnd(() -> post(() -> authenticated(caller -> jsonBody(body -> reserve(caller, body, AppliedCoupon::of))))),
            path(PathMatchers.segment(), reservationId -> delete(() -> authenticated(caller ->
                release(caller, reservationId)))))),
        path(PathMatchers.segment("reservations").slash(PathMatchers.segment()).slash("confirm"), reservationId ->
            post(() -> authenticated(caller -> {
              caller.requireServiceOrAdmin();
              return jsonBody(body -> confirm(reservationId, body));
            }))),
        pathId("couponId", couponId -> concat(
            pathEnd(() -> get(() -> authenticated(caller -> read(caller, couponId)))),
            path("cancel", () -> post(() -> authenticated(caller -> {
              caller.requireServiceOrAdmin();
              return jsonBody(body -> cancel(couponId, body));
            })))))));
  }

  private EntityRef<Coupon.Command> coupon(long couponId) {
    return http.sharding().entityRefFor(Coupon.ENTITY_KEY, Long.toString(couponId));
  }

  private static long requireCouponId(long couponId) {
    if (!CouponIds.isWellFormed(couponId)) {
      throw new CouponException(ErrorCode.COUPON_NOT_FOUND, "coupon " + couponId + " does not exist");
    }
    return couponId;
  }

  private static String requiredReference(JsonBody body, String field) {
    return body.requiredString(field, MAX_ID_LENGTH);
  }

  private <T> Route reserve(Caller caller, JsonBody body, Function<ReservationReceipt, T> response) {
    String reservationId = requiredReference(body, "reservationId");
    long userId = body.requiredId("userId");
    long couponId = requireCouponId(body.requiredId("couponId"));
    BigDecimal orderAmount = Money.requirePositive("orderAmount", body.optionalDecimal("orderAmount"));
    String orderId = body.optionalString("orderId", MAX_ID_LENGTH);
    caller.requireOwnerServiceOrAdmin(userId);
    CompletionStage<Outcome<ReservationReceipt>> reserved = coupon(couponId).ask(replyTo ->
        new Coupon.Reserve(userId, caller.actingUserId(), reservationId, orderId, orderAmount, replyTo), askTimeout());
    return reply(reserved.thenApplyAsync(outcome -> map(outcome, response), http.callbacks()), 200);
  }

  private static <A, B> Outcome<B> map(Outcome<A> outcome, Function<A, B> f) {
    return outcome instanceof Outcome.Ok<A> ok ? Outcome.ok(f.apply(ok.value())) : ((Outcome.Rejected<A>) outcome).cast();
  }

  /** Sends the coupon of {@code reservationId} a command, once the reservation's coupon is found. */
  private CompletionStage<Outcome<CouponView>> toReservedCoupon(String reservationId,
      Function<ActorRef<Outcome<CouponView>>, Coupon.Command> command) {
    return reservations.couponOf(TextRules.requireText("reservationId", reservationId, MAX_ID_LENGTH))
        .thenComposeAsync(couponId -> couponId instanceof Outcome.Ok<Long> ok
            ? coupon(ok.value()).ask(command::apply, askTimeout())
            : CompletableFuture.completedFuture(((Outcome.Rejected<Long>) couponId).<CouponView>cast()), http.callbacks());
  }

  private Route release(Caller caller, String reservationId) {
    CompletionStage<Outcome<CouponView>> released = toReservedCoupon(reservationId, replyTo ->
        new Coupon.Release(reservationId, caller.actingUserId(), EndReason.RELEASED, replyTo));
    return reply(released, 204);
  }

  private Route confirm(String reservationId, JsonBody body) {
    String orderId = body.optionalString("orderId", MAX_ID_LENGTH);
    String paymentId = body.optionalString("paymentId", MAX_ID_LENGTH);
    return reply(toReservedCoupon(reservationId,
        replyTo -> new Coupon.Confirm(reservationId, orderId, paymentId, replyTo)), 200);
  }

  private Route cancel(long couponId, JsonBody body) {
    String reason = body.optionalString("reason", 500);
    return this.<Coupon.Command, CouponView>ask(coupon(requireCouponId(couponId)),
        replyTo -> new Coupon.Cancel(reason, replyTo), 200);
  }

  private Route read(Caller caller, long couponId) {
    Long acting = caller.actingUserId();
    CompletionStage<Outcome<CouponView>> view = coupon(requireCouponId(couponId)).ask(Coupon.Get::new, askTimeout());
    return reply(view.thenApplyAsync(outcome -> outcome instanceof Outcome.Ok<CouponView> ok && acting != null
        && ok.value().userId() != acting
            ? Outcome.<CouponView>rejected(ErrorCode.FORBIDDEN, "coupon " + couponId + " belongs to another user")
            : outcome, http.callbacks()), 200);
  }
}
