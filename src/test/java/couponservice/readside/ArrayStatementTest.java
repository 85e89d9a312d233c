package couponservice.readside;

import static couponservice.readside.ArrayStatement.Type.BIGINT;
import static couponservice.readside.ArrayStatement.Type.VARCHAR;
import static couponservice.readside.ArrayStatement.columns;
import static org.junit.jupiter.api.Assertions.assertEquals;

import couponservice.testkit.Eventually;
import couponservice.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The policy and coupon projections may both create one coupon's row at the same moment: the insert that
 * comes second waits for the other transaction and then skips the row, on both databases.
 */
class ArrayStatementTest {
  @RegisterExtension
  static final TestDatabase postgres = TestDatabase.perTestClass();

  @FunctionalInterface
  private interface Connections {
    Connection open() throws SQLException;
  }

  @Test
  void insertIfAbsentOnPostgresSkipsRowsOtherTransactionsInsert() throws Exception {
    insertRacingOtherTransactions(SqlDialect.POSTGRES, postgres::connect, "SELECT pg_backend_pid()",
        "SELECT count(*) FROM pg_stat_activity WHERE %d = ANY(pg_blocking_pids(pid))");
  }

  @Test
  void insertIfAbsentOnH2SkipsRowsOtherTransactionsInsert() throws Exception {
    String url = "jdbc:h2:mem:array-statement-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    insertRacingOtherTransactions(SqlDialect.H2, () -> DriverManager.getConnection(url), "SELECT SESSION_ID()",
        "SELECT count(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID = %d");
  }

  /**
   * Two other transactions each hold one of the batch's rows, and commit one after the other while the batch
   * waits for them: on H2 each commit fails the batch's statement once more (a projection's group can meet
   * several coupons the other projection is inserting, one transaction after another).
   */
  private static void insertRacingOtherTransactions(SqlDialect dialect, Connections connections, String sessionId,
      String sessionsBlockedBy) throws Exception {
    try (Connection observer = connections.open();
        Connection first = connections.open();
        Connection third = connections.open();
        Connection second = connections.open()) {
      execute(observer, "CREATE TABLE coupon_rows (id BIGINT PRIMARY KEY, note VARCHAR(20))");
      first.setAutoCommit(false);
      execute(first, "INSERT INTO coupon_rows VALUES (1, 'first')");
      third.setAutoCommit(false);
      execute(third, "INSERT INTO coupon_rows VALUES (2, 'third')");

      second.setAutoCommit(false);
      ArrayStatement.Batch batch = dialect.insertIfAbsent("coupon_rows", columns("id", BIGINT, "note", VARCHAR)).batch();
      batch.put(1L, "second");
      batch.put(2L, "second");
      batch.put(3L, "second");
      CompletableFuture<Void> inserting = CompletableFuture.runAsync(() -> {
        try {
          batch.execute(second);
          second.commit();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      for (Connection holder : List.of(first, third)) {
        String blockedByHolder = String.format(sessionsBlockedBy, count(holder, sessionId));
        Eventually.await(Duration.ofSeconds(10), "the batch waits for the transaction holding its next row",
            () -> count(observer, blockedByHolder) == 1);
        holder.commit();
      }
      inserting.get(10, TimeUnit.SECONDS);

      assertEquals(List.of("1 first", "2 third", "3 second"), rows(observer));
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static long count(Connection connection, String sql) {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> rows(Connection connection) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT id, note FROM coupon_rows ORDER BY id")) {
      while (result.next()) {
        rows.add(result.getLong(1) + " " + result.getString(2));
      }
    }
    return rows;
  }
}
