package couponservice.coupon;

import couponservice.coupon.Coupon.Cancelled;
import couponservice.coupon.Coupon.Expired;
import couponservice.coupon.Coupon.Released;
import couponservice.coupon.Coupon.Reserved;
import couponservice.coupon.Coupon.Used;
import couponservice.policy.CouponTerms;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A coupon's state, one record per state of API.md's state machine, plus {@link Unknown}: a coupon whose terms
 * it has not yet learned from its policy (it has no event yet). Every state but that one knows its terms and the
 * last reservations that ended without use, so that a late confirm learns why.
 */
public sealed interface CouponState {
  int REMEMBERED_ENDINGS = 8;

  Unknown UNKNOWN = new Unknown();

  record EndedReservation(String reservationId, EndReason reason) {}

  /** No event yet: the coupon must learn what its policy issued before it decides anything. */
  record Unknown() implements CouponState {}

  /** A state with terms; its events lead to the next state. */
  sealed interface Known extends CouponState {
    CouponTerms terms();

    List<EndedReservation> ended();

    CouponStatus status();

    /** The reservation it holds, or the one it was used or cancelled with; null otherwise. */
    Reservation reservation();

    default Instant usedAt() {
      return null;
    }

    default Optional<EndReason> howEnded(String reservationId) {
      List<EndedReservation> endings = ended();
      for (int i = endings.size() - 1; i >= 0; i--) {
        if (endings.get(i).reservationId().equals(reservationId)) {
          return Optional.of(endings.get(i).reason());
        }
      }
      return Optional.empty();
    }

    default CouponView view() {
      CouponTerms t = terms();
      Reservation r = reservation();
      return new CouponView(t.couponId(), t.policyId(), t.userId(), t.couponName(), t.discountType(), t.discountValue(),
          t.minimumOrderAmount(), t.maxDiscountAmount(), status(), t.issuedAt(), t.expiryDate(),
          r == null ? null : r.reservationId(), r == null ? null : r.orderId(), r == null ? null : r.reservedAt(),
          usedAt(), r == null ? null : r.discountAmount());
    }
  }

  record IssuedState(CouponTerms terms, List<EndedReservation> ended) implements Known {
    static IssuedState of(CouponTerms terms) {
      return new IssuedState(terms, List.of());
    }

    @Override
    public CouponStatus status() {
      return CouponStatus.ISSUED;
    }

    @Override
    public Reservation reservation() {
      return null;
    }

    ReservedState reserved(Reserved event) {
      return new ReservedState(terms, event.reservation(), ended);
    }

    CancelledState cancelled(Cancelled event) {
      return new CancelledState(terms, null, ended);
    }

    ExpiredState expired(Expired event) {
      return new ExpiredState(terms, ended);
    }
  }

  /** Held for an order until payment confirms it, it is released, or it times out. */
  record ReservedState(CouponTerms terms, Reservation reservation, List<EndedReservation> ended) implements Known {
    @Override
    public CouponStatus status() {
      return CouponStatus.RESERVED;
    }

    boolean isReservedBy(String reservationId) {
      return reservation.reservationId().equals(reservationId);
    }

    UsedState used(Used event) {
      return new UsedState(terms, reservation, event.usedAt(), event.paymentId(), ended);
    }

    IssuedState released(Released event) {
      return new IssuedState(terms, endedWith(ended, event.reservationId(), event.reason()));
    }

    CancelledState cancelled(Cancelled event) {
      return new CancelledState(terms, reservation, endedWith(ended, event.reservationId(), event.reason()));
    }
  }

  record UsedState(CouponTerms terms, Reservation reservation, Instant usedAt, String paymentId,
      List<EndedReservation> ended) implements Known {
    @Override
    public CouponStatus status() {
      return CouponStatus.USED;
    }

    boolean wasUsedBy(String reservationId) {
      return reservation.reservationId().equals(reservationId);
    }
  }

  /** Cancelled for good; {@code reservation} is the one cancelled with its order, null for an admin's cancel. */
  record CancelledState(CouponTerms terms, Reservation reservation, List<EndedReservation> ended) implements Known {
    @Override
    public CouponStatus status() {
      return CouponStatus.CANCELLED;
    }
  }

  record ExpiredState(CouponTerms terms, List<EndedReservation> ended) implements Known {
    @Override
    public CouponStatus status() {
      return CouponStatus.EXPIRED;
    }

    @Override
    public Reservation reservation() {
      return null;
    }
  }

  private static List<EndedReservation> endedWith(List<EndedReservation> ended, String reservationId, EndReason reason) {
    List<EndedReservation> endings = new ArrayList<>(ended);
    endings.add(new EndedReservation(reservationId, reason));
    return List.copyOf(endings.size() > REMEMBERED_ENDINGS
        ? endings.subList(endings.size() - REMEMBERED_ENDINGS, endings.size())
        : endings);
  }
}
