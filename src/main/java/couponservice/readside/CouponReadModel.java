package couponservice.readside;

import couponservice.coupon.CouponQueries;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The coupon lifecycle's queries, over {@code coupon_issues} and {@code coupon_reservations}. */
public final class CouponReadModel implements CouponQueries {
  private final ReadModelDatabase database;

  public CouponReadModel(ReadModelDatabase database) {
    this.database = database;
  }

  /** Oldest first: the sweep's worklist. */
  @Override
  public List<OverdueReservation> overdueReservations(Instant now, int limit) throws SQLException {
    return Rows.list(database.dataSource(), "SELECT coupon_id, reservation_id FROM coupon_reservations"
        + " WHERE status = 'PENDING' AND expires_at <= ? ORDER BY expires_at LIMIT ?", statement -> {
          Rows.setInstant(statement, 1, now);
          statement.setInt(2, limit);
        }, row -> new OverdueReservation(row.getLong(1), row.getString(2)));
  }

  /** Soonest expired first: the expiry sweep's worklist. */
  @Override
  public List<Long> expiredCoupons(Instant now, int limit) throws SQLException {
    return Rows.list(database.dataSource(),
        "SELECT id FROM coupon_issues WHERE status = 'ISSUED' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
        statement -> {
          Rows.setInstant(statement, 1, now);
          statement.setInt(2, limit);
        }, row -> row.getLong(1));
  }

  @Override
  public Optional<Long> couponOfReservation(String reservationId) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement =
            connection.prepareStatement("SELECT coupon_id FROM coupon_reservations WHERE reservation_id = ?")) {
      statement.setString(1, reservationId);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
      }
    }
  }
}
