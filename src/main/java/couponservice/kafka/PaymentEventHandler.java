package couponservice.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import couponservice.Outcome;
import couponservice.coupon.Coupon;
import couponservice.coupon.CouponView;
import couponservice.coupon.EndReason;
import couponservice.coupon.Coupons;
import couponservice.Json;
import couponservice.policy.CouponIds;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * {@code payment.completed.v1} confirms the reservation (the coupon is USED), {@code payment.failed.v1}
 * releases it — the same commands as the HTTP confirm and release. Both are idempotent in the coupon,
 * so a redelivered message changes nothing. A message that cannot be read, or that the coupon refuses
 * (unknown reservation, reservation timed out, wrong state), is a dead letter with the refusal as reason.
 */
public final class PaymentEventHandler {
  private final Coupons coupons;
  private final Retries retries;
  private final Duration askTimeout;
  private final Executor callbacks;

  PaymentEventHandler(Coupons coupons, Retries retries, Duration askTimeout, Executor callbacks) {
    this.coupons = coupons;
    this.retries = retries;
    this.askTimeout = askTimeout;
    this.callbacks = callbacks;
  }

  /** What a payment event says, once read. */
  record PaymentEvent(Long couponId, String reservationId, String orderId, String paymentId, String eventId) {}

  MessageHandler completed() {
    return record -> handle(record,
        event -> replyTo -> new Coupon.Confirm(event.reservationId(), event.orderId(), event.paymentId(),
            event.eventId(), replyTo));
  }

  MessageHandler failed() {
    return record -> handle(record,
        event -> replyTo -> new Coupon.Release(event.reservationId(), null, EndReason.PAYMENT_FAILED,
            event.eventId(), replyTo));
  }

  private CompletionStage<Handled> handle(ConsumerRecord<byte[], byte[]> record,
      Function<PaymentEvent, Function<ActorRef<Outcome<CouponView>>, Coupon.Command>> command) {
    PaymentEvent event;
    try {
      event = parse(record.value());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(Handled.deadLetter("unreadable payment event: " + e.getMessage()));
    }
    CompletionStage<Outcome<Long>> coupon = event.couponId() != null
        ? CompletableFuture.completedFuture(Outcome.ok(event.couponId()))
        : retries.untilFinal(() -> coupons.couponOf(event.reservationId()));
    return coupon.thenComposeAsync(found -> {
      if (found instanceof Outcome.Rejected<Long> rejected) {
        return CompletableFuture.completedFuture(deadLetter(rejected));
      }
      long couponId = ((Outcome.Ok<Long>) found).value();
      return retries.<CouponView>untilFinal(() -> coupons.coupon(couponId)
              .ask(replyTo -> command.apply(event).apply(replyTo), askTimeout))
          .thenApply(outcome -> outcome instanceof Outcome.Rejected<CouponView> rejected
              ? deadLetter(rejected)
              : Handled.APPLIED);
    }, callbacks);
  }

  private static Handled deadLetter(Outcome.Rejected<?> rejected) {
    return Handled.deadLetter(rejected.code() + ": " + rejected.message());
  }

  static PaymentEvent parse(byte[] value) {
    JsonNode root;
    try {
      root = value == null ? null : Json.MAPPER.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON");
    }
    JsonNode data = root == null ? null : root.get("data");
    if (data == null || !data.isObject()) {
      throw new IllegalArgumentException("no data object");
    }
    String reservationId = text(data, "reservationId");
    if (reservationId == null || reservationId.isBlank()) {
      throw new IllegalArgumentException("data.reservationId is missing");
    }
    JsonNode couponId = data.get("couponId");
    Long coupon = null;
    if (couponId != null && !couponId.isNull()) {
      if (!couponId.canConvertToLong() || !CouponIds.isWellFormed(couponId.asLong())) {
        throw new IllegalArgumentException("data.couponId is not a coupon id");
      }
      coupon = couponId.asLong();
    }
    return new PaymentEvent(coupon, reservationId, text(data, "orderId"), text(data, "paymentId"),
        text(root, "eventId"));
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }
}
