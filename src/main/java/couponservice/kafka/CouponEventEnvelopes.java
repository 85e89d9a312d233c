package couponservice.kafka;

import couponservice.coupon.Coupon;
import couponservice.coupon.CouponStatus;
import couponservice.coupon.EndReason;
import couponservice.coupon.Reservation;
import couponservice.kafka.CouponEventEnvelope.Addressed;
import couponservice.kafka.CouponEventEnvelope.Data;
import couponservice.kafka.CouponEventEnvelope.Metadata;
import couponservice.policy.CouponPolicy.CouponsIssued;
import couponservice.policy.CouponTerms;
import couponservice.policy.IssuedTerms;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Journal events as the envelopes of the {@code coupon.*} topics, all built by {@link #envelope}: one data field set
 * for every topic. The eventId is derived from where the event is in the journal — persistence id and sequence
 * number, plus the coupon's place in an issue batch — so a redelivery carries the same id. The correlation id is
 * the request id (or consumed event's id) that caused the event, or the eventId where nothing outside did.
 */
public final class CouponEventEnvelopes {
  private CouponEventEnvelopes() {}

  static String eventId(String persistenceId, long sequenceNr) {
    return persistenceId + "#" + sequenceNr;
  }

  /** One COUPON_ISSUED per coupon of the batch. */
  public static List<Addressed> issued(String persistenceId, long sequenceNr, CouponsIssued event, IssuedTerms terms) {
    List<Addressed> envelopes = new ArrayList<>(event.userIds().size());
    for (int i = 0; i < event.userIds().size(); i++) {
      CouponTerms coupon = terms.coupon(event.couponIdAt(i), event.policyId(), event.userIds().get(i), event.issuedAt());
      envelopes.add(envelope(Topics.COUPON_ISSUED, "COUPON_ISSUED", eventId(persistenceId, sequenceNr) + "#" + i,
          event.issuedAt(), coupon, CouponStatus.ISSUED, null, null, null, null, null, event.correlationIdAt(i)));
    }
    return envelopes;
  }

  /** The envelope of a coupon's event; its first event (the recorded terms) is not published. */
  public static Optional<Addressed> of(String persistenceId, long sequenceNr, Coupon.Event event, CouponTerms terms) {
    String eventId = eventId(persistenceId, sequenceNr);
    if (event instanceof Coupon.Reserved reserved) {
      Reservation r = reserved.reservation();
      return Optional.of(envelope(Topics.COUPON_RESERVED, "COUPON_RESERVED", eventId, r.reservedAt(), terms,
          CouponStatus.RESERVED, r.reservationId(), r.orderId(), r.discountAmount(), null, null, reserved.correlationId()));
    }
    if (event instanceof Coupon.Used used) {
      return Optional.of(envelope(Topics.COUPON_USED, "COUPON_USED", eventId, used.usedAt(), terms, CouponStatus.USED,
          used.reservationId(), used.orderId(), used.discountAmount(), used.paymentId(), null, used.correlationId()));
    }
    if (event instanceof Coupon.Released released) {
      return Optional.of(envelope(Topics.COUPON_CANCELLED, "COUPON_CANCELLED", eventId, released.at(), terms,
          CouponStatus.ISSUED, released.reservationId(), released.orderId(), null, null, released.reason(),
          released.correlationId()));
    }
    if (event instanceof Coupon.Cancelled cancelled) {
      return Optional.of(envelope(Topics.COUPON_CANCELLED, "COUPON_CANCELLED", eventId, cancelled.at(), terms,
          CouponStatus.CANCELLED, cancelled.reservationId(), cancelled.orderId(), null, null, cancelled.reason(),
          cancelled.correlationId()));
    }
    if (event instanceof Coupon.Expired expired) {
      return Optional.of(envelope(Topics.COUPON_EXPIRED, "COUPON_EXPIRED", eventId, expired.at(), terms,
          CouponStatus.EXPIRED, null, null, null, null, null, expired.correlationId()));
    }
    return Optional.empty();
  }

  private static Addressed envelope(String topic, String eventType, String eventId, Instant at, CouponTerms t,
      CouponStatus status, String reservationId, String orderId, BigDecimal discount, String paymentId,
      EndReason reason, String correlationId) {
    Data data = new Data(t.couponId(), t.policyId(), t.userId(), t.couponCode(), t.couponName(), t.discountType(),
        t.discountValue(), status, t.expiryDate(), reservationId, orderId, discount, paymentId,
        reason == null ? null : reason.name());
    return new Addressed(topic, Long.toString(t.couponId()), new CouponEventEnvelope(eventId, eventType, at, data,
        Metadata.of(correlationId != null ? correlationId : eventId)));
  }
}
