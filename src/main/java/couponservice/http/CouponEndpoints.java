package couponservice.http;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.Money;
import couponservice.Outcome;
import couponservice.TextRules;
import couponservice.auth.Caller;
import couponservice.coupon.Coupon;
import couponservice.coupon.CouponView;
import couponservice.coupon.Coupons;
import couponservice.coupon.EndReason;
import couponservice.coupon.Reservation;
import couponservice.coupon.ReservationReceipt;
import couponservice.policy.CouponIds;
import couponservice.policy.DiscountType;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** Using a coupon: reserve, apply, release, confirm, cancel, and reading one coupon. */
public final class CouponEndpoints {
  private static final int MAX_ID_LENGTH = 64;

  private final HttpContext http;
  private final Coupons coupons;

  public CouponEndpoints(HttpContext http, Coupons coupons) {
    this.http = http;
    this.coupons = coupons;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.post("/api/coupons/reserve", request -> reserve(request, ReservationResponse::of)),
        Endpoint.post("/api/coupons/apply", request -> reserve(request, AppliedCoupon::of)),
        Endpoint.delete("/api/coupons/apply/{reservationId}", this::release),
        Endpoint.post("/api/coupons/reservations/{reservationId}/confirm", this::confirm),
        Endpoint.get("/api/coupons/{couponId}", this::read),
        Endpoint.post("/api/coupons/{couponId}/cancel", this::cancel));
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

  private EntityRef<Coupon.Command> coupon(long couponId) {
    return coupons.coupon(couponId);
  }

  private static long requireCouponId(long couponId) {
    if (!CouponIds.isWellFormed(couponId)) {
      throw new CouponException(ErrorCode.COUPON_NOT_FOUND, "coupon " + couponId + " does not exist");
    }
    return couponId;
  }

  private <T> CompletionStage<HttpResponse> reserve(ApiRequest request, Function<ReservationReceipt, T> response) {
    Caller caller = request.caller();
    return request.jsonBody().thenCompose(body -> {
      String reservationId = body.requiredString("reservationId", MAX_ID_LENGTH);
      long userId = body.requiredId("userId");
      long couponId = requireCouponId(body.requiredId("couponId"));
      BigDecimal orderAmount = Money.requirePositive("orderAmount", body.optionalDecimal("orderAmount"));
      String orderId = body.optionalString("orderId", MAX_ID_LENGTH);
      caller.requireOwnerServiceOrAdmin(userId);
      CompletionStage<Outcome<ReservationReceipt>> reserved = http.ask(coupon(couponId), replyTo ->
          new Coupon.Reserve(userId, caller.actingUserId(), reservationId, orderId, orderAmount, request.requestId(),
              replyTo));
      return http.reply(reserved.thenApply(outcome -> map(outcome, response)), 200);
    });
  }

  private static <A, B> Outcome<B> map(Outcome<A> outcome, Function<A, B> f) {
    return outcome instanceof Outcome.Ok<A> ok ? Outcome.ok(f.apply(ok.value())) : ((Outcome.Rejected<A>) outcome).cast();
  }

  /** Sends the coupon of {@code reservationId} a command, once the reservation's coupon is found. */
  private CompletionStage<Outcome<CouponView>> toReservedCoupon(String reservationId,
      Function<ActorRef<Outcome<CouponView>>, Coupon.Command> command) {
    return coupons.couponOf(TextRules.requireText("reservationId", reservationId, MAX_ID_LENGTH))
        .thenComposeAsync(couponId -> couponId instanceof Outcome.Ok<Long> ok
            ? http.ask(coupon(ok.value()), command)
            : CompletableFuture.completedFuture(((Outcome.Rejected<Long>) couponId).<CouponView>cast()), http.callbacks());
  }

  private CompletionStage<HttpResponse> release(ApiRequest request) {
    Caller caller = request.caller();
    String reservationId = request.segment("reservationId");
    return http.reply(toReservedCoupon(reservationId, replyTo ->
        new Coupon.Release(reservationId, caller.actingUserId(), EndReason.RELEASED, request.requestId(), replyTo)), 204);
  }

  private CompletionStage<HttpResponse> confirm(ApiRequest request) {
    request.caller().requireServiceOrAdmin();
    String reservationId = request.segment("reservationId");
    return request.optionalJsonBody().thenCompose(body -> {
      String orderId = body.optionalString("orderId", MAX_ID_LENGTH);
      String paymentId = body.optionalString("paymentId", MAX_ID_LENGTH);
      return http.reply(toReservedCoupon(reservationId,
          replyTo -> new Coupon.Confirm(reservationId, orderId, paymentId, request.requestId(), replyTo)), 200);
    });
  }

  private CompletionStage<HttpResponse> cancel(ApiRequest request) {
    request.caller().requireServiceOrAdmin();
    long couponId = requireCouponId(request.id("couponId"));
    return request.optionalJsonBody().thenCompose(body -> {
      String reason = body.optionalString("reason", 500);
      return http.reply(http.<Coupon.Command, CouponView>ask(coupon(couponId),
          replyTo -> new Coupon.Cancel(reason, request.requestId(), replyTo)), 200);
    });
  }

  private CompletionStage<HttpResponse> read(ApiRequest request) {
    Long acting = request.caller().actingUserId();
    long couponId = requireCouponId(request.id("couponId"));
    CompletionStage<Outcome<CouponView>> view = http.ask(coupon(couponId), Coupon.Get::new);
    return http.reply(view.thenApply(outcome -> outcome instanceof Outcome.Ok<CouponView> ok && acting != null
        && ok.value().userId() != acting
            ? Outcome.<CouponView>rejected(ErrorCode.FORBIDDEN, "coupon " + couponId + " belongs to another user")
            : outcome), 200);
  }
}
