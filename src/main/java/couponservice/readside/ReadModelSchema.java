package couponservice.readside;

import couponservice.policy.CouponPolicy;
import couponservice.policy.CouponTagSlices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The read tables (seed 000 §3) and their indexes (§9), created at startup when missing. §9's unique
 * index on {@code (policy_id, user_id)} is left out: a policy may issue several coupons to one user
 * ({@code maxIssuePerUser}), and the policy entity enforces the limit exactly.
 */
public final class ReadModelSchema {
  /**
   * The tables and indexes pekko-persistence-jdbc's PostgreSQL script creates (its default names, which the
   * service keeps). The script creates its indexes without IF NOT EXISTS, so each start would lock the journal
   * only to fail on an index that exists; it is run only when one of these is missing.
   */
  public static final List<String> JOURNAL_RELATIONS = List.of("event_journal", "event_journal_ordering_idx",
      "event_tag", "snapshot", "durable_state", "state_tag_idx", "state_global_offset_idx");

  /** The tables and index of pekko-projection-jdbc's offset store, under their default names. */
  public static final List<String> PROJECTION_RELATIONS = List.of("pekko_projection_offset_store",
      "projection_name_index", "pekko_projection_management");

  private ReadModelSchema() {}

  public static void createIfMissing(ReadModelDatabase database) throws SQLException {
    SqlDialect d = database.dialect();
    List<Ddl> ddl = List.of(
        table("coupon_policies", """
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
        """),
        index(d, "idx_coupon_code", "coupon_policies(coupon_code)", "is_active = TRUE"),
        index("idx_active_policies", "coupon_policies(is_active, valid_until)"),
        index(d, "idx_valid_period", "coupon_policies(valid_from, valid_until)", "is_active = TRUE"),
        table("coupon_issues", """
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
        """),
        index("idx_user_status", "coupon_issues(user_id, status)"),
        index(d, "idx_user_active", "coupon_issues(user_id, status, expires_at)", "status IN ('ISSUED', 'RESERVED')"),
        index(d, "idx_reservation", "coupon_issues(reservation_id)", "reservation_id IS NOT NULL"),
        index(d, "idx_timeout_check", "coupon_issues(status, reserved_at)", "status = 'RESERVED'"),
        index(d, "idx_expiry_check", "coupon_issues(status, expires_at)", "status = 'ISSUED'"),
        table("coupon_reservations", """
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
        """),
        index(d, "idx_pending_reservations", "coupon_reservations(status, expires_at)", "status = 'PENDING'"),
        // The wallet: one user's coupons newest first, and keyset pagination over (issued_at, id).
        index("idx_user_issued", "coupon_issues(user_id, issued_at, id)"),
        // Seed 000's daily_statistics, kept per hour: hourly buckets are what the statistics answer, and
        // each projection slice ("source") adds to rows of its own, so slices never contend for a row.
        table("daily_statistics", """
          stat_date DATE NOT NULL,
          stat_hour SMALLINT NOT NULL,
          source VARCHAR(100) NOT NULL,
          total_issued BIGINT NOT NULL,
          total_reserved BIGINT NOT NULL,
          total_used BIGINT NOT NULL,
          total_expired BIGINT NOT NULL,
          PRIMARY KEY (stat_date, stat_hour, source)
        """),
        // Per policy: coupons currently reserved, and the terminal counts, per projection slice as above.
        table("policy_statistics", """
          policy_id BIGINT NOT NULL,
          source VARCHAR(100) NOT NULL,
          reserved BIGINT NOT NULL,
          used BIGINT NOT NULL,
          expired BIGINT NOT NULL,
          cancelled BIGINT NOT NULL,
          total_discount_amount NUMERIC(19,2) NOT NULL,
          PRIMARY KEY (policy_id, source)
        """),
        // Bulk issuance jobs (API.md): one row per job, newest first by id (ids are ordered by creation), and each
        // user's outcome in request order. failures_by_code holds the counts by error code as a JSON object.
        table("issuance_jobs", """
          job_id BIGINT PRIMARY KEY,
          policy_id BIGINT NOT NULL,
          name VARCHAR(200),
          issued_by VARCHAR(100),
          status VARCHAR(20) NOT NULL,
          total_requested BIGINT NOT NULL,
          success_count BIGINT NOT NULL,
          failure_count BIGINT NOT NULL,
          failures_by_code VARCHAR(2000) NOT NULL,
          created_at TIMESTAMP WITH TIME ZONE NOT NULL,
          started_at TIMESTAMP WITH TIME ZONE NOT NULL,
          completed_at TIMESTAMP WITH TIME ZONE
        """),
        index("idx_job_status", "issuance_jobs(status, completed_at)"),
        table("issuance_job_results", """
          job_id BIGINT NOT NULL,
          position BIGINT NOT NULL,
          user_id BIGINT NOT NULL,
          coupon_id BIGINT,
          status VARCHAR(10) NOT NULL,
          error_code VARCHAR(40),
          PRIMARY KEY (job_id, position)
        """),
        // The results of one outcome, page by page in request order.
        index("idx_job_result_status", "issuance_job_results(job_id, status, position)"));
    createMissing(database, ddl);
  }

