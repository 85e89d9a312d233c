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
   * An INSERT that leaves an existing row with the same key alone (two projections may both create a
   * coupon's row). {@code columns} starts with the key column; one {@code ?} per column.
   */
  public String insertIfAbsent(String table, String... columns) {
    String columnList = String.join(", ", columns);
    String placeholders = String.join(", ", Collections.nCopies(columns.length, "?"));
    return this == POSTGRES
        ? "INSERT INTO " + table + " (" + columnList + ") VALUES (" + placeholders + ") ON CONFLICT (" + columns[0]
            + ") DO NOTHING"
        : "MERGE INTO " + table + " t USING (VALUES (" + placeholders + ")) s(" + columnList + ") ON t." + columns[0]
            + " = s." + columns[0] + " WHEN NOT MATCHED THEN INSERT (" + columnList + ") VALUES ("
            + java.util.Arrays.stream(columns).map(c -> "s." + c).collect(Collectors.joining(", ")) + ")";
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
