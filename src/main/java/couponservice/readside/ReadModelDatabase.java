package couponservice.readside;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The connection pool of the read side (projections and queries), separate from the journal's. */
public final class ReadModelDatabase implements AutoCloseable {
  private final HikariDataSource dataSource;
  private final SqlDialect dialect;

  private ReadModelDatabase(HikariDataSource dataSource, SqlDialect dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }

  public static ReadModelDatabase open(Config config) {
    Config db = config.getConfig("coupon.database");
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("read-model");
    hikari.setJdbcUrl(db.getString("url"));
    hikari.setUsername(db.getString("user"));
    hikari.setPassword(db.getString("password"));
    hikari.setDriverClassName(db.getString("driver"));
    hikari.setMaximumPoolSize(db.getInt("max-connections"));
    hikari.setMinimumIdle(1);
    hikari.setConnectionTimeout(5_000);
    hikari.setInitializationFailTimeout(5_000);
    db.getConfig("properties").entrySet()
        .forEach(property -> hikari.addDataSourceProperty(property.getKey(), property.getValue().unwrapped().toString()));
    SqlDialect dialect = SqlDialect.ofJdbcUrl(db.getString("url"));
    if (dialect == SqlDialect.POSTGRES) {
      // The projections insert coupons in JDBC batches; sent as multi-row INSERTs they cost PostgreSQL far less.
      hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    return new ReadModelDatabase(new HikariDataSource(hikari), dialect);
  }

  /** The JDBC URL, for messages (credentials are never part of it). */
  public String url() {
    return dataSource.getJdbcUrl();
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public SqlDialect dialect() {
    return dialect;
  }

  /** A session with its own transaction, for one projection step. */
  public ReadModelSession openSession() {
    try {
      Connection connection = dataSource.getConnection();
      connection.setAutoCommit(false);
      return new ReadModelSession(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("read model database unavailable", e);
    }
  }

  /**
   * Which of these tables and indexes do not exist. On PostgreSQL even CREATE INDEX IF NOT EXISTS locks its
   * table against writes before it looks the name up, waiting for every open write and holding up the next
   * ones, so a node starting beside running ones creates only what is missing. H2 serves one node only:
   * there everything counts as missing, and its IF NOT EXISTS statements run.
   */
  public List<String> missingRelations(List<String> names) throws SQLException {
    if (dialect != SqlDialect.POSTGRES) {
      return names;
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query = connection.prepareStatement(
            "SELECT name FROM UNNEST(?::text[]) AS name WHERE to_regclass(name) IS NULL")) {
      query.setArray(1, connection.createArrayOf("text", names.toArray()));
      List<String> missing = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          missing.add(rows.getString(1));
        }
      }
      return missing;
    }
  }

  /** Held while a node creates missing tables; released when closed. */
  public interface SchemaLock extends AutoCloseable {
    @Override
    void close() throws SQLException;
  }

  // Any fixed number: the one advisory lock every node of this service takes for schema changes.
  private static final long SCHEMA_LOCK_KEY = 0x436f75706f6eL;
  private static final Duration SCHEMA_LOCK_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SCHEMA_LOCK_POLL = Duration.ofMillis(200);

  /**
   * Nodes starting together on a new PostgreSQL database would race to create the same tables (and
   * fail on PostgreSQL's catalog), so they take turns under an advisory lock. H2 serves one node only.
   */
  public SchemaLock schemaLock() throws SQLException {
    if (dialect != SqlDialect.POSTGRES) {
      return () -> { };
    }
    Connection connection = dataSource.getConnection();
    try {
      awaitSchemaLock(connection);
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return () -> {
      try (connection; Statement statement = connection.createStatement()) {
        statement.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK_KEY + ")");
      }
    };
  }

  /**
   * Polls rather than blocks: the journal's DDL includes CREATE INDEX CONCURRENTLY, which waits for every
   * running statement, so a node blocked in pg_advisory_lock would deadlock with the node holding it.
   */
  private static void awaitSchemaLock(Connection connection) throws SQLException {
    long deadline = System.nanoTime() + SCHEMA_LOCK_TIMEOUT.toNanos();
    try (Statement statement = connection.createStatement()) {
      while (true) {
        try (ResultSet locked = statement.executeQuery("SELECT pg_try_advisory_lock(" + SCHEMA_LOCK_KEY + ")")) {
          locked.next();
          if (locked.getBoolean(1)) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new SQLException("another node has been creating the schema for over " + SCHEMA_LOCK_TIMEOUT);
        }
        try {
          Thread.sleep(SCHEMA_LOCK_POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while waiting for the schema lock", e);
        }
      }
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
