package couponservice.readside;

import static couponservice.readside.ArrayStatement.Type.BIGINT;
import static couponservice.readside.ArrayStatement.Type.VARCHAR;
import static couponservice.readside.ArrayStatement.columns;
import static org.junit.jupiter.api.Assertions.assertEquals;

import couponservice.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One statement per group of rows, on both databases: an insert that skips the rows that exist (a coupon's row
 * written before, when the projection replays an issue), and an update of the rows whose key matches, the later of
 * two values for one key winning.
 */
class ArrayStatementTest {
  @RegisterExtension
  static final TestDatabase postgres = TestDatabase.perTestClass();

  @FunctionalInterface
  private interface Connections {
    Connection open() throws SQLException;
  }

  @Test
  void onPostgres() throws Exception {
    insertsAndUpdatesByKey(SqlDialect.POSTGRES, postgres::connect);
  }

  @Test
  void onH2() throws Exception {
    String url = "jdbc:h2:mem:array-statement-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    insertsAndUpdatesByKey(SqlDialect.H2, () -> DriverManager.getConnection(url));
  }

  private static void insertsAndUpdatesByKey(SqlDialect dialect, Connections connections) throws Exception {
    try (Connection connection = connections.open()) {
      execute(connection, "CREATE TABLE coupon_rows (id BIGINT PRIMARY KEY, note VARCHAR(20))");
      execute(connection, "INSERT INTO coupon_rows VALUES (1, 'before')");

      ArrayStatement.Batch insert = dialect.insertIfAbsent("coupon_rows", columns("id", BIGINT, "note", VARCHAR)).batch();
      insert.put(1L, "again");
      insert.put(2L, "new");
      insert.put(3L, "new");
      insert.execute(connection);
      assertEquals(List.of("1 before", "2 new", "3 new"), rows(connection), "an existing row is left as it is");

      ArrayStatement.Batch update = dialect.update("coupon_rows", columns("id", BIGINT, "note", VARCHAR),
          "note = u.note").batch();
      update.put(2L, "changed");
      update.put(2L, "changed again");
      update.put(4L, "no such row");
      update.execute(connection);
      assertEquals(List.of("1 before", "2 changed again", "3 new"), rows(connection));
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
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
