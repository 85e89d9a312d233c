package couponservice.readside;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The read tables (seed 000 §3) and their indexes (§9), created at startup when missing. */
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
            "is_active = TRUE"));
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      for (String sql : ddl) {
        statement.execute(sql);
      }
    }
  }
}
