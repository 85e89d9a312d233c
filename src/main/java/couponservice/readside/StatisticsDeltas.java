package couponservice.readside;

import couponservice.metrics.CouponMetrics;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one group of events adds to {@code daily_statistics} and {@code policy_statistics}, summed in
 * memory so that a group writes each row once, in the projection's transaction. Hours are UTC.
 */
final class StatisticsDeltas {
  private record Hour(LocalDate date, int hour) {}

  private static final class HourCounts {
    long issued;
    long reserved;
    long used;
    long expired;
  }

  private static final class PolicyCounts {
    long reserved;
    long used;
    long expired;
    long cancelled;
    BigDecimal discount = BigDecimal.ZERO;
  }

  private final Map<Hour, HourCounts> hours = new HashMap<>();
  private final Map<Long, PolicyCounts> policies = new HashMap<>();
  private long issued;
  private long reserved;
  private long released;
  private long timedOut;
  private long used;
  private long expired;
  private long cancelled;

  void issued(Instant at, int count) {
    hour(at).issued += count;
    issued += count;
  }

  void reserved(long policyId, Instant at) {
    hour(at).reserved++;
    policy(policyId).reserved++;
    reserved++;
  }

  void released(long policyId, boolean timedOut) {
    policy(policyId).reserved--;
    released++;
    if (timedOut) {
      this.timedOut++;
    }
  }

  /** RESERVED → USED. */
  void used(long policyId, Instant at, BigDecimal discountAmount) {
    hour(at).used++;
    PolicyCounts counts = policy(policyId);
    counts.reserved--;
    counts.used++;
    counts.discount = counts.discount.add(discountAmount);
    used++;
  }

  /** ISSUED → EXPIRED. */
  void expired(long policyId, Instant at) {
    hour(at).expired++;
    policy(policyId).expired++;
    expired++;
  }

  void cancelled(long policyId, boolean wasReserved) {
    PolicyCounts counts = policy(policyId);
    if (wasReserved) {
      counts.reserved--;
    }
    counts.cancelled++;
    cancelled++;
  }

  private HourCounts hour(Instant at) {
    ZonedDateTime utc = at.atZone(ZoneOffset.UTC);
    return hours.computeIfAbsent(new Hour(utc.toLocalDate(), utc.getHour()), h -> new HourCounts());
  }

  private PolicyCounts policy(long policyId) {
    return policies.computeIfAbsent(policyId, id -> new PolicyCounts());
  }

  /** Adds the deltas to the rows of {@code source} (the projection slice, the rows' only writer). */
  void write(Connection connection, SqlDialect dialect, String source) throws SQLException {
    if (!hours.isEmpty()) {
      try (PreparedStatement statement = connection.prepareStatement(dialect.addTo("daily_statistics",
          List.of("stat_date", "stat_hour", "source"),
          List.of("total_issued", "total_reserved", "total_used", "total_expired")))) {
        for (Map.Entry<Hour, HourCounts> entry : hours.entrySet()) {
          HourCounts counts = entry.getValue();
          statement.setObject(1, entry.getKey().date());
          statement.setInt(2, entry.getKey().hour());
          statement.setString(3, source);
          statement.setLong(4, counts.issued);
          statement.setLong(5, counts.reserved);
          statement.setLong(6, counts.used);
          statement.setLong(7, counts.expired);
          statement.addBatch();
        }
        statement.executeBatch();
      }
    }
    if (!policies.isEmpty()) {
      try (PreparedStatement statement = connection.prepareStatement(dialect.addTo("policy_statistics",
          List.of("policy_id", "source"), List.of("reserved", "used", "expired", "cancelled", "total_discount_amount")))) {
        for (Map.Entry<Long, PolicyCounts> entry : policies.entrySet()) {
          PolicyCounts counts = entry.getValue();
          statement.setLong(1, entry.getKey());
          statement.setString(2, source);
          statement.setLong(3, counts.reserved);
          statement.setLong(4, counts.used);
          statement.setLong(5, counts.expired);
          statement.setLong(6, counts.cancelled);
          statement.setBigDecimal(7, counts.discount);
          statement.addBatch();
        }
        statement.executeBatch();
      }
    }
    count("issued", issued);
    count("reserved", reserved);
    count("released", released);
    count("used", used);
    count("expired", expired);
    count("cancelled", cancelled);
    if (timedOut > 0) {
      CouponMetrics.RESERVATION_TIMEOUTS.inc(timedOut);
    }
  }

  private static void count(String event, long n) {
    if (n > 0) {
      CouponMetrics.COUPONS.labelValues(event).inc(n);
    }
  }
}
