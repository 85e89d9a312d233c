package couponservice.readside;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/** The two databases the read model runs on: PostgreSQL (prod) and H2 (dev). */
public enum SqlDialect {
  POSTGRES,
  H2;

  public static SqlDialect ofJdbcUrl(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return POSTGRES;
    }
    if (url.startsWith("jdbc:h2:")) {
      return H2;
    }
    throw new IllegalArgumentException("unsupported database URL " + url);
  }

  /**
   * The rows of an {@link ArrayStatement}, one array parameter per column, as the table {@code u} with
   * the columns' names.
   */
  String arrayRows(List<ArrayStatement.Column> columns) {
    String names = columns.stream().map(ArrayStatement.Column::name).collect(Collectors.joining(", "));
    String arrays = columns.stream()
        .map(c -> this == POSTGRES ? "?::" + c.type().postgres + "[]" : "CAST(? AS " + c.type().h2 + " ARRAY)")
        .collect(Collectors.joining(", "));
    return "(SELECT * FROM UNNEST(" + arrays + ")) AS u(" + names + ")";
  }

  /**
   * Inserts the array rows whose key is not in {@code table} yet (two projections may both create a
   * coupon's row). The first column is the key; the columns are the table's.
   */
  ArrayStatement insertIfAbsent(String table, List<ArrayStatement.Column> columns) {
    String key = columns.get(0).name();
    String names = columns.stream().map(ArrayStatement.Column::name).collect(Collectors.joining(", "));
    String sql = this == POSTGRES
        ? "INSERT INTO " + table + " (" + names + ") SELECT * FROM " + arrayRows(columns) + " ON CONFLICT (" + key
            + ") DO NOTHING"
        : "MERGE INTO " + table + " t USING " + arrayRows(columns) + " ON t." + key + " = u." + key
            + " WHEN NOT MATCHED THEN INSERT (" + names + ") VALUES ("
            + columns.stream().map(c -> "u." + c.name()).collect(Collectors.joining(", ")) + ")";
    return new ArrayStatement(sql, columns);
  }

  /**
   * Updates the rows of {@code table} whose key (the first column) matches an array row, as {@code set}
   * says ({@code column = expression, ...}, the array row being {@code u}).
   */
  ArrayStatement update(String table, List<ArrayStatement.Column> columns, String set) {
    String key = columns.get(0).name();
    String sql = this == POSTGRES
        ? "UPDATE " + table + " t SET " + set + " FROM " + arrayRows(columns) + " WHERE t." + key + " = u." + key
        : "MERGE INTO " + table + " t USING " + arrayRows(columns) + " ON t." + key + " = u." + key
            + " WHEN MATCHED THEN UPDATE SET " + set;
    return new ArrayStatement(sql, columns);
  }

  /** H2 has no partial indexes; there the {@code WHERE} clause of an index is dropped. */
  public String partialIndex(String createIndex, String where) {
    return this == POSTGRES ? createIndex + " WHERE " + where : createIndex;
  }

  /**
   * An upsert that adds to counters: inserts the row, or adds each counter to the existing row's.
   * {@code keys} then {@code counters}, one {@code ?} each, in that order.
   */
  public String addTo(String table, List<String> keys, List<String> counters) {
    List<String> columns = new ArrayList<>(keys);
    columns.addAll(counters);
    String columnList = String.join(", ", columns);
    String placeholders = String.join(", ", Collections.nCopies(columns.size(), "?"));
    if (this == POSTGRES) {
      return "INSERT INTO " + table + " AS t (" + columnList + ") VALUES (" + placeholders + ") ON CONFLICT ("
          + String.join(", ", keys) + ") DO UPDATE SET "
          + counters.stream().map(c -> c + " = t." + c + " + EXCLUDED." + c).collect(Collectors.joining(", "));
    }
    return "MERGE INTO " + table + " t USING (VALUES (" + placeholders + ")) s(" + columnList + ") ON "
        + keys.stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "))
        + " WHEN MATCHED THEN UPDATE SET " + counters.stream().map(c -> c + " = t." + c + " + s." + c)
            .collect(Collectors.joining(", "))
        + " WHEN NOT MATCHED THEN INSERT (" + columnList + ") VALUES ("
        + columns.stream().map(c -> "s." + c).collect(Collectors.joining(", ")) + ")";
  }
}
