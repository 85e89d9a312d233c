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
import couponservice.policy.CouponIds;
import couponservice.policy.CouponTerms;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.Projection;
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
  /** The tag slice this instance projects: the statistics rows it alone writes. */
  private final String source;

  private CouponReadProjection(SqlDialect dialect, String source) {
    this.dialect = dialect;
    this.source = source;
  }

  public static void init(ActorSystem<?> system, ReadModelDatabase database, CouponSettings settings) {
    TagSliceProjections.run(system, "coupon-read-model", settings.tags(), tag -> projection(system, database, tag));
  }

  private static Projection<EventEnvelope<Coupon.Event>> projection(
      ActorSystem<?> system, ReadModelDatabase database, String tag) {
    return JdbcProjection.groupedWithin(
            ProjectionId.of("coupon-read-model", tag),
            EventSourcedProvider.<Coupon.Event>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession,
            () -> new CouponReadProjection(database.dialect(), tag),
            system)
        .withGroup(500, Duration.ofMillis(100));
  }

  // Statement phases of a group, in the order they run. Per coupon, events only ever go from
  // reserve/release (UPDATE_COUPON) to one final state (USE_COUPON or END_COUPON), so running the phases in
  // this order leaves every row as its last event left it.
  private static final int INSERT_COUPON = 0;
  private static final int UPDATE_COUPON = 1;
  private static final int USE_COUPON = 2;
  private static final int END_COUPON = 3;
  private static final int UPSERT_RESERVATION = 4;
  private static final int END_RESERVATION = 5;

  private List<String> phases() {
    return List.of(
        dialect.insertIfAbsent("coupon_issues",
            "id", "policy_id", "user_id", "status", "issued_at", "expires_at", "version", "created_at", "updated_at"),
        """
        UPDATE coupon_issues SET status = ?, reservation_id = ?, order_id = ?, reserved_at = ?, discount_amount = ?,
          used_at = NULL, version = ?, updated_at = ? WHERE id = ?""",
        "UPDATE coupon_issues SET status = 'USED', used_at = ?, version = ?, updated_at = ? WHERE id = ?",
        "UPDATE coupon_issues SET status = ?, version = ?, updated_at = ? WHERE id = ?",
        upsertReservation(),
        "UPDATE coupon_reservations SET status = ?, updated_at = ? WHERE reservation_id = ?");
  }

  private String upsertReservation() {
    String columns = "reservation_id, coupon_id, user_id, order_id, order_amount, discount_amount, status, reserved_at, "
        + "expires_at, created_at, updated_at";
    String select = " SELECT ?, id, user_id, ?, ?, ?, 'PENDING', ?, ?, ?, ? FROM coupon_issues WHERE id = ?";
    return dialect == SqlDialect.POSTGRES
        ? "INSERT INTO coupon_reservations (" + columns + ")" + select + " ON CONFLICT (reservation_id) DO UPDATE SET "
            + "coupon_id = EXCLUDED.coupon_id, user_id = EXCLUDED.user_id, order_id = EXCLUDED.order_id, "
            + "order_amount = EXCLUDED.order_amount, discount_amount = EXCLUDED.discount_amount, status = EXCLUDED.status, "
            + "reserved_at = EXCLUDED.reserved_at, expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at"
        : "MERGE INTO coupon_reservations (" + columns + ") KEY (reservation_id)" + select;
  }

  @Override
  public void process(ReadModelSession session, List<EventEnvelope<Coupon.Event>> envelopes) throws Exception {
    StatisticsDeltas statistics = new StatisticsDeltas();
    try (StatementBatches batches = new StatementBatches(session.connection(), phases())) {
      Set<String> reservationsInBatch = new HashSet<>();
      for (EventEnvelope<Coupon.Event> envelope : envelopes) {
        if (envelope.event() instanceof Reserved reserved
            && !reservationsInBatch.add(reserved.reservation().reservationId())) {
          // The same reservation id again (reserved anew after it ended): its earlier rows go first.
          batches.flush();
          reservationsInBatch.clear();
          reservationsInBatch.add(reserved.reservation().reservationId());
        }
        add(batches, statistics, envelope.event(), envelope.sequenceNr());
      }
      batches.flush();
    }
    statistics.write(session.connection(), dialect, source);
    ProjectionLag.observe("coupon-read-model", envelopes);
  }

  private static void add(StatementBatches batches, StatisticsDeltas statistics, Coupon.Event event, long version) throws SQLException {
    if (event instanceof TermsRecorded recorded) {
      CouponTerms terms = recorded.terms();
      batches.add(INSERT_COUPON, s -> {
        s.setLong(1, terms.couponId());
        s.setLong(2, terms.policyId());
        s.setLong(3, terms.userId());
        s.setString(4, CouponStatus.ISSUED.name());
        Rows.setInstant(s, 5, terms.issuedAt());
        Rows.setInstant(s, 6, terms.expiryDate());
        s.setLong(7, version);
        Rows.setInstant(s, 8, terms.issuedAt());
        Rows.setInstant(s, 9, terms.issuedAt());
      });
    } else if (event instanceof Reserved reserved) {
      Reservation r = reserved.reservation();
      statistics.reserved(CouponIds.policyIdOf(reserved.couponId()), r.reservedAt());
      updateCoupon(batches, reserved.couponId(), version, CouponStatus.RESERVED, r, r.reservedAt());
      batches.add(UPSERT_RESERVATION, s -> {
        s.setString(1, r.reservationId());
        s.setString(2, r.orderId());
        s.setBigDecimal(3, r.orderAmount());
        s.setBigDecimal(4, r.discountAmount());
        Rows.setInstant(s, 5, r.reservedAt());
        Rows.setInstant(s, 6, r.expiresAt());
        Rows.setInstant(s, 7, r.reservedAt());
        Rows.setInstant(s, 8, r.reservedAt());
        s.setLong(9, reserved.couponId());
      });
    } else if (event instanceof Used used) {
      statistics.used(CouponIds.policyIdOf(used.couponId()), used.usedAt(), used.discountAmount());
      batches.add(USE_COUPON, s -> {
        Rows.setInstant(s, 1, used.usedAt());
        s.setLong(2, version);
        Rows.setInstant(s, 3, used.usedAt());
        s.setLong(4, used.couponId());
      });
      endReservation(batches, used.reservationId(), "CONFIRMED", used.usedAt());
    } else if (event instanceof Released released) {
      statistics.released(CouponIds.policyIdOf(released.couponId()));
      updateCoupon(batches, released.couponId(), version, CouponStatus.ISSUED, null, released.at());
      endReservation(batches, released.reservationId(),
          released.reason() == EndReason.RESERVATION_TIMEOUT ? "EXPIRED" : "CANCELLED", released.at());
    } else if (event instanceof Cancelled cancelled) {
      statistics.cancelled(CouponIds.policyIdOf(cancelled.couponId()), cancelled.reservationId() != null);
      endCoupon(batches, cancelled.couponId(), version, CouponStatus.CANCELLED, cancelled.at());
      if (cancelled.reservationId() != null) {
        endReservation(batches, cancelled.reservationId(), "CANCELLED", cancelled.at());
      }
    } else if (event instanceof Expired expired) {
      statistics.expired(CouponIds.policyIdOf(expired.couponId()), expired.at());
      endCoupon(batches, expired.couponId(), version, CouponStatus.EXPIRED, expired.at());
    }
  }

  /** Status and reservation of a coupon that is reserved ({@code r} given) or available again. */
  private static void updateCoupon(StatementBatches batches, long couponId, long version, CouponStatus status,
      Reservation r, Instant at) throws SQLException {
    batches.add(UPDATE_COUPON, s -> {
      s.setString(1, status.name());
      s.setString(2, r == null ? null : r.reservationId());
      s.setString(3, r == null ? null : r.orderId());
      Rows.setInstant(s, 4, r == null ? null : r.reservedAt());
      s.setBigDecimal(5, r == null ? null : r.discountAmount());
      s.setLong(6, version);
      Rows.setInstant(s, 7, at);
      s.setLong(8, couponId);
    });
  }

  private static void endCoupon(StatementBatches batches, long couponId, long version, CouponStatus status, Instant at)
      throws SQLException {
    batches.add(END_COUPON, s -> {
      s.setString(1, status.name());
      s.setLong(2, version);
      Rows.setInstant(s, 3, at);
      s.setLong(4, couponId);
    });
  }

  private static void endReservation(StatementBatches batches, String reservationId, String status, Instant at)
      throws SQLException {
    batches.add(END_RESERVATION, s -> {
      s.setString(1, status);
      Rows.setInstant(s, 2, at);
      s.setString(3, reservationId);
    });
  }
}
