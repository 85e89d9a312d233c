package couponservice.readside;

import couponservice.coupon.CouponStatus;
import couponservice.coupon.CouponView;
import couponservice.policy.DiscountType;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * A user's coupons as the read model holds them. An ISSUED coupon past its expiry date counts and shows
 * as EXPIRED before the expiry sweep has moved it, so the wallet never offers a coupon that cannot be used.
 */
public final class WalletReadModel {
  private final ReadModelDatabase database;

  public WalletReadModel(ReadModelDatabase database) {
    this.database = database;
  }

  /** The wallet's status filter (API.md): which coupons a listing includes. */
  public enum Filter {
    ALL("TRUE"),
    AVAILABLE("i.status = 'ISSUED' AND i.expires_at > ?"),
    UNUSED("(i.status = 'RESERVED' OR (i.status = 'ISSUED' AND i.expires_at > ?))"),
    USED("i.status = 'USED'"),
    EXPIRED("(i.status = 'EXPIRED' OR (i.status = 'ISSUED' AND i.expires_at <= ?))");

    private final String condition;

    Filter(String condition) {
      this.condition = condition;
    }

    private boolean needsNow() {
      return condition.contains("?");
    }
  }

  /** Where a newest-first listing resumes: strictly after this coupon. */
  public record Position(Instant issuedAt, long couponId) {}

  private static final String SELECT = """
      SELECT i.id, i.policy_id, i.user_id, i.status, i.issued_at, i.expires_at, i.reservation_id, i.order_id,
        i.reserved_at, i.used_at, i.discount_amount, p.coupon_name, p.discount_type, p.discount_value,
        p.minimum_order_amount, p.max_discount_amount
      FROM coupon_issues i JOIN coupon_policies p ON p.id = i.policy_id
      WHERE i.user_id = ?""";

  /** Newest first ({@code issued_at}, then id, both descending), after {@code after} when given. */
  public Page<CouponView> coupons(long userId, Filter filter, Position after, int limit, Instant now)
      throws SQLException {
    String sql = SELECT + " AND " + filter.condition
        + (after == null ? "" : " AND (i.issued_at < ? OR (i.issued_at = ? AND i.id < ?))")
        + " ORDER BY i.issued_at DESC, i.id DESC LIMIT ?";
    return query(sql, statement -> {
      int index = 1;
      statement.setLong(index++, userId);
      if (filter.needsNow()) {
        Rows.setInstant(statement, index++, now);
      }
      if (after != null) {
        Rows.setInstant(statement, index++, after.issuedAt());
        Rows.setInstant(statement, index++, after.issuedAt());
        statement.setLong(index++, after.couponId());
      }
      statement.setInt(index, limit + 1);
    }, now, limit);
  }

  /** AVAILABLE coupons expiring before {@code until}, soonest first. */
  public List<CouponView> expiring(long userId, Instant until, int limit, Instant now) throws SQLException {
    String sql = SELECT + " AND " + Filter.AVAILABLE.condition + " AND i.expires_at <= ?"
        + " ORDER BY i.expires_at, i.id LIMIT ?";
    return query(sql, statement -> {
      statement.setLong(1, userId);
      Rows.setInstant(statement, 2, now);
      Rows.setInstant(statement, 3, until);
      statement.setInt(4, limit);
    }, now, limit).items();
  }

  public record UserStatistics(long totalCoupons, long availableCoupons, long usedCoupons, long expiredCoupons,
      BigDecimal totalSavedAmount) {}

  public UserStatistics statistics(long userId, Instant now) throws SQLException {
    String sql = """
        SELECT COUNT(*),
          SUM(CASE WHEN status = 'ISSUED' AND expires_at > ? THEN 1 ELSE 0 END),
          SUM(CASE WHEN status = 'USED' THEN 1 ELSE 0 END),
          SUM(CASE WHEN status = 'EXPIRED' OR (status = 'ISSUED' AND expires_at <= ?) THEN 1 ELSE 0 END),
          SUM(CASE WHEN status = 'USED' THEN discount_amount ELSE 0 END)
        FROM coupon_issues WHERE user_id = ?""";
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      Rows.setInstant(statement, 1, now);
      Rows.setInstant(statement, 2, now);
      statement.setLong(3, userId);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        BigDecimal saved = rows.getBigDecimal(5);
        return new UserStatistics(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4),
            saved == null ? BigDecimal.ZERO : Rows.plain(saved));
      }
    }
  }

  private Page<CouponView> query(String sql, Rows.Binder binder, Instant now, int limit) throws SQLException {
    return Page.of(Rows.list(database.dataSource(), sql, binder, row -> couponOf(row, now)), limit);
  }

  private static CouponView couponOf(ResultSet rows, Instant now) throws SQLException {
    CouponStatus status = CouponStatus.valueOf(rows.getString("status"));
    Instant expiresAt = Rows.getInstant(rows, "expires_at");
    boolean lapsed = status == CouponStatus.ISSUED && !expiresAt.isAfter(now);
    return new CouponView(
        rows.getLong("id"),
        rows.getLong("policy_id"),
        rows.getLong("user_id"),
        rows.getString("coupon_name"),
        DiscountType.valueOf(rows.getString("discount_type")),
        Rows.getMoney(rows, "discount_value"),
        Rows.getMoney(rows, "minimum_order_amount"),
        Rows.getMoney(rows, "max_discount_amount"),
        lapsed ? CouponStatus.EXPIRED : status,
        Rows.getInstant(rows, "issued_at"),
        expiresAt,
        rows.getString("reservation_id"),
        rows.getString("order_id"),
        Rows.getInstant(rows, "reserved_at"),
        Rows.getInstant(rows, "used_at"),
        Rows.getMoney(rows, "discount_amount"));
  }
}