  /**
   * Adds to pekko-persistence-jdbc's journal tables, which are otherwise kept as the library creates them; run after
   * they exist. The projections read the journal by tag ({@code eventsByTag}: tag = ? and ordering > ? order by
   * ordering). The journal's own schema only has the key (event_id, tag), which makes every tag's query scan all
   * tags' events; an index lets it read its tag alone, in order.
   */
  public static void adjustJournalTables(ReadModelDatabase database) throws SQLException {
    createMissing(database, List.of(index("event_tag_tag_event_idx", "event_tag(tag, event_id)")));
  }

  /**
   * Issuance events written before they carried the tags of the coupon slices they issued to get every slice's
   * tag, once (recorded in {@code schema_migrations}): a coupon projection rebuilt from the start then meets every
   * coupon's issue before the coupon's own events. Their orderings are old, so running projections, already past
   * them, do not see them again.
   */
  public static void tagOldIssuesForCouponSlices(ReadModelDatabase database, List<String> couponTags)
      throws SQLException {
    String migration = "issuance-events-tagged-for-coupon-slices";
    createMissing(database, List.of(table("schema_migrations", """
        name VARCHAR(100) PRIMARY KEY,
        applied_at TIMESTAMP WITH TIME ZONE NOT NULL
        """)));
    try (Connection connection = database.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try (PreparedStatement applied = connection.prepareStatement("SELECT 1 FROM schema_migrations WHERE name = ?")) {
        applied.setString(1, migration);
        try (ResultSet rows = applied.executeQuery()) {
          if (rows.next()) {
            return;
          }
        }
      }
      String slices = couponTags.stream().map(tag -> "('" + tag + "')").collect(Collectors.joining(", "));
      try (PreparedStatement tag = connection.prepareStatement(
          "INSERT INTO event_tag (event_id, tag) SELECT j.ordering, t.tag FROM event_journal j, (VALUES " + slices
              + ") AS t(tag) WHERE j.event_ser_manifest = ? AND NOT EXISTS (SELECT 1 FROM event_tag x"
              + " WHERE x.event_id = j.ordering AND x.tag LIKE 'coupon-%')");
          PreparedStatement record = connection.prepareStatement(
              "INSERT INTO schema_migrations (name, applied_at) VALUES (?, CURRENT_TIMESTAMP)")) {
        tag.setString(1, CouponPolicy.CouponsIssued.class.getName());
        tag.executeUpdate();
        record.setString(1, migration);
        record.executeUpdate();
      }
      connection.commit();
    }
  }

  /**
   * The coupon slicing of this database: the first policy whose coupons are sliced by sequence block
   * ({@link CouponTagSlices}), recorded by the first node of the version that brought block slicing: one past every
   * policy already in the journal, whose coupons' events were tagged by coupon id. Read back as recorded after that.
   */
  public static CouponTagSlices couponTagSlices(ReadModelDatabase database, CouponTagSlices configured)
      throws SQLException {
    createMissing(database, List.of(table("coupon_tag_blocks", "first_block_policy_id BIGINT NOT NULL")));
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      try (ResultSet recorded = statement.executeQuery("SELECT first_block_policy_id FROM coupon_tag_blocks")) {
        if (recorded.next()) {
          return configured.withFirstBlockPolicyId(recorded.getLong(1));
        }
      }
      long first;
      try (PreparedStatement policies = connection.prepareStatement(
          "SELECT max(CAST(substring(persistence_id, ?) AS BIGINT)) FROM event_journal WHERE persistence_id LIKE ?")) {
        String prefix = CouponPolicy.ENTITY_KEY.name() + PersistenceId.DefaultSeparator();
        policies.setInt(1, prefix.length() + 1);
        policies.setString(2, prefix + "%");
        try (ResultSet highest = policies.executeQuery()) {
          highest.next();
          first = highest.getLong(1) + 1;
        }
      }
      try (PreparedStatement record = connection.prepareStatement(
          "INSERT INTO coupon_tag_blocks (first_block_policy_id) VALUES (?)")) {
        record.setLong(1, first);
        record.executeUpdate();
      }
      connection.commit();
      return configured.withFirstBlockPolicyId(first);
    }
  }

  /** One table or index: the relation it creates, and the statement that creates it where missing. */
  record Ddl(String relation, String sql) {}

  private static Ddl table(String name, String columns) {
    return new Ddl(name, "CREATE TABLE IF NOT EXISTS " + name + " (" + columns + ")");
  }

  private static Ddl index(String name, String on) {
    return new Ddl(name, "CREATE INDEX IF NOT EXISTS " + name + " ON " + on);
  }

  private static Ddl index(SqlDialect dialect, String name, String on, String where) {
    return new Ddl(name, dialect.partialIndex("CREATE INDEX IF NOT EXISTS " + name + " ON " + on, where));
  }

  /** Runs the statements of the relations that are missing ({@link ReadModelDatabase#missingRelations}). */
  private static void createMissing(ReadModelDatabase database, List<Ddl> ddl) throws SQLException {
    List<String> missing = database.missingRelations(ddl.stream().map(Ddl::relation).toList());
    runAll(database, ddl.stream().filter(d -> missing.contains(d.relation())).map(Ddl::sql).toList());
  }

  private static void runAll(ReadModelDatabase database, List<String> statements) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
