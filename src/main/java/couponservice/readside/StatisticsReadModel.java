package couponservice.readside;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Queries over {@code policy_statistics} and {@code daily_statistics}, summing their per-slice rows. */
public final class StatisticsReadModel {
  private final ReadModelDatabase database;

  public StatisticsReadModel(ReadModelDatabase database) {
    this.database = database;
  }

  public record PolicyCounts(long reserved, long used, long expired, long cancelled, BigDecimal totalDiscountAmount) {
    static final PolicyCounts NONE = new PolicyCounts(0, 0, 0, 0, BigDecimal.ZERO);
  }

  public PolicyCounts policy(long policyId) throws SQLException {
    String sql = "SELECT SUM(reserved), SUM(used), SUM(expired), SUM(cancelled), SUM(total_discount_amount), COUNT(*)"
        + " FROM policy_statistics WHERE policy_id = ?";
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setLong(1, policyId);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(6) == 0 ? PolicyCounts.NONE : new PolicyCounts(rows.getLong(1), rows.getLong(2),
            rows.getLong(3), rows.getLong(4), Rows.plain(rows.getBigDecimal(5)));
      }
    }
  }

  /** One day of hourly buckets (UTC); hours 0–23 all present. */
  public record Day(LocalDate date, long totalIssued, long totalUsed, long totalReserved, long totalExpired,
      Map<String, Long> issueByHour, Map<String, Long> usageByHour) {}

  /** Every day from {@code from} to {@code to} inclusive, days without activity as zeros. */
  public List<Day> daily(LocalDate from, LocalDate to) throws SQLException {
    String sql = """
        SELECT stat_date, stat_hour, SUM(total_issued), SUM(total_reserved), SUM(total_used), SUM(total_expired)
        FROM daily_statistics WHERE stat_date BETWEEN ? AND ? GROUP BY stat_date, stat_hour""";
    Map<LocalDate, long[][]> byDate = new LinkedHashMap<>();
    for (LocalDate date = from; !date.isAfter(to); date = date.plusDays(1)) {
      byDate.put(date, new long[24][4]);
    }
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setObject(1, from);
      statement.setObject(2, to);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          long[] hour = byDate.get(rows.getObject(1, LocalDate.class))[rows.getInt(2)];
          for (int i = 0; i < 4; i++) {
            hour[i] = rows.getLong(3 + i);
          }
        }
      }
    }
    List<Day> days = new ArrayList<>(byDate.size());
    byDate.forEach((date, hours) -> days.add(dayOf(date, hours)));
    return days;
  }

  private static Day dayOf(LocalDate date, long[][] hours) {
    long[] totals = new long[4];
    Map<String, Long> issueByHour = new LinkedHashMap<>();
    Map<String, Long> usageByHour = new LinkedHashMap<>();
    for (int hour = 0; hour < 24; hour++) {
      for (int i = 0; i < 4; i++) {
        totals[i] += hours[hour][i];
      }
      issueByHour.put(Integer.toString(hour), hours[hour][0]);
      usageByHour.put(Integer.toString(hour), hours[hour][2]);
    }
    return new Day(date, totals[0], totals[2], totals[1], totals[3], issueByHour, usageByHour);
  }

  /** The live view's figures for one active policy. */
  public record LivePolicy(long policyId, long issued, Long maxIssueCount, long reserved, long used) {}

  public List<LivePolicy> activePolicies() throws SQLException {
    String sql = """
        SELECT p.id, p.current_issue_count, p.max_issue_count, COALESCE(SUM(s.reserved), 0), COALESCE(SUM(s.used), 0)
        FROM coupon_policies p LEFT JOIN policy_statistics s ON s.policy_id = p.id
        WHERE p.is_active = TRUE
        GROUP BY p.id, p.current_issue_count, p.max_issue_count ORDER BY p.id""";
    return Rows.list(database.dataSource(), sql, statement -> { }, row -> new LivePolicy(row.getLong(1),
        row.getLong(2), Rows.getLong(row, "max_issue_count"), row.getLong(4), row.getLong(5)));
  }
}
