package couponservice.coupon;

import couponservice.CborSerializable;
import couponservice.coupon.Coupon.Cancelled;
import couponservice.coupon.Coupon.Expired;
import couponservice.coupon.Coupon.Released;
import couponservice.coupon.Coupon.Reserved;
import couponservice.coupon.Coupon.TermsRecorded;
import couponservice.coupon.Coupon.Used;
import couponservice.policy.CouponTerms;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A coupon's state. {@code terms} is null until the coupon's first change records them. The current
 * reservation stays on a USED or CANCELLED coupon (it says with which order); {@code ended} remembers
 * the last reservations that ended without use, so that a late confirm learns why.
 */
public record CouponState(
    CouponTerms terms,
    CouponStatus status,
    Reservation reservation,
    Instant usedAt,
    String paymentId,
    List<EndedReservation> ended)
    implements CborSerializable {

  static final int REMEMBERED_ENDINGS = 8;

  public record EndedReservation(String reservationId, EndReason reason) implements CborSerializable {}

  public static CouponState empty() {
    return new CouponState(null, CouponStatus.ISSUED, null, null, null, List.of());
  }

  static CouponState issued(CouponTerms terms) {
    return new CouponState(terms, CouponStatus.ISSUED, null, null, null, List.of());
  }

  public boolean isRecorded() {
    return terms != null;
  }

  boolean isReservedBy(String reservationId) {
    return status == CouponStatus.RESERVED && reservation.reservationId().equals(reservationId);
  }

  boolean wasUsedBy(String reservationId) {
    return status == CouponStatus.USED && reservation != null && reservation.reservationId().equals(reservationId);
  }

  Optional<EndReason> howEnded(String reservationId) {
    for (int i = ended.size() - 1; i >= 0; i--) {
      if (ended.get(i).reservationId().equals(reservationId)) {
        return Optional.of(ended.get(i).reason());
      }
    }
    return Optional.empty();
  }

  CouponState apply(Coupon.Event event) {
    if (event instanceof TermsRecorded recorded) {
      return issued(recorded.terms());
    }
    if (event instanceof Reserved reserved) {
      return new CouponState(terms, CouponStatus.RESERVED, reserved.reservation(), null, null, ended);
    }
    if (event instanceof Used used) {
      return new CouponState(terms, CouponStatus.USED, reservation, used.usedAt(), used.paymentId(), ended);
    }
    if (event instanceof Released released) {
      return new CouponState(terms, CouponStatus.ISSUED, null, null, null,
          endedWith(released.reservationId(), released.reason()));
    }
    if (event instanceof Cancelled cancelled) {
      List<EndedReservation> endings = cancelled.reservationId() == null
          ? ended
          : endedWith(cancelled.reservationId(), cancelled.reason());
      return new CouponState(terms, CouponStatus.CANCELLED, reservation, null, null, endings);
    }
    if (event instanceof Expired) {
      return new CouponState(terms, CouponStatus.EXPIRED, null, null, null, ended);
    }
    throw new IllegalArgumentException("unknown coupon event " + event.getClass().getName());
  }

  private List<EndedReservation> endedWith(String reservationId, EndReason reason) {
    List<EndedReservation> endings = new ArrayList<>(ended);
    endings.add(new EndedReservation(reservationId, reason));
    return List.copyOf(endings.size() > REMEMBERED_ENDINGS
        ? endings.subList(endings.size() - REMEMBERED_ENDINGS, endings.size())
        : endings);
  }

  CouponView view() {
    return new CouponView(terms.couponId(), terms.policyId(), terms.userId(), terms.couponName(), terms.discountType(),
        terms.discountValue(), terms.minimumOrderAmount(), terms.maxDiscountAmount(), status, terms.issuedAt(),
        terms.expiryDate(),
        reservation == null ? null : reservation.reservationId(),
        reservation == null ? null : reservation.orderId(),
        reservation == null ? null : reservation.reservedAt(),
        usedAt,
        reservation == null ? null : reservation.discountAmount());
  }
}
