package couponservice.readside;

import static couponservice.readside.ArrayStatement.Type.BIGINT;
import static couponservice.readside.ArrayStatement.Type.MONEY;
import static couponservice.readside.ArrayStatement.Type.TIMESTAMPTZ;
import static couponservice.readside.ArrayStatement.Type.VARCHAR;
import static couponservice.readside.ArrayStatement.columns;

import couponservice.coupon.Coupon;
import couponservice.coupon.Coupon.Cancelled;
import couponservice.coupon.Coupon.Expired;
import couponservice.coupon.Coupon.Released;
import couponservice.coupon.Coupon.Reserved;
import couponservice.coupon.Coupon.Used;
import couponservice.coupon.CouponSettings;
import couponservice.coupon.CouponStatus;
import couponservice.coupon.EndReason;
import couponservice.coupon.Reservation;
import couponservice.policy.CouponIds;
import couponservice.journal.JournalEvents;
import couponservice.policy.CouponPolicy.CouponsIssued;
import couponservice.policy.IssuanceTerms;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * The one writer of {@code coupon_issues} and {@code coupon_reservations}: a coupon's row from its policy's issuance
 * event, then its status, reservation and use from the coupon's own events. Both kinds carry the coupon's tag
 * slice, and its issue comes before its own events in the slice's stream. Exactly once, one instance per slice.
 */
public final class CouponReadProjection extends JdbcHandler<List<EventEnvelope<Object>>, ReadModelSession> {
  /** Longest wait for the creation event of a policy whose issuance event predates the terms it now carries. */
  private static final Duration JOURNAL_READ_TIMEOUT = Duration.ofSeconds(10);

  private final SqlDialect dialect;
  private final CouponSettings settings;
  private final IssuanceTerms terms;
  /** The tag slice this instance projects: its coupons, and the statistics rows it alone writes. */
  private final String source;
  private final List<ArrayStatement> phases;

  private CouponReadProjection(SqlDialect dialect, CouponSettings settings, IssuanceTerms terms, String source) {
    this.dialect = dialect;
    this.settings = settings;
    this.terms = terms;
    this.source = source;
    this.phases = phases();
  }

  public static void init(ActorSystem<?> system, ReadModelDatabase database, CouponSettings settings) {
    JournalEvents journal = new JournalEvents(system);
    TagSliceProjections.run(system, "coupon-read-model", settings.tags(),
        tag -> projection(system, database, settings, new IssuanceTerms(journal), tag));
  }

  private static Projection<EventEnvelope<Object>> projection(ActorSystem<?> system, ReadModelDatabase database,
      CouponSettings settings, IssuanceTerms terms, String tag) {
    return JdbcProjection.groupedWithin(
            ProjectionId.of("coupon-read-model", tag),
            EventSourcedProvider.<Object>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::openSession,
            () -> new CouponReadProjection(database.dialect(), settings, terms, tag),
            system)
        .withGroup(500, Duration.ofMillis(100));
  }

  // Statement phases of a group, in the order they run, each one statement for all its rows; within a
  // phase a row's later event replaces its earlier one. Per coupon, events only ever go from
  // reserve/release (UPDATE_COUPON) to one final state (USE_COUPON or END_COUPON), so running the phases in
  // this order leaves every row as its last event left it.
  private static final int INSERT_COUPON = 0;
  private static final int UPDATE_COUPON = 1;
  private static final int USE_COUPON = 2;
  private static final int END_COUPON = 3;
  private static final int UPSERT_RESERVATION = 4;
  private static final int END_RESERVATION = 5;

  private static final List<ArrayStatement.Column> COUPON_COLUMNS = columns("id", BIGINT, "policy_id", BIGINT,
      "user_id", BIGINT, "status", VARCHAR, "issued_at", TIMESTAMPTZ, "expires_at", TIMESTAMPTZ, "version", BIGINT,
      "created_at", TIMESTAMPTZ, "updated_at", TIMESTAMPTZ);

  private List<ArrayStatement> phases() {
    return List.of(
        // If absent: the policy read model wrote the rows of issues before this projection had the issuance events.
        dialect.insertIfAbsent("coupon_issues", COUPON_COLUMNS),
        dialect.update("coupon_issues",
            columns("id", BIGINT, "status", VARCHAR, "reservation_id", VARCHAR, "order_id", VARCHAR,
                "reserved_at", TIMESTAMPTZ, "discount_amount", MONEY, "version", BIGINT, "updated_at", TIMESTAMPTZ),
            """
            status = u.status, reservation_id = u.reservation_id, order_id = u.order_id, reserved_at = u.reserved_at,
              discount_amount = u.discount_amount, used_at = NULL, version = u.version, updated_at = u.updated_at"""),
        dialect.update("coupon_issues", columns("id", BIGINT, "used_at", TIMESTAMPTZ, "version", BIGINT),
            "status = 'USED', used_at = u.used_at, version = u.version, updated_at = u.used_at"),
        dialect.update("coupon_issues",
            columns("id", BIGINT, "status", VARCHAR, "version", BIGINT, "updated_at", TIMESTAMPTZ),
            "status = u.status, version = u.version, updated_at = u.updated_at"),
        upsertReservations(),
        dialect.update("coupon_reservations",
            columns("reservation_id", VARCHAR, "status", VARCHAR, "updated_at", TIMESTAMPTZ),
            "status = u.status, updated_at = u.updated_at"));
  }

