package couponservice.readside;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** JDBC conversions shared by the projections and queries (nullable numbers, UTC timestamps). */
final class Rows {
  private Rows() {}

  interface Binder {
    void bind(PreparedStatement statement) throws SQLException;
  }

  interface RowReader<T> {
    T read(ResultSet row) throws SQLException;
  }

  /** Every row of a query on a connection of its own, each read by {@code reader}. */
  static <T> List<T> list(DataSource dataSource, String sql, Binder binder, RowReader<T> reader) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      List<T> found = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          found.add(reader.read(rows));
        }
      }
      return found;
    }
  }

  /**
   * A newest-first page of {@code table}: the rows whose {@code idColumn} is below {@code beforeId} (all when null),
   * highest id first, at most {@code limit}.
   */
  static <T> Page<T> newestFirst(DataSource dataSource, String table, String idColumn, Long beforeId, int limit,
      RowReader<T> reader) throws SQLException {
    String sql = "SELECT * FROM " + table + (beforeId == null ? "" : " WHERE " + idColumn + " < ?") + " ORDER BY "
        + idColumn + " DESC LIMIT ?";
    return Page.of(list(dataSource, sql, statement -> {
      int index = 1;
      if (beforeId != null) {
        statement.setLong(index++, beforeId);
      }
      statement.setInt(index, limit + 1);
    }, reader), limit);
  }

  /** Runs one statement; returns the rows it changed. */
  static int execute(Connection connection, String sql, Binder binder) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      binder.bind(statement);
      return statement.executeUpdate();
    }
  }

  static void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      statement.setObject(index, value.atOffset(ZoneOffset.UTC));
    }
  }

  static Instant getInstant(ResultSet rows, String column) throws SQLException {
    OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static void setLong(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }

  static Long getLong(ResultSet rows, String column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }

  static void setInt(PreparedStatement statement, int index, Integer value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.INTEGER);
    } else {
      statement.setInt(index, value);
    }
  }

  static Integer getInt(ResultSet rows, String column) throws SQLException {
    int value = rows.getInt(column);
    return rows.wasNull() ? null : value;
  }

  /** Money as stored (scale 2) back to its plain form: 10000.00 is answered as 10000. */
  static BigDecimal getMoney(ResultSet rows, String column) throws SQLException {
    BigDecimal value = rows.getBigDecimal(column);
    return value == null ? null : plain(value);
  }

  static BigDecimal plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }
}
