package couponservice.kafka;

import couponservice.coupon.CouponStatus;
import couponservice.policy.DiscountType;
import java.math.BigDecimal;
import java.time.Instant;

/** The envelope of the {@code coupon.*} topics (API.md "Kafka"). */
public record CouponEventEnvelope(String eventId, String eventType, Instant timestamp, Data data, Metadata metadata) {

  /**
   * The coupon after the event, the same fields on every topic (one consumer schema reads all five): those that do
   * not apply to an event are null.
   */
  public record Data(
      long couponId,
      long policyId,
      long userId,
      String couponCode,
      String couponName,
      DiscountType discountType,
      BigDecimal discountValue,
      CouponStatus status,
      Instant expiryDate,
      String reservationId,
      String orderId,
      BigDecimal discountAmount,
      String paymentId,
      String reason) {}

  public record Metadata(String correlationId, String source, String version) {
    static Metadata of(String correlationId) {
      return new Metadata(correlationId, "coupon-service", "1.0");
    }
  }

  /** Where an envelope goes: its topic (without prefix) and key (the coupon id). */
  public record Addressed(String topic, String key, CouponEventEnvelope envelope) {}
}