  /** A reservation's row, its owner taken from the coupon's row. */
  private ArrayStatement upsertReservations() {
    List<ArrayStatement.Column> reservations = columns("reservation_id", VARCHAR, "coupon_id", BIGINT,
        "order_id", VARCHAR, "order_amount", MONEY, "discount_amount", MONEY, "reserved_at", TIMESTAMPTZ,
        "expires_at", TIMESTAMPTZ);
    String columns = "reservation_id, coupon_id, user_id, order_id, order_amount, discount_amount, status, reserved_at, "
        + "expires_at, created_at, updated_at";
    String select = " SELECT u.reservation_id, c.id, c.user_id, u.order_id, u.order_amount, u.discount_amount, "
        + "'PENDING', u.reserved_at, u.expires_at, u.reserved_at, u.reserved_at FROM " + dialect.arrayRows(reservations)
        + " JOIN coupon_issues c ON c.id = u.coupon_id";
    String sql = dialect == SqlDialect.POSTGRES
        ? "INSERT INTO coupon_reservations (" + columns + ")" + select + " ON CONFLICT (reservation_id) DO UPDATE SET "
            + "coupon_id = EXCLUDED.coupon_id, user_id = EXCLUDED.user_id, order_id = EXCLUDED.order_id, "
            + "order_amount = EXCLUDED.order_amount, discount_amount = EXCLUDED.discount_amount, status = EXCLUDED.status, "
            + "reserved_at = EXCLUDED.reserved_at, expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at"
        : "MERGE INTO coupon_reservations (" + columns + ") KEY (reservation_id)" + select;
    return new ArrayStatement(sql, reservations);
  }

  @Override
  public void process(ReadModelSession session, List<EventEnvelope<Object>> envelopes) throws Exception {
    StatisticsDeltas statistics = new StatisticsDeltas();
    StatementBatches batches = new StatementBatches(session.connection(), phases);
    Set<String> reservationsInBatch = new HashSet<>();
    for (EventEnvelope<Object> envelope : envelopes) {
      if (envelope.event() instanceof CouponsIssued issued) {
        addIssued(batches, issued);
        continue;
      }
      if (envelope.event() instanceof Reserved reserved
          && !reservationsInBatch.add(reserved.reservation().reservationId())) {
        // The same reservation id again (reserved anew after it ended): its earlier rows go first.
        batches.flush();
        reservationsInBatch.clear();
        reservationsInBatch.add(reserved.reservation().reservationId());
      }
      add(batches, statistics, (Coupon.Event) envelope.event(), envelope.sequenceNr());
    }
    batches.flush();
    statistics.write(session.connection(), dialect, source);
    ProjectionLag.observe("coupon-read-model", envelopes);
  }

  /** The rows of this slice's coupons of an issuance batch. */
  private void addIssued(StatementBatches batches, CouponsIssued issued) throws Exception {
    Instant expiresAt = null;
    for (int i = 0; i < issued.userIds().size(); i++) {
      long couponId = issued.couponIdAt(i);
      if (settings.tagFor(couponId).equals(source)) {
        if (expiresAt == null) {
          expiresAt = terms.of(issued).toCompletableFuture()
              .get(JOURNAL_READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).expiryDate();
        }
        batches.add(INSERT_COUPON, couponId, issued.policyId(), issued.userIds().get(i), CouponStatus.ISSUED.name(),
            issued.issuedAt(), expiresAt, 0L, issued.issuedAt(), issued.issuedAt());
      }
    }
  }

  /** A coupon's own event; its first, the recorded terms, changes nothing its issue did not write. */
  private static void add(StatementBatches batches, StatisticsDeltas statistics, Coupon.Event event, long version) {
    if (event instanceof Reserved reserved) {
      Reservation r = reserved.reservation();
      statistics.reserved(CouponIds.policyIdOf(reserved.couponId()), r.reservedAt());
      updateCoupon(batches, reserved.couponId(), version, CouponStatus.RESERVED, r, r.reservedAt());
      batches.add(UPSERT_RESERVATION, r.reservationId(), reserved.couponId(), r.orderId(),
          r.orderAmount(), r.discountAmount(), r.reservedAt(), r.expiresAt());
    } else if (event instanceof Used used) {
      statistics.used(CouponIds.policyIdOf(used.couponId()), used.usedAt(), used.discountAmount());
      batches.add(USE_COUPON, used.couponId(), used.usedAt(), version);
      endReservation(batches, used.reservationId(), "CONFIRMED", used.usedAt());
    } else if (event instanceof Released released) {
      statistics.released(CouponIds.policyIdOf(released.couponId()),
          released.reason() == EndReason.RESERVATION_TIMEOUT);
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
      Reservation r, Instant at) {
    batches.add(UPDATE_COUPON, couponId, status.name(), r == null ? null : r.reservationId(),
        r == null ? null : r.orderId(), r == null ? null : r.reservedAt(), r == null ? null : r.discountAmount(),
        version, at);
  }

  private static void endCoupon(StatementBatches batches, long couponId, long version, CouponStatus status, Instant at) {
    batches.add(END_COUPON, couponId, status.name(), version, at);
  }

  private static void endReservation(StatementBatches batches, String reservationId, String status, Instant at) {
    batches.add(END_RESERVATION, reservationId, status, at);
  }
}
