package couponservice.readside;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The read tables (seed 000 §3) and their indexes (§9), created at startup when missing. §9's unique
 * index on {@code (policy_id, user_id)} is left out: a policy may issue several coupons to one user
 * ({@code maxIssuePerUser}), and the policy entity enforces the limit exactly.
 */
public final class ReadModelSchema {
  private ReadModelSchema() {}

  public static void createIfMissing(ReadModelDatabase database) throws SQLException {
    SqlDialect d = database.dialect();
    List<String> ddl = List.of(
        """
        CREATE TABLE IF NOT EXISTS coupon_policies (
          id BIGINT PRIMARY KEY,
          coupon_name VARCHAR(100) NOT NULL,
          coupon_code VARCHAR(50),
          discount_type VARCHAR(20) NOT NULL,
          discount_value NUMERIC(15,2) NOT NULL,
          minimum_order_amount NUMERIC(15,2),
          max_discount_amount NUMERIC(15,2),
          distribution_type VARCHAR(20) NOT NULL,
          max_issue_count BIGINT,
          current_issue_count BIGINT NOT NULL,
          max_issue_per_user INTEGER NOT NULL,
          valid_days INTEGER,
          valid_duration VARCHAR(40),
          valid_from TIMESTAMP WITH TIME ZONE NOT NULL,
          valid_until TIMESTAMP WITH TIME ZONE NOT NULL,
          trigger_event_type VARCHAR(100),
          is_active BOOLEAN NOT NULL,
          created_at TIMESTAMP WITH TIME ZONE NOT NULL,
          updated_at TIMESTAMP WITH TIME ZONE NOT NULL
        )""",
        d.partialIndex("CREATE INDEX IF NOT EXISTS idx_coupon_code ON coupon_policies(coupon_code)", "is_active = TRUE"),
        "CREATE INDEX IF NOT EXISTS idx_active_policies ON coupon_policies(is_active, valid_until)",
        d.partialIndex("CREATE INDEX IF NOT EXISTS idx_valid_period ON coupon_policies(valid_from, valid_until)",
            "is_active = TRUE"),
        """
        CREATE TABLE IF NOT EXISTS coupon_issues (
          id BIGINT PRIMARY KEY,
          policy_id BIGINT NOT NULL,
          user_id BIGINT NOT NULL,
          status VARCHAR(20) NOT NULL,
          reservation_id VARCHAR(64),
          order_id VARCHAR(64),
          issued_at TIMESTAMP WITH TIME ZONE NOT NULL,
          expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
          used_at TIMESTAMP WITH TIME ZONE,
          reserved_at TIMESTAMP WITH TIME ZONE,
          discount_amount NUMERIC(15,2),
          version BIGINT NOT NULL,
          created_at TIMESTAMP WITH TIME ZONE NOT NULL,
          updated_at TIMESTAMP WITH TIME ZONE NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS idx_user_status ON coupon_issues(user_id, status)",
        d.partialIndex("CREATE INDEX IF NOT EXISTS idx_user_active ON coupon_issues(user_id, status, expires_at)",
            "status IN ('ISSUED', 'RESERVED')"),
        d.partialIndex("CREATE INDEX IF NOT EXISTS idx_reservation ON coupon_issues(reservation_id)",
            "reservation_id IS NOT NULL"),
        d.partialIndex("CREATE INDEX IF NOT EXISTS idx_timeout_check ON coupon_issues(status, reserved_at)",
            "status = 'RESERVED'"),
        d.partialIndex("CREATE INDEX IF NOT EXISTS idx_expiry_check ON coupon_issues(status, expires_at)",
            "status = 'ISSUED'"),
        """
        CREATE TABLE IF NOT EXISTS coupon_reservations (
          reservation_id VARCHAR(64) PRIMARY KEY,
          coupon_id BIGINT NOT NULL,
          user_id BIGINT NOT NULL,
          order_id VARCHAR(64),
          order_amount NUMERIC(15,2) NOT NULL,
          discount_amount NUMERIC(15,2) NOT NULL,
          status VARCHAR(20) NOT NULL,
          reserved_at TIMESTAMP WITH TIME ZONE NOT NULL,
          expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
          created_at TIMESTAMP WITH TIME ZONE NOT NULL,
          updated_at TIMESTAMP WITH TIME ZONE NOT NULL
        )""",
        d.partialIndex("CREATE INDEX IF NOT EXISTS idx_pending_reservations ON coupon_reservations(status, expires_at)",
            "status = 'PENDING'"),
        // The wallet: one user's coupons newest first, and keyset pagination over (issued_at, id).
        "CREATE INDEX IF NOT EXISTS idx_user_issued ON coupon_issues(user_id, issued_at, id)",
        // Seed 000's daily_statistics, kept per hour: hourly buckets are what the statistics answer, and
        // each projection slice ("source") adds to rows of its own, so slices never contend for a row.
        """
        CREATE TABLE IF NOT EXISTS daily_statistics (
          stat_date DATE NOT NULL,
          stat_hour SMALLINT NOT NULL,
          source VARCHAR(100) NOT NULL,
          total_issued BIGINT NOT NULL,
          total_reserved BIGINT NOT NULL,
          total_used BIGINT NOT NULL,
          total_expired BIGINT NOT NULL,
          PRIMARY KEY (stat_date, stat_hour, source)
        )""",
        // Per policy: coupons currently reserved, and the terminal counts, per projection slice as above.
        """
        CREATE TABLE IF NOT EXISTS policy_statistics (
          policy_id BIGINT NOT NULL,
          source VARCHAR(100) NOT NULL,
          reserved BIGINT NOT NULL,
          used BIGINT NOT NULL,
          expired BIGINT NOT NULL,
          cancelled BIGINT NOT NULL,
          total_discount_amount NUMERIC(19,2) NOT NULL,
          PRIMARY KEY (policy_id, source)
        )""");
    execute(database, ddl);
  }

  /**
   * Adjusts pekko-persistence-jdbc's journal tables; run after they exist.
   *
   * <p>The projections read the journal by tag ({@code eventsByTag}: tag = ? and ordering > ? order by
   * ordering). The journal's own schema only has the key (event_id, tag), which makes every tag's query
   * scan all tags' events; an index lets it read its tag alone, in order.
   *
   * <p>On PostgreSQL, the tag table's foreign key to the journal is dropped. {@code PostgresJournalDao}
   * inserts a tag only joined to the event its statement inserts, so the key checks nothing that can fail,
   * and checking it cost a lookup, a row lock and a WAL record per tag: 21–23 against 15–16 µs of
   * PostgreSQL's time per event written. Its {@code ON DELETE CASCADE} served event deletion, which the
   * service never does (retention deletes snapshots only).
   */
  public static void adjustJournalTables(ReadModelDatabase database) throws SQLException {
    List<String> ddl = new ArrayList<>(List.of("CREATE INDEX IF NOT EXISTS event_tag_tag_event_idx ON event_tag(tag, event_id)"));
    if (database.dialect() == SqlDialect.POSTGRES) {
      // Looked up first: ALTER TABLE would lock the tables against journal writes at every node's start.
      ddl.add("""
          DO $$ BEGIN
            IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'fk_event_journal' AND conrelid = 'event_tag'::regclass)
            THEN ALTER TABLE event_tag DROP CONSTRAINT fk_event_journal;
            END IF;
          END $$""");
    }
    execute(database, ddl);
  }

  private static void execute(ReadModelDatabase database, List<String> ddl) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      for (String sql : ddl) {
        statement.execute(sql);
      }
    }
  }
}
