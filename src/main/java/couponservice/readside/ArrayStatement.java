package couponservice.readside;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGStatement;

/**
 * A statement that takes a projection group's rows as one array parameter per column, so that it runs
 * once per group instead of once per row: per-row updates were most of what PostgreSQL spent on the
 * coupon read model. Its SQL reads the rows as the table {@code u} ({@link SqlDialect#arrayRows}).
 */
final class ArrayStatement {
  /** Column types of array rows, by their names in each dialect. */
  enum Type {
    BIGINT("bigint", "BIGINT"),
    VARCHAR("varchar", "VARCHAR"),
    TIMESTAMPTZ("timestamptz", "TIMESTAMP WITH TIME ZONE"),
    MONEY("numeric", "NUMERIC(15,2)");

    final String postgres;
    final String h2;

    Type(String postgres, String h2) {
      this.postgres = postgres;
      this.h2 = h2;
    }
  }

  record Column(String name, Type type) {}

  static List<Column> columns(Object... nameTypePairs) {
    Column[] columns = new Column[nameTypePairs.length / 2];
    for (int i = 0; i < columns.length; i++) {
      columns[i] = new Column((String) nameTypePairs[2 * i], (Type) nameTypePairs[2 * i + 1]);
    }
    return List.of(columns);
  }

  private final String sql;
  private final List<Column> columns;
  /** How many of the first columns make a row's key. */
  private final int keyColumns;

  ArrayStatement(String sql, List<Column> columns) {
    this(sql, columns, 1);
  }

  ArrayStatement(String sql, List<Column> columns, int keyColumns) {
    this.sql = sql;
    this.columns = columns;
    this.keyColumns = keyColumns;
  }

  Batch batch() {
    return new Batch();
  }

  /**
   * The rows of one execution, keyed by their first column, or first {@code keyColumns} (the statement's key): a
   * later row for a key replaces the earlier one, as the later event would have overwritten it (one statement cannot
   * change a row twice).
   */
  final class Batch {
    private final Map<Object, Object[]> rows = new LinkedHashMap<>();

    /** One value per column, in column order; instants are stored in UTC. */
    void put(Object... values) {
      if (values.length != columns.size()) {
        throw new IllegalArgumentException(values.length + " values for " + columns.size() + " columns: " + sql);
      }
      rows.put(keyColumns == 1 ? values[0] : Arrays.asList(values).subList(0, keyColumns), values);
    }

    void execute(Connection connection) throws SQLException {
      if (rows.isEmpty()) {
        return;
      }
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        if (statement.isWrapperFor(PGStatement.class)) {
          // Planned anew at each execution, for its rows and the table as they are now: a plan cached while
          // the table was small (a sequential scan) would otherwise stay with the connection.
          statement.unwrap(PGStatement.class).setPrepareThreshold(0);
        }
        for (int c = 0; c < columns.size(); c++) {
          Object[] column = new Object[rows.size()];
          int r = 0;
          for (Object[] row : rows.values()) {
            column[r++] = row[c] instanceof Instant instant ? instant.atOffset(ZoneOffset.UTC) : row[c];
          }
          // H2 ignores the type name; its SQL casts the array instead.
          statement.setArray(c + 1, connection.createArrayOf(columns.get(c).type().postgres, column));
        }
        statement.executeUpdate();
      }
      rows.clear();
    }
  }
}
