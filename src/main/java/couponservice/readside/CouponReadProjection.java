package couponservice.readside;

import couponservice.coupon.Coupon;
import couponservice.coupon.Coupon.Cancelled;
import couponservice.coupon.Coupon.Expired;
import couponservice.coupon.Coupon.Released;
import couponservice.coupon.Coupon.Reserved;
import couponservice.coupon.Coupon.TermsRecorded;
import couponservice.coupon.Coupon.Used;
import couponservice.coupon.CouponSettings;
import couponservice.coupon.CouponStatus;
import couponservice.coupon.EndReason;
import couponservice.coupon.Reservation;
import couponservice.policy.CouponTerms;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Keeps {@code coupon_issues} and {@code coupon_reservations} in step with the coupon journal: status,
 * reservation, use. A coupon's first event carries its terms, so its row is created here if the policy
 * projection has not created it yet. Exactly once, one instance per coupon tag slice.
 */
public final class CouponReadProjection extends JdbcHandler<List<EventEnvelope<Coupon.Event>>, ReadModelSession> {
  private final SqlDialect dialect;

  private CouponReadProjection(SqlDialect dialect) {
    this.dialect = dialect;
  }

  public static void init(ActorSystem<?> system, ReadModelDatabase database, CouponSettings settings) {
    List<String> tags = settings.tags();
    ShardedDaemonProcess.get(system).init(
        ProjectionBehavior.Command.class,
        "coupon-read-model",
        tags.size(),
        index -> ProjectionBehavior.create(projection(system, database, tags.get(index))),
        ShardedDaemonProcessSettings.create(system),
        Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static Projection<EventEnvelope<Coupon.Event>> projection(
      ActorSystem<?> system, ReadModelDatabase database, String tag) {
    return JdbcProjection.groupedWithin(
            ProjectionId.of("coupon-read-model", tag),
            EventSourcedProvider.<Coupon.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession,
            () -> new CouponReadProjection(database.dialect()),
            system)
        .withGroup(500, Duration.ofMillis(100));
  }

  @Override
  public void process(ReadModelSession session, List<EventEnvelope<Coupon.Event>> envelopes) throws Exception {
    Connection connection = session.connection();
    for (EventEnvelope<Coupon.Event> envelope : envelopes) {
      apply(connection, envelope.event(), envelope.sequenceNr());
    }
  }

  private void apply(Connection connection, Coupon.Event event, long version) throws SQLException {
    if (event instanceof TermsRecorded recorded) {
      insertCoupon(connection, recorded.terms());
    } else if (event instanceof Reserved reserved) {
      Reservation r = reserved.reservation();
      updateCoupon(connection, reserved.couponId(), version, CouponStatus.RESERVED, r.reservationId(), r.orderId(),
          r.reservedAt(), r.discountAmount(), null, r.reservedAt());
      upsertReservation(connection, reserved.couponId(), r);
    } else if (event instanceof Used used) {
      Rows.execute(connection, "UPDATE coupon_issues SET status = ?, used_at = ?, version = ?, updated_at = ? WHERE id = ?",
          s -> {
            s.setString(1, CouponStatus.USED.name());
            Rows.setInstant(s, 2, used.usedAt());
            s.setLong(3, version);
            Rows.setInstant(s, 4, used.usedAt());
            s.setLong(5, used.couponId());
          });
      setReservationStatus(connection, used.reservationId(), "CONFIRMED", used.usedAt());
    } else if (event instanceof Released released) {
      updateCoupon(connection, released.couponId(), version, CouponStatus.ISSUED, null, null, null, null, null,
          released.at());
      setReservationStatus(connection, released.reservationId(),
          released.reason() == EndReason.RESERVATION_TIMEOUT ? "EXPIRED" : "CANCELLED", released.at());
    } else if (event instanceof Cancelled cancelled) {
      setStatus(connection, cancelled.couponId(), version, CouponStatus.CANCELLED, cancelled.at());
      if (cancelled.reservationId() != null) {
        setReservationStatus(connection, cancelled.reservationId(), "CANCELLED", cancelled.at());
      }
    } else if (event instanceof Expired expired) {
      setStatus(connection, expired.couponId(), version, CouponStatus.EXPIRED, expired.at());
    }
  }

  private void insertCoupon(Connection connection, CouponTerms terms) throws SQLException {
    Rows.execute(connection, dialect.insertIfAbsent("coupon_issues",
        "id", "policy_id", "user_id", "status", "issued_at", "expires_at", "version", "created_at", "updated_at"), s -> {
          s.setLong(1, terms.couponId());
          s.setLong(2, terms.policyId());
          s.setLong(3, terms.userId());
          s.setString(4, CouponStatus.ISSUED.name());
          Rows.setInstant(s, 5, terms.issuedAt());
          Rows.setInstant(s, 6, terms.expiryDate());
          s.setLong(7, 1);
          Rows.setInstant(s, 8, terms.issuedAt());
          Rows.setInstant(s, 9, terms.issuedAt());
        });
  }

  private static void updateCoupon(Connection connection, long couponId, long version, CouponStatus status,
      String reservationId, String orderId, Instant reservedAt, java.math.BigDecimal discount, Instant usedAt,
      Instant at) throws SQLException {
    Rows.execute(connection, """
        UPDATE coupon_issues SET status = ?, reservation_id = ?, order_id = ?, reserved_at = ?, discount_amount = ?,
          used_at = ?, version = ?, updated_at = ? WHERE id = ?""", s -> {
          s.setString(1, status.name());
          s.setString(2, reservationId);
          s.setString(3, orderId);
          Rows.setInstant(s, 4, reservedAt);
          s.setBigDecimal(5, discount);
          Rows.setInstant(s, 6, usedAt);
          s.setLong(7, version);
          Rows.setInstant(s, 8, at);
          s.setLong(9, couponId);
        });
  }

  private static void setStatus(Connection connection, long couponId, long version, CouponStatus status, Instant at)
      throws SQLException {
    Rows.execute(connection, "UPDATE coupon_issues SET status = ?, version = ?, updated_at = ? WHERE id = ?", s -> {
      s.setString(1, status.name());
      s.setLong(2, version);
      Rows.setInstant(s, 3, at);
      s.setLong(4, couponId);
    });
  }

  private static void upsertReservation(Connection connection, long couponId, Reservation r) throws SQLException {
    int updated = Rows.execute(connection, """
        UPDATE coupon_reservations SET coupon_id = ?, order_id = ?, order_amount = ?, discount_amount = ?, status = ?,
          reserved_at = ?, expires_at = ?, updated_at = ? WHERE reservation_id = ?""", s -> {
          s.setLong(1, couponId);
          s.setString(2, r.orderId());
          s.setBigDecimal(3, r.orderAmount());
          s.setBigDecimal(4, r.discountAmount());
          s.setString(5, "PENDING");
          Rows.setInstant(s, 6, r.reservedAt());
          Rows.setInstant(s, 7, r.expiresAt());
          Rows.setInstant(s, 8, r.reservedAt());
          s.setString(9, r.reservationId());
        });
    if (updated == 0) {
      Rows.execute(connection, """
          INSERT INTO coupon_reservations (reservation_id, coupon_id, user_id, order_id, order_amount, discount_amount,
            status, reserved_at, expires_at, created_at, updated_at)
          SELECT ?, id, user_id, ?, ?, ?, ?, ?, ?, ?, ? FROM coupon_issues WHERE id = ?""", s -> {
            s.setString(1, r.reservationId());
            s.setString(2, r.orderId());
            s.setBigDecimal(3, r.orderAmount());
            s.setBigDecimal(4, r.discountAmount());
            s.setString(5, "PENDING");
            Rows.setInstant(s, 6, r.reservedAt());
            Rows.setInstant(s, 7, r.expiresAt());
            Rows.setInstant(s, 8, r.reservedAt());
            Rows.setInstant(s, 9, r.reservedAt());
            s.setLong(10, couponId);
          });
    }
  }

  private static void setReservationStatus(Connection connection, String reservationId, String status, Instant at)
      throws SQLException {
    Rows.execute(connection, "UPDATE coupon_reservations SET status = ?, updated_at = ? WHERE reservation_id = ?", s -> {
      s.setString(1, status);
      Rows.setInstant(s, 2, at);
      s.setString(3, reservationId);
    });
  }
}
